//! The shared YAML emitter (`driftless_core::yaml`, used by `toYaml` and
//! the CLI's `-o yaml`) against YAML 1.1 readers: for random JSON values,
//! reading our YAML back with go-yaml v2's rules gives the same JSON. The
//! rules are those of the reader behind Helm's `fromYaml` here, and, when
//! `kubectl` is on the PATH, of kubectl itself (`kubectl label --local -f -
//! -o json` decodes offline through `sigs.k8s.io/yaml`).

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value as J, json};

/// Strings that YAML 1.1 readers take for something else, or that need
/// quoting or escaping for other reasons.
const TRICKY: &[&str] = &[
    "on",
    "off",
    "On",
    "OFF",
    "yes",
    "no",
    "Yes",
    "NO",
    "y",
    "n",
    "Y",
    "N",
    "true",
    "True",
    "FALSE",
    "null",
    "Null",
    "NULL",
    "~",
    "",
    "=",
    "<<",
    "0777",
    "0o17",
    "0x1F",
    "0b101",
    "1:20",
    "-1:20:30.5",
    "1_000",
    "1e3",
    "1E+3",
    ".5",
    "+1",
    "-0",
    ".inf",
    "-.Inf",
    ".NaN",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "-",
    "- a",
    "? x",
    "?",
    ":",
    "a:",
    "a: b",
    "a #b",
    "#c",
    " lead",
    "trail ",
    "\ttab",
    "multi\nline",
    "trailing\n",
    "\n",
    "\n\n",
    " \n x",
    "'q'",
    "\"dq\"",
    "@x",
    "`x",
    "%x",
    "!x",
    "&x",
    "*x",
    "|",
    "> x",
    "[",
    "]",
    "{",
    "}",
    ",",
    "a,b",
    "é",
    "…",
    "\u{1F600}",
    "\u{7}",
    "\r\n",
];

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(TRICKY).prop_map(str::to_string),
        "[ -~\n\t]{0,12}",
        // Any text except NEL and BOM (documented go-yaml reader quirks).
        "[^\u{85}\u{feff}]{0,8}",
        (prop::sample::select(TRICKY), prop::sample::select(TRICKY))
            .prop_map(|(a, b)| format!("{a}{b}")),
    ]
}

fn json() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::from),
        (-1e6f64..1e6).prop_map(J::from),
        prop::sample::select(&[0.5, 1.0, -2.25, 1e21, 1e-7, 123456789.125][..]).prop_map(J::from),
        string().prop_map(J::String),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(J::Array),
            prop::collection::btree_map(string(), inner, 0..5)
                .prop_map(|m| J::Object(m.into_iter().collect())),
        ]
    })
}

/// JSON equality with numbers compared by value (`1` == `1.0`); floats
/// within `tolerance` (relative) of each other.
fn same_within(a: &J, b: &J, tolerance: f64) -> bool {
    let same = |p: &J, q: &J| same_within(p, q, tolerance);
    match (a, b) {
        (J::Number(x), J::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => {
                let (p, q) = (
                    x.as_f64().unwrap_or(f64::NAN),
                    y.as_f64().unwrap_or(f64::NAN),
                );
                p == q || (p - q).abs() <= tolerance * p.abs().max(q.abs())
            }
        },
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn same(a: &J, b: &J) -> bool {
    same_within(a, b, 0.0)
}

proptest! {
    #![proptest_config(Config { cases: 256, ..Config::default() })]
    #[test]
    fn yaml_1_1_reader_reads_back_the_same_json(v in json()) {
        let text = driftless_core::yaml::to_string(&v);
        let back = driftless_helm::yaml::from_yaml(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert!(same(&v, &back), "{v}\n--- yaml ---\n{text}--- back ---\n{back}");
    }
}

fn kubectl() -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| std::path::Path::new(d).join("kubectl"))
        .find(|p| p.is_file())
}

/// kubectl as the oracle: 400 random values in one object, read back by
/// kubectl's own YAML decoding.
#[test]
fn kubectl_reads_back_the_same_json() {
    let Some(kubectl) = kubectl() else {
        eprintln!("kubectl not on PATH; oracle test skipped");
        return;
    };
    let mut runner = TestRunner::deterministic();
    let strat = json();
    let values: Vec<J> = (0..400)
        .map(|_| strat.new_tree(&mut runner).expect("value").current())
        .collect();
    let obj = json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "roundtrip"},
        "values": values,
    });
    let text = driftless_core::yaml::to_string(&obj);
    let mut child = std::process::Command::new(kubectl)
        .args(["label", "--local", "-f", "-", "-o", "json", "roundtrip=1"])
        .env("KUBECONFIG", "/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kubectl runs");
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write");
    }
    let out = child.wait_with_output().expect("kubectl output");
    assert!(
        out.status.success(),
        "kubectl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back: J = serde_json::from_slice(&out.stdout).expect("kubectl JSON");
    let got = back["values"].as_array().expect("values");
    assert_eq!(got.len(), values.len());
    let bad: Vec<String> = values
        .iter()
        .zip(got)
        // kubectl's own JSON printing drops the 17th significant digit of
        // some floats (the YAML text we give it is exact, see the test above).
        .filter(|(a, b)| !same_within(a, b, 1e-15))
        .map(|(a, b)| {
            format!(
                "ours {a}\nkubectl {b}\nyaml:\n{}",
                driftless_core::yaml::to_string(a)
            )
        })
        .collect();
    assert!(
        bad.is_empty(),
        "{} values differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

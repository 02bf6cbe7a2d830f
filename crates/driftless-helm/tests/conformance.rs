//! Runs every case of `shared/helm-conformance/cases.tsv` through the
//! native renderer (with a small emulation of the helm command line) and
//! compares with the golden output: documents in order as parsed YAML
//! (semantic), and byte for byte. Known failures are listed, with a
//! reason, in `tests/conformance_known_failures.txt`; the test fails on
//! any other failure and on a listed case that now passes.

mod common;

use std::collections::BTreeMap;

use common::{Case, CliOutput, load_cases, otel_layout, parse_stream, run_native};

/// helm/helm's goldens come from a test build whose default Kubernetes
/// version is 1.20 (see the conformance README).
fn default_kube(case: &Case) -> Option<&'static str> {
    case.suite.starts_with("helm/helm").then_some("1.20.0")
}

enum Verdict {
    Bytes,
    Semantic,
    Fail(String),
}

fn compare_stream(expected: &str, actual: &str) -> Verdict {
    if expected == actual {
        return Verdict::Bytes;
    }
    match (parse_stream(expected), parse_stream(actual)) {
        (Ok(e), Ok(a)) if e == a => Verdict::Semantic,
        (Ok(e), Ok(a)) => {
            let first = e
                .iter()
                .zip(a.iter())
                .position(|(x, y)| x != y)
                .unwrap_or(e.len().min(a.len()));
            Verdict::Fail(format!(
                "documents differ (expected {}, got {}), first difference at document {first}: {:?}",
                e.len(),
                a.len(),
                e.get(first).map(|d| &d.0)
            ))
        }
        (Err(e), _) => Verdict::Fail(format!("golden does not parse: {e}")),
        (_, Err(e)) => Verdict::Fail(format!("output does not parse: {e}")),
    }
}

fn judge(case: &Case, out: &CliOutput) -> Verdict {
    match case.kind.as_str() {
        "stdout" => {
            let golden = std::fs::read_to_string(&case.expected).expect("golden");
            if let Some(e) = &out.error {
                return Verdict::Fail(format!("unexpected error: {e}"));
            }
            if case.args.first().map(String::as_str) == Some("install") {
                let manifest = golden.split("MANIFEST:\n").nth(1).unwrap_or("");
                let manifest = manifest.split("\nNOTES:\n").next().unwrap_or(manifest);
                return compare_stream(manifest, &out.stdout);
            }
            compare_stream(&golden, &out.stdout)
        }
        "stdout+error" => {
            let golden = std::fs::read_to_string(&case.expected).expect("golden");
            let Some(err) = &out.error else {
                return Verdict::Fail("expected an error, rendering succeeded".into());
            };
            let actual = format!("{}Error: {err}\n", out.stdout);
            if actual == golden {
                return Verdict::Bytes;
            }
            let pos = golden.find("Error: ").unwrap_or(0);
            let (gout, gerr) = golden.split_at(pos);
            if gerr.trim_end() == format!("Error: {err}").trim_end() {
                match compare_stream(gout, &out.stdout) {
                    Verdict::Fail(f) => Verdict::Fail(f),
                    _ => Verdict::Semantic,
                }
            } else {
                Verdict::Fail(format!(
                    "error differs:\n  expected: {gerr:?}\n  got:      {err:?}"
                ))
            }
        }
        "output-dir-normalized" => {
            if let Some(e) = &out.error {
                return Verdict::Fail(format!("unexpected error: {e}"));
            }
            let mut expected = BTreeMap::new();
            common::collect_files(&case.expected, &case.expected, &mut expected);
            let expected: BTreeMap<String, String> = expected
                .into_iter()
                .map(|(k, v)| (k, common::otel_normalize(&v)))
                .collect();
            let actual = otel_layout(&out.files);
            if expected == actual {
                return Verdict::Bytes;
            }
            let ek: Vec<_> = expected.keys().collect();
            let ak: Vec<_> = actual.keys().collect();
            if ek != ak {
                return Verdict::Fail(format!("files differ: expected {ek:?}, got {ak:?}"));
            }
            for (k, e) in &expected {
                if let Verdict::Fail(f) = compare_stream(e, &actual[k]) {
                    return Verdict::Fail(format!("{k}: {f}"));
                }
            }
            Verdict::Semantic
        }
        other => Verdict::Fail(format!("unknown expected kind {other}")),
    }
}

fn known_failures() -> BTreeMap<String, String> {
    let text = include_str!("conformance_known_failures.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, r) = l.split_once('\t').unwrap_or((l, ""));
            (k.trim().to_string(), r.trim().to_string())
        })
        .collect()
}

#[test]
fn helm_conformance_cases() {
    let cases = load_cases();
    assert!(
        cases.len() >= 80,
        "expected the full case list, got {}",
        cases.len()
    );
    let known = known_failures();
    let (mut passed, mut failed, mut bytes) = (0, 0, 0);
    let mut problems = Vec::new();
    println!("{:<70} result", "case");
    for case in &cases {
        let out = run_native(&case.args, &case.workdir, default_kube(case));
        let verdict = judge(case, &out);
        if let Ok(dir) = std::env::var("CONFORMANCE_DUMP") {
            let name = case.key().replace(['/', ':', '@'], "_");
            let err = out.error.clone().unwrap_or_default();
            let _ = std::fs::write(
                format!("{dir}/{name}.out"),
                format!("{}Error: {err}\n", out.stdout),
            );
        }
        let key = case.key();
        let is_known = known.contains_key(&key);
        match &verdict {
            Verdict::Bytes => {
                passed += 1;
                bytes += 1;
                println!("{key:<70} pass (byte-identical)");
            }
            Verdict::Semantic => {
                passed += 1;
                println!("{key:<70} pass (same objects)");
            }
            Verdict::Fail(why) => {
                failed += 1;
                println!("{key:<70} FAIL {why}");
                if !is_known {
                    problems.push(format!("{key}: {why}"));
                }
            }
        }
        if is_known && !matches!(verdict, Verdict::Fail(_)) {
            problems.push(format!("{key}: listed as a known failure but passes now"));
        }
    }
    println!("{bytes} of {} cases byte-identical", cases.len());
    println!("{passed} passed, {failed} failed");
    assert!(
        problems.is_empty(),
        "unexpected results:\n{}",
        problems.join("\n")
    );
}

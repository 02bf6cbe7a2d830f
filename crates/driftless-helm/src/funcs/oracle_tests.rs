//! Differential test against the real `helm` binary (installed with
//! `shared/tools/install-helm.sh` into `<repo>/.tools`); skipped with a
//! notice when helm cannot be made available.

use std::path::PathBuf;
use std::process::Command;

use super::testutil::render_with;

fn helm() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let tools = root.join(".tools");
    let bin = tools.join("helm");
    if bin.exists() {
        return Some(bin);
    }
    let shared = std::env::var_os("DRIFTLESS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared"));
    let script = shared.join("tools/install-helm.sh");
    let ok = Command::new("bash")
        .arg(&script)
        .arg(&tools)
        .status()
        .is_ok_and(|s| s.success());
    (ok && bin.exists()).then_some(bin)
}

/// Expressions whose printed value must equal Helm's.
const CASES: &[&str] = &[
    r#"title "hello world-foo it's""#,
    r#"untitle "Hello World""#,
    r#"trunc -3 "abcdef""#,
    r#"abbrev 6 "hello world""#,
    r#"abbrevboth 5 10 "1234 5678 9123""#,
    r#"initials "first second third""#,
    r#"wrap 5 "hello world again""#,
    r#"wrapWith 5 "\t" "Hello World""#,
    r#"quote "a\"b" 1 nil"#,
    r#"squote "x" nil 2"#,
    r#"cat "a" nil 1 2.5"#,
    r#"nindent 2 "a\nb""#,
    r#"snakecase "FirstName HTTPServer""#,
    r#"camelcase "http_server_x""#,
    r#"kebabcase "MyKebabCase""#,
    r#"swapcase "Hello World""#,
    r#"splitList "," "a,b,,c""#,
    r#"split "$" "foo$bar$baz""#,
    r#"splitn "$" 2 "foo$bar$baz""#,
    r#"join "-" (list 1 "a" nil 2.5)"#,
    r#"sortAlpha (list "b" "a" "C")"#,
    r#"toStrings (list 1 2 "x")"#,
    r#"add 1 2 "3" 1.9"#,
    r#"mul 2 "3" 4"#,
    r#"max 1 "10" 3"#,
    r#"addf 0.1 0.2"#,
    r#"subf 1.5 0.25"#,
    r#"mulf 1.1 3"#,
    r#"divf 1 3"#,
    r#"round 3.14159 2"#,
    r#"round 2.5 0"#,
    r#"floor 1.7"#,
    r#"int "0x10""#,
    r#"int64 "1.0""#,
    r#"float64 "1e3""#,
    r#"toDecimal "0777""#,
    r#"seq 0 2 6"#,
    r#"seq 3 1"#,
    r#"until 4"#,
    r#"untilStep 10 0 -3"#,
    r#"uniq (list 1 1 "1" 2)"#,
    r#"compact (list 0 "" nil "a" false 1)"#,
    r#"without (list 1 2 3 2) 2"#,
    r#"slice (list 1 2 3 4) 1 3"#,
    r#"chunk 2 (list 1 2 3)"#,
    r#"dict "b" 2 "a" 1 "c""#,
    r#"pluck "a" (dict "a" 1) (dict "b" 2) (dict "a" 3)"#,
    r#"dig "a" "b" "def" (dict "a" (dict "b" 5))"#,
    r#"merge (dict "a" 1 "n" (dict "x" 1) "l" (list 1) "e" "") (dict "a" 2 "b" 3 "n" (dict "x" 2 "y" 2) "l" (list 2) "e" "filled")"#,
    r#"mergeOverwrite (dict "a" 1 "n" (dict "x" 1) "l" (list 1)) (dict "a" 2 "n" (dict "y" 2) "l" (list 2) "z" nil)"#,
    r#"default "d" 0"#,
    r#"coalesce "" nil 0 "x""#,
    r#"ternary "a" "b" false"#,
    r#"dict "b" (list 1 2.5 "<x>") "a" nil | toJson"#,
    r#"dict "a" (list 1) | toPrettyJson"#,
    r#"dict "b" "<x>" | toRawJson"#,
    r#"(fromJson "[1]").Error"#,
    r#"(fromJson "{\"a\": 1}").a"#,
    r#"fromJsonArray "[1, \"a\"]""#,
    r#"(fromYaml "- 1").Error"#,
    r#"(fromYaml "a: yes\nb: 0777\nc: 1e3").b"#,
    r#"fromYamlArray "a: 1""#,
    r#"dict "foo" "bar" "n" (dict "x" 1.5) | toToml"#,
    r#"dict "baz" (list 1 2) "a" (dict "b" (list "x")) | toYamlPretty"#,
    r#"list "yes" "1.0" "" nil 1000000 0.000001 "a: b" | toYaml"#,
    r#"b64dec "!!""#,
    r#"b32enc "hello""#,
    r#"sha1sum "abc""#,
    r#"adler32sum "Wikipedia""#,
    r#"regexFindAll "a." "abacad" -1"#,
    r#"regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W""#,
    r#"regexSplit "z+" "pizza" -1"#,
    r#"regexQuoteMeta "1.2+[x]""#,
    r#"semverCompare ">=1.19-0" "v1.20.5-gke.1""#,
    r#"semverCompare "~1.2" "1.3.0""#,
    r#"semverCompare "1.1 - 1.3" "1.3.1""#,
    r#"semverCompare "^0.2.3" "0.2.9""#,
    r#"(semver "1.2.3-beta+b1").Prerelease"#,
    r#"typeOf (list 1)"#,
    r#"kindOf (dict)"#,
    r#"typeOf 1.5"#,
    r#"deepEqual (list 1 (dict "a" 1)) (list 1 (dict "a" 1))"#,
    r#"base "a/b/c.txt""#,
    r#"dir "a/b/c.txt""#,
    r#"ext "a/b.tar.gz""#,
    r#"clean "a//b/../c/.""#,
    r#"duration "3725""#,
    r#"duration 2.5"#,
    r#"date "2006-01-02 15:04" 86400"#,
    r#"lookup "v1" "Secret" "ns" "x""#,
];

#[test]
fn functions_match_helm_binary() {
    let Some(helm) = helm() else {
        eprintln!("NOTICE: helm binary unavailable; skipping the differential function test");
        return;
    };
    let dir = std::env::temp_dir().join(format!("driftless-funcs-oracle-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("templates")).expect("temp dir");
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: oracle\nversion: 0.1.0\n",
    )
    .expect("write");
    let mut tpl = String::new();
    for (i, c) in CASES.iter().enumerate() {
        tpl.push_str(&format!("k{i}: {{{{ ({c}) | toString | toJson }}}}\n"));
    }
    std::fs::write(dir.join("templates/t.yaml"), &tpl).expect("write");
    let out = Command::new(&helm)
        .arg("template")
        .arg(&dir)
        .output()
        .expect("run helm");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "helm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let body = text.splitn(3, '\n').nth(2).unwrap_or_default();
    let want: serde_json::Value = serde_yaml_ng::from_str(body).expect("helm output is YAML");
    let ours = render_with(&tpl, serde_json::Value::Null).expect("our render");
    let got: serde_json::Value = serde_yaml_ng::from_str(&ours).expect("our output is YAML");
    let mut bad = Vec::new();
    for (i, c) in CASES.iter().enumerate() {
        let k = format!("k{i}");
        if want[&k] != got[&k] {
            bad.push(format!("{c}\n  helm {}\n  ours {}", want[&k], got[&k]));
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {} differ from helm:\n{}",
        bad.len(),
        CASES.len(),
        bad.join("\n")
    );
}

/// Every function of Helm v4's function map exists here, and no other
/// (a name Helm lacks must stay a parse error, as in `helm template`).
#[test]
fn function_map_is_helms() {
    let want: std::collections::BTreeSet<&str> = include_str!("helm_v4_functions.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    let mut funcs = driftless_gotmpl::FuncMap::new();
    super::register(&mut funcs, &super::FuncOptions::default());
    let have: std::collections::BTreeSet<&str> = funcs.names().collect();
    let missing: Vec<_> = want.difference(&have).collect();
    let extra: Vec<_> = have.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing from driftless: {missing:?}\nnot in helm v4: {extra:?}"
    );
    // Go's text/template builtins complete Helm's map; each parses (an unknown name is a
    // parse error), as `helm template` v4.1.4 parses them.
    let builtins = [
        "and", "or", "not", "len", "index", "slice", "print", "printf", "println", "html", "js",
        "urlquery", "call", "eq", "ne", "lt", "le", "gt", "ge",
    ];
    let mut set = driftless_gotmpl::TemplateSet::with_funcs(funcs);
    for name in builtins {
        set.parse(
            name,
            &format!("{{{{ if false }}}}{{{{ {name} }}}}{{{{ end }}}}"),
        )
        .unwrap_or_else(|e| panic!("builtin {name}: {e}"));
    }
    assert!(
        set.parse("env", "{{ if false }}{{ env }}{{ end }}")
            .is_err()
    );
}

//! Jsonnet directory sources against the `jsonnet` command as the oracle, on
//! the corpus in `tests/jsonnet/` (outputs and errors), plus confinement and bounds.

use driftless_render::{DirFs, JsonnetVar, RenderOptions, render};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::write;
use std::time::{Duration, Instant};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/jsonnet")
}

fn var(name: &str, value: &str, code: bool) -> JsonnetVar {
    JsonnetVar {
        name: name.into(),
        value: value.into(),
        code,
    }
}

/// The options the README of the corpus names, for one file.
fn options(file: &str) -> RenderOptions {
    let mut o = RenderOptions {
        include: vec![file.to_string()],
        ..RenderOptions::default()
    };
    o.jsonnet.ext_vars = vec![var("env", "prod", false), var("replicas", "3", true)];
    o.jsonnet.tlas = vec![
        var("name", "demo", false),
        var("labels", "{tier: \"web\"}", true),
    ];
    o.jsonnet.libs = vec!["lib".into(), "lib2".into()];
    o
}

/// `jsonnet` run on `dir/file` from the corpus root: Ok(JSON) or Err(stderr).
fn oracle(dir: &str, file: &str) -> Result<Value, String> {
    let out = Command::new("jsonnet")
        .current_dir(corpus())
        .args([
            "-J",
            dir,
            "-J",
            "lib",
            "-J",
            "lib2",
            "--ext-str",
            "env=prod",
        ])
        .args(["--ext-code", "replicas=3", "--tla-str", "name=demo"])
        .args(["--tla-code", "labels={tier: \"web\"}"])
        .arg(format!("{dir}/{file}"))
        .output()
        .expect("the `jsonnet` oracle is installed by scripts/setup-test-tools.sh");
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The objects Argo CD takes from a Jsonnet result: the object, or the
/// array's non-null items; `List`s expanded.
fn objects(v: Value) -> Vec<Value> {
    let items = match v {
        Value::Array(a) => a.into_iter().filter(|x| !x.is_null()).collect(),
        other => vec![other],
    };
    items
        .into_iter()
        .flat_map(|x| match x.get("items") {
            Some(Value::Array(a)) if x["kind"] == "List" => a.clone(),
            _ => vec![x],
        })
        .collect()
}

fn files(dir: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(corpus().join(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jsonnet"))
        .collect();
    out.sort();
    out
}

#[test]
fn corpus_renders_as_the_oracle() {
    let fs = DirFs::new(corpus());
    let all = files("corpus");
    assert!(all.len() >= 6, "{all:?}");
    for f in all {
        let want = objects(oracle("corpus", &f).unwrap_or_else(|e| panic!("{f}: {e}")));
        let got = render(&fs, "corpus", &options(&f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        let got: Vec<Value> = got.manifests.iter().map(|m| m.object.clone()).collect();
        assert_eq!(got, want, "{f}");
        assert!(!got.is_empty(), "{f}");
    }
}

/// The first `file:line:col` the oracle names.
fn oracle_location(stderr: &str) -> String {
    let at = stderr.find("sonnet:").expect(stderr);
    let start = stderr[..at].rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let tail = &stderr[start..];
    let end = tail.find(|c: char| c.is_whitespace() || c == '-').unwrap();
    tail[..end].trim_end_matches(':').to_string()
}

#[test]
fn errors_name_the_oracles_file_line_and_column() {
    let fs = DirFs::new(corpus());
    let all = files("errors");
    assert!(all.len() >= 7, "{all:?}");
    for f in all {
        let stderr = oracle("errors", &f).expect_err(&f);
        let want = oracle_location(&stderr);
        let got = render(&fs, "errors", &options(&f))
            .expect_err(&f)
            .to_string();
        // File, line and column agree; only for a failed object assertion does
        // the oracle point at the message where we point at the `assert`.
        eprintln!("{f}: oracle at {want}; ours: {got}");
        let (want_file_line, want_col) = want.rsplit_once(':').unwrap();
        assert!(
            got.starts_with(&format!("{want_file_line}:")),
            "{f}: oracle at {want}, ours: {got}"
        );
        let col: usize = got[want_file_line.len() + 1..]
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("{f}: no column in {got}"));
        let want_col: usize = want_col.parse().unwrap();
        assert!(
            col.abs_diff(want_col) <= 40,
            "{f}: oracle at {want}, ours: {got}"
        );
        // The oracle's message (after `ERROR: `) is ours too, for the common kinds.
        let oracle_msg = stderr.lines().next().unwrap();
        for shared in [
            "explicit failure here",
            "does not exist: missing",
            "replicas must be positive",
            "max stack frames exceeded",
            "does-not-exist.libsonnet",
            "only functions can be called, got number",
            "function parameter name not bound in call",
            "undefinedVariable",
            "unexpected: \",\"",
        ] {
            if oracle_msg.contains(shared) {
                assert!(
                    got.contains(shared),
                    "{f}: oracle says {oracle_msg}, ours: {got}"
                );
            }
        }
    }
}

#[test]
fn libsonnet_files_are_libraries_and_recurse_include_exclude_apply() {
    let fs = DirFs::new(corpus());
    let mut o = options("*.jsonnet");
    o.include.clear();
    o.exclude = vec!["stdlib.jsonnet".into()];
    let flat = render(&fs, "corpus", &o).unwrap();
    assert!(
        flat.manifests
            .iter()
            .all(|m| !m.provenance.file.ends_with(".libsonnet"))
    );
    assert!(
        !flat
            .manifests
            .iter()
            .any(|m| m.key().to_string().contains("only-with-recurse"))
    );
    assert!(
        !flat
            .manifests
            .iter()
            .any(|m| m.key().to_string().contains("stdlib"))
    );
    o.recurse = true;
    let deep = render(&fs, "corpus", &o).unwrap();
    assert_eq!(deep.manifests.len(), flat.manifests.len() + 1);
    o.include = vec!["sub/*".into()];
    assert_eq!(render(&fs, "corpus", &o).unwrap().manifests.len(), 1);
}

#[test]
fn imports_leaving_the_repository_are_refused() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            ("secret.libsonnet", "{ password: 'hunter2' }"),
            ("repo/app/a.jsonnet", "(import '../../secret.libsonnet')"),
            ("repo/app/b.jsonnet", "importstr '/etc/hostname'"),
            ("repo/app/c.jsonnet", "(import 'link.libsonnet')"),
        ],
    );
    std::os::unix::fs::symlink(
        d.path().join("secret.libsonnet"),
        d.path().join("repo/app/link.libsonnet"),
    )
    .unwrap();
    let fs = DirFs::new(d.path().join("repo"));
    for (f, want) in [
        ("a.jsonnet", "leaves the repository"),
        ("b.jsonnet", "only relative paths"),
        ("c.jsonnet", "leaves the repository"),
    ] {
        let o = RenderOptions {
            include: vec![f.into()],
            ..RenderOptions::default()
        };
        let err = render(&fs, "app", &o).unwrap_err().to_string();
        assert!(err.starts_with(&format!("app/{f}:1:")), "{err}");
        assert!(err.contains(want), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }
    let mut o = RenderOptions::default();
    o.jsonnet.libs = vec!["../outside".into()];
    assert!(
        render(&fs, "app", &o)
            .unwrap_err()
            .to_string()
            .contains("leaves the repository")
    );
}

#[test]
fn evaluation_is_bounded_in_time_and_stack() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            // Exponential work without deep recursion: only the time limit stops it.
            (
                "slow/a.jsonnet",
                "local f(n) = if n == 0 then 1 else f(n - 1) + f(n - 1); { x: f(60) }",
            ),
            ("deep/a.jsonnet", "local f(n) = f(n + 1) + 1; f(0)"),
        ],
    );
    let fs = DirFs::new(d.path());
    let mut o = RenderOptions::default();
    o.jsonnet.timeout = Duration::from_millis(300);
    let start = Instant::now();
    let err = render(&fs, "slow", &o).unwrap_err().to_string();
    assert!(start.elapsed() < Duration::from_secs(5), "{err}");
    assert!(
        err.starts_with("slow/a.jsonnet: evaluation ran longer than 0.3 s"),
        "{err}"
    );
    o.jsonnet.max_stack = 50;
    let err = render(&fs, "deep", &o).unwrap_err().to_string();
    assert!(err.contains("max stack frames exceeded"), "{err}");
}

#[test]
fn arguments_are_substituted_from_the_build_environment() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[(
            "app/a.jsonnet",
            "function(name) { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: name }, data: { rev: std.extVar('rev') } }",
        )],
    );
    let mut o = RenderOptions::default();
    o.env.app_name = "guestbook".into();
    o.env.revision = "0123456789abcdef".into();
    o.jsonnet.tlas = vec![var("name", "$ARGOCD_APP_NAME-cm", false)];
    o.jsonnet.ext_vars = vec![var("rev", "'${ARGOCD_APP_REVISION_SHORT}'", true)];
    let out = render(&DirFs::new(d.path()), "app", &o).unwrap();
    assert_eq!(out.manifests[0].object["metadata"]["name"], "guestbook-cm");
    assert_eq!(out.manifests[0].object["data"]["rev"], "0123456");
}

#[test]
fn results_that_are_not_objects_are_refused_with_the_file() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            ("app/a.jsonnet", "[{ a: 1 }, 'text']"),
            ("b/b.jsonnet", "42"),
        ],
    );
    let fs = DirFs::new(d.path());
    let err = render(&fs, "app", &RenderOptions::default())
        .unwrap_err()
        .to_string();
    assert_eq!(err, "app/a.jsonnet: array item 2 is not an object");
    let err = render(&fs, "b", &RenderOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("b/b.jsonnet: the result must be an object"),
        "{err}"
    );
}

/// Known difference: a number turned into a string. rsjsonnet (like
/// go-jsonnet, Argo CD's) prints the shortest form that reads back as the same
/// double; the C++ `jsonnet` prints 17 significant digits. Numbers kept as
/// JSON numbers are identical.
#[test]
fn numbers_in_strings_use_the_shortest_round_trip_form() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[(
            "app/a.jsonnet",
            "{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'n' }, data: { s: std.toString(1 / 3) }, n: 1 / 3 }",
        )],
    );
    let out = render(&DirFs::new(d.path()), "app", &RenderOptions::default()).unwrap();
    let o = &out.manifests[0].object;
    assert_eq!(o["data"]["s"], "0.3333333333333333");
    assert_eq!(o["n"].as_f64(), Some(1.0 / 3.0));
}

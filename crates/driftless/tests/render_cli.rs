//! `driftless render` run as a program against temporary Git repositories.

use driftless_e2e::GitRepo;
use std::path::Path;
use std::process::{Command, Output};

/// Writes `files` into `repo` and commits them; returns the commit id.
fn commit(repo: &GitRepo, files: &[(&str, &str)]) -> String {
    for (p, c) in files {
        repo.write(p, c);
    }
    repo.commit("c")
}

fn cm(name: &str, value: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  v: \"{value}\"\n")
}

fn driftless(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_driftless"))
        .arg("render")
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .env_remove("DRIFTLESS_GIT_PASSWORD")
        .env_remove("DRIFTLESS_GIT_TOKEN")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn yaml_docs(text: &str) -> Vec<serde_json::Value> {
    use serde::Deserialize;
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|d| serde_json::Value::deserialize(d).unwrap())
        .filter(|v| !v.is_null())
        .collect()
}

#[test]
fn renders_any_revision_of_a_local_repository() {
    let r = GitRepo::new();
    let cache = tempfile::tempdir().unwrap();
    let c1 = commit(&r, &[("app/a.yaml", &cm("a", "one"))]);
    r.git(&["tag", "v1"]);
    commit(
        &r,
        &[
            ("app/a.yaml", &cm("a", "two")),
            ("app/b.yaml", &cm("b", "x")),
        ],
    );
    let repo_arg = r.path().to_str().unwrap();

    let head = driftless(&["--repo", repo_arg, "--path", "app"], cache.path());
    assert!(head.status.success(), "{}", stderr(&head));
    let docs = yaml_docs(&stdout(&head));
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["data"]["v"], "two");

    for rev in ["v1", &c1[..7], &c1] {
        let old = driftless(
            &["--repo", repo_arg, "--revision", rev, "--path", "app"],
            cache.path(),
        );
        assert!(old.status.success(), "{rev}: {}", stderr(&old));
        let docs = yaml_docs(&stdout(&old));
        assert_eq!(docs.len(), 1, "{rev}");
        assert_eq!(docs[0]["data"]["v"], "one", "{rev}");
    }
    // Uncommitted changes are not part of any revision.
    std::fs::write(r.path().join("app/c.yaml"), cm("c", "dirty")).unwrap();
    let again = driftless(&["--repo", repo_arg, "--path", "app"], cache.path());
    assert_eq!(yaml_docs(&stdout(&again)).len(), 2);
}

#[test]
fn file_url_through_the_cache_with_json_output() {
    let r = GitRepo::new();
    let cache = tempfile::tempdir().unwrap();
    commit(
        &r,
        &[("a.yaml", &cm("a", "1")), ("sub/b.yaml", &cm("b", "2"))],
    );
    let url = format!("file://{}", r.path().display());
    let cache_dir = cache.path().join("explicit");
    let out = driftless(
        &[
            "--repo",
            &url,
            "--path",
            ".",
            "--recurse",
            "-o",
            "json",
            "--cache-dir",
            cache_dir.to_str().unwrap(),
        ],
        cache.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let list: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(list["apiVersion"], "v1");
    assert_eq!(list["kind"], "List");
    let names: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].clone())
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert!(
        std::fs::read_dir(&cache_dir).unwrap().count() > 0,
        "cache used"
    );
}

#[test]
fn include_exclude_and_recurse_flags() {
    let r = GitRepo::new();
    let cache = tempfile::tempdir().unwrap();
    commit(
        &r,
        &[
            ("x/a.yaml", &cm("a", "")),
            ("x/b.yaml", &cm("b", "")),
            ("x/s/c.yaml", &cm("c", "")),
        ],
    );
    let p = r.path().to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["--repo", p, "--path", "x", "-o", "json"];
        args.extend_from_slice(extra);
        let o = driftless(&args, cache.path());
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(&[]), ["a", "b"]);
    assert_eq!(run(&["--recurse"]), ["a", "b", "c"]);
    assert_eq!(
        run(&["--recurse", "--exclude", "b.yaml", "--exclude", "s/*"]),
        ["a"]
    );
    assert_eq!(run(&["--recurse", "--include", "s/*"]), ["c"]);
}

#[test]
fn failures_exit_2_with_error_on_stderr_and_nothing_on_stdout() {
    let r = GitRepo::new();
    let cache = tempfile::tempdir().unwrap();
    commit(
        &r,
        &[
            ("ok/a.yaml", &cm("a", "")),
            (
                "bad/a.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
            ),
        ],
    );
    let p = r.path().to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--repo", p, "--path", "bad"],
            "bad/a.yaml:1 (document 1): object has no metadata.name",
        ),
        (
            vec!["--repo", p, "--path", "ok", "--revision", "nope"],
            "unknown revision `nope`",
        ),
        (
            vec!["--repo", p, "--path", "../elsewhere"],
            "path leaves the repository",
        ),
        (
            vec!["--repo", p, "--path", "missing"],
            "missing: source path not found",
        ),
    ];
    for (args, expected) in cases {
        let o = driftless(&args, cache.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stdout(&o).is_empty(), "{args:?}: stdout {}", stdout(&o));
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn duplicates_warn_by_default_and_fail_with_strict() {
    let r = GitRepo::new();
    let cache = tempfile::tempdir().unwrap();
    commit(
        &r,
        &[
            ("a.yaml", &cm("same", "first")),
            ("b.yaml", &cm("same", "second")),
        ],
    );
    let p = r.path().to_str().unwrap();
    let o = driftless(&["--repo", p], cache.path());
    assert!(o.status.success());
    let docs = yaml_docs(&stdout(&o));
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["data"]["v"], "second");
    assert!(
        stderr(&o).contains("RepeatedResourceWarning"),
        "{}",
        stderr(&o)
    );
    let o = driftless(&["--repo", p, "--strict"], cache.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty());
    assert!(
        stderr(&o).contains("a.yaml:1") && stderr(&o).contains("b.yaml:1"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn helm_chart_with_flags() {
    let r = GitRepo::new();
    let cache = tempfile::tempdir().unwrap();
    let template = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cfg\n  namespace: {{ .Release.Namespace }}\ndata:\n  x: {{ .Values.x | quote }}\n  tag: {{ .Values.image.tag | quote }}\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n  monitoring: {{ .Capabilities.APIVersions.Has \"monitoring.coreos.com/v1\" | quote }}\n";
    commit(
        &r,
        &[
            (
                "chart/Chart.yaml",
                "apiVersion: v2\nname: c\nversion: 0.1.0\n",
            ),
            ("chart/values.yaml", "x: dev\nimage:\n  tag: v1\n"),
            ("chart/values-prod.yaml", "x: prod\n"),
            ("chart/templates/cm.yaml", template),
        ],
    );
    let p = r.path().to_str().unwrap();
    let o = driftless(
        &[
            "--repo",
            p,
            "--path",
            "chart",
            "--helm-values",
            "values-prod.yaml",
            "--helm-set",
            "image.tag=v2",
            "--release-name",
            "web",
            "--namespace",
            "prod",
            "--kube-version",
            "1.30.0",
            "--api-versions",
            "monitoring.coreos.com/v1",
            "-o",
            "json",
        ],
        cache.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let item = &list["items"][0];
    assert_eq!(item["metadata"]["name"], "web-cfg");
    assert_eq!(item["metadata"]["namespace"], "prod");
    assert_eq!(
        item["data"],
        serde_json::json!({"x": "prod", "tag": "v2", "kube": "v1.30.0", "monitoring": "true"})
    );

    let o = driftless(
        &[
            "--repo",
            p,
            "--path",
            "chart",
            "--helm-values",
            "../../x.yaml",
        ],
        cache.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty());
    assert!(
        stderr(&o).contains("leaves the repository"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bundled_guestbook_example_renders() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/guestbook/manifests");
    let cache = tempfile::tempdir().unwrap();
    let o = driftless(&["--repo", dir.to_str().unwrap()], cache.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let kinds: Vec<String> = yaml_docs(&stdout(&o))
        .iter()
        .map(|d| {
            format!(
                "{}/{}",
                d["kind"].as_str().unwrap(),
                d["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "ConfigMap/guestbook-config",
            "Deployment/frontend",
            "Service/frontend",
            "Deployment/redis-leader",
            "Service/redis-leader",
            "Deployment/redis-follower",
            "Service/redis-follower",
        ]
    );
}

#[test]
fn application_file_renders_what_sync_applies() {
    let r = GitRepo::new();
    let cache = tempfile::tempdir().unwrap();
    let template = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cfg\n  namespace: {{ .Release.Namespace }}\ndata:\n  first: {{ index .Values.a.b 0 | kindOf | quote }}\n  level: {{ .Values.level | quote }}\n";
    commit(
        &r,
        &[
            (
                "chart/Chart.yaml",
                "apiVersion: v2\nname: c\nversion: 0.1.0\n",
            ),
            ("chart/values.yaml", "a:\n  b: [1]\nlevel: chart\n"),
            ("chart/templates/cm.yaml", template),
        ],
    );
    let app = r.path().join("app.yaml");
    std::fs::write(
        &app,
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: shop}\nspec:\n  destination: {namespace: prod}\n  source:\n    repoURL: .\n    path: chart\n    helm:\n      valuesObject: {level: inline}\n      parameters: [{name: 'a.b[0]', value: '7', forceString: true}]\n",
    )
    .unwrap();
    let o = driftless(&["-f", app.to_str().unwrap(), "-o", "json"], cache.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let item = &list["items"][0];
    // The release is named after the application and lives in its destination, as in sync.
    assert_eq!(item["metadata"]["name"], "shop-cfg");
    assert_eq!(item["metadata"]["namespace"], "prod");
    assert_eq!(
        item["data"],
        serde_json::json!({"first": "string", "level": "inline"})
    );

    // Without an Application the release is named after the path, as `sync --path` names the app.
    let p = r.path().to_str().unwrap();
    let o = driftless(&["--repo", p, "--path", "chart"], cache.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let docs = yaml_docs(&stdout(&o));
    assert_eq!(docs[0]["metadata"]["name"], "chart-cfg");
    assert_eq!(docs[0]["metadata"]["namespace"], "default");
}

#[test]
fn renders_a_multi_source_application_with_values_from_a_ref_source() {
    let (charts, values, cache) = (GitRepo::new(), GitRepo::new(), tempfile::tempdir().unwrap());
    commit(
        &charts,
        &[
            (
                "chart/Chart.yaml",
                "apiVersion: v2\nname: web\nversion: 1.0.0\n",
            ),
            ("chart/values.yaml", "color: blue\n"),
            (
                "chart/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  color: {{ .Values.color | quote }}\n",
            ),
        ],
    );
    commit(
        &values,
        &[
            ("env/prod.yaml", "color: red\n"),
            ("extra/cm.yaml", &cm("extra", "x")),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let abs = |p: &Path| {
        std::fs::canonicalize(p)
            .unwrap()
            .to_string_lossy()
            .into_owned()
    };
    let app = dir.path().join("app.yaml");
    std::fs::write(
        &app,
        format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: web}}\nspec:\n  destination: {{namespace: shop}}\n  sources:\n    - repoURL: {}\n      path: chart\n      helm: {{valueFiles: [$values/env/prod.yaml]}}\n    - {{repoURL: {}, path: extra, ref: values}}\n",
            abs(charts.path()),
            abs(values.path())
        ),
    )
    .unwrap();
    let o = driftless(&["-f", app.to_str().unwrap(), "-o", "json"], cache.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let docs: serde_json::Value = serde_json::from_str(&text).unwrap();
    let items = docs["items"].as_array().cloned().unwrap_or_default();
    let by_name = |n: &str| {
        items
            .iter()
            .find(|d| d["metadata"]["name"] == n)
            .cloned()
            .unwrap_or_else(|| panic!("{n} in {text}"))
    };
    assert_eq!(by_name("web")["data"]["color"], "red");
    assert_eq!(by_name("extra")["data"]["v"], "x");
    // Flags that choose one source are refused for several.
    let o = driftless(
        &["-f", app.to_str().unwrap(), "--revision", "main"],
        cache.path(),
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("spec.sources"), "{}", stderr(&o));
}

//! The renderer over plain directories (DirFs): detection, directory rules,
//! validation, duplicates, hostile input, Kustomize.

use driftless_render::{
    DirFs, FsError, RenderError, RenderOptions, RenderWarning, SourceType, render,
};
use std::path::Path;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (p, c) in files {
        let f = root.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, c).unwrap();
    }
}

fn cm(name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n")
}

fn names(r: &driftless_render::Rendered) -> Vec<String> {
    r.manifests.iter().map(|m| m.key().to_string()).collect()
}

#[test]
fn directory_files_documents_and_order() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            ("app/b.yaml", &format!("{}---\n---\n{}", cm("b1"), cm("b2"))),
            ("app/a.yml", &cm("a")),
            (
                "app/c.json",
                r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"c"}}"#,
            ),
            ("app/README.md", "not yaml: ["),
            ("app/notes.txt", "x"),
            ("app/sub/d.yaml", &cm("d")),
        ],
    );
    let fs = DirFs::new(d.path());
    let r = render(&fs, "app", &RenderOptions::default()).unwrap();
    assert_eq!(r.source_type, SourceType::Directory);
    assert_eq!(
        names(&r),
        ["ConfigMap:a", "ConfigMap:b1", "ConfigMap:b2", "Secret:c"]
    );
    let p = &r.manifests[2].provenance;
    assert_eq!((p.file.as_str(), p.document, p.line), ("app/b.yaml", 2, 7));

    let rec = render(
        &fs,
        "app",
        &RenderOptions {
            recurse: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(rec.manifests.len(), 5);
    assert_eq!(rec.manifests[4].provenance.file, "app/sub/d.yaml");
    // Same input, same output.
    let again = render(
        &fs,
        "app",
        &RenderOptions {
            recurse: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(rec.manifests, again.manifests);
}

#[test]
fn include_and_exclude_globs_match_relative_paths() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            ("x/one.yaml", &cm("one")),
            ("x/two.yaml", &cm("two")),
            ("x/sub/three.yaml", &cm("three")),
            (
                "x/config.json",
                r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"json"}}"#,
            ),
        ],
    );
    let fs = DirFs::new(d.path());
    let opts = |inc: &[&str], exc: &[&str]| RenderOptions {
        recurse: true,
        include: inc.iter().map(|s| s.to_string()).collect(),
        exclude: exc.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    let r = render(&fs, "x", &opts(&["*.yaml"], &[])).unwrap();
    assert_eq!(
        names(&r),
        ["ConfigMap:one", "ConfigMap:three", "ConfigMap:two"]
    );
    let r = render(&fs, "x", &opts(&[], &["sub/*", "config.json"])).unwrap();
    assert_eq!(names(&r), ["ConfigMap:one", "ConfigMap:two"]);
    let r = render(&fs, "x", &opts(&["{one.yaml,config.json}"], &[])).unwrap();
    assert_eq!(names(&r), ["ConfigMap:json", "ConfigMap:one"]);
    let err = render(&fs, "x", &opts(&["a[b"], &[])).unwrap_err();
    assert!(matches!(err, RenderError::Glob { .. }), "{err}");
}

#[test]
fn list_kind_is_expanded() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[(
            "l.yaml",
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: x}\n- apiVersion: v1\n  kind: Service\n  metadata: {name: y}\n",
        )],
    );
    let r = render(&DirFs::new(d.path()), "", &RenderOptions::default()).unwrap();
    assert_eq!(names(&r), ["ConfigMap:x", "Service:y"]);
}

#[test]
fn invalid_objects_name_file_and_line() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[(
            "bad.yaml",
            &format!(
                "{}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{}}\n",
                cm("ok")
            ),
        )],
    );
    let err = render(&DirFs::new(d.path()), ".", &RenderOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad.yaml:6 (document 2): object has no metadata.name"
    );

    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[("bad.yaml", "apiVersion: v1\nkind: [unclosed\n")],
    );
    let err = render(&DirFs::new(d.path()), ".", &RenderOptions::default()).unwrap_err();
    assert!(err.to_string().starts_with("bad.yaml:"), "{err}");
    assert!(
        matches!(err, RenderError::Parse { line: 2..=3, .. }),
        "{err:?}"
    );

    let d = tempfile::tempdir().unwrap();
    write(d.path(), &[("s.yaml", "just a string\n")]);
    let err = render(&DirFs::new(d.path()), ".", &RenderOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("s.yaml:1") && err.to_string().contains("not a mapping"),
        "{err}"
    );
}

#[test]
fn duplicates_warn_later_wins_or_fail_in_strict_mode() {
    let d = tempfile::tempdir().unwrap();
    let first = format!("{}data: {{v: first}}\n", cm("dup"));
    let second = format!("{}data: {{v: second}}\n", cm("dup"));
    write(
        d.path(),
        &[
            ("a.yaml", &first),
            ("b.yaml", &format!("{}---\n{second}", cm("other"))),
        ],
    );
    let fs = DirFs::new(d.path());
    let r = render(&fs, ".", &RenderOptions::default()).unwrap();
    assert_eq!(names(&r), ["ConfigMap:other", "ConfigMap:dup"]);
    assert_eq!(r.manifests[1].object["data"]["v"], "second");
    match &r.warnings[..] {
        [w @ RenderWarning::Duplicate { first, second, .. }] => {
            assert_eq!(
                (first.file.as_str(), second.file.as_str()),
                ("a.yaml", "b.yaml")
            );
            let text = w.to_string();
            assert!(
                text.contains("RepeatedResourceWarning")
                    && text.contains("a.yaml:1")
                    && text.contains("b.yaml:6"),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
    let err = render(
        &fs,
        ".",
        &RenderOptions {
            strict: true,
            ..Default::default()
        },
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("ConfigMap:dup") && text.contains("a.yaml:1") && text.contains("b.yaml:6"),
        "{text}"
    );
}

#[test]
fn same_name_different_namespace_or_kind_is_not_duplicate() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[(
            "a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: b}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: x, namespace: a}\n",
        )],
    );
    let r = render(
        &DirFs::new(d.path()),
        ".",
        &RenderOptions {
            strict: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(r.manifests.len(), 3);
}

#[test]
fn alias_bomb_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for c in 'b'..='i' {
        bomb.push_str(&format!(
            "{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = c;
    }
    bomb.push_str("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n");
    write(d.path(), &[("bomb.yaml", &bomb)]);
    let started = std::time::Instant::now();
    let err = render(&DirFs::new(d.path()), ".", &RenderOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("repetition limit exceeded"),
        "{err}"
    );
    assert!(err.to_string().starts_with("bomb.yaml:"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn file_size_and_depth_limits() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[(
            "big.yaml",
            &format!("{}data:\n  x: \"{}\"\n", cm("big"), "x".repeat(5000)),
        )],
    );
    let mut opts = RenderOptions::default();
    opts.limits.max_file_size = 1000;
    let err = render(&DirFs::new(d.path()), ".", &opts).unwrap_err();
    assert!(
        err.to_string().contains("big.yaml")
            && err.to_string().contains("over the limit of 1000 bytes"),
        "{err}"
    );

    let d = tempfile::tempdir().unwrap();
    let nested = format!(
        "{}spec: {}1{}\n",
        cm("deep"),
        "[".repeat(60),
        "]".repeat(60)
    );
    write(d.path(), &[("deep.yaml", &nested)]);
    let mut opts = RenderOptions::default();
    opts.limits.max_depth = 50;
    let err = render(&DirFs::new(d.path()), ".", &opts).unwrap_err();
    assert_eq!(
        err.to_string(),
        "deep.yaml:1: object nests deeper than 50 levels"
    );
    // The parser's own recursion limit also holds for anything deeper.
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[(
            "deeper.yaml",
            &format!("a: {}1{}\n", "[".repeat(500), "]".repeat(500)),
        )],
    );
    let err = render(&DirFs::new(d.path()), ".", &RenderOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("deeper.yaml") && err.to_string().contains("recursion limit"),
        "{err}"
    );
}

#[test]
fn symlinks_inside_are_followed_outside_refused() {
    let d = tempfile::tempdir().unwrap();
    let repo = d.path().join("repo");
    write(
        &repo,
        &[("app/a.yaml", &cm("a")), ("shared/s.yaml", &cm("shared"))],
    );
    std::os::unix::fs::symlink("../shared/s.yaml", repo.join("app/link.yaml")).unwrap();
    let fs = DirFs::new(&repo);
    let r = render(&fs, "app", &RenderOptions::default()).unwrap();
    assert_eq!(names(&r), ["ConfigMap:a", "ConfigMap:shared"]);
    assert_eq!(r.manifests[1].provenance.file, "app/link.yaml");

    write(d.path(), &[("secret.yaml", &cm("stolen"))]);
    std::os::unix::fs::symlink("../../secret.yaml", repo.join("app/evil.yaml")).unwrap();
    let err = render(&fs, "app", &RenderOptions::default()).unwrap_err();
    assert!(
        matches!(err, RenderError::Fs(FsError::SymlinkOutside { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("app/evil.yaml"), "{err}");
    std::fs::remove_file(repo.join("app/evil.yaml")).unwrap();

    std::os::unix::fs::symlink("/etc", repo.join("app/etc")).unwrap();
    let err = render(
        &fs,
        "app",
        &RenderOptions {
            recurse: true,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(err, RenderError::Fs(FsError::SymlinkOutside { .. })),
        "{err:?}"
    );
    std::fs::remove_file(repo.join("app/etc")).unwrap();

    // A loop through a directory link is stopped.
    std::os::unix::fs::symlink("..", repo.join("app/up")).unwrap();
    let r = render(
        &fs,
        "app",
        &RenderOptions {
            recurse: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(r.manifests.len() >= 2);
}

#[test]
fn paths_leaving_the_repository_are_refused() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[("repo/app/a.yaml", &cm("a")), ("outside/x.yaml", &cm("x"))],
    );
    let fs = DirFs::new(d.path().join("repo"));
    for p in ["../outside", "app/../../outside", "/etc"] {
        let err = render(&fs, p, &RenderOptions::default()).unwrap_err();
        assert!(
            matches!(err, RenderError::Fs(FsError::PathEscapes(_))),
            "{p}: {err:?}"
        );
    }
    assert_eq!(
        render(&fs, "app/../app", &RenderOptions::default())
            .unwrap()
            .manifests
            .len(),
        1
    );
    let err = render(&fs, "missing", &RenderOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing: source path not found in the repository"
    );
}

const CHART: &[(&str, &str)] = &[
    (
        "chart/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 1.2.3\n",
    ),
    ("chart/values.yaml", "replicas: 1\nenv: dev\n"),
    ("chart/values-prod.yaml", "replicas: 3\nenv: prod\n"),
    (
        "chart/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cfg\n  namespace: {{ .Release.Namespace }}\ndata:\n  env: {{ .Values.env | quote }}\n  replicas: {{ .Values.replicas | quote }}\n  image: {{ .Values.image | default \"none\" | quote }}\n",
    ),
    ("chart/templates/NOTES.txt", "Installed {{ .Chart.Name }}\n"),
];

#[test]
fn helm_chart_is_detected_and_rendered_natively() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), CHART);
    let fs = DirFs::new(d.path());
    let r = render(&fs, "chart", &RenderOptions::default()).unwrap();
    assert_eq!(r.source_type, SourceType::Helm);
    assert_eq!(names(&r), ["ConfigMap:default/release-name-cfg"]);
    assert_eq!(r.manifests[0].object["data"]["env"], "dev");
    assert_eq!(r.manifests[0].provenance.file, "web/templates/cm.yaml");

    let mut opts = RenderOptions::default();
    opts.helm.value_files = vec!["values-prod.yaml".into()];
    opts.helm.set = vec!["image=nginx:1.27".into()];
    opts.helm.release_name = Some("shop".into());
    opts.helm.namespace = Some("prod".into());
    let r = render(&fs, "chart", &opts).unwrap();
    assert_eq!(names(&r), ["ConfigMap:prod/shop-cfg"]);
    let data = &r.manifests[0].object["data"];
    assert_eq!(
        (
            data["env"].as_str(),
            data["replicas"].as_str(),
            data["image"].as_str()
        ),
        (Some("prod"), Some("3"), Some("nginx:1.27"))
    );
}

#[test]
fn helm_value_files_cannot_leave_the_repository() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), &[("secret.yaml", "env: stolen\n")]);
    let repo = d.path().join("repo");
    write(&repo, CHART);
    let fs = DirFs::new(&repo);
    let mut opts = RenderOptions::default();
    opts.helm.value_files = vec!["../../secret.yaml".into()];
    let err = render(&fs, "chart", &opts).unwrap_err();
    assert!(
        matches!(err, RenderError::Fs(FsError::PathEscapes(_))),
        "{err:?}"
    );
    std::os::unix::fs::symlink("../../secret.yaml", repo.join("chart/linked.yaml")).unwrap();
    opts.helm.value_files = vec!["linked.yaml".into()];
    let err = render(&fs, "chart", &opts).unwrap_err();
    assert!(
        matches!(err, RenderError::Fs(FsError::SymlinkOutside { .. })),
        "{err:?}"
    );
    // `--set-file` paths (Argo CD's fileParameters) are confined the same way.
    opts.helm.value_files.clear();
    opts.helm.set_file = vec![("env".into(), "../../secret.yaml".into())];
    let err = render(&fs, "chart", &opts).unwrap_err();
    assert!(
        matches!(err, RenderError::Fs(FsError::PathEscapes(_))),
        "{err:?}"
    );
    opts.helm.set_file = vec![("env".into(), "linked.yaml".into())];
    let err = render(&fs, "chart", &opts).unwrap_err();
    assert!(
        matches!(err, RenderError::Fs(FsError::SymlinkOutside { .. })),
        "{err:?}"
    );
}

#[test]
fn helm_errors_name_the_template() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), CHART);
    write(
        d.path(),
        &[(
            "chart/templates/bad.yaml",
            "x: {{ required \"image is required\" .Values.image }}\n",
        )],
    );
    let err = render(&DirFs::new(d.path()), "chart", &RenderOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("chart: "), "{text}");
    assert!(
        text.contains("web/templates/bad.yaml") && text.contains("image is required"),
        "{text}"
    );
}

#[test]
fn kustomize_builds_inside_a_temporary_copy() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            ("base/kustomization.yaml", "resources:\n- cm.yaml\n"),
            ("base/cm.yaml", &cm("base-cm")),
            (
                "overlays/prod/kustomization.yaml",
                "namePrefix: prod-\nnamespace: prod\nresources:\n- ../../base\n- svc.yaml\n",
            ),
            (
                "overlays/prod/svc.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [{port: 80}]\n",
            ),
            (
                "overlays/prod/Chart.yaml",
                "apiVersion: v2\nname: ignored\nversion: 1.0.0\n",
            ),
        ],
    );
    let fs = DirFs::new(d.path());
    let r = render(&fs, "overlays/prod", &RenderOptions::default()).unwrap();
    assert_eq!(r.source_type, SourceType::Kustomize);
    // Kustomize orders by kind (legacy order): ConfigMap before Service.
    assert_eq!(
        names(&r),
        ["ConfigMap:prod/prod-base-cm", "Service:prod/prod-web"]
    );
    assert_eq!(
        r.manifests[0].provenance.file,
        "overlays/prod/kustomization.yaml"
    );
}

#[test]
fn kustomize_cannot_reach_outside_the_repository() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            ("outside/kustomization.yaml", "resources: [cm.yaml]\n"),
            ("outside/cm.yaml", &cm("stolen")),
        ],
    );
    let repo = d.path().join("repo");
    write(
        &repo,
        &[("app/kustomization.yaml", "resources:\n- ../../outside\n")],
    );
    let err = render(&DirFs::new(&repo), "app", &RenderOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "app/kustomization.yaml: `../../outside` leaves the repository"
    );

    write(
        &repo,
        &[("app/kustomization.yaml", "resources:\n- /etc/kubernetes\n")],
    );
    let err = render(&DirFs::new(&repo), "app", &RenderOptions::default()).unwrap_err();
    assert!(
        matches!(err, RenderError::KustomizeEscapes { .. }),
        "{err:?}"
    );

    write(
        &repo,
        &[(
            "app/kustomization.yaml",
            "configMapGenerator:\n- name: x\n  files: [k=../../outside/cm.yaml]\n",
        )],
    );
    let err = render(&DirFs::new(&repo), "app", &RenderOptions::default()).unwrap_err();
    assert!(
        matches!(err, RenderError::KustomizeEscapes { .. }),
        "{err:?}"
    );
}

#[test]
fn kustomize_failure_and_timeout_are_reported() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[("app/kustomization.yaml", "resources:\n- missing.yaml\n")],
    );
    let err = render(&DirFs::new(d.path()), "app", &RenderOptions::default()).unwrap_err();
    assert!(matches!(err, RenderError::Kustomize { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("app: kustomize build failed:") && text.contains("missing.yaml"),
        "{text}"
    );
    assert!(
        !text.contains("driftless-kustomize-"),
        "temporary path leaked: {text}"
    );

    // A stand-in program that hangs shows the timeout.
    let bin = d.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let slow = bin.join("kustomize");
    std::fs::write(&slow, "#!/bin/sh\nsleep 10\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut opts = RenderOptions::default();
    opts.kustomize.binary = Some(slow);
    opts.kustomize.timeout = std::time::Duration::from_millis(300);
    let started = std::time::Instant::now();
    let err = render(&DirFs::new(d.path()), "app", &opts).unwrap_err();
    assert!(
        matches!(err, RenderError::KustomizeTimeout { .. }),
        "{err:?}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn alias_expansion_is_bounded_by_the_node_limit() {
    // Within serde_yaml_ng's repetition limit, but over the node budget.
    let d = tempfile::tempdir().unwrap();
    let items = vec!["1"; 1000].join(", ");
    let refs = vec!["*a"; 50].join(", ");
    let text = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\nanchor: &a [{items}]\ncopies: [{refs}]\n"
    );
    write(d.path(), &[("x.yaml", &text)]);
    let mut opts = RenderOptions::default();
    assert!(render(&DirFs::new(d.path()), ".", &opts).is_ok());
    opts.limits.max_nodes = 20_000;
    let err = render(&DirFs::new(d.path()), ".", &opts).unwrap_err();
    assert!(
        err.to_string().starts_with("x.yaml:") && err.to_string().contains("too many nodes"),
        "{err}"
    );
}

//! The example umbrella chart `examples/charts/shop`: snapshots of its
//! render per environment, each checked byte for byte against the real
//! `helm template`, plus its failure modes (schema, `required`).

mod common;

use std::path::PathBuf;

use common::{run_helm, run_native};

fn chart_dir() -> PathBuf {
    common::repo_root().join("examples/charts")
}

fn args(extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = ["template", "shop", "shop"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

#[test]
fn shop_renders_like_helm_in_every_environment() {
    for env in ["dev", "staging", "prod"] {
        let values = format!("shop/values-{env}.yaml");
        let a = args(&["-f", &values]);
        let native = run_native(&a, &chart_dir(), None);
        assert_eq!(native.error, None, "{env}: native render failed");
        insta::assert_snapshot!(format!("shop_{env}"), native.stdout);
        let helm = run_helm(&a, &chart_dir(), None);
        assert_eq!(helm.error, None, "{env}: helm failed");
        assert_eq!(
            native.stdout, helm.stdout,
            "{env}: output differs from helm template"
        );
    }
}

#[test]
fn shop_manifests_carry_provenance_and_hooks() {
    let fs = driftless_helm::DirFs::new(chart_dir().join("shop"));
    let opts = driftless_helm::RenderOptions {
        release_name: "shop".into(),
        value_files: vec![
            driftless_helm::ValuesFile::read(chart_dir().join("shop/values-staging.yaml")).unwrap(),
        ],
        ..Default::default()
    };
    let out = driftless_helm::render(&fs, "", &opts).unwrap();
    let manifests = out.manifests().unwrap();
    let sts: Vec<_> = manifests
        .iter()
        .filter(|m| m.key().kind == "StatefulSet")
        .collect();
    assert_eq!(sts.len(), 2, "one StatefulSet per postgresql alias");
    assert_eq!(
        sts[0].provenance.file,
        "shop/charts/ordersdb/templates/statefulset.yaml"
    );
    let job = manifests.last().unwrap();
    assert_eq!(job.key().kind, "Job");
    assert_eq!(
        job.annotation("helm.sh/hook"),
        Some("pre-install,pre-upgrade")
    );
    let monitors = manifests
        .iter()
        .filter(|m| m.key().kind == "ServiceMonitor")
        .count();
    assert_eq!(monitors, 2);
    assert!(out.notes.contains("shop (staging) is installed as shop"));
}

#[test]
fn shop_failures_match_helm() {
    let cases: Vec<Vec<&str>> = vec![
        // values.schema.json violation
        vec!["-f", "shop/values-dev.yaml", "--set", "api.replicas=-1"],
        // `required` in a subchart, reached through an alias
        vec![
            "-f",
            "shop/values-dev.yaml",
            "--set",
            "usersdb.auth.password=",
        ],
        // kubeVersion constraint of Chart.yaml
        vec!["-f", "shop/values-dev.yaml", "--kube-version", "1.21.0"],
    ];
    for extra in cases {
        let a = args(&extra);
        let native = run_native(&a, &chart_dir(), None);
        let helm = run_helm(&a, &chart_dir(), None);
        assert!(helm.error.is_some(), "{extra:?}: helm should fail");
        assert_eq!(native.error, helm.error, "{extra:?}: error differs");
    }
}

#[test]
fn binary_engine_gives_the_same_documents() {
    let dir = chart_dir().join("shop");
    let values = vec![driftless_helm::ValuesFile::read(dir.join("values-prod.yaml")).unwrap()];
    let native = driftless_helm::RenderOptions {
        release_name: "shop".into(),
        value_files: values,
        ..Default::default()
    };
    let binary = driftless_helm::RenderOptions {
        engine: driftless_helm::Engine::Binary(common::helm_binary()),
        ..native.clone()
    };
    let a = driftless_helm::render_dir(&dir, &native).unwrap();
    let b = driftless_helm::render_dir(&dir, &binary).unwrap();
    assert_eq!(a.text, b.text);
    // The binary's output does not tell a document's index in its template
    // file (output is sorted by kind), so compare everything else.
    let strip = |r: &driftless_helm::Rendered| {
        r.documents
            .iter()
            .map(|d| {
                (
                    d.source.clone(),
                    d.kind.clone(),
                    d.hook.clone(),
                    d.content.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&a), strip(&b));
    assert_eq!(a.manifests().unwrap().len(), b.manifests().unwrap().len());
    // Through a SourceFs (copied to a temporary directory for helm).
    let c = driftless_helm::render(&driftless_helm::DirFs::new(&dir), "", &binary).unwrap();
    assert_eq!(c.text, a.text);
}

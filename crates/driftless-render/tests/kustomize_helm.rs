//! Kustomize `helmCharts:` inflated by the native Helm engine, against
//! `kubectl kustomize --enable-helm` running the real helm.

use driftless_render::{DirFs, RenderOptions, render};
use serde_json::Value;
use std::path::Path;

mod common;
use common::{copy_dir, kubectl_kustomize, workspace};

fn kustomization(merge: &str) -> String {
    format!(
        "helmCharts:
- name: web
  releaseName: shop
  namespace: web
  valuesFile: values-prod.yaml
  valuesInline: {{replicaCount: 2, stage: inline}}
  valuesMerge: {merge}
resources: [extra.yaml]
labels: [{{pairs: {{via: kustomize}}, includeSelectors: true}}]
"
    )
}

fn repo(root: &Path, merge: &str) {
    let app = root.join("app");
    copy_dir(
        &workspace().join("examples/plugins/kustomized-helm/chart"),
        &app.join("charts/web"),
    );
    std::fs::write(app.join("kustomization.yaml"), kustomization(merge)).unwrap();
    std::fs::write(
        app.join("values-prod.yaml"),
        "replicaCount: 5\nimage: httpd\n",
    )
    .unwrap();
    std::fs::write(
        app.join("extra.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\n",
    )
    .unwrap();
}

/// `kubectl kustomize --enable-helm` with the real helm (behind a wrapper
/// answering kustomize's helm-3 version probe).
fn oracle(dir: &Path, scratch: &Path) -> Vec<Value> {
    let wrapper = scratch.join("helm");
    let helm = workspace().join(".tools/helm");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nif [ \"$1\" = version ]; then echo v3.17.0; exit 0; fi\nexec '{}' \"$@\"\n",
            helm.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let wrapper = wrapper.display().to_string();
    kubectl_kustomize(&["--enable-helm", "--helm-command", &wrapper], dir)
}

#[test]
fn local_helm_charts_inflate_as_kustomize_with_helm() {
    for merge in ["override", "merge", "replace"] {
        let d = tempfile::tempdir().unwrap();
        repo(d.path(), merge);
        let want = oracle(&d.path().join("app"), d.path());
        let mut o = RenderOptions::default();
        o.kustomize.build_options = vec!["--enable-helm".into()];
        let got = render(&DirFs::new(d.path()), "app", &o).unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<Value> = got.manifests.iter().map(|m| m.object.clone()).collect();
        assert_eq!(got, want, "valuesMerge {merge}");
        let dep = got.iter().find(|o| o["kind"] == "Deployment").unwrap();
        assert_eq!(dep["metadata"]["name"], "shop-web");
        assert_eq!(dep["metadata"]["labels"]["via"], "kustomize");
        let replicas = dep["spec"]["replicas"].as_i64().unwrap();
        assert_eq!(replicas, if merge == "merge" { 5 } else { 2 }, "{merge}");
    }
}

#[test]
fn helm_charts_need_enable_helm_and_values_files_stay_inside() {
    let d = tempfile::tempdir().unwrap();
    repo(d.path(), "override");
    let fs = DirFs::new(d.path());
    let err = render(&fs, "app", &RenderOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("--enable-helm"), "{err}");
    let k = kustomization("override").replace("values-prod.yaml", "../../outside.yaml");
    std::fs::write(d.path().join("app/kustomization.yaml"), k).unwrap();
    let mut o = RenderOptions::default();
    o.kustomize.build_options = vec!["--enable-helm".into()];
    let err = render(&fs, "app", &o).unwrap_err().to_string();
    assert!(
        err.contains("`../../outside.yaml` leaves the repository"),
        "{err}"
    );
}

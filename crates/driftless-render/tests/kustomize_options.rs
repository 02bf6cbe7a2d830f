//! Argo CD's `spec.source.kustomize` options, checked against `kubectl
//! kustomize` building the kustomization those options stand for.

use driftless_render::{DirFs, KustomizeSpec, RenderOptions, render};
use serde_json::{Value, json};
use std::path::Path;

mod common;
use common::{kubectl_kustomize, write};

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
      - name: side
        image: busybox
";

const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
";

const COMPONENT: &str = "apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources: [cm.yaml]
";

fn repo(root: &Path, kustomization: &str) {
    write(
        root,
        &[
            ("app/deployment.yaml", DEPLOYMENT),
            ("app/service.yaml", SERVICE),
            ("app/kustomization.yaml", kustomization),
            (
                "app/patch.yaml",
                "- op: add\n  path: /metadata/annotations/patched-from-file\n  value: \"yes\"\n",
            ),
            ("components/extra/kustomization.yaml", COMPONENT),
            (
                "components/extra/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n",
            ),
        ],
    );
}

const BASE: &str = "resources: [deployment.yaml, service.yaml]\ncommonLabels: {team: a}\n";

fn spec() -> KustomizeSpec {
    KustomizeSpec {
        name_prefix: "pre-".into(),
        name_suffix: "-suf".into(),
        images: vec![
            "nginx=registry.local/nginx:$ARGOCD_APP_NAME".into(),
            "busybox@sha256:0123".into(),
        ],
        replicas: vec![("web".into(), 3)],
        common_labels: [("env".to_string(), "${ARGOCD_APP_NAMESPACE}".to_string())].into(),
        common_annotations: [("note".to_string(), "$ARGOCD_APP_NAME".to_string())].into(),
        namespace: "prod".into(),
        patches: vec![
            json!({"target": {"kind": "Service"}, "patch": "- op: add\n  path: /metadata/annotations/patched\n  value: inline\n"}),
            json!({"target": {"kind": "Deployment"}, "path": "patch.yaml"}),
        ],
        components: vec!["../components/extra".into(), "../components/missing".into()],
        ignore_missing_components: true,
        version: Some("v5.4.3".into()),
        ..KustomizeSpec::default()
    }
}

/// What Argo CD's edits make of BASE with `spec()` (annotations not substituted
/// without `commonAnnotationsEnvsubst`).
const EDITED: &str = "resources: [deployment.yaml, service.yaml]
commonLabels: {team: a, env: guests}
namePrefix: pre-
nameSuffix: -suf
images:
- {name: nginx, newName: registry.local/nginx, newTag: guestbook}
- {name: busybox, digest: 'sha256:0123'}
replicas: [{name: web, count: 3}]
commonAnnotations: {note: $ARGOCD_APP_NAME}
namespace: prod
patches:
- target: {kind: Service}
  patch: |
    - op: add
      path: /metadata/annotations/patched
      value: inline
- {target: {kind: Deployment}, path: patch.yaml}
components: [../components/extra]
";

fn options() -> RenderOptions {
    let mut o = RenderOptions::default();
    o.kustomize.app = spec();
    o.env.app_name = "guestbook".into();
    o.env.app_namespace = "guests".into();
    o
}

#[test]
fn options_build_as_kubectl_kustomize_builds_the_edited_kustomization() {
    let ours_dir = tempfile::tempdir().unwrap();
    repo(ours_dir.path(), BASE);
    let oracle_dir = tempfile::tempdir().unwrap();
    repo(oracle_dir.path(), EDITED);
    let want = kubectl_kustomize(&[], &oracle_dir.path().join("app"));
    let got = render(&DirFs::new(ours_dir.path()), "app", &options()).unwrap();
    let got: Vec<Value> = got.manifests.iter().map(|m| m.object.clone()).collect();
    assert_eq!(got, want);
    // Not vacuous: every option shows.
    let dep = got.iter().find(|o| o["kind"] == "Deployment").unwrap();
    assert_eq!(dep["metadata"]["name"], "pre-web-suf");
    assert_eq!(dep["metadata"]["namespace"], "prod");
    assert_eq!(dep["spec"]["replicas"], 3);
    assert_eq!(
        dep["metadata"]["labels"],
        json!({"team": "a", "env": "guests"})
    );
    assert_eq!(dep["metadata"]["annotations"]["note"], "$ARGOCD_APP_NAME");
    assert_eq!(dep["metadata"]["annotations"]["patched-from-file"], "yes");
    let images: Vec<&Value> = dep["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["image"])
        .collect();
    assert_eq!(
        images,
        [
            &json!("registry.local/nginx:guestbook"),
            &json!("busybox@sha256:0123")
        ]
    );
    assert!(got.iter().any(|o| o["metadata"]["name"] == "pre-extra-suf"));
    let svc = got.iter().find(|o| o["kind"] == "Service").unwrap();
    assert_eq!(svc["metadata"]["annotations"]["patched"], "inline");
    // The repository itself is untouched.
    let original = std::fs::read_to_string(ours_dir.path().join("app/kustomization.yaml")).unwrap();
    assert_eq!(original, BASE);
}

#[test]
fn label_conflicts_missing_components_and_escapes_are_reported() {
    let d = tempfile::tempdir().unwrap();
    repo(d.path(), BASE);
    let fs = DirFs::new(d.path());
    let mut o = RenderOptions::default();
    o.kustomize.app.common_labels = [("team".to_string(), "b".to_string())].into();
    let err = render(&fs, "app", &o).unwrap_err().to_string();
    assert!(
        err.starts_with("app/kustomization.yaml: Label team already in kustomization file"),
        "{err}"
    );
    o.kustomize.app.force_common_labels = true;
    let out = render(&fs, "app", &o).unwrap();
    assert_eq!(out.manifests[0].object["metadata"]["labels"]["team"], "b");

    let mut o = RenderOptions::default();
    o.kustomize.app.components = vec!["../components/missing".into()];
    let err = render(&fs, "app", &o).unwrap_err().to_string();
    assert!(
        err.contains("component ../components/missing has no match"),
        "{err}"
    );
    o.kustomize.app.components = vec!["../../outside".into()];
    let err = render(&fs, "app", &o).unwrap_err().to_string();
    assert!(
        err.contains("`../../outside` leaves the repository"),
        "{err}"
    );
    o.kustomize.app.components.clear();
    o.kustomize.app.patches = vec![json!({"path": "/etc/passwd"})];
    let err = render(&fs, "app", &o).unwrap_err().to_string();
    assert!(err.contains("`/etc/passwd` leaves the repository"), "{err}");
}

#[test]
fn labels_without_selector_leave_selectors_alone() {
    let d = tempfile::tempdir().unwrap();
    repo(d.path(), "resources: [deployment.yaml]\n");
    let mut o = RenderOptions::default();
    o.kustomize.app.common_labels = [("env".to_string(), "dev".to_string())].into();
    o.kustomize.app.label_without_selector = true;
    o.kustomize.app.label_include_templates = true;
    let out = render(&DirFs::new(d.path()), "app", &o).unwrap();
    let dep = &out.manifests[0].object;
    assert_eq!(dep["metadata"]["labels"]["env"], "dev");
    assert_eq!(dep["spec"]["template"]["metadata"]["labels"]["env"], "dev");
    assert_eq!(
        dep["spec"]["selector"]["matchLabels"],
        json!({"app": "web"})
    );
}

//! Argo CD's Helm options that shape the object stream: the charts' `crds/` files
//! (`include_crds`), test hooks (`skip_tests`) and value files that do not exist
//! (`ignore_missing_value_files`).

use driftless_render::{DirFs, RenderError, RenderOptions, render};
use std::path::Path;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (p, c) in files {
        let f = root.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, c).unwrap();
    }
}

const CRD: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets, singular: widget}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}\n";

/// A chart with a CRD in `crds/` (and one in its subchart's), a ConfigMap, a test hook and a
/// post-install hook.
fn chart(root: &Path) {
    write(
        root,
        &[
            (
                "chart/Chart.yaml",
                "apiVersion: v2\nname: web\nversion: 1.0.0\n",
            ),
            ("chart/values.yaml", "color: blue\n"),
            ("chart/values-prod.yaml", "color: red\n"),
            ("chart/crds/widget.yaml", CRD),
            (
                "chart/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  color: {{ .Values.color | quote }}\n",
            ),
            (
                "chart/templates/tests/test.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-test\n  annotations:\n    helm.sh/hook: test\nspec:\n  containers: [{name: t, image: busybox}]\n",
            ),
            (
                "chart/templates/legacy-test.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-test-success\n  annotations:\n    helm.sh/hook: test-success\nspec:\n  containers: [{name: t, image: busybox}]\n",
            ),
            (
                "chart/templates/job.yaml",
                "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: web-migrate\n  annotations:\n    helm.sh/hook: post-install\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: m, image: busybox}]\n",
            ),
            (
                "chart/charts/db/Chart.yaml",
                "apiVersion: v2\nname: db\nversion: 0.1.0\n",
            ),
            (
                "chart/charts/db/crds/gadget.yaml",
                &CRD.replace("widget", "gadget").replace("Widget", "Gadget"),
            ),
        ],
    );
}

fn kinds_and_names(opts: &RenderOptions, root: &Path) -> Vec<String> {
    let r = render(&DirFs::new(root), "chart", opts).unwrap();
    r.manifests
        .iter()
        .map(|m| format!("{}/{}", m.key().kind, m.key().name))
        .collect()
}

#[test]
fn crds_are_rendered_first_with_include_crds() {
    let d = tempfile::tempdir().unwrap();
    chart(d.path());
    let plain = kinds_and_names(&RenderOptions::default(), d.path());
    assert!(
        !plain
            .iter()
            .any(|k| k.starts_with("CustomResourceDefinition"))
    );

    let mut opts = RenderOptions::default();
    opts.helm.include_crds = true;
    let r = render(&DirFs::new(d.path()), "chart", &opts).unwrap();
    let names: Vec<String> = r.manifests.iter().map(|m| m.key().name.clone()).collect();
    assert_eq!(
        names[..2],
        ["widgets.example.com", "gadgets.example.com"],
        "the chart's CRDs, then its subcharts', before everything else"
    );
    assert_eq!(r.manifests[0].provenance.file, "web/crds/widget.yaml");
    assert_eq!(
        r.manifests[0].object["spec"]["names"]["kind"], "Widget",
        "a crds/ file is taken as written"
    );
}

#[test]
fn test_hooks_are_left_out_with_skip_tests() {
    let d = tempfile::tempdir().unwrap();
    chart(d.path());
    let all = kinds_and_names(&RenderOptions::default(), d.path());
    for hook in ["Pod/web-test", "Pod/web-test-success", "Job/web-migrate"] {
        assert!(all.contains(&hook.to_string()), "{hook} in {all:?}");
    }
    let mut opts = RenderOptions::default();
    opts.helm.skip_tests = true;
    let skipped = kinds_and_names(&opts, d.path());
    assert_eq!(
        skipped,
        ["ConfigMap/web", "Job/web-migrate"],
        "test hooks (test, test-success) left out, other hooks kept"
    );
}

#[test]
fn missing_value_files_fail_or_are_skipped_when_ignored() {
    let d = tempfile::tempdir().unwrap();
    chart(d.path());
    let fs = DirFs::new(d.path());
    let mut opts = RenderOptions::default();
    opts.helm.value_files = vec!["values-prod.yaml".into(), "values-missing.yaml".into()];
    let err = render(&fs, "chart", &opts).unwrap_err();
    assert!(
        err.to_string().contains("chart/values-missing.yaml"),
        "{err}"
    );

    opts.helm.ignore_missing_value_files = true;
    let r = render(&fs, "chart", &opts).unwrap();
    let cm = r.manifests.iter().find(|m| m.key().kind == "ConfigMap");
    assert_eq!(
        cm.unwrap().object["data"]["color"],
        "red",
        "the files that exist still apply"
    );

    // Ignoring missing files does not let a path leave the repository, nor take a directory.
    opts.helm.value_files = vec!["../../elsewhere.yaml".into()];
    let err = render(&fs, "chart", &opts).unwrap_err();
    assert!(
        matches!(
            err,
            RenderError::Fs(driftless_render::FsError::PathEscapes(_))
        ),
        "{err:?}"
    );
    opts.helm.value_files = vec!["templates".into()];
    let err = render(&fs, "chart", &opts).unwrap_err();
    assert!(err.to_string().contains("chart/templates"), "{err}");
}

#[test]
fn the_values_schema_is_checked_unless_skipped() {
    let d = tempfile::tempdir().unwrap();
    chart(d.path());
    write(
        d.path(),
        &[(
            "chart/values.schema.json",
            r#"{"type": "object", "properties": {"color": {"enum": ["blue", "green"]}}}"#,
        )],
    );
    let fs = DirFs::new(d.path());
    let mut opts = RenderOptions::default();
    opts.helm.value_files = vec!["values-prod.yaml".into()];
    let err = render(&fs, "chart", &opts).unwrap_err().to_string();
    assert!(err.contains("color"), "{err}");
    opts.helm.skip_schema_validation = true;
    let r = render(&fs, "chart", &opts).unwrap();
    assert_eq!(r.manifests[0].object["data"]["color"], "red");
}

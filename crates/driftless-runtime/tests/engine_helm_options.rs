//! Argo CD's `spec.source.helm` options as they reach the native Helm render: the charts'
//! CRDs (`helm template --include-crds` unless `skipCrds`), test hooks (`skipTests`),
//! `ignoreMissingValueFiles` (`$ref` files too), `namespace`, `kubeVersion`, `apiVersions`, and
//! `$ref` value files of a chart-repository source among several, each compared with the
//! reference `helm template` and synced to the simulator.

#[path = "../../driftless-charts/tests/support/mod.rs"]
mod servers;
mod support;

use driftless_runtime::{Application, SyncRequest, Target};
use driftless_sim::ResourceRef;
use servers::{StaticServer, index, make_chart, objects_of_yaml, package, run_helm, sort_objects};
use std::path::Path;
use support::{Env, GitRepo};

const CRD: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}\n";

/// A Git repository with a chart in `chart/`: a CRD in `crds/`, a Widget of it, a ConfigMap
/// showing the release namespace and capabilities, and a test hook.
fn chart_repo() -> GitRepo {
    let git = GitRepo::new();
    git.write("chart/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n")
        .write("chart/values.yaml", "size: 1\n")
        .write("chart/values-prod.yaml", "size: 3\n")
        .write("chart/crds/widget.yaml", CRD)
        .write(
            "chart/templates/widget.yaml",
            "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  size: {{ .Values.size }}\n",
        )
        .write(
            "chart/templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  namespace: {{ .Release.Namespace | quote }}\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n  monitoring: {{ .Capabilities.APIVersions.Has \"monitoring.example.com/v1\" | quote }}\n",
        )
        .write(
            "chart/templates/tests/test.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-test\n  annotations:\n    helm.sh/hook: test\nspec:\n  containers: [{name: t, image: busybox}]\n",
        );
    git.commit("chart");
    git
}

/// The Application `widgets` deploying `chart/` of `git` into `shop` with the `helm` fields.
fn app(git: &GitRepo, helm: &str) -> Application {
    Application::from_yaml(&format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: widgets}}\nspec:\n  destination: {{namespace: shop}}\n  source:\n    repoURL: {}\n    path: chart\n    helm: {{{helm}}}\n",
        git.path().display()
    ))
    .expect("application parses")
}

fn objects(r: &driftless_runtime::Rendered) -> Vec<serde_json::Value> {
    sort_objects(r.manifests.iter().map(|m| m.object.clone()).collect())
}

/// The objects of the real `helm template` of release `release` of `chart` with `args`.
fn helm_template(release: &str, chart: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["template", release, chart.to_str().unwrap()];
    all.extend(args);
    objects_of_yaml(&run_helm(chart.parent().unwrap(), &all))
}

/// The rendered object of kind `kind` named `name`.
fn object<'a>(r: &'a driftless_runtime::Rendered, kind: &str, name: &str) -> &'a serde_json::Value {
    let found = r
        .manifests
        .iter()
        .find(|m| m.key().kind == kind && m.key().name == name);
    &found
        .unwrap_or_else(|| panic!("{kind} {name} rendered"))
        .object
}

/// The error of a render that must fail.
async fn render_error(env: &Env, t: &Target) -> String {
    let r = env.engine.render(t).await;
    r.expect_err("the render fails").to_string()
}

fn kinds(r: &driftless_runtime::Rendered) -> Vec<String> {
    r.manifests
        .iter()
        .map(|m| format!("{}/{}", m.key().kind, m.key().name))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_charts_crds_and_options_render_as_argo_cds_helm_template_and_sync() {
    // Controllers on: the sync waits for the CRD to be established.
    let env = Env::start_with(driftless_sim::ClusterConfig::default()).await;
    env.namespace("shop");
    let git = chart_repo();
    let a = app(
        &git,
        "valueFiles: [values-prod.yaml], namespace: tools, kubeVersion: v1.31.2-gke.100, apiVersions: [monitoring.example.com/v1]",
    );
    let t = env.engine.target(&a).expect("target");
    let rendered = env.engine.render(&t).await.expect("renders");
    let chart = git.path().join("chart");
    // What Argo CD runs: --include-crds, the source's namespace, kube version (numeric part)
    // and API versions.
    let want = helm_template(
        "widgets",
        &chart,
        &[
            "--include-crds",
            "-n",
            "tools",
            "--kube-version",
            "1.31.2",
            "--api-versions",
            "monitoring.example.com/v1",
            "-f",
            chart.join("values-prod.yaml").to_str().unwrap(),
        ],
    );
    assert_eq!(objects(&rendered), want);
    assert_eq!(
        kinds(&rendered)[0],
        "CustomResourceDefinition/widgets.example.com",
        "crds/ first"
    );
    let data = &object(&rendered, "ConfigMap", "web")["data"];
    assert_eq!(data["namespace"], "tools");
    assert_eq!(data["kube"], "v1.31.2");
    assert_eq!(data["monitoring"], "true");
    assert!(kinds(&rendered).contains(&"Pod/web-test".to_string()));

    // The sync creates the CRD, then the Widget it serves; the test hook runs in no Argo CD
    // phase and is left alone.
    let out = env.sync(&t, &SyncRequest::default()).await.expect("syncs");
    let crds = ResourceRef::new("apiextensions.k8s.io", "v1", "customresourcedefinitions");
    let crd = env
        .sim
        .store()
        .get(&crds, None, "widgets.example.com")
        .expect("the chart's CRD was created");
    assert_eq!(
        crd["metadata"]["annotations"]["argocd.argoproj.io/tracking-id"],
        "widgets:apiextensions.k8s.io/CustomResourceDefinition:/widgets.example.com",
        "the CRD is tracked as the application's"
    );
    let widget = env
        .stored(
            &ResourceRef::new("example.com", "v1", "widgets"),
            "shop",
            "widgets",
        )
        .expect("the Widget was created");
    assert_eq!(widget["spec"]["size"], 3);
    let cm = env
        .stored(&ResourceRef::core("configmaps"), "shop", "web")
        .expect("the ConfigMap went to the destination namespace");
    assert_eq!(cm["data"]["namespace"], "tools");
    assert!(
        env.stored(&ResourceRef::core("pods"), "shop", "web-test")
            .is_none(),
        "the test hook is not applied"
    );
    assert!(
        out.plan
            .skipped
            .iter()
            .any(|s| s.key.name == "web-test" && s.reason.contains("no sync phase")),
        "{:?}",
        out.plan.skipped
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skip_crds_and_skip_tests_leave_them_out() {
    let env = Env::start().await;
    env.namespace("shop");
    let git = chart_repo();
    let t = env
        .engine
        .target(&app(&git, "skipCrds: true, skipTests: true"))
        .expect("target");
    let rendered = env.engine.render(&t).await.expect("renders");
    let chart = git.path().join("chart");
    let want = helm_template("widgets", &chart, &["--skip-tests", "-n", "shop"]);
    assert_eq!(objects(&rendered), want);
    assert_eq!(kinds(&rendered), ["ConfigMap/web", "Widget/widgets"]);
    assert_eq!(
        rendered.manifests[0].object["data"]["namespace"], "shop",
        "without helm.namespace the release namespace is the destination's"
    );

    // Without its CRD the Widget's kind is unknown: the sync is refused before anything is
    // applied, as Argo CD's dry run refuses it.
    let e = env
        .sync(&t, &SyncRequest::default())
        .await
        .expect_err("refused")
        .to_string();
    assert!(e.contains("does not serve kind Widget"), "{e}");
    assert!(
        env.stored(&ResourceRef::core("configmaps"), "shop", "web")
            .is_none()
    );
}

#[tokio::test]
async fn a_missing_value_file_is_an_error_unless_ignored() {
    let env = Env::start().await;
    let git = chart_repo();
    let t = env
        .engine
        .target(&app(
            &git,
            "valueFiles: [values-prod.yaml, values-gone.yaml]",
        ))
        .expect("target");
    let e = render_error(&env, &t).await;
    assert!(e.contains("chart/values-gone.yaml"), "{e}");
    let t = env
        .engine
        .target(&app(
            &git,
            "valueFiles: [values-gone.yaml, values-prod.yaml], ignoreMissingValueFiles: true",
        ))
        .expect("target");
    let rendered = env.engine.render(&t).await.expect("renders");
    let widget = object(&rendered, "Widget", "widgets");
    assert_eq!(widget["spec"]["size"], 3, "values-prod.yaml applies");
}

/// An Application with a chart of the chart repository at `charts_url` whose value files are
/// `value_files` (with the extra `helm` fields), and a `ref: values` source in `values`.
fn chart_and_values(charts_url: &str, value_files: &str, extra: &str, values: &GitRepo) -> Target {
    Target::from_application(
        &Application::from_yaml(&format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: shop-web}}\nspec:\n  destination: {{namespace: shop}}\n  sources:\n    - repoURL: {charts_url}\n      chart: web\n      targetRevision: 0.1.0\n      helm: {{releaseName: web, valueFiles: [{value_files}]{extra}}}\n    - {{repoURL: {}, ref: values}}\n",
            values.path().display()
        ))
        .expect("application parses"),
    )
    .expect("target")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repository_chart_among_several_sources_takes_ref_value_files() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    package(
        &make_chart(&tmp.path().join("src"), "web", "0.1.0", "0.1.0"),
        &repo,
    );
    index(&repo, None);
    let server = StaticServer::start(&repo, None);
    let values = GitRepo::new();
    values.write(
        "envs/prod.yaml",
        "replicaCount: 4\nflavour: from-values-repo\n",
    );
    values.commit("values");

    let env = Env::start().await;
    let t = chart_and_values(&server.url(), "$values/envs/prod.yaml", "", &values);
    let rendered = env.engine.render(&t).await.expect("renders");
    assert_eq!(rendered.revisions, ["0.1.0".to_string(), values.head()]);
    let chart = make_chart(&tmp.path().join("ref"), "web", "0.1.0", "0.1.0");
    let want = helm_template(
        "web",
        &chart,
        &[
            "-n",
            "shop",
            "--include-crds",
            "-f",
            values.path().join("envs/prod.yaml").to_str().unwrap(),
        ],
    );
    assert_eq!(objects(&rendered), want);
    let flavour = object(&rendered, "ConfigMap", "web-flavour");
    assert_eq!(flavour["data"]["flavour"], "from-values-repo");

    // A `$ref` value file that is not there: an error naming it, or skipped when ignored.
    let missing = "$values/envs/prod.yaml, $values/envs/gone.yaml";
    let t = chart_and_values(&server.url(), missing, "", &values);
    let e = render_error(&env, &t).await;
    assert!(
        e.contains("spec.sources[0]") && e.contains("'$values/envs/gone.yaml'"),
        "{e}"
    );
    let ignore = ", ignoreMissingValueFiles: true";
    let t = chart_and_values(&server.url(), missing, ignore, &values);
    let rendered = env.engine.render(&t).await.expect("renders");
    assert_eq!(objects(&rendered), want, "the missing file left out");
}

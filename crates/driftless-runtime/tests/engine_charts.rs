//! Applications whose source is a chart of a chart repository or an OCI registry
//! (`spec.source.chart`), and Git-hosted charts whose dependencies are not vendored, through
//! the engine: rendered as the reference `helm template` renders them, the chart version
//! reported as the revision, synced to the simulator, and each version downloaded once.

#[path = "../../driftless-charts/tests/support/mod.rs"]
mod servers;
mod support;

use driftless_runtime::{Application, SyncRequest};
use driftless_sim::ResourceRef;
use servers::{
    Registry, StaticServer, index, make_chart, objects_of_yaml, package, run_helm, sort_objects,
};
use support::{Env, GitRepo};

fn app(repo_url: &str, chart: &str, revision: &str) -> Application {
    Application::from_yaml(&format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: shop-web, namespace: argocd}}\nspec:\n  project: default\n  source:\n    repoURL: {repo_url}\n    chart: {chart}\n    targetRevision: {revision:?}\n    helm:\n      releaseName: web\n      valueFiles: [values-prod.yaml]\n      parameters: [{{name: service.port, value: '8080'}}]\n  destination: {{namespace: shop}}\n"
    ))
    .expect("application parses")
}

fn objects(r: &driftless_runtime::Rendered) -> Vec<serde_json::Value> {
    sort_objects(r.manifests.iter().map(|m| m.object.clone()).collect())
}

/// `helm template` of an unpacked chart with the Application's Helm settings.
fn helm_template(dir: &std::path::Path, chart_dir: &std::path::Path) -> Vec<serde_json::Value> {
    objects_of_yaml(&run_helm(
        dir,
        &[
            "template",
            "web",
            chart_dir.to_str().unwrap(),
            "-n",
            "shop",
            "-f",
            chart_dir.join("values-prod.yaml").to_str().unwrap(),
            "--set",
            "service.port=8080",
        ],
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chart_from_a_repository_renders_as_helm_template_and_syncs() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let src = tmp.path().join("src");
    for v in ["0.1.0", "0.2.0"] {
        package(&make_chart(&src, "web", v, v), &repo);
    }
    index(&repo, None);
    let server = StaticServer::start(&repo, None);
    // Workload controllers on: the chart's Deployment must become healthy for the sync.
    let env = Env::start_with(driftless_sim::ClusterConfig::default()).await;
    let t = env
        .engine
        .target(&app(&server.url(), "web", "^0.1.0"))
        .expect("a chart source is a target");
    let rendered = env.engine.render(&t).await.expect("renders");
    assert_eq!(
        rendered.commit, "0.1.0",
        "the revision is the chart version"
    );
    let chart_dir = make_chart(&tmp.path().join("ref"), "web", "0.1.0", "0.1.0");
    assert_eq!(objects(&rendered), helm_template(tmp.path(), &chart_dir));

    env.namespace("shop");
    let out = env.sync(&t, &SyncRequest::default()).await.expect("syncs");
    assert!(!out.result.objects.is_empty());
    let cm = env
        .stored(&ResourceRef::core("configmaps"), "shop", "web-flavour")
        .expect("the chart's ConfigMap arrived");
    assert_eq!(cm["data"]["chart"], "0.1.0");
    let deploy = env
        .stored(
            &ResourceRef::new("apps", "v1", "deployments"),
            "shop",
            "web",
        )
        .expect("the chart's Deployment arrived");
    assert_eq!(
        deploy["spec"]["replicas"], 2,
        "values-prod.yaml from inside the chart"
    );
    let svc = env
        .stored(&ResourceRef::core("services"), "shop", "web")
        .expect("the chart's Service arrived");
    assert_eq!(svc["spec"]["ports"][0]["port"], 8080, "the parameter");
    assert_eq!(
        server.count("/web-0.1.0.tgz"),
        1,
        "downloaded once for render and sync"
    );

    // A chart that is not in the repository names the repository and chart.
    let t = env.engine.target(&app(&server.url(), "nope", "")).unwrap();
    let e = env.engine.render(&t).await.unwrap_err().to_string();
    assert!(e.contains("\"nope\"") && e.contains(&server.url()), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chart_from_an_oci_registry_latest_version_downloaded_once() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = Registry::start();
    let src = tmp.path().join("src");
    for v in ["0.1.0", "0.2.0"] {
        reg.push(&package(
            &make_chart(&src, "web", v, v),
            &tmp.path().join("out"),
        ));
    }
    let env = Env::start().await;
    let t = env
        .engine
        .target(&app(&reg.charts_url(), "web", ""))
        .unwrap();
    let rendered = env.engine.render(&t).await.expect("renders");
    assert_eq!(
        rendered.commit, "0.2.0",
        "empty targetRevision: the latest version"
    );
    let chart_dir = make_chart(&tmp.path().join("ref"), "web", "0.2.0", "0.2.0");
    assert_eq!(objects(&rendered), helm_template(tmp.path(), &chart_dir));
    let again = env.engine.render(&t).await.unwrap();
    assert_eq!(again.commit, "0.2.0");
    assert_eq!(reg.blob_gets(), 1, "the chart layer is downloaded once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_hosted_chart_with_dependencies_from_a_repository_and_a_local_path() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    package(
        &make_chart(&tmp.path().join("src"), "web", "0.1.0", "remote"),
        &repo,
    );
    index(&repo, None);
    let server = StaticServer::start(&repo, None);
    let git = GitRepo::new();
    make_chart(&git.path().join("libs"), "common", "2.0.0", "local");
    git.write(
        "apps/app/Chart.yaml",
        &format!(
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: web\n  version: ~0.1.0\n  repository: {}\n- name: common\n  version: ^2.0.0\n  repository: file://../../libs/common\n",
            server.url()
        ),
    );
    git.write(
        "apps/app/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {release: '{{ .Release.Name }}'}\n",
    );
    git.commit("app");
    let env = Env::start().await;
    let t = support::target(&git, "apps/app", "app", "shop");
    let rendered = env
        .engine
        .render(&t)
        .await
        .expect("renders with fetched dependencies");

    // The reference: helm's own dependency build of a checkout, then helm template.
    let checkout = tmp.path().join("checkout");
    std::process::Command::new("cp")
        .args([
            "-r",
            git.path().to_str().unwrap(),
            checkout.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    let chart = checkout.join("apps/app");
    run_helm(
        tmp.path(),
        &["dependency", "build", chart.to_str().unwrap()],
    );
    let want = objects_of_yaml(&run_helm(
        tmp.path(),
        &["template", "app", chart.to_str().unwrap(), "-n", "shop"],
    ));
    assert_eq!(objects(&rendered), want);
    let names: Vec<&str> = rendered
        .manifests
        .iter()
        .filter(|m| m.object["kind"] == "ConfigMap")
        .map(|m| m.object["metadata"]["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"app-web-flavour") && names.contains(&"app-common-flavour"),
        "{names:?}"
    );
}

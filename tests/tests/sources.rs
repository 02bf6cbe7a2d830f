//! Every kind of Argo CD source synced from an Application to the simulator through
//! `Engine::sync_oneshot`: a Jsonnet directory, a Kustomize source with options, a Helm chart
//! with parameters, and the bundled Helm-then-Kustomize config-management plugin.

use driftless_e2e::{Env, GitRepo, Recorder, settings};
use driftless_runtime::{Application, ClusterConfig, Engine, EngineConfig, SyncRequest, Target};
use std::path::{Path, PathBuf};

/// The target of an Application manifest whose `repoURL` is `repo`.
fn app_target(repo: &GitRepo, yaml: &str) -> Target {
    let app = Application::from_yaml(yaml).expect("Application parses");
    let mut t = Target::from_application(&app).expect("target");
    t.repo = repo.path().to_string_lossy().into_owned();
    t
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[tokio::test]
async fn jsonnet_directory_with_tlas_ext_vars_and_libs() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write(
        "vendor/cm.libsonnet",
        "{ cm(name, data):: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: name }, data: data } }\n",
    )
    .write(
        "app/main.jsonnet",
        "local lib = import 'cm.libsonnet';\nfunction(replicas) [\n  lib.cm('settings', { replicas: std.toString(replicas * 2), env: std.extVar('env') }),\n  lib.cm('owner', { app: std.extVar('app') }),\n]\n",
    )
    .write("app/helper.libsonnet", "error 'libraries are not manifests'\n");
    repo.commit("jsonnet");
    let t = app_target(
        &repo,
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: jn}\nspec:\n  destination: {namespace: jsonnet}\n  syncPolicy: {syncOptions: [CreateNamespace=true]}\n  source:\n    repoURL: .\n    path: app\n    directory:\n      jsonnet:\n        tlas: [{name: replicas, value: '3', code: true}]\n        extVars: [{name: env, value: prod}, {name: app, value: $ARGOCD_APP_NAME-$ARGOCD_APP_NAMESPACE}]\n        libs: [vendor]\n",
    );
    let (out, _) = env.sync(&t, &settings(&t)).await;
    out.unwrap_or_else(|e| panic!("sync: {e}"));
    let cm = env.kubectl_json(&["get", "configmap/settings", "-n", "jsonnet"]);
    assert_eq!(
        cm["data"],
        serde_json::json!({"replicas": "6", "env": "prod"})
    );
    let cm = env.kubectl_json(&["get", "configmap/owner", "-n", "jsonnet"]);
    assert_eq!(cm["data"]["app"], "jn-jsonnet");
}

#[tokio::test]
async fn kustomize_source_with_argo_cd_options() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write(
        "base/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deploy.yaml, cm.yaml]\n",
    )
    .write(
        "base/deploy.yaml",
        &driftless_e2e::deployment("web", "nginx:1.25", 1, "", ""),
    )
    .write(
        "base/cm.yaml",
        &driftless_e2e::config_map("settings", "", "k: v"),
    );
    repo.commit("kustomize");
    let t = app_target(
        &repo,
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: kz}\nspec:\n  destination: {namespace: kz}\n  syncPolicy: {syncOptions: [CreateNamespace=true]}\n  source:\n    repoURL: .\n    path: base\n    kustomize:\n      namePrefix: prod-\n      images: [nginx:1.27]\n      replicas: [{name: web, count: 2}]\n      commonLabels: {team: shop}\n      commonAnnotations: {built-from: $ARGOCD_APP_NAME}\n      commonAnnotationsEnvsubst: true\n",
    );
    let (out, _) = env.sync(&t, &settings(&t)).await;
    out.unwrap_or_else(|e| panic!("sync: {e}"));
    let d = env.kubectl_json(&["get", "deployment/prod-web", "-n", "kz"]);
    assert_eq!(d["spec"]["replicas"], 2);
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.27"
    );
    assert_eq!(d["metadata"]["labels"]["team"], "shop");
    assert_eq!(d["metadata"]["annotations"]["built-from"], "kz");
    let cm = env.kubectl_json(&["get", "configmap/prod-settings", "-n", "kz"]);
    assert_eq!(cm["metadata"]["labels"]["team"], "shop");
}

#[tokio::test]
async fn helm_parameters_reach_helm_with_its_precedence() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write("chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n")
        .write(
            "chart/values.yaml",
            "a:\n  b: [1, 2]\nlevel: chart\ntag: v1\ncfg: none\n",
        )
        .write("chart/prod.yaml", "level: file\n")
        .write("chart/files/cfg.txt", "from a file")
        .write(
            "chart/templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cfg\ndata:\n  first: {{ index .Values.a.b 0 | kindOf | quote }}\n  firstValue: {{ index .Values.a.b 0 | quote }}\n  level: {{ .Values.level | quote }}\n  tag: {{ .Values.tag | quote }}\n  cfg: {{ .Values.cfg | quote }}\n  list: {{ .Values.list | quote }}\n",
        );
    repo.commit("chart");
    let t = app_target(
        &repo,
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: hp}\nspec:\n  destination: {namespace: helm}\n  syncPolicy: {syncOptions: [CreateNamespace=true]}\n  source:\n    repoURL: .\n    path: chart\n    helm:\n      valueFiles: [prod.yaml]\n      valuesObject: {level: inline, tag: v2}\n      parameters:\n        - {name: 'a.b[0]', value: '10', forceString: true}\n        - {name: tag, value: v3}\n        - {name: list, value: 'x,y'}\n      fileParameters: [{name: cfg, path: files/cfg.txt}]\n",
    );
    let (out, _) = env.sync(&t, &settings(&t)).await;
    out.unwrap_or_else(|e| panic!("sync: {e}"));
    // The release is named after the application, as Argo CD does.
    let cm = env.kubectl_json(&["get", "configmap/hp-cfg", "-n", "helm"]);
    assert_eq!(
        cm["data"],
        serde_json::json!({
            "first": "string", "firstValue": "10", "level": "inline", "tag": "v3",
            "cfg": "from a file", "list": "x,y",
        })
    );
}

#[tokio::test]
async fn bundled_kustomized_helm_plugin_syncs() {
    let env = Env::start().await;
    let example = workspace().join("examples/plugins/kustomized-helm");
    let repo = GitRepo::new();
    for rel in [
        "app/helm-chart",
        "app/kustomization.yaml",
        "chart/Chart.yaml",
        "chart/values.yaml",
        "chart/templates/deployment.yaml",
        "chart/templates/service.yaml",
    ] {
        let text = std::fs::read_to_string(example.join(rel)).expect("example file");
        repo.write(&format!("kustomized-helm/{rel}"), &text);
    }
    repo.commit("plugin example");
    let app = std::fs::read_to_string(example.join("application.yaml")).expect("example app");
    let mut t = app_target(&repo, &app);
    t.path = "kustomized-helm/app".into();
    t.sync_options.push("CreateNamespace=true".into());
    let engine = Engine::new(EngineConfig {
        cache_dir: env.scratch().join("plugin-cache"),
        plugins: vec![example.join("plugin.yaml")],
        // The helm that scripts/setup-test-tools.sh installs.
        plugin_path: Some(format!(
            "{}:{}",
            workspace().join(".tools").display(),
            std::env::var("PATH").unwrap_or_default()
        )),
        ..EngineConfig::default()
    })
    .expect("engine")
    .connect(&ClusterConfig::File {
        path: env.kubeconfig.clone(),
        context: None,
    })
    .await
    .expect("connected");
    let out = engine
        .sync_oneshot(
            &t,
            &SyncRequest::default(),
            &settings(&t),
            &Recorder::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("sync: {e}"));
    assert_eq!(out.rendered.manifests.len(), 2);
    let d = env.kubectl_json(&["get", "deployment/shop-web", "-n", "web"]);
    assert_eq!(d["spec"]["replicas"], 3);
    assert_eq!(d["metadata"]["annotations"]["stage"], "prod-shop");
    assert_eq!(d["metadata"]["labels"]["rendered-by"], "kustomized-helm");
    assert!(env.exists(&["service/shop-web", "-n", "web"]));
}

//! Sync options against the simulator: CreateNamespace, CRD + CR in one sync, Replace, Force,
//! ApplyOutOfSyncOnly, PrunePropagationPolicy, Delete=false, ServerSideApply=false, label tracking.

use driftless_apply::{Action, TrackingMethod};
use driftless_e2e::{Env, GitRepo, config_map, deployment, reported, settings, target};

fn rv(env: &Env, what: &str, ns: &str) -> String {
    env.kubectl_json(&["get", what, "-n", ns])["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string()
}

const CRD: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        x-kubernetes-preserve-unknown-fields: true\n";

#[tokio::test]
async fn crd_and_its_custom_resources_in_one_sync_into_a_created_namespace() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write("app/crd.yaml", CRD)
        .write(
            "app/widget.yaml",
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n",
        )
        .write("app/cm.yaml", &config_map("c", "", "k: v"));
    repo.commit("app");
    let mut t = target(&repo, "app", "widgets", "fresh-ns");
    t.sync_options.push("CreateNamespace=true".into());
    let (out, _) = env.sync(&t, &settings(&t)).await;
    out.expect("sync succeeds");
    let w = env.kubectl_json(&["get", "widgets.example.com/w1", "-n", "fresh-ns"]);
    assert_eq!(w["spec"]["size"], 3);
    assert_eq!(
        w["metadata"]["annotations"]["argocd.argoproj.io/tracking-id"],
        "widgets:example.com/Widget:fresh-ns/w1"
    );
    assert!(env.exists(&["namespace/fresh-ns"]));

    // A custom resource whose CRD is neither installed nor in the sync is refused up front.
    let repo2 = GitRepo::new();
    repo2
        .write(
            "app/gadget.yaml",
            "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n",
        )
        .write("app/cm.yaml", &config_map("c2", "", "k: v"));
    repo2.commit("app");
    let t2 = target(&repo2, "app", "gadgets", "fresh-ns");
    let err = env.sync(&t2, &settings(&t2)).await.0.expect_err("refused");
    assert!(
        err.to_string().contains("does not serve kind Gadget"),
        "{err}"
    );
    assert!(!env.exists(&["configmap/c2", "-n", "fresh-ns"]));
}

#[tokio::test]
async fn apply_out_of_sync_only_leaves_synced_objects_alone() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write("app/a.yaml", &config_map("a", "", "k: v"))
        .write("app/b.yaml", &config_map("b", "", "k: v"));
    repo.commit("v1");
    env.namespace("oos");
    let mut t = target(&repo, "app", "oos", "oos");
    t.sync_options.push("ApplyOutOfSyncOnly=true".into());
    env.sync(&t, &settings(&t)).await.0.expect("first");
    let a_before = rv(&env, "configmap/a", "oos");
    repo.write("app/b.yaml", &config_map("b", "", "k: changed"));
    repo.commit("v2");
    let (out, _) = env.sync(&t, &settings(&t)).await;
    let (_, result) = out.expect("second");
    let action = |n: &str| reported(&result.objects, n).action;
    assert_eq!(action("a"), Action::Unchanged);
    assert_eq!(action("b"), Action::Applied);
    assert_eq!(rv(&env, "configmap/a", "oos"), a_before);
    let b = env.kubectl_json(&["get", "configmap/b", "-n", "oos"]);
    assert_eq!(b["data"]["k"], "changed");
}

#[tokio::test]
async fn replace_and_force_recreate_objects_with_immutable_changes() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write("app/web.yaml", &deployment("web", "nginx:1", 1, "", ""))
        .write(
            "app/r.yaml",
            &config_map("r", "argocd.argoproj.io/sync-options: Replace=true", "k: v"),
        );
    repo.commit("v1");
    env.namespace("force");
    let t = target(&repo, "app", "force", "force");
    env.sync(&t, &settings(&t)).await.0.expect("first");
    let uid = |what: &str| {
        env.kubectl_json(&["get", what, "-n", "force"])["metadata"]["uid"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let web_uid = uid("deployment/web");
    let r_uid = uid("configmap/r");
    // Replace=true keeps the object (PUT) but drops fields Git no longer has.
    env.kubectl(&["label", "configmap/r", "-n", "force", "extra=1"]);
    repo.write(
        "app/r.yaml",
        &config_map(
            "r",
            "argocd.argoproj.io/sync-options: Replace=true",
            "k: v2",
        ),
    );
    // A changed selector is immutable: refused without Force ...
    let changed = deployment("web", "nginx:1", 1, "", "")
        .replace(
            "{matchLabels: {app: web}}",
            "{matchLabels: {app: web, tier: front}}",
        )
        .replace("labels: {app: web}", "labels: {app: web, tier: front}");
    repo.write("app/web.yaml", &changed);
    repo.commit("v2");
    let err = env.sync(&t, &settings(&t)).await.0.expect_err("immutable");
    assert!(err.to_string().contains("immutable"), "{err}");
    // ... and deleted and re-created with Force=true.
    repo.write(
        "app/web.yaml",
        &changed.replace(
            "  annotations: {}\nspec:\n  replicas",
            "  annotations: {argocd.argoproj.io/sync-options: 'Force=true'}\nspec:\n  replicas",
        ),
    );
    repo.commit("v3");
    let (out, _) = env.sync(&t, &settings(&t)).await;
    let (_, result) = out.expect("forced");
    let action = |n: &str| reported(&result.objects, n).action;
    assert_eq!(action("web"), Action::Replaced);
    assert_eq!(action("r"), Action::Replaced);
    assert_ne!(uid("deployment/web"), web_uid);
    let web = env.kubectl_json(&["get", "deployment/web", "-n", "force"]);
    assert_eq!(web["spec"]["selector"]["matchLabels"]["tier"], "front");
    assert_eq!(uid("configmap/r"), r_uid);
    let r = env.kubectl_json(&["get", "configmap/r", "-n", "force"]);
    assert_eq!(r["data"]["k"], "v2");
    assert!(r["metadata"]["labels"].get("extra").is_none(), "{r}");
}

#[tokio::test]
async fn prune_options_orphan_and_delete_false() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write(
        "app/web.yaml",
        &deployment(
            "web",
            "nginx:1",
            1,
            "argocd.argoproj.io/sync-options: PrunePropagationPolicy=orphan",
            "",
        ),
    )
    .write(
        "app/kept.yaml",
        &config_map(
            "kept",
            "argocd.argoproj.io/sync-options: Delete=false",
            "k: v",
        ),
    )
    .write("app/a.yaml", &config_map("a", "", "k: v"));
    repo.commit("v1");
    env.namespace("orphan");
    let mut t = target(&repo, "app", "orphan", "orphan");
    t.prune = true;
    env.sync(&t, &settings(&t)).await.0.expect("first");
    repo.remove("app/web.yaml").remove("app/kept.yaml");
    repo.commit("v2");
    env.sync(&t, &settings(&t)).await.0.expect("second");
    assert!(!env.exists(&["deployment/web", "-n", "orphan"]));
    // Orphaned: the ReplicaSet survives its Deployment.
    let rs = env.kubectl_json(&["get", "replicasets", "-n", "orphan"]);
    assert_eq!(rs["items"].as_array().unwrap().len(), 1, "{rs}");
    assert!(env.exists(&["configmap/kept", "-n", "orphan"]));
}

#[tokio::test]
async fn client_side_apply_and_label_tracking() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write("app/a.yaml", &config_map("a", "", "k: v, gone: soon"));
    repo.commit("v1");
    env.namespace("csa");
    let mut t = target(&repo, "app", "csa-app", "csa");
    t.sync_options.push("ServerSideApply=false".into());
    t.tracking = TrackingMethod::Label;
    env.sync(&t, &settings(&t)).await.0.expect("first");
    let a = env.kubectl_json(&["get", "configmap/a", "-n", "csa"]);
    assert_eq!(
        a["metadata"]["labels"]["app.kubernetes.io/instance"],
        "csa-app"
    );
    assert!(
        a["metadata"]["annotations"]
            .get("kubectl.kubernetes.io/last-applied-configuration")
            .is_some()
    );
    assert!(
        a["metadata"]["annotations"]
            .get("argocd.argoproj.io/tracking-id")
            .is_none()
    );
    // Someone else adds a key; Git drops one: the dropped key goes, the foreign one stays.
    env.kubectl(&[
        "patch",
        "configmap/a",
        "-n",
        "csa",
        "--type=merge",
        "-p",
        "{\"data\":{\"foreign\":\"x\"}}",
    ]);
    repo.write("app/a.yaml", &config_map("a", "", "k: v2"));
    repo.commit("v2");
    env.sync(&t, &settings(&t)).await.0.expect("second");
    let a = env.kubectl_json(&["get", "configmap/a", "-n", "csa"]);
    assert_eq!(a["data"], serde_json::json!({"k": "v2", "foreign": "x"}));
}

#[tokio::test]
async fn helm_inline_values_and_force_string_parameters_from_an_application() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write(
        "chart/Chart.yaml",
        "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    )
    .write("chart/values.yaml", "tag: latest\ncolor: white\nreplicas: 1\n")
    .write("chart/values-prod.yaml", "color: black\n")
    .write(
        "chart/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  tag: {{ .Values.tag | quote }}\n  tagKind: {{ kindOf .Values.tag }}\n  color: {{ .Values.color }}\n  replicas: {{ .Values.replicas | quote }}\n",
    );
    repo.commit("chart");
    let app = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: demo}}\nspec:\n  source:\n    repoURL: {}\n    path: chart\n    helm:\n      valueFiles: [values-prod.yaml]\n      values: |\n        color: purple\n        replicas: 2\n      parameters:\n      - {{name: tag, value: '1.10', forceString: true}}\n      - {{name: replicas, value: '3'}}\n  destination: {{namespace: helm}}\n  syncPolicy: {{syncOptions: [CreateNamespace=true]}}\n",
        repo.path().display()
    );
    let app = driftless_runtime::Application::from_yaml(&app).expect("application");
    let t = driftless_runtime::Target::from_application(&app).expect("target");
    env.sync(&t, &settings(&t)).await.0.expect("sync");
    let cm = env.kubectl_json(&["get", "configmap/demo-settings", "-n", "helm"]);
    // forceString keeps 1.10 a string (not the float 1.1); inline values beat value files;
    // parameters beat inline values.
    assert_eq!(cm["data"]["tag"], "1.10");
    assert_eq!(cm["data"]["tagKind"], "string");
    assert_eq!(cm["data"]["color"], "purple");
    assert_eq!(cm["data"]["replicas"], "3");
}

#[tokio::test]
async fn unknown_fields_are_refused_by_the_dry_run() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write(
        "app/web.yaml",
        &deployment("web", "nginx:1", 1, "", "")
            .replace("  replicas: 1\n", "  replicas: 1\n  replica: 2\n"),
    );
    repo.commit("typo");
    env.namespace("strict");
    let t = target(&repo, "app", "strict", "strict");
    let err = env.sync(&t, &settings(&t)).await.0.expect_err("strict");
    let text = err.to_string();
    assert!(
        text.contains("dry run refused") && text.contains("replica"),
        "{text}"
    );
    assert!(!env.exists(&["deployment/web", "-n", "strict"]));
    // `Validate=false` sends fieldValidation=Ignore; a 1.32 API server then drops unknown fields
    // of an apply, but driftless-sim still refuses them ("field not declared in schema"), so
    // that half is not checked here.
}

//! A multi-source Application (`spec.sources`) end to end on the simulator, with the real
//! `kubectl`: a Helm chart from one repository with its values from a second repository's `ref`
//! source, and plain manifests from a third; status as Argo CD writes it for several sources.

use driftless_e2e::controller::{eventually, test_config, text};
use driftless_e2e::git_repo::color_chart_repo;
use driftless_e2e::{Env, GitRepo, config_map, deployment};
use serde_json::Value;

fn application(charts: &GitRepo, values: &GitRepo, extra: &GitRepo) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n  namespace: argocd\nspec:\n  project: default\n  sources:\n    - repoURL: '{}'\n      path: chart\n      helm: {{valueFiles: [$values/env/values-prod.yaml]}}\n    - {{repoURL: '{}', targetRevision: main, ref: values}}\n    - {{repoURL: '{}', path: manifests}}\n  destination: {{server: 'https://kubernetes.default.svc', namespace: shop}}\n  syncPolicy:\n    automated: {{prune: true}}\n    syncOptions: [CreateNamespace=true]\n",
        charts.path().display(),
        values.path().display(),
        extra.path().display()
    )
}

fn strings(v: &Value, p: &str) -> Vec<String> {
    v.pointer(p)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_source_application_syncs_and_follows_its_values_repository() {
    let env = Env::start().await;
    env.install_crds();
    let charts = color_chart_repo("web-color");
    let values = GitRepo::new();
    values.write("env/values-prod.yaml", "color: red\n");
    let v1 = values.commit("red");
    let extra = GitRepo::new();
    extra.write(
        "manifests/web.yaml",
        &deployment("web", "nginx:1.27", 1, "", ""),
    );
    extra.write(
        "manifests/settings.yaml",
        &config_map("settings", "", "mode: a"),
    );
    let e1 = extra.commit("extra");
    let c1 = charts.commit("head");
    let _controller = env.start_controller(test_config());
    tokio::task::block_in_place(|| {
        env.kubectl_apply(&application(&charts, &values, &extra));
        eventually("Synced and Healthy", 30, || {
            let a = env.application("shop");
            text(&a, "/status/sync/status") == "Synced"
                && text(&a, "/status/health/status") == "Healthy"
        });
        let a = env.application("shop");
        let revisions = vec![c1.clone(), v1.clone(), e1.clone()];
        assert_eq!(strings(&a, "/status/sync/revisions"), revisions, "{a}");
        assert_eq!(text(&a, "/status/sync/revision"), "");
        assert_eq!(
            a.pointer("/status/sync/comparedTo/sources")
                .and_then(Value::as_array)
                .map(Vec::len),
            Some(3)
        );
        assert_eq!(
            strings(&a, "/status/sourceTypes"),
            ["Helm", "", "Directory"]
        );
        assert_eq!(
            strings(&a, "/status/operationState/syncResult/revisions"),
            revisions
        );
        assert_eq!(strings(&a, "/status/history/0/revisions"), revisions);
        assert_eq!(
            strings(&a, "/status/operationState/operation/sync/revisions"),
            revisions
        );
        let color = || {
            env.kubectl_json(&["get", "configmap", "web-color", "-n", "shop", "-o", "json"])["data"]
                ["color"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(color(), "red");
        assert!(env.exists(&["configmap", "settings", "-n", "shop"]));

        // A commit to the values repository is a new revision: synced automatically.
        values.write("env/values-prod.yaml", "color: green\n");
        let v2 = values.commit("green");
        let out = env.kubectl(&[
            "annotate",
            "application",
            "shop",
            "-n",
            "argocd",
            "argocd.argoproj.io/refresh=normal",
        ]);
        assert!(out.status.success(), "{out:?}");
        eventually("the green values applied", 30, || color() == "green");
        eventually("the new revision list recorded", 30, || {
            let a = env.application("shop");
            strings(&a, "/status/sync/revisions") == [c1.clone(), v2.clone(), e1.clone()]
                && text(&a, "/status/sync/status") == "Synced"
                && a.pointer("/status/history")
                    .and_then(Value::as_array)
                    .map(Vec::len)
                    == Some(2)
        });

        // A manual sync of the values source back to its first commit (what `argocd app sync
        // --revisions <v1> --source-positions 2` writes); automation off so it stays there.
        let patch = |body: &str| {
            env.kubectl_merge_patch(&["application", "shop", "-n", "argocd"], body);
        };
        patch(r#"{"spec":{"syncPolicy":{"automated":null}}}"#);
        patch(&format!(
            r#"{{"operation":{{"initiatedBy":{{"username":"t"}},"sync":{{"revisions":["{v1}"],"sourcePositions":[2]}}}}}}"#
        ));
        eventually("the red values applied again", 30, || color() == "red");
        eventually("the manual sync recorded with its revisions", 30, || {
            let a = env.application("shop");
            a.get("operation").is_none()
                && strings(&a, "/status/operationState/syncResult/revisions")
                    == [c1.clone(), v1.clone(), e1.clone()]
                && text(&a, "/status/operationState/phase") == "Succeeded"
        });
        // The spec still names the values branch, now at the green commit: out of sync.
        eventually("OutOfSync against the spec", 30, || {
            let a = env.application("shop");
            text(&a, "/status/sync/status") == "OutOfSync"
                && strings(&a, "/status/sync/revisions") == [c1.clone(), v2.clone(), e1.clone()]
        });
    });
}

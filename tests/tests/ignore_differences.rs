//! `ignoreDifferences` with `RespectIgnoreDifferences=true`, through the controller: ignored
//! fields keep their live values when a sync applies something else.

use driftless_e2e::controller::{application_yaml, eventually, test_config, text};
use driftless_e2e::{Env, GitRepo, config_map, deployment};
use std::time::Duration;

/// Replicas (a JSON pointer) and one ConfigMap key (a jq path) are ignored and respected: a
/// `kubectl scale` and a `kubectl patch` survive a sync of a new image and a new key; without
/// the ignore rule's field the sync does apply Git.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignored_fields_keep_their_live_values_on_sync() {
    let env = Env::start().await;
    env.install_crds();
    let repo = GitRepo::new();
    repo.write("app/web.yaml", &deployment("web", "nginx:1.27", 2, "", ""))
        .write(
            "app/settings.yaml",
            &config_map("settings", "", "mode: blue, tuned: 'no'"),
        );
    repo.commit("v1");
    let _controller = env.start_controller(test_config());
    let policy = "    automated: {prune: true, selfHeal: true}\n    syncOptions: [CreateNamespace=true, RespectIgnoreDifferences=true]\n  ignoreDifferences:\n  - {group: apps, kind: Deployment, jsonPointers: [/spec/replicas]}\n  - {kind: ConfigMap, name: settings, jqPathExpressions: [.data.tuned]}\n";
    tokio::task::block_in_place(|| {
        env.kubectl_apply(&application_yaml(
            "respect",
            repo.path(),
            "app",
            "respect",
            policy,
        ));
        eventually("Synced", 30, || {
            text(&env.application("respect"), "/status/sync/status") == "Synced"
        });
        let out = env.kubectl(&["scale", "deployment/web", "-n", "respect", "--replicas=5"]);
        assert!(out.status.success(), "{out:?}");
        env.kubectl_merge_patch(
            &["configmap", "settings", "-n", "respect"],
            r#"{"data":{"tuned":"by-hand"}}"#,
        );
        // Ignored drift is no drift: still Synced, and selfHeal leaves it.
        std::thread::sleep(Duration::from_secs(2));
        assert_eq!(
            text(&env.application("respect"), "/status/sync/status"),
            "Synced"
        );

        repo.write("app/web.yaml", &deployment("web", "nginx:1.28", 2, "", ""))
            .write(
                "app/settings.yaml",
                &config_map("settings", "", "mode: green, tuned: 'no'"),
            );
        repo.commit("v2: new image, new mode");
        eventually("v2 applied", 30, || {
            let d = env.kubectl_json(&["get", "deployment", "web", "-n", "respect"]);
            let c = env.kubectl_json(&["get", "configmap", "settings", "-n", "respect"]);
            d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
                && c["data"]["mode"] == "green"
        });
        let d = env.kubectl_json(&["get", "deployment", "web", "-n", "respect"]);
        assert_eq!(d["spec"]["replicas"], 5, "ignored replicas kept: {d}");
        let c = env.kubectl_json(&["get", "configmap", "settings", "-n", "respect"]);
        assert_eq!(c["data"]["tuned"], "by-hand", "ignored key kept: {c}");
        eventually("Synced at v2", 20, || {
            let a = env.application("respect");
            text(&a, "/status/sync/status") == "Synced"
                && text(&a, "/status/operationState/phase") == "Succeeded"
        });
    });
}

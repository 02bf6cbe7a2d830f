//! Dependencies between Applications (`driftless.dev/depends-on`, `spec.dependsOn`) through the
//! controller and the real `kubectl`: a cycle and a missing dependency are conditions on every
//! Application involved and hold their automated syncs (nothing hangs); fixing the manifest lets
//! them sync; a manual sync is not held.

use driftless_e2e::controller::{application_yaml, eventually, test_config, text};
use driftless_e2e::{Env, GitRepo, config_map};

/// An automated Application of `envs/<name>` into namespace `name`, depending on `deps`
/// (through the annotation) and `spec_deps` (through `spec.dependsOn`).
fn app(repo: &GitRepo, name: &str, deps: &str, spec_deps: &str) -> String {
    let yaml = application_yaml(
        name,
        repo.path(),
        &format!("envs/{name}"),
        name,
        "    automated: {prune: true}\n    syncOptions: [CreateNamespace=true]\n",
    );
    yaml.replace(
        "  finalizers:",
        &format!("  annotations: {{driftless.dev/depends-on: '{deps}'}}\n  finalizers:"),
    )
    .replace("spec:\n", &format!("spec:\n  dependsOn: [{spec_deps}]\n"))
}

fn condition(env: &Env, app: &str, kind: &str) -> String {
    let a = env.application(app);
    a["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == kind)
        .map(|c| text(c, "/message").to_string())
        .unwrap_or_default()
}

fn deployed(env: &Env, name: &str) -> bool {
    env.exists(&["configmap/settings", "-n", name])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cycles_and_missing_dependencies_are_reported_and_hold_only_automated_syncs() {
    let env = Env::start().await;
    env.install_crds();
    let repo = GitRepo::new();
    for name in ["a", "b", "c", "d"] {
        repo.write(
            &format!("envs/{name}/settings.yaml"),
            &config_map("settings", "", &format!("app: {name}")),
        );
    }
    repo.commit("four apps");
    let _controller = env.start_controller(test_config());
    tokio::task::block_in_place(|| {
        // a → b → a (one through the annotation, one through spec.dependsOn); c → ghost.
        env.kubectl_apply(&app(&repo, "a", "b", ""));
        env.kubectl_apply(&app(&repo, "b", "", "a"));
        env.kubectl_apply(&app(&repo, "c", "ghost", ""));
        env.kubectl_apply(&app(&repo, "d", "", ""));
        eventually("the dependency errors", 20, || {
            condition(&env, "a", "DependencyError") == "dependency cycle between a, b"
                && condition(&env, "b", "DependencyError") == "dependency cycle between a, b"
                && condition(&env, "c", "DependencyError")
                    == "dependency not found: no Application ghost"
        });
        // Others go on: d has no dependencies and syncs.
        eventually("d deployed", 20, || deployed(&env, "d"));
        for held in ["a", "b", "c"] {
            assert!(
                !deployed(&env, held),
                "{held} synced with a broken dependency"
            );
            assert_eq!(
                text(&env.application(held), "/status/sync/status"),
                "OutOfSync"
            );
        }

        // A manual sync is an explicit request: it runs.
        let op = r#"{"operation":{"sync":{"revision":"HEAD"},"initiatedBy":{"username":"admin"}}}"#;
        env.kubectl_merge_patch(&["application", "c", "-n", "argocd"], op);
        eventually("c synced by hand", 20, || deployed(&env, "c"));
        assert!(!condition(&env, "c", "DependencyError").is_empty());

        // Breaking the cycle: b waits for a (not ready yet, then ready), then follows it.
        env.kubectl_apply(&app(&repo, "a", "", ""));
        eventually("a then b deployed", 20, || {
            deployed(&env, "a") && deployed(&env, "b")
        });
        eventually("the conditions cleared", 20, || {
            ["a", "b"].iter().all(|n| {
                condition(&env, n, "DependencyError").is_empty()
                    && condition(&env, n, "DependencyNotReady").is_empty()
            })
        });
    });
}

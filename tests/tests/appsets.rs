//! The multi-environment story end to end on the simulator, read back with the real `kubectl`:
//! one repository with a directory per environment and an `argocd/` folder holding an
//! ApplicationSet (dev and staging follow `main`, prod follows `release`); only the root
//! app-of-apps Application is applied. Both controller loops run; a commit to `main` reaches dev
//! and staging but not prod, merging `main` into `release` promotes it, and adding then removing
//! a list element creates then deletes a fourth environment with its resources. Deleting a set
//! follows its deletion policy.

use driftless_controller::ControllerConfig;
use driftless_e2e::{Env, GitRepo, config_map};
use serde_json::Value;
use std::time::{Duration, Instant};

/// Waits up to `secs` for `f` to hold, reading with kubectl.
fn eventually(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(150));
    }
    panic!("timed out waiting for {what}");
}

/// The ApplicationSet with one list element per `(env, revision)`.
fn appset_yaml(repo: &GitRepo, envs: &[(&str, &str)]) -> String {
    let elements: String = envs
        .iter()
        .map(|(env, rev)| format!("      - {{env: {env}, revision: {rev}}}\n"))
        .collect();
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: shop\n  namespace: argocd\nspec:\n  goTemplate: true\n  goTemplateOptions: [missingkey=error]\n  generators:\n  - list:\n      elements:\n{elements}  template:\n    metadata:\n      name: 'shop-{{{{.env}}}}'\n    spec:\n      project: default\n      source: {{repoURL: '{}', path: 'envs/{{{{.env}}}}', targetRevision: '{{{{.revision}}}}'}}\n      destination: {{server: 'https://kubernetes.default.svc', namespace: 'shop-{{{{.env}}}}'}}\n      syncPolicy:\n        automated: {{prune: true, selfHeal: true}}\n        syncOptions: [CreateNamespace=true]\n",
        repo.path().display()
    )
}

fn root_yaml(repo: &GitRepo) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: root\n  namespace: argocd\nspec:\n  project: default\n  source: {{repoURL: '{}', path: argocd, targetRevision: main}}\n  destination: {{server: 'https://kubernetes.default.svc', namespace: argocd}}\n  syncPolicy:\n    automated: {{prune: true, selfHeal: true}}\n",
        repo.path().display()
    )
}

fn write_envs(repo: &GitRepo, version: &str) {
    for env in ["dev", "staging", "prod", "qa"] {
        repo.write(
            &format!("envs/{env}/settings.yaml"),
            &config_map("settings", "", &format!("env: {env}, version: {version}")),
        );
    }
}

fn version(env: &Env, e: &str) -> String {
    let ns = format!("shop-{e}");
    let out = env.kubectl(&["get", "configmap", "settings", "-n", &ns, "-o", "json"]);
    if !out.status.success() {
        return String::new();
    }
    let cm: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    cm["data"]["version"].as_str().unwrap_or("").to_string()
}

fn synced_and_healthy(env: &Env, app: &str) -> bool {
    let out = env.kubectl(&["get", "application", app, "-n", "argocd", "-o", "json"]);
    if !out.status.success() {
        return false;
    }
    let a: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    a.pointer("/status/sync/status") == Some(&"Synced".into())
        && a.pointer("/status/health/status") == Some(&"Healthy".into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environments_from_one_repository() {
    let env = Env::start().await;
    for crd in driftless_api::crds() {
        env.kubectl_apply(crd);
    }
    env.namespace("argocd");
    let repo = GitRepo::new();
    write_envs(&repo, "v1");
    let three = [("dev", "main"), ("staging", "main"), ("prod", "release")];
    repo.write("argocd/shop.yaml", &appset_yaml(&repo, &three));
    repo.commit("v1");
    repo.git(&["branch", "release"]);

    let loops = env.start_loops(ControllerConfig {
        reconcile_interval: Duration::from_millis(700),
        jitter: Duration::ZERO,
        ..ControllerConfig::default()
    });

    tokio::task::block_in_place(|| {
        env.kubectl_apply(&root_yaml(&repo));
        eventually(
            "the set and three environments Synced and Healthy",
            30,
            || {
                env.exists(&["applicationset/shop", "-n", "argocd"])
                    && ["shop-dev", "shop-staging", "shop-prod"]
                        .iter()
                        .all(|a| synced_and_healthy(&env, a))
            },
        );
        for e in ["dev", "staging", "prod"] {
            assert_eq!(version(&env, e), "v1", "{e}");
        }
        let set = env.kubectl_json(&[
            "get",
            "applicationset",
            "shop",
            "-n",
            "argocd",
            "-o",
            "json",
        ]);
        let conds = set["status"]["conditions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            conds
                .iter()
                .any(|c| c["type"] == "ResourcesUpToDate" && c["status"] == "True"),
            "{set}"
        );
        let app = env.kubectl_json(&[
            "get",
            "application",
            "shop-dev",
            "-n",
            "argocd",
            "-o",
            "json",
        ]);
        assert_eq!(
            app["metadata"]["ownerReferences"][0]["kind"],
            "ApplicationSet"
        );
        assert_eq!(app["metadata"]["ownerReferences"][0]["name"], "shop");

        // A commit to main reaches dev and staging, not prod.
        write_envs(&repo, "v2");
        repo.commit("v2");
        eventually("dev and staging at v2", 30, || {
            version(&env, "dev") == "v2" && version(&env, "staging") == "v2"
        });
        assert_eq!(version(&env, "prod"), "v1");

        // Promotion: merge main into release.
        repo.git(&["checkout", "-q", "release"]);
        repo.git(&["merge", "-q", "--ff-only", "main"]);
        repo.git(&["checkout", "-q", "main"]);
        eventually("prod at v2", 30, || version(&env, "prod") == "v2");

        // A fourth environment comes and goes with its list element.
        let four = [three[0], three[1], three[2], ("qa", "main")];
        repo.write("argocd/shop.yaml", &appset_yaml(&repo, &four));
        repo.commit("add qa");
        eventually("qa Synced and Healthy", 30, || {
            synced_and_healthy(&env, "shop-qa") && version(&env, "qa") == "v2"
        });
        repo.write("argocd/shop.yaml", &appset_yaml(&repo, &three));
        repo.commit("remove qa");
        eventually("qa Application and its resources gone", 30, || {
            !env.exists(&["application/shop-qa", "-n", "argocd"])
                && !env.exists(&["configmap/settings", "-n", "shop-qa"])
        });
        assert!(env.exists(&["application/shop-prod", "-n", "argocd"]));
    });
    drop(loops);
}

/// A set with one Application per element of `envs`, each deploying `envs/<env>` into
/// `<name>-<env>`, with `sync_policy` lines under the set's `syncPolicy`.
fn small_set(repo: &GitRepo, name: &str, sync_policy: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: {name}\n  namespace: argocd\nspec:\n  syncPolicy:\n{sync_policy}  generators:\n  - list:\n      elements:\n      - {{env: dev}}\n  template:\n    metadata:\n      name: '{name}-{{{{env}}}}'\n    spec:\n      project: default\n      source: {{repoURL: '{}', path: 'envs/{{{{env}}}}', targetRevision: main}}\n      destination: {{server: 'https://kubernetes.default.svc', namespace: '{name}-{{{{env}}}}'}}\n      syncPolicy:\n        automated: {{prune: true}}\n        syncOptions: [CreateNamespace=true]\n",
        repo.path().display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_set_follows_its_deletion_policy() {
    let env = Env::start().await;
    env.install_crds();
    let repo = GitRepo::new();
    write_envs(&repo, "v1");
    repo.commit("v1");
    let loops = env.start_loops(ControllerConfig {
        reconcile_interval: Duration::from_millis(700),
        jitter: Duration::ZERO,
        ..ControllerConfig::default()
    });
    tokio::task::block_in_place(|| {
        let sets = [
            ("gone", "    preserveResourcesOnDeletion: false\n"),
            ("kept", "    preserveResourcesOnDeletion: true\n"),
            ("orphan", "    applicationsSync: create-update\n"),
        ];
        for (name, policy) in sets {
            env.kubectl_apply(&small_set(&repo, name, policy));
        }
        eventually("three Applications Synced and Healthy", 30, || {
            sets.iter()
                .all(|(n, _)| synced_and_healthy(&env, &format!("{n}-dev")))
        });
        for (name, finalizer) in [("gone", false), ("kept", true), ("orphan", true)] {
            let set =
                env.kubectl_json(&["get", "applicationset", name, "-n", "argocd", "-o", "json"]);
            let held = set["metadata"]["finalizers"].as_array().is_some_and(|f| {
                f.iter()
                    .any(|x| x == "resources-finalizer.argocd.argoproj.io")
            });
            assert_eq!(held, finalizer, "{name}: {set}");
        }
        for (name, _) in sets {
            let out = env.kubectl(&[
                "delete",
                "applicationset",
                name,
                "-n",
                "argocd",
                "--wait=false",
            ]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        eventually("the sets gone", 20, || {
            sets.iter()
                .all(|(n, _)| !env.exists(&["applicationset", n, "-n", "argocd"]))
        });
        // Default: the Application goes, and its resources with it.
        eventually("gone-dev and its resources deleted", 30, || {
            !env.exists(&["application/gone-dev", "-n", "argocd"])
                && !env.exists(&["configmap/settings", "-n", "gone-dev"])
        });
        // preserveResourcesOnDeletion: the Application goes, its resources stay.
        eventually("kept-dev deleted", 30, || {
            !env.exists(&["application/kept-dev", "-n", "argocd"])
        });
        assert!(env.exists(&["configmap/settings", "-n", "kept-dev"]));
        // create-update: the Application stays, orphaned.
        let orphan = env.application("orphan-dev");
        assert_eq!(orphan["metadata"].get("ownerReferences"), None, "{orphan}");
        assert!(env.exists(&["configmap/settings", "-n", "orphan-dev"]));
    });
    drop(loops);
}

//! Hooks, prune, empty renders, dry runs and ownership, read back with the real kubectl.

use driftless_apply::{Action, ApplyError};
use driftless_e2e::{Env, GitRepo, config_map, deployment, reported, settings, target};
use driftless_runtime::RuntimeError;

fn job(name: &str, annotations: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n  annotations: {{{annotations}}}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: main\n        image: busybox:1.36\n        command: [sh, -c, 'echo migrate']\n"
    )
}

fn uid(env: &Env, what: &str, ns: &str) -> String {
    env.kubectl_json(&["get", what, "-n", ns])["metadata"]["uid"]
        .as_str()
        .expect("uid")
        .to_string()
}

#[tokio::test]
async fn hooks_run_in_their_phase_and_are_deleted_per_policy() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write(
        "app/migrate.yaml",
        &job(
            "migrate",
            "argocd.argoproj.io/hook: PreSync, argocd.argoproj.io/hook-delete-policy: HookSucceeded",
        ),
    )
    .write(
        "app/smoke.yaml",
        &job("smoke", "argocd.argoproj.io/hook: PostSync"),
    )
    .write("app/web.yaml", &deployment("web", "nginx:1", 1, "", ""));
    repo.commit("app");
    env.namespace("hooks");
    let t = target(&repo, "app", "hooks", "hooks");

    let (out, rec) = env.sync(&t, &settings(&t)).await;
    let (_, result) = out.expect("sync succeeds");
    assert_eq!(
        rec.waves(),
        [
            ("PreSync".to_string(), 0),
            ("Sync".to_string(), 0),
            ("PostSync".to_string(), 0)
        ]
    );
    let actions: Vec<(String, Action)> = result
        .objects
        .iter()
        .map(|o| (o.key.name.clone(), o.action))
        .collect();
    assert_eq!(
        actions,
        [
            ("migrate".to_string(), Action::Created),
            ("web".to_string(), Action::Applied),
            ("smoke".to_string(), Action::Created)
        ]
    );
    // The PreSync hook ran to completion and was deleted (HookSucceeded) ...
    assert!(!env.exists(&["job/migrate", "-n", "hooks"]));
    assert!(rec.events().iter().any(|e| matches!(e,
        driftless_apply::SyncEvent::Object { key, action: Action::HookDeleted } if key.name == "migrate")));
    // ... the PostSync hook (default BeforeHookCreation) stays, complete.
    let smoke = env.kubectl_json(&["get", "job/smoke", "-n", "hooks"]);
    assert_eq!(smoke["status"]["succeeded"], 1, "{smoke}");
    // The Deployment was created after the PreSync hook completed, hence exists now.
    let web = env.kubectl_json(&["get", "deployment/web", "-n", "hooks"]);
    assert_eq!(web["status"]["availableReplicas"], 1);
    // Hooks are not part of the application's diff or prune set.
    assert!(
        smoke["metadata"]["annotations"]["argocd.argoproj.io/tracking-id"]
            .as_str()
            .is_some()
    );

    // A second sync re-creates the PostSync hook (BeforeHookCreation): a new object.
    let first = uid(&env, "job/smoke", "hooks");
    env.sync(&t, &settings(&t)).await.0.expect("second sync");
    assert_ne!(uid(&env, "job/smoke", "hooks"), first);
}

#[tokio::test]
async fn generate_name_hooks_get_unique_names() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write(
        "app/seed.yaml",
        &job("x", "argocd.argoproj.io/hook: PostSync")
            .replace("  name: x\n", "  generateName: seed-\n"),
    )
    .write("app/cm.yaml", &config_map("c", "", "a: b"));
    repo.commit("app");
    env.namespace("gen");
    let t = target(&repo, "app", "gen", "gen");
    env.sync(&t, &settings(&t)).await.0.expect("sync");
    let jobs = env.kubectl_json(&["get", "jobs", "-n", "gen"]);
    let names: Vec<&str> = jobs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].starts_with("seed-"), "{names:?}");
}

#[tokio::test]
async fn prune_removes_objects_deleted_from_git_only_when_enabled() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write("app/a.yaml", &config_map("a", "", "k: v"))
        .write("app/b.yaml", &config_map("b", "", "k: v"))
        .write(
            "app/keep.yaml",
            &config_map(
                "keep",
                "argocd.argoproj.io/sync-options: Prune=false",
                "k: v",
            ),
        )
        .write("app/web.yaml", &deployment("web", "nginx:1", 1, "", ""));
    repo.commit("v1");
    env.namespace("prune");
    // Not the application's: never touched.
    env.kubectl_apply("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bystander, namespace: prune}\ndata: {k: v}\n");
    let mut t = target(&repo, "app", "prune", "prune");
    env.sync(&t, &settings(&t)).await.0.expect("first sync");
    assert!(env.exists(&["configmap/b", "-n", "prune"]));

    repo.remove("app/b.yaml")
        .remove("app/keep.yaml")
        .remove("app/web.yaml");
    repo.commit("v2: drop b, keep and web");

    // Without prune: kept, and reported as requiring pruning.
    let (out, _) = env.sync(&t, &settings(&t)).await;
    let (_, result) = out.expect("sync without prune");
    assert!(env.exists(&["configmap/b", "-n", "prune"]));
    assert!(env.exists(&["deployment/web", "-n", "prune"]));
    let b = reported(&result.objects, "b");
    assert_eq!(b.action, Action::PruneSkipped);
    assert!(
        b.message
            .as_deref()
            .unwrap_or("")
            .contains("pruning not enabled"),
        "{b:?}"
    );

    // With prune: b and web go (web with its ReplicaSets and pods), keep stays (Prune=false).
    t.prune = true;
    let (out, _) = env.sync(&t, &settings(&t)).await;
    let (_, result) = out.expect("sync with prune");
    assert!(!env.exists(&["configmap/b", "-n", "prune"]));
    assert!(!env.exists(&["deployment/web", "-n", "prune"]));
    let rs = env.kubectl_json(&["get", "replicasets", "-n", "prune"]);
    assert_eq!(rs["items"].as_array().unwrap().len(), 0, "{rs}");
    assert!(env.exists(&["configmap/keep", "-n", "prune"]));
    assert!(env.exists(&["configmap/a", "-n", "prune"]));
    assert!(env.exists(&["configmap/bystander", "-n", "prune"]));
    let keep = reported(&result.objects, "keep");
    assert_eq!(keep.action, Action::PruneSkipped);
    assert_eq!(keep.message.as_deref(), Some("Prune=false"));
}

#[tokio::test]
async fn a_render_with_zero_objects_never_prunes() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write("app/a.yaml", &config_map("a", "", "k: v"))
        .write("app/README.md", "docs only\n");
    repo.commit("v1");
    env.namespace("empty");
    let mut t = target(&repo, "app", "empty", "empty");
    t.prune = true;
    env.sync(&t, &settings(&t)).await.0.expect("first sync");
    repo.remove("app/a.yaml");
    repo.commit("v2: everything removed by mistake");

    let (out, _) = env.sync(&t, &settings(&t)).await;
    let err = out.expect_err("an empty render is refused");
    assert!(
        matches!(err, RuntimeError::EmptyRender { tracked: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("refusing to prune"), "{err}");
    assert!(env.exists(&["configmap/a", "-n", "empty"]));

    // allowEmpty lets the application become empty.
    t.allow_empty = true;
    env.sync(&t, &settings(&t)).await.0.expect("allowed");
    assert!(!env.exists(&["configmap/a", "-n", "empty"]));
}

#[tokio::test]
async fn dry_run_writes_nothing_and_a_rejected_object_stops_everything() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write("app/a.yaml", &config_map("a", "", "k: v"))
        .write("app/web.yaml", &deployment("web", "nginx:1", 1, "", ""));
    repo.commit("v1");
    env.namespace("dry");
    let t = target(&repo, "app", "dry", "dry");
    let before = env.kubectl_json(&["get", "configmaps,deployments", "-n", "dry"]);
    let mut s = settings(&t);
    s.dry_run = true;
    let (out, _) = env.sync(&t, &s).await;
    let (_, result) = out.expect("dry run");
    assert!(result.objects.iter().all(|o| o.action == Action::Validated));
    assert_eq!(result.objects.len(), 2);
    let after = env.kubectl_json(&["get", "configmaps,deployments", "-n", "dry"]);
    assert_eq!(before["items"], after["items"]);
    assert!(!env.exists(&["configmap/a", "-n", "dry"]));

    // A Deployment whose selector does not match its template: the server refuses it in the
    // dry run, so not even the valid ConfigMap of an earlier wave is written.
    repo.write(
        "app/web.yaml",
        &deployment("web", "nginx:1", 1, "", "")
            .replace("labels: {app: web}", "labels: {app: other}"),
    )
    .write(
        "app/a.yaml",
        &config_map("a", "argocd.argoproj.io/sync-wave: '-5'", "k: v"),
    );
    repo.commit("v2: broken");
    let (out, _) = env.sync(&t, &settings(&t)).await;
    let err = out.expect_err("rejected");
    let text = err.to_string();
    assert!(
        matches!(&err, RuntimeError::Sync(f) if matches!(&f.error, ApplyError::DryRunRejected(v) if v.len() == 1 && v[0].0.name == "web")),
        "{text}"
    );
    assert!(
        text.contains("nothing was applied") && text.contains("selector"),
        "{text}"
    );
    assert!(!env.exists(&["configmap/a", "-n", "dry"]));
}

#[tokio::test]
async fn an_object_tracked_by_another_application_is_not_taken_over() {
    let env = Env::start().await;
    env.namespace("shared");
    env.kubectl_apply(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: common\n  namespace: shared\n  annotations:\n    argocd.argoproj.io/tracking-id: other:/ConfigMap:shared/common\ndata: {owner: other}\n",
    );
    let repo = GitRepo::new();
    repo.write("app/common.yaml", &config_map("common", "", "owner: mine"))
        .write("app/own.yaml", &config_map("own", "", "k: v"));
    repo.commit("v1");
    let t = target(&repo, "app", "mine", "shared");

    let (out, rec) = env.sync(&t, &settings(&t)).await;
    let (_, result) = out.expect("sync goes on without it");
    let common = env.kubectl_json(&["get", "configmap/common", "-n", "shared"]);
    assert_eq!(common["data"]["owner"], "other");
    assert_eq!(
        common["metadata"]["annotations"]["argocd.argoproj.io/tracking-id"],
        "other:/ConfigMap:shared/common"
    );
    assert!(env.exists(&["configmap/own", "-n", "shared"]));
    let skipped = reported(&result.objects, "common");
    assert_eq!(skipped.action, Action::Skipped);
    assert!(
        rec.warnings()
            .iter()
            .any(|w| w.contains("tracked by application \"other\"")),
        "{:?}",
        rec.warnings()
    );

    // FailOnSharedResource=true turns it into an error before anything is written.
    let mut t2 = t.clone();
    t2.sync_options.push("FailOnSharedResource=true".into());
    let (out, _) = env.sync(&t2, &settings(&t2)).await;
    let err = out.expect_err("refused");
    assert!(
        err.to_string()
            .contains("already tracked by application \"other\""),
        "{err}"
    );
}

#[tokio::test]
async fn a_failing_presync_hook_stops_the_sync_before_the_sync_phase() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write(
        "app/migrate.yaml",
        &job(
            "migrate",
            "argocd.argoproj.io/hook: PreSync, argocd.argoproj.io/hook-delete-policy: HookFailed",
        )
        .replace("spec:\n  template:\n    spec:", "spec:\n  backoffLimit: 0\n  template:\n    metadata:\n      annotations: {sim.driftless.dev/fail: 'true'}\n    spec:"),
    )
    .write("app/web.yaml", &deployment("web", "nginx:1", 1, "", ""));
    repo.commit("app");
    env.namespace("hookfail");
    let t = target(&repo, "app", "hookfail", "hookfail");
    let (out, _) = env.sync(&t, &settings(&t)).await;
    let err = out.expect_err("the hook fails");
    let text = err.to_string();
    assert!(
        text.starts_with("hook batch/Job:hookfail/migrate failed"),
        "{text}"
    );
    assert!(!env.exists(&["deployment/web", "-n", "hookfail"]));
    // HookFailed: the failed hook was deleted.
    assert!(!env.exists(&["job/migrate", "-n", "hookfail"]));
}

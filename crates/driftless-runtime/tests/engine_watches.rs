//! Watches that break and kinds that leave Git: a dropped watch answered `410 Gone` relists its
//! own kind only, and the one-shot inventory still finds — and prunes — the last object of a kind
//! that no longer appears in Git.

mod support;

use driftless_apply::Action;
use driftless_core::{ObjectKey, SyncStatus};
use driftless_runtime::SyncRequest;
use driftless_sim::ResourceRef;
use serde_json::json;
use std::time::Duration;
use support::{Env, GitRepo, config_map, secret, target};

/// Polls `cond` every 10 ms for up to 10 s.
async fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_answered_gone_relists_its_kind_alone() {
    // Secret watches are cut every 200 ms; no bookmarks move their resourceVersion on, and the
    // server keeps a short history, so a resumed Secret watch soon gets 410 Gone.
    let mut config = support::quiet_config();
    config.watch_history = 20;
    config.bookmark_interval = Duration::from_secs(3600);
    config.faults.watch_drop_rate = 1.0;
    config.faults.watch_drop_after = Duration::from_millis(200);
    config.faults.only_path = Some("/secrets".into());
    let env = Env::start_with(config).await;
    let ns = "flaky";
    env.namespace(ns);
    env.namespace("elsewhere");
    let repo = GitRepo::new();
    repo.write("app/cm.yaml", &config_map("cm", "v1"))
        .write("app/creds.yaml", &secret("creds", "one"));
    repo.commit("app");
    let t = target(&repo, "app", "flaky", ns);
    env.sync(&t, &SyncRequest::default()).await.expect("sync");
    let creds = ObjectKey::new("v1", "Secret", Some(ns), "creds");
    let keys = [
        ObjectKey::new("v1", "ConfigMap", Some(ns), "cm"),
        creds.clone(),
    ];
    env.settle(&keys).await;

    let requests = || env.sim.requests();
    let (cm_lists, secret_lists) = (
        requests().count_of("LIST", "configmaps"),
        requests().count_of("LIST", "secrets"),
    );
    // Writes nobody watches push the history past both watches' resourceVersions.
    for i in 0..40 {
        env.create(
            &ResourceRef::core("configmaps"),
            json!({"metadata": {"name": format!("noise-{i}"), "namespace": "elsewhere"}}),
        );
    }
    eventually("the Secret watch relists after 410 Gone", || {
        requests().count_of("LIST", "secrets") > secret_lists
    })
    .await;
    // The cut Secret watch was resumed, not relisted, until its resourceVersion was gone.
    assert!(requests().count_of("WATCH", "secrets") >= 2);

    // The recovered watch sees a live edit; the ConfigMap watch never relisted.
    env.patch::<k8s_openapi::api::core::v1::Secret>(
        ns,
        "creds",
        json!({"stringData": {"value": "two"}}),
    )
    .await;
    env.settle(&keys).await;
    let (_, cmp) = env.engine.diff_oneshot(&t, false).await.expect("diff");
    let status: Vec<(&str, SyncStatus)> = cmp
        .objects
        .iter()
        .map(|o| (o.key.name.as_str(), o.status))
        .collect();
    assert_eq!(
        status,
        [("cm", SyncStatus::Synced), ("creds", SyncStatus::OutOfSync)]
    );
    assert_eq!(requests().count_of("LIST", "configmaps"), cm_lists);
}

const CRD: &str = r#"{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
  "metadata": {"name": "servicemonitors.monitoring.example.com"},
  "spec": {"group": "monitoring.example.com", "scope": "Namespaced",
    "names": {"plural": "servicemonitors", "singular": "servicemonitor", "kind": "ServiceMonitor", "listKind": "ServiceMonitorList"},
    "versions": [{"name": "v1", "served": true, "storage": true,
      "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}}"#;

const MONITOR: &str = "apiVersion: monitoring.example.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: web\nspec:\n  endpoints:\n  - port: http\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_object_of_a_kind_that_left_git_is_pruned() {
    let env = Env::start().await;
    env.create(
        &ResourceRef::new("apiextensions.k8s.io", "v1", "customresourcedefinitions"),
        serde_json::from_str(CRD).expect("CRD JSON"),
    );
    let ns = "monitored";
    env.namespace(ns);
    let repo = GitRepo::new();
    repo.write("app/cm.yaml", &config_map("cm", "v1"))
        .write("app/monitor.yaml", MONITOR);
    repo.commit("app");
    let t = target(&repo, "app", "monitored", ns);
    let out = env.sync(&t, &SyncRequest::default()).await.expect("sync");
    assert_eq!(out.result.objects.len(), 2);
    let monitors = ResourceRef::new("monitoring.example.com", "v1", "servicemonitors");
    assert!(env.stored(&monitors, ns, "web").is_some());

    // The last ServiceMonitor leaves Git. A new one-shot run (a fresh engine: no memory of the
    // last one) learns from the inventory ConfigMap that the application had one.
    repo.remove("app/monitor.yaml");
    repo.commit("no monitor");
    let engine = env.engine_with_timeout(Duration::from_secs(20));
    let req = SyncRequest {
        prune: true,
        ..SyncRequest::default()
    };
    let out = engine
        .sync_oneshot(
            &t,
            &req,
            &support::settings(&t),
            &driftless_apply::NoObserver,
        )
        .await
        .expect("sync");
    let actions: Vec<(&str, Action)> = out
        .result
        .objects
        .iter()
        .map(|o| (o.key.kind.as_str(), o.action))
        .collect();
    assert!(
        actions.contains(&("ServiceMonitor", Action::Pruned)),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("ConfigMap", Action::Unchanged)),
        "{actions:?}"
    );
    eventually("the ServiceMonitor is deleted", || {
        env.stored(&monitors, ns, "web").is_none()
    })
    .await;
    // The inventory forgets it, so the next run no longer watches ServiceMonitors.
    let cluster = engine.cluster().expect("connected");
    let inventory = driftless_runtime::inventory::read(cluster, &t)
        .await
        .expect("inventory");
    assert!(
        inventory.iter().all(|k| k.kind != "ServiceMonitor"),
        "{inventory:?}"
    );
    assert!(
        engine
            .live_cache()
            .expect("connected")
            .watched()
            .iter()
            .any(|s| s.contains("ServiceMonitor"))
    );
}

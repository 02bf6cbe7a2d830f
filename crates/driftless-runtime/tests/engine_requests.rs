//! The engine against the simulator, with the simulator's request counters
//! (`apiserver_request_total`): steady state costs no request, live edits are seen from the
//! watches, a sync with nothing to do writes nothing, and nothing is pruned from a cache that has
//! not listed.

mod support;

use driftless_apply::Action;
use driftless_core::{ObjectKey, SyncStatus};
use driftless_runtime::{RuntimeError, SyncRequest};
use serde_json::json;
use std::collections::BTreeMap;
use support::{Env, GitRepo, config_map, secret, target};

fn cm_key(ns: &str, name: &str) -> ObjectKey {
    ObjectKey::new("v1", "ConfigMap", Some(ns), name)
}

/// Three ConfigMaps and a Secret, synced into `ns`; returns the repository and the keys (the
/// inventory ConfigMap included).
async fn synced_app(env: &Env, ns: &str) -> (GitRepo, driftless_runtime::Target, Vec<ObjectKey>) {
    let repo = GitRepo::new();
    for i in 0..3 {
        repo.write(
            &format!("app/cm-{i}.yaml"),
            &config_map(&format!("cm-{i}"), "v1"),
        );
    }
    repo.write("app/creds.yaml", &secret("creds", "s3cret"));
    repo.commit("app");
    env.namespace(ns);
    let t = target(&repo, "app", "shop", ns);
    let out = env
        .sync(&t, &SyncRequest::default())
        .await
        .expect("first sync");
    assert!(
        out.result
            .objects
            .iter()
            .all(|o| o.action == Action::Applied)
    );
    let mut keys: Vec<ObjectKey> = (0..3).map(|i| cm_key(ns, &format!("cm-{i}"))).collect();
    keys.push(ObjectKey::new("v1", "Secret", Some(ns), "creds"));
    keys.push(driftless_runtime::inventory::key(&t));
    env.settle(&keys).await;
    (repo, t, keys)
}

/// The names of the objects found OutOfSync.
fn out_of_sync(cmp: &driftless_runtime::Comparison) -> Vec<&str> {
    cmp.objects
        .iter()
        .filter(|o| o.status == SyncStatus::OutOfSync)
        .map(|o| o.key.name.as_str())
        .collect()
}

/// Requests other than watches (which stay open).
fn without_watches(mut m: BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    m.retain(|k, _| !k.starts_with("WATCH"));
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_compare_of_an_unchanged_application_makes_no_request() {
    let env = Env::start().await;
    let (_repo, t, _) = synced_app(&env, "steady").await;
    let (_, first) = env.engine.diff_oneshot(&t, false).await.expect("diff");
    assert!(first.in_sync(), "{:?}", first.objects);

    let before = env.counts();
    let (_, second) = env.engine.diff_oneshot(&t, false).await.expect("diff");
    assert!(second.in_sync(), "{:?}", second.objects);
    assert_eq!(second.objects.len(), 4);
    // No LIST, no dry run, not even a GET: everything came from the watch cache.
    assert_eq!(
        without_watches(env.requests_since(&before)),
        BTreeMap::new()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_edited_live_is_found_out_of_sync_from_the_watch() {
    let env = Env::start().await;
    let (_repo, t, keys) = synced_app(&env, "edited").await;
    // Another client (kubectl edit) changes one ConfigMap.
    env.patch::<k8s_openapi::api::core::v1::ConfigMap>(
        "edited",
        "cm-1",
        json!({"data": {"value": "edited"}}),
    )
    .await;
    env.settle(&keys).await;

    let before = env.counts();
    let (_, cmp) = env.engine.diff_oneshot(&t, false).await.expect("diff");
    assert_eq!(out_of_sync(&cmp), ["cm-1"]);
    // Nothing was read from the server; only the drifted object was confirmed by a dry run.
    assert_eq!(
        without_watches(env.requests_since(&before)),
        BTreeMap::from([("APPLY configmaps (dry run)".to_string(), 1)])
    );
    // The verdict is remembered for that resourceVersion: the next compare asks nothing.
    let before = env.counts();
    let (_, again) = env.engine.diff_oneshot(&t, false).await.expect("diff");
    assert_eq!(out_of_sync(&again), ["cm-1"]);
    assert_eq!(
        without_watches(env.requests_since(&before)),
        BTreeMap::new()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_with_nothing_out_of_sync_writes_nothing() {
    let env = Env::start().await;
    let (_repo, t, keys) = synced_app(&env, "quiet").await;

    let before = env.counts();
    let out = env
        .sync(&t, &SyncRequest::default())
        .await
        .expect("re-sync");
    assert_eq!(out.result.objects.len(), 4);
    assert!(
        out.result
            .objects
            .iter()
            .all(|o| o.action == Action::Unchanged),
        "{:?}",
        out.result.objects
    );
    assert_eq!(
        without_watches(env.requests_since(&before)),
        BTreeMap::new()
    );

    // --force-apply writes every object (and only those: no dry run of in-sync objects first).
    env.settle(&keys).await;
    let before = env.counts();
    let req = SyncRequest {
        force_apply: true,
        ..SyncRequest::default()
    };
    let out = env.sync(&t, &req).await.expect("forced sync");
    assert!(
        out.result
            .objects
            .iter()
            .all(|o| o.action == Action::Applied)
    );
    let writes = env.requests_since(&before);
    assert_eq!(writes.get("APPLY configmaps"), Some(&3), "{writes:?}");
    assert_eq!(writes.get("APPLY secrets"), Some(&1), "{writes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_that_cannot_list_stops_the_sync_before_any_prune() {
    // Every read of Secrets fails; writes still work.
    let mut config = support::quiet_config();
    config.faults.error_rate = 1.0;
    config.faults.only_method = Some("GET".into());
    config.faults.only_path = Some("/secrets".into());
    let env = Env::start_with(config).await;
    let ns = "blind";
    env.namespace(ns);
    let repo = GitRepo::new();
    repo.write("app/cm.yaml", &config_map("cm", "v1"));
    repo.commit("app");
    let t = target(&repo, "app", "blind", ns);
    // A previous sync left a Secret that has left Git since: the inventory lists it.
    let secret_key = ObjectKey::new("v1", "Secret", Some(ns), "old");
    let mut old = json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "old", "namespace": ns}, "stringData": {"k": "v"}});
    driftless_apply::mark(&mut old, &t.app, &secret_key, t.tracking);
    env.create(&driftless_sim::ResourceRef::core("secrets"), old);
    let engine = env.engine_with_timeout(std::time::Duration::from_millis(800));
    let cluster = engine.cluster().expect("connected");
    driftless_runtime::inventory::write(cluster, &t, &[cm_key(ns, "cm"), secret_key.clone()])
        .await
        .expect("inventory written");

    let before = env.counts();
    let err = engine
        .sync_oneshot(
            &t,
            &SyncRequest {
                prune: true,
                ..SyncRequest::default()
            },
            &support::settings(&t),
            &driftless_apply::NoObserver,
        )
        .await
        .expect_err("a scope that never lists stops the sync");
    assert!(
        matches!(&err, RuntimeError::NotSynced(n) if n.waiting.iter().any(|s| s.contains("Secret"))),
        "{err}"
    );
    assert!(
        env.stored(&driftless_sim::ResourceRef::core("secrets"), ns, "old")
            .is_some()
    );
    let verbs = env.verbs_since(&before);
    for write in [
        "DELETE",
        "DELETECOLLECTION",
        "APPLY",
        "PATCH",
        "CREATE",
        "UPDATE",
    ] {
        assert_eq!(verbs.get(write), None, "{verbs:?}");
    }
    // The diff says the same rather than guessing.
    let err = engine
        .diff_oneshot(&t, false)
        .await
        .expect_err("not synced");
    assert!(matches!(err, RuntimeError::NotSynced(_)), "{err}");
}

//! A `kube::Client` (and `kube::runtime::watcher`) against the simulated cluster.

use std::time::Duration;

use driftless_sim::{Cluster, ClusterConfig};
use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::watcher;
use serde_json::json;

async fn client(cluster: &driftless_sim::ClusterHandle) -> kube::Client {
    let kc = kube::config::Kubeconfig::from_yaml(cluster.kubeconfig()).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    kube::Client::try_from(cfg).unwrap()
}

#[tokio::test]
async fn crud_ssa_conflict_and_watcher() {
    let cluster = Cluster::start(ClusterConfig::default()).await.unwrap();
    let client = client(&cluster).await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");

    let mut stream = watcher(api.clone(), watcher::Config::default()).boxed();
    // Let the watcher finish its initial list before changing anything.
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.next()).await {
            Ok(Some(Ok(watcher::Event::InitDone))) => break,
            Ok(Some(Ok(_))) => {}
            other => panic!("watcher failed to start: {other:?}"),
        }
    }

    let cm: ConfigMap = serde_json::from_value(
        json!({"metadata": {"name": "a", "labels": {"x": "1"}}, "data": {"k": "v"}}),
    )
    .unwrap();
    let created = api.create(&PostParams::default(), &cm).await.unwrap();
    assert!(created.metadata.uid.is_some());
    let dup = api.create(&PostParams::default(), &cm).await.unwrap_err();
    assert!(
        matches!(dup, kube::Error::Api(ref s) if s.code == 409 && s.reason == "AlreadyExists"),
        "{dup:?}"
    );

    // optimistic concurrency
    let mut stale = created.clone();
    api.patch(
        "a",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"k": "v2"}})),
    )
    .await
    .unwrap();
    stale.data = Some([("k".to_string(), "v3".to_string())].into());
    let err = api
        .replace("a", &PostParams::default(), &stale)
        .await
        .unwrap_err();
    assert!(
        matches!(err, kube::Error::Api(ref s) if s.code == 409 && s.reason == "Conflict"),
        "{err:?}"
    );

    // server-side apply with a conflict
    let applied = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "s"}, "data": {"k": "a"}});
    api.patch("s", &PatchParams::apply("one"), &Patch::Apply(&applied))
        .await
        .unwrap();
    let other = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "s"}, "data": {"k": "b"}});
    let err = api
        .patch("s", &PatchParams::apply("two"), &Patch::Apply(&other))
        .await
        .unwrap_err();
    assert!(
        matches!(err, kube::Error::Api(ref s) if s.code == 409),
        "{err:?}"
    );
    let forced = api
        .patch(
            "s",
            &PatchParams::apply("two").force(),
            &Patch::Apply(&other),
        )
        .await
        .unwrap();
    assert_eq!(forced.data.unwrap()["k"], "b");

    // list with selector and pagination
    let l = api
        .list(&ListParams::default().labels("x=1"))
        .await
        .unwrap();
    assert_eq!(l.items.len(), 1);
    let page = api.list(&ListParams::default().limit(1)).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(page.metadata.continue_.is_some());

    api.delete("a", &DeleteParams::default()).await.unwrap();

    // the watcher saw a's creation and deletion
    let mut saw_apply = false;
    let mut saw_delete = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !(saw_apply && saw_delete) && tokio::time::Instant::now() < deadline {
        let ev = tokio::time::timeout(Duration::from_secs(5), stream.next()).await;
        match ev {
            Ok(Some(Ok(watcher::Event::Apply(o)))) | Ok(Some(Ok(watcher::Event::InitApply(o)))) => {
                saw_apply |= o.metadata.name.as_deref() == Some("a")
            }
            Ok(Some(Ok(watcher::Event::Delete(o)))) => {
                saw_delete |= o.metadata.name.as_deref() == Some("a")
            }
            Ok(Some(Ok(_))) => {}
            other => panic!("watcher failed: {other:?}"),
        }
    }
    assert!(saw_apply && saw_delete);

    // 401 without the token
    let anon = reqwest_like_get(&cluster).await;
    assert_eq!(anon, 401);
}

/// A list without credentials (the kubeconfig minus its token).
async fn reqwest_like_get(cluster: &driftless_sim::ClusterHandle) -> u16 {
    let yaml: String = cluster
        .kubeconfig()
        .lines()
        .filter(|l| !l.trim_start().starts_with("token:"))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .replace("user:\n", "user: {}\n");
    let kc = kube::config::Kubeconfig::from_yaml(&yaml).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(cfg).unwrap();
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    match api.list(&ListParams::default()).await {
        Err(kube::Error::Api(s)) => s.code,
        Ok(_) => 200,
        Err(e) => panic!("{e:?}"),
    }
}

#[tokio::test]
async fn streaming_list_watcher_gets_initial_events_end() {
    let cluster = Cluster::start(ClusterConfig {
        controllers: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = client(&cluster).await;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    let cm: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "pre"}, "data": {"k": "v"}})).unwrap();
    api.create(&PostParams::default(), &cm).await.unwrap();
    // sendInitialEvents=true: the initial state arrives as events, closed by a bookmark.
    let mut stream = watcher(api.clone(), watcher::Config::default().streaming_lists()).boxed();
    let mut seen = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.next()).await {
            Ok(Some(Ok(watcher::Event::InitApply(o)))) => seen.push(o.metadata.name.unwrap()),
            Ok(Some(Ok(watcher::Event::InitDone))) => break,
            Ok(Some(Ok(_))) => {}
            other => panic!("streaming list failed: {other:?}"),
        }
    }
    assert!(seen.contains(&"pre".to_string()), "{seen:?}");
    assert!(seen.contains(&"kube-root-ca.crt".to_string()), "{seen:?}");
}

//! HTTP-level behaviour through a `kube::Client`: watch (resume, bookmarks, 410 Gone,
//! selector transitions), dry runs, field validation warnings, Tables, persistence,
//! fault injection.

mod common;

use std::time::Duration;

use driftless_sim::{Cluster, ClusterConfig, ClusterHandle};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, PostParams, WatchEvent};
use serde_json::{Value, json};

async fn client(cluster: &ClusterHandle) -> kube::Client {
    let kc = kube::config::Kubeconfig::from_yaml(cluster.kubeconfig()).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    kube::Client::try_from(cfg).unwrap()
}

fn get(uri: &str) -> http::Request<Vec<u8>> {
    http::Request::get(uri).body(vec![]).unwrap()
}

fn send(method: &str, uri: &str, ct: &str, body: &Value) -> http::Request<Vec<u8>> {
    http::Request::builder()
        .method(method)
        .uri(uri)
        .header("Content-Type", ct)
        .body(serde_json::to_vec(body).unwrap())
        .unwrap()
}

async fn text(c: &kube::Client, r: http::Request<Vec<u8>>) -> Value {
    serde_json::from_str(&c.request_text(r).await.unwrap()).unwrap()
}

fn cm(name: &str, labels: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels}, "data": {"k": "v"}})
}

const CMS: &str = "/api/v1/namespaces/default/configmaps";

#[tokio::test]
async fn watch_resumes_sends_bookmarks_and_expires() {
    let cluster = Cluster::start(ClusterConfig {
        bookmark_interval: Duration::from_millis(200),
        watch_history: 5,
        controllers: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let c = client(&cluster).await;
    let created = text(
        &c,
        send("POST", CMS, "application/json", &cm("a", json!({"w": "1"}))),
    )
    .await;
    let rv: u64 = created["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    // Resume from the creation: sees the later modification only, then bookmarks.
    let stream = c
        .request_events::<ConfigMap>(get(&format!(
            "{CMS}?watch=true&resourceVersion={rv}&allowWatchBookmarks=true&labelSelector=w%3D1"
        )))
        .await
        .unwrap();
    let mut stream = stream.boxed();
    text(
        &c,
        send(
            "PATCH",
            &format!("{CMS}/a"),
            "application/merge-patch+json",
            &json!({"data": {"k": "2"}}),
        ),
    )
    .await;
    match tokio::time::timeout(Duration::from_secs(5), stream.try_next())
        .await
        .unwrap()
        .unwrap()
    {
        Some(WatchEvent::Modified(o)) => assert_eq!(o.data.unwrap()["k"], "2"),
        other => panic!("expected MODIFIED, got {other:?}"),
    }
    // Leaving the label selection is a DELETED event for this watcher.
    text(
        &c,
        send(
            "PATCH",
            &format!("{CMS}/a"),
            "application/merge-patch+json",
            &json!({"metadata": {"labels": {"w": "0"}}}),
        ),
    )
    .await;
    match tokio::time::timeout(Duration::from_secs(5), stream.try_next())
        .await
        .unwrap()
        .unwrap()
    {
        Some(WatchEvent::Deleted(o)) => assert_eq!(o.metadata.name.as_deref(), Some("a")),
        other => panic!("expected DELETED, got {other:?}"),
    }
    let mut bookmark = false;
    for _ in 0..5 {
        if let Ok(Ok(Some(WatchEvent::Bookmark(_)))) =
            tokio::time::timeout(Duration::from_secs(2), stream.try_next()).await
        {
            bookmark = true;
            break;
        }
    }
    assert!(bookmark, "bookmarks are sent when allowed");

    // After more changes than the history keeps, the old resourceVersion is gone.
    for i in 0..10 {
        text(
            &c,
            send(
                "POST",
                CMS,
                "application/json",
                &cm(&format!("x{i}"), json!({})),
            ),
        )
        .await;
    }
    let mut old = c
        .request_events::<ConfigMap>(get(&format!("{CMS}?watch=true&resourceVersion={rv}")))
        .await
        .unwrap()
        .boxed();
    match tokio::time::timeout(Duration::from_secs(5), old.try_next())
        .await
        .unwrap()
        .unwrap()
    {
        Some(WatchEvent::Error(e)) => {
            assert_eq!(e.code, 410);
            assert_eq!(e.reason, "Expired");
        }
        other => panic!("expected 410 Gone, got {other:?}"),
    }
}

#[tokio::test]
async fn dry_run_writes_leave_no_trace() {
    let cluster = Cluster::start(ClusterConfig {
        controllers: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let c = client(&cluster).await;
    let rv_before = cluster.store().resource_version();
    let out = text(
        &c,
        send(
            "POST",
            &format!("{CMS}?dryRun=All"),
            "application/json",
            &cm("dry", json!({})),
        ),
    )
    .await;
    assert_eq!(out["metadata"]["name"], "dry");
    assert!(
        out["metadata"].get("resourceVersion").is_none(),
        "dry-run create has no resourceVersion"
    );
    let api: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
    assert!(api.get_opt("dry").await.unwrap().is_none());
    api.create(
        &PostParams::default(),
        &serde_json::from_value(cm("real", json!({}))).unwrap(),
    )
    .await
    .unwrap();
    let rv = cluster.store().resource_version();
    let patched = text(
        &c,
        send(
            "PATCH",
            &format!("{CMS}/real?dryRun=All"),
            "application/merge-patch+json",
            &json!({"data": {"k": "dry"}}),
        ),
    )
    .await;
    assert_eq!(patched["data"]["k"], "dry");
    let del = http::Request::delete(format!("{CMS}/real?dryRun=All"))
        .body(vec![])
        .unwrap();
    c.request_text(del).await.unwrap();
    let applied = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"a": "b"}});
    text(
        &c,
        send(
            "PATCH",
            &format!("{CMS}/ssa?dryRun=All&fieldManager=m"),
            "application/apply-patch+yaml",
            &applied,
        ),
    )
    .await;
    assert_eq!(
        cluster.store().resource_version(),
        rv,
        "no dry run changed the store"
    );
    assert!(rv > rv_before);
    assert_eq!(api.get("real").await.unwrap().data.unwrap()["k"], "v");
    assert!(api.get_opt("ssa").await.unwrap().is_none());
}

#[tokio::test]
async fn field_validation_strict_warn_and_tables() {
    let cluster = Cluster::start(ClusterConfig {
        controllers: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let c = client(&cluster).await;
    let mut bad = cm("bad", json!({}));
    bad["bogus"] = json!(1);
    let err = c
        .request_text(send(
            "POST",
            &format!("{CMS}?fieldValidation=Strict"),
            "application/json",
            &bad,
        ))
        .await
        .unwrap_err();
    match err {
        kube::Error::Api(s) => {
            assert_eq!(s.code, 400);
            assert_eq!(
                s.message,
                "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"bogus\""
            );
        }
        e => panic!("{e:?}"),
    }
    // Warn: accepted (the Warning header is checked through kubectl in tests/kubectl.rs).
    c.request_text(send(
        "POST",
        &format!("{CMS}?fieldValidation=Warn"),
        "application/json",
        &bad,
    ))
    .await
    .unwrap();

    let table = http::Request::get("/api/v1/namespaces")
        .header(
            "Accept",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
        )
        .body(vec![])
        .unwrap();
    let t = text(&c, table).await;
    assert_eq!(t["kind"], "Table");
    let names: Vec<&str> = t["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Name", "Status", "Age"]);
    assert_eq!(t["rows"][0]["object"]["kind"], "PartialObjectMetadata");
    assert!(
        t["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["cells"][0] == "default" && r["cells"][1] == "Active")
    );
}

#[tokio::test]
async fn state_dir_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = ClusterConfig {
        state_dir: Some(dir.path().to_path_buf()),
        controllers: false,
        ..Default::default()
    };
    let first = Cluster::start(config.clone()).await.unwrap();
    let c = client(&first).await;
    text(
        &c,
        send("POST", CMS, "application/json", &cm("kept", json!({}))),
    )
    .await;
    let ca = first.ca_pem().unwrap().to_string();
    let first_token = first.token().to_string();
    first.shutdown().await;
    let second = Cluster::start(config).await.unwrap();
    assert_eq!(second.token(), first_token, "the token is kept too");
    assert_eq!(
        second.ca_pem().unwrap(),
        ca,
        "the CA is reused so old kubeconfigs keep working"
    );
    let c = client(&second).await;
    let api: Api<ConfigMap> = Api::namespaced(c, "default");
    assert_eq!(api.get("kept").await.unwrap().data.unwrap()["k"], "v");
    let created = text(
        &client(&second).await,
        send("POST", CMS, "application/json", &cm("after", json!({}))),
    )
    .await;
    let rv: u64 = created["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(rv > 1, "resourceVersion continues after a restart");
}

/// A raw HTTP/1.1 request (no client retries), returning the whole response text.
async fn raw(cluster: &ClusterHandle, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(cluster.addr())
        .await
        .unwrap();
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        cluster.token()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

#[tokio::test]
async fn injected_throttling_answers_429_with_retry_after() {
    let cluster = Cluster::start(ClusterConfig {
        tls: false,
        controllers: false,
        faults: driftless_sim::controllers::faults::FaultConfig {
            throttle_rate: 1.0,
            retry_after_secs: 7,
            ..Default::default()
        },
        ..Default::default()
    })
    .await
    .unwrap();
    // Discovery stays reachable.
    assert!(raw(&cluster, "/api/v1").await.starts_with("HTTP/1.1 200"));
    let r = raw(&cluster, CMS).await;
    assert!(r.starts_with("HTTP/1.1 429"), "{r}");
    assert!(r.to_lowercase().contains("retry-after: 7"), "{r}");
    assert!(r.contains("\"reason\":\"TooManyRequests\""), "{r}");
}

#[tokio::test]
async fn scale_writes_are_recorded_as_the_scale_subresource() {
    let (_cluster, c) = common::plain_cluster().await;
    let dep = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}});
    text(
        &c,
        send(
            "POST",
            "/apis/apps/v1/namespaces/default/deployments?fieldManager=gitops",
            "application/json",
            &dep,
        ),
    )
    .await;
    let scale = text(
        &c,
        send(
            "PATCH",
            "/apis/apps/v1/namespaces/default/deployments/web/scale?fieldManager=hpa",
            "application/merge-patch+json",
            &json!({"spec": {"replicas": 4}}),
        ),
    )
    .await;
    assert_eq!(scale["spec"]["replicas"], 4);
    let d = text(&c, get("/apis/apps/v1/namespaces/default/deployments/web")).await;
    let entry = d["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["manager"] == "hpa")
        .cloned()
        .unwrap();
    assert_eq!(entry["subresource"], "scale", "{entry}");
    assert_eq!(
        entry["fieldsV1"],
        json!({"f:spec": {"f:replicas": {}}}),
        "{entry}"
    );
}

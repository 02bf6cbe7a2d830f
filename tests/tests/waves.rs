//! Waves: order, health gating between waves, tracking, observed through the real kubectl and a
//! watch on the simulator.

use driftless_apply::SyncEvent;
use driftless_e2e::{Env, GitRepo, config_map, deployment, settings, target};
use futures::StreamExt;
use kube::api::{Api, DynamicObject};
use kube::core::{ApiResource, GroupVersionKind};
use kube::runtime::watcher;
use serde_json::Value;
use std::sync::{Arc, Mutex};

fn rv(obj: &Value) -> u64 {
    obj.pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .expect("resourceVersion")
}

/// Records `(resourceVersion, name, available replicas)` of every Deployment change it sees.
fn watch_deployments(env: &Env, ns: &str) -> Arc<Mutex<Vec<(u64, String, i64)>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let ar = ApiResource::from_gvk(&GroupVersionKind::gvk("apps", "v1", "Deployment"));
    let api: Api<DynamicObject> = Api::namespaced_with(env.cluster.client().clone(), ns, &ar);
    let sink = seen.clone();
    tokio::spawn(async move {
        let mut stream = watcher(api, watcher::Config::default()).boxed();
        while let Some(ev) = stream.next().await {
            if let Ok(watcher::Event::Apply(o) | watcher::Event::InitApply(o)) = ev {
                let v = serde_json::to_value(&o).expect("json");
                let available = v
                    .pointer("/status/availableReplicas")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                sink.lock().expect("watch log").push((
                    rv(&v),
                    o.metadata.name.clone().unwrap_or_default(),
                    available,
                ));
            }
        }
    });
    seen
}

#[tokio::test]
async fn multi_wave_app_runs_waves_in_order_each_after_the_previous_is_healthy() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write(
        "app/config.yaml",
        &config_map(
            "settings",
            "argocd.argoproj.io/sync-wave: '-1'",
            "mode: blue",
        ),
    )
    .write(
        "app/backend.yaml",
        &deployment(
            "backend",
            "registry.example/backend:1",
            2,
            "",
            "sim.driftless.dev/ready-after: 700ms",
        ),
    )
    .write(
        "app/frontend-config.yaml",
        &config_map(
            "frontend-config",
            "argocd.argoproj.io/sync-wave: '1'",
            "backend: backend",
        ),
    )
    .write(
        "app/frontend.yaml",
        &deployment(
            "frontend",
            "registry.example/frontend:1",
            1,
            "argocd.argoproj.io/sync-wave: '2'",
            "",
        ),
    );
    repo.commit("app");
    env.namespace("shop");
    let watched = watch_deployments(&env, "shop");
    let t = target(&repo, "app", "shop", "shop");

    let (out, rec) = env.sync(&t, &settings(&t)).await;
    let (_, result) = out.expect("sync succeeds");

    // Waves ran in order, each declared once.
    let waves: Vec<i64> = rec.waves().into_iter().map(|(_, w)| w).collect();
    assert_eq!(waves, [-1, 0, 1, 2]);
    // Every object's final health is Healthy (ConfigMaps have none).
    for o in &result.objects {
        if o.key.kind == "Deployment" {
            assert_eq!(
                o.health.as_ref().map(|h| h.status),
                Some(driftless_core::HealthStatus::Healthy),
                "{}",
                o.key
            );
        }
    }

    // Read back with kubectl: everything exists and carries Argo CD's tracking id.
    let cms = env.kubectl_json(&["get", "configmaps", "-n", "shop"]);
    let deps = env.kubectl_json(&["get", "deployments", "-n", "shop"]);
    let by_name = |list: &Value, name: &str| -> Value {
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|o| o["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("{name} exists"))
            .clone()
    };
    let settings_cm = by_name(&cms, "settings");
    let frontend_cm = by_name(&cms, "frontend-config");
    let backend = by_name(&deps, "backend");
    let frontend = by_name(&deps, "frontend");
    assert_eq!(
        settings_cm["metadata"]["annotations"]["argocd.argoproj.io/tracking-id"],
        "shop:/ConfigMap:shop/settings"
    );
    assert_eq!(
        backend["metadata"]["annotations"]["argocd.argoproj.io/tracking-id"],
        "shop:apps/Deployment:shop/backend"
    );
    assert_eq!(backend["status"]["availableReplicas"], 2);
    assert_eq!(frontend["status"]["availableReplicas"], 1);

    // Wave order on the server: the resourceVersion a creation got is cluster-wide monotonic.
    let log = watched.lock().expect("watch log").clone();
    let first = |name: &str| {
        log.iter()
            .find(|(_, n, _)| n == name)
            .unwrap_or_else(|| panic!("watched {name}"))
            .0
    };
    let backend_available = log
        .iter()
        .find(|(_, n, a)| n == "backend" && *a == 2)
        .expect("backend became available")
        .0;
    // wave -1 before wave 0
    assert!(rv(&settings_cm) < first("backend"));
    // wave 1 only after wave 0 was healthy, wave 2 after wave 1
    assert!(
        backend_available < rv(&frontend_cm),
        "frontend-config (wave 1) was created before backend (wave 0) was available: {log:?}"
    );
    assert!(rv(&frontend_cm) < first("frontend"));
    // The backend was seen progressing before it was healthy: the wait was real.
    assert!(log.iter().any(|(_, n, a)| n == "backend" && *a < 2));

    // The cluster's own events tell the same story: the backend's ReplicaSet was scaled up.
    let events = env.kubectl_json(&["get", "events", "-n", "shop"]);
    let scaled: Vec<&Value> = events["items"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["reason"] == "ScalingReplicaSet")
        .collect();
    assert!(
        scaled
            .iter()
            .any(|e| e["involvedObject"]["name"] == "backend"),
        "{scaled:?}"
    );

    // Health was reported while waiting (Progressing before Healthy).
    let backend_health: Vec<String> = rec
        .events()
        .into_iter()
        .filter_map(|e| match e {
            SyncEvent::Health { key, health } if key.name == "backend" => {
                Some(health.status.to_string())
            }
            _ => None,
        })
        .collect();
    assert_eq!(backend_health.last().map(String::as_str), Some("Healthy"));
    assert!(backend_health.iter().any(|h| h == "Progressing"));
}

#[tokio::test]
async fn second_sync_of_an_unchanged_app_changes_nothing() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write("app/a.yaml", &config_map("a", "", "k: v"))
        .write("app/web.yaml", &deployment("web", "nginx:1", 1, "", ""));
    repo.commit("app");
    env.namespace("web");
    let t = target(&repo, "app", "web", "web");
    env.sync(&t, &settings(&t)).await.0.expect("first sync");
    let before = env.kubectl_json(&["get", "configmap/a", "deployment/web", "-n", "web"]);
    env.sync(&t, &settings(&t)).await.0.expect("second sync");
    let after = env.kubectl_json(&["get", "configmap/a", "deployment/web", "-n", "web"]);
    for (b, a) in before["items"]
        .as_array()
        .unwrap()
        .iter()
        .zip(after["items"].as_array().unwrap())
    {
        assert_eq!(
            b["metadata"]["generation"], a["metadata"]["generation"],
            "{}",
            b["metadata"]["name"]
        );
        assert_eq!(b["metadata"]["uid"], a["metadata"]["uid"]);
    }
}

#[tokio::test]
async fn no_wait_still_gates_earlier_waves_but_not_the_last() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write(
        "app/db.yaml",
        &deployment(
            "db",
            "postgres:16",
            1,
            "argocd.argoproj.io/sync-wave: '-1'",
            "sim.driftless.dev/ready-after: 500ms",
        ),
    )
    .write(
        "app/web.yaml",
        &deployment("web", "nginx:1", 1, "", "sim.driftless.dev/ready-after: 5s"),
    );
    repo.commit("app");
    env.namespace("nowait");
    let t = target(&repo, "app", "nowait", "nowait");
    let mut s = settings(&t);
    s.wait = false;
    let started = std::time::Instant::now();
    env.sync(&t, &s).await.0.expect("sync");
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
    let db = env.kubectl_json(&["get", "deployment/db", "-n", "nowait"]);
    assert_eq!(
        db["status"]["availableReplicas"], 1,
        "wave -1 was waited for"
    );
    let web = env.kubectl_json(&["get", "deployment/web", "-n", "nowait"]);
    assert_ne!(
        web["status"]["availableReplicas"], 1,
        "the last wave was not"
    );
}

//! Failing syncs: Degraded workloads, SyncFail hooks, timeouts, injected API faults.

use driftless_apply::ApplyError;
use driftless_e2e::{
    Env, GitRepo, config_map, deployment, fast_config, reported, settings, target,
};
use driftless_runtime::RuntimeError;
use std::time::{Duration, Instant};

fn failure(out: Result<impl std::fmt::Debug, RuntimeError>) -> driftless_apply::SyncFailure {
    match out {
        Err(RuntimeError::Sync(f)) => f,
        other => panic!("expected a failed sync, got {other:?}"),
    }
}

#[tokio::test]
async fn a_degraded_deployment_stops_the_sync_names_it_and_runs_syncfail_hooks() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write(
        "app/api.yaml",
        &deployment("api", "registry.example/api-crashloop:1", 1, "", "").replace(
            "spec:\n  replicas: 1",
            "spec:\n  progressDeadlineSeconds: 1\n  replicas: 1",
        ),
    )
    .write(
        "app/later.yaml",
        &config_map("later", "argocd.argoproj.io/sync-wave: '1'", "k: v"),
    )
    .write(
        "app/notify.yaml",
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: notify-failure\n  annotations:\n    argocd.argoproj.io/hook: SyncFail\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - {name: main, image: 'curlimages/curl:8', command: [curl, 'http://chat.example/hook']}\n",
    );
    repo.commit("app");
    env.namespace("deg");
    let t = target(&repo, "app", "deg", "deg");
    let (out, rec) = env.sync(&t, &settings(&t)).await;
    let f = failure(out);
    let text = f.error.to_string();
    assert!(
        matches!(&f.error, ApplyError::Degraded { key, .. } if key.name == "api"),
        "{text}"
    );
    assert!(
        text.contains("apps/Deployment:deg/api is Degraded"),
        "{text}"
    );
    assert!(text.contains("exceeded its progress deadline"), "{text}");
    // The pods' own complaint is part of the message.
    assert!(text.contains("CrashLoopBackOff"), "{text}");
    // The failing object carries the message in the partial result.
    let api = reported(&f.result.objects, "api");
    assert!(api.message.as_deref().unwrap_or("").contains("Degraded"));
    // The next wave never started; the SyncFail hook ran.
    assert!(!env.exists(&["configmap/later", "-n", "deg"]));
    assert!(rec.waves().contains(&("SyncFail".to_string(), 0)));
    let hook = env.kubectl_json(&["get", "job/notify-failure", "-n", "deg"]);
    assert_eq!(hook["status"]["succeeded"], 1, "{hook}");
}

#[tokio::test]
async fn a_wave_timeout_names_the_objects_still_waiting() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write(
        "app/slow.yaml",
        &deployment(
            "slow",
            "nginx:1",
            1,
            "",
            "sim.driftless.dev/ready-after: never",
        ),
    )
    .write("app/fast.yaml", &deployment("fast", "nginx:1", 1, "", ""));
    repo.commit("app");
    env.namespace("slow");
    let t = target(&repo, "app", "slow", "slow");
    let mut s = settings(&t);
    s.wave_timeout = Duration::from_secs(2);
    let started = Instant::now();
    let f = failure(env.sync(&t, &s).await.0);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(8),
        "{took:?}"
    );
    let text = f.error.to_string();
    assert!(
        matches!(&f.error, ApplyError::Timeout { waiting, .. } if waiting.len() == 1 && waiting[0].0.name == "slow"),
        "{text}"
    );
    assert!(text.starts_with("timed out after"), "{text}");
    assert!(text.contains("(Sync wave 0, wave deadline)"), "{text}");
    assert!(
        text.contains("apps/Deployment:slow/slow: Progressing"),
        "{text}"
    );
}

#[tokio::test]
async fn injected_api_faults_are_retried_without_loss() {
    let mut config = fast_config();
    config.faults.error_rate = 0.15;
    config.faults.throttle_rate = 0.03;
    config.faults.retry_after_secs = 1;
    config.faults.timeout_rate = 0.03;
    config.faults.timeout = Duration::from_millis(200);
    config.faults.seed = 42;
    let env = Env::start_with(config).await;
    let repo = GitRepo::new();
    for i in 0..30 {
        repo.write(
            &format!("app/cm-{i:02}.yaml"),
            &config_map(&format!("cm-{i:02}"), "", &format!("index: '{i}'")),
        );
    }
    repo.write("app/web.yaml", &deployment("web", "nginx:1", 2, "", ""));
    repo.commit("app");
    env.kubectl_json_retrying(&["get", "namespaces"]);
    let out = env.kubectl_with_input(
        &["apply", "--validate=false", "-f", "-"],
        Some("apiVersion: v1\nkind: Namespace\nmetadata: {name: faults}\n"),
    );
    if !out.status.success() {
        // The creation itself may hit a fault; retry until the namespace is there.
        for _ in 0..20 {
            let again = env.kubectl_with_input(
                &["apply", "--validate=false", "-f", "-"],
                Some("apiVersion: v1\nkind: Namespace\nmetadata: {name: faults}\n"),
            );
            if again.status.success() {
                break;
            }
        }
    }
    let t = target(&repo, "app", "faults", "faults");
    let mut s = settings(&t);
    s.wave_timeout = Duration::from_secs(20);
    let (out, _) = env.sync(&t, &s).await;
    let (_, result) = out.expect("the sync survives the faults");
    assert!(
        env.cluster.retries() > 0,
        "faults were injected and retried"
    );
    assert_eq!(result.objects.len(), 31);
    let cms = env.kubectl_json_retrying(&["get", "configmaps", "-n", "faults", "-l", ""]);
    let mut found: Vec<(String, String)> = cms["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["metadata"]["name"].as_str().unwrap().starts_with("cm-"))
        .map(|c| {
            (
                c["metadata"]["name"].as_str().unwrap().to_string(),
                c["data"]["index"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    let want: Vec<(String, String)> = (0..30)
        .map(|i| (format!("cm-{i:02}"), i.to_string()))
        .collect();
    assert_eq!(found, want);
    let web = env.kubectl_json_retrying(&["get", "deployment/web", "-n", "faults"]);
    assert_eq!(web["status"]["availableReplicas"], 2);
    // Exactly one ReplicaSet: no duplicate writes.
    let rs = env.kubectl_json_retrying(&["get", "replicasets", "-n", "faults"]);
    assert_eq!(rs["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_whole_sync_deadline_spans_waves() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    for (name, wave) in [("one", 0), ("two", 1), ("three", 2)] {
        repo.write(
            &format!("app/{name}.yaml"),
            &deployment(
                name,
                "nginx:1",
                1,
                &format!("argocd.argoproj.io/sync-wave: '{wave}'"),
                "sim.driftless.dev/ready-after: 1s",
            ),
        );
    }
    repo.commit("app");
    env.namespace("deadline");
    let t = target(&repo, "app", "deadline", "deadline");
    let mut s = settings(&t);
    s.wave_timeout = Duration::from_secs(10);
    s.sync_timeout = Duration::from_millis(2500);
    let f = failure(env.sync(&t, &s).await.0);
    let text = f.error.to_string();
    assert!(text.contains("sync deadline)"), "{text}");
    assert!(
        !env.exists(&["deployment/three", "-n", "deadline"]),
        "{text}"
    );
}

//! Several clusters, repository credentials and sharding, end to end: two simulated clusters, an
//! Argo CD cluster Secret for the second; Applications go where their `destination` says, an
//! unknown cluster is an `InvalidSpecError`; a private HTTP repository works with a repository
//! Secret and fails clearly without; two replicas split the Applications by destination cluster,
//! one of them runs the ApplicationSet loop, and a replica that stops has its shard taken over.

#[path = "../../crates/driftless-source/tests/support/mod.rs"]
mod git_support;

use driftless_controller::ControllerConfig;
use driftless_controller::scale::ScaleSettings;
use driftless_controller::shard::ShardSettings;
use driftless_e2e::controller::{eventually, test_config, text};
use driftless_e2e::{Env, GitRepo, config_map};
use serde_json::Value;
use std::time::Duration;

fn app_yaml(name: &str, repo: &str, path: &str, destination: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  namespace: argocd\nspec:\n  project: default\n  source: {{repoURL: '{repo}', path: {path}, targetRevision: HEAD}}\n  destination: {{{destination}}}\n  syncPolicy:\n    automated: {{prune: true}}\n    syncOptions: [CreateNamespace=true]\n"
    )
}

/// The message of the Application's condition of `kind`, if any.
fn condition(app: &Value, kind: &str) -> Option<String> {
    app.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c["type"] == kind)
        .map(|c| c["message"].as_str().unwrap_or("").to_string())
}

/// The field managers of a live object.
fn managers(obj: &Value) -> Vec<String> {
    obj.pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .map(|m| {
            m.iter()
                .filter_map(|f| f["manager"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn destination_name_reaches_the_other_cluster_and_unknown_clusters_are_invalid_spec() {
    let home = Env::start().await;
    let other = Env::start().await;
    home.install_crds();
    let repo = GitRepo::new();
    repo.write("web/cm.yaml", &config_map("web", "", "where: git"));
    repo.commit("web");
    let repo_path = repo.path().display().to_string();
    // A long interval: what happens within seconds is the Secret watch's doing.
    let _c = home.start_controller(ControllerConfig {
        reconcile_interval: Duration::from_secs(120),
        ..test_config()
    });
    home.kubectl_apply(&app_yaml(
        "remote",
        &repo_path,
        "web",
        "name: other, namespace: web",
    ));
    home.kubectl_apply(&app_yaml(
        "nowhere",
        &repo_path,
        "web",
        "server: 'https://nowhere.example:6443', namespace: web",
    ));
    // Before the cluster Secret exists, `other` is unknown: Argo CD's message, nothing applied.
    eventually("remote to be InvalidSpecError", 20, || {
        condition(&home.application("remote"), "InvalidSpecError").as_deref()
            == Some("there are no clusters with this name: other")
    });
    // The Secret arrives: the Application is requeued and synced there.
    home.kubectl_apply(&other.cluster_secret_yaml("other", ""));
    eventually("the ConfigMap on the other cluster", 30, || {
        other.exists(&["configmap", "web", "-n", "web"])
    });
    eventually("remote Synced", 20, || {
        let app = home.application("remote");
        text(&app, "/status/sync/status") == "Synced"
            && condition(&app, "InvalidSpecError").is_none()
    });
    assert!(
        !home.exists(&["namespace", "web"]),
        "nothing may reach the controller's own cluster"
    );
    // Changed connection settings reconnect: a CA that does not sign the server fails the
    // comparison (the old connection is not kept), the right one heals it.
    let secret = other.cluster_secret_yaml("other", "");
    let ca = |yaml: &str| {
        yaml.split("\"caData\":\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("caData")
            .to_string()
    };
    let wrong_ca = ca(&home.cluster_secret_yaml("other", ""));
    home.kubectl_apply(&secret.replace(&ca(&secret), &wrong_ca));
    eventually("a ComparisonError with the wrong CA", 20, || {
        condition(&home.application("remote"), "ComparisonError").is_some()
    });
    home.kubectl_apply(&secret);
    eventually("healed with the right CA", 20, || {
        let app = home.application("remote");
        text(&app, "/status/sync/status") == "Synced"
            && condition(&app, "ComparisonError").is_none()
    });
    let nowhere = home.application("nowhere");
    assert_eq!(
        condition(&nowhere, "InvalidSpecError").as_deref(),
        Some(
            "error getting cluster by server \"https://nowhere.example:6443\": rpc error: code = NotFound desc = cluster \"https://nowhere.example:6443\" not found"
        ),
        "{nowhere}"
    );
    // Both name and server: refused as Argo CD does.
    home.kubectl_apply(&app_yaml(
        "both",
        &repo_path,
        "web",
        "name: other, server: 'https://kubernetes.default.svc', namespace: web",
    ));
    eventually("both to be InvalidSpecError", 20, || {
        condition(&home.application("both"), "InvalidSpecError").is_some_and(|m| {
            m.starts_with("application destination can't have both name and server defined")
        })
    });
    // The Secret goes: the Application is requeued and says so; its objects stay.
    let out = home.kubectl(&["delete", "secret", "cluster-other", "-n", "argocd"]);
    assert!(out.status.success());
    eventually("remote to be InvalidSpecError again", 20, || {
        condition(&home.application("remote"), "InvalidSpecError").is_some()
    });
    assert!(other.exists(&["configmap", "web", "-n", "web"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn private_repository_needs_its_repository_secret() {
    let env = Env::start().await;
    env.install_crds();
    let repo = git_support::TestRepo::new();
    repo.commit(
        &[("web/cm.yaml", &config_map("private", "", "from: private"))],
        "private",
    );
    let server = git_support::HttpGit::start(repo.root.path(), Some(("alice", "s3cret-pw")));
    let url = server.url("app");
    let _c = env.start_controller(test_config());
    env.kubectl_apply(&app_yaml(
        "private",
        &url,
        "web",
        "server: 'https://kubernetes.default.svc', namespace: priv",
    ));
    eventually("a ComparisonError", 20, || {
        condition(&env.application("private"), "ComparisonError")
            .is_some_and(|m| m.contains("authentication refused"))
    });
    let app = env.application("private");
    assert!(!app.to_string().contains("s3cret-pw"));
    assert!(!env.exists(&["namespace", "priv"]));
    // A credential template for the host, and a repository Secret for the exact URL: the
    // repository's wins; a wrong template alone would fail.
    env.kubectl_apply(&format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: host-creds\n  namespace: argocd\n  labels: {{argocd.argoproj.io/secret-type: repo-creds}}\nstringData: {{url: 'http://127.0.0.1:{}/', username: alice, password: wrong}}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: private-repo\n  namespace: argocd\n  labels: {{argocd.argoproj.io/secret-type: repository}}\nstringData: {{url: '{url}.git', username: alice, password: s3cret-pw}}\n",
        server.port
    ));
    eventually("the private repository synced", 30, || {
        env.exists(&["configmap", "private", "-n", "priv"])
    });
    eventually("Synced without a ComparisonError", 20, || {
        let app = env.application("private");
        text(&app, "/status/sync/status") == "Synced"
            && condition(&app, "ComparisonError").is_none()
    });
}

fn replica_config(shard: u32, identity: &str) -> ControllerConfig {
    ControllerConfig {
        scale: ScaleSettings {
            shards: ShardSettings { replicas: 2, shard },
            identity: identity.into(),
            lease_duration: Duration::from_secs(2),
        },
        ..test_config()
    }
}

fn lease_holder(env: &Env, name: &str) -> String {
    let out = env.kubectl(&["get", "lease", name, "-n", "argocd", "-o", "json"]);
    if !out.status.success() {
        return String::new();
    }
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    text(&v, "/spec/holderIdentity").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_split_applications_by_cluster_and_take_over_a_stopped_one() {
    let home = Env::start().await;
    let other = Env::start().await;
    home.install_crds();
    // The other cluster is pinned to shard 1; the controller's own cluster is shard 0.
    home.kubectl_apply(&other.cluster_secret_yaml("other", "  shard: \"1\"\n"));
    let repo = GitRepo::new();
    repo.write("web/cm.yaml", &config_map("web", "", "version: one"));
    repo.commit("one");
    let repo_path = repo.path().display().to_string();
    let r0 = home.start_replica(replica_config(0, "replica-0"), "replica-0");
    let r1 = home.start_replica(replica_config(1, "replica-1"), "replica-1");
    home.kubectl_apply(&app_yaml(
        "local",
        &repo_path,
        "web",
        "server: 'https://kubernetes.default.svc', namespace: web",
    ));
    home.kubectl_apply(&app_yaml(
        "remote",
        &repo_path,
        "web",
        "name: other, namespace: web",
    ));
    let get_cm = |env: &Env| {
        let out = env.kubectl(&[
            "get",
            "configmap",
            "web",
            "-n",
            "web",
            "-o",
            "json",
            "--show-managed-fields",
        ]);
        out.status
            .success()
            .then(|| serde_json::from_slice::<Value>(&out.stdout).expect("JSON"))
    };
    eventually("both clusters synced", 40, || {
        get_cm(&home).is_some() && get_cm(&other).is_some()
    });
    // Each cluster was written by its shard's replica only.
    let local = managers(&get_cm(&home).expect("local ConfigMap"));
    let remote = managers(&get_cm(&other).expect("remote ConfigMap"));
    assert!(
        local.contains(&"replica-0".to_string()) && !local.contains(&"replica-1".to_string()),
        "{local:?}"
    );
    assert!(
        remote.contains(&"replica-1".to_string()) && !remote.contains(&"replica-0".to_string()),
        "{remote:?}"
    );
    // One ApplicationSet leader, the holder of the Lease.
    eventually("one ApplicationSet leader", 20, || {
        r0.ctx.shards.leads_appsets() != r1.ctx.shards.leads_appsets()
    });
    let leader = if r0.ctx.shards.leads_appsets() {
        "replica-0"
    } else {
        "replica-1"
    };
    assert_eq!(
        lease_holder(&home, driftless_controller::scale::APPSET_LEASE),
        leader
    );
    assert_eq!(
        lease_holder(&home, "driftless-controller-shard-1"),
        "replica-1"
    );

    // Replica 1 stops: replica 0 serves shard 1 and leads the ApplicationSet loop.
    drop(r1);
    eventually("replica 0 serving both shards", 20, || {
        r0.ctx.shards.serving().len() == 2
    });
    eventually("replica 0 leading", 20, || r0.ctx.shards.leads_appsets());
    repo.write("web/cm.yaml", &config_map("web", "", "version: two"));
    repo.commit("two");
    eventually("the other cluster updated by replica 0", 40, || {
        get_cm(&other).is_some_and(|cm| {
            text(&cm, "/data/version") == "two" && managers(&cm).contains(&"replica-0".to_string())
        })
    });
}

/// A cluster Secret with `namespaces` (namespaced mode, no `clusterResources`): objects in its
/// namespaces are synced; one in another namespace, or a cluster-scoped one, is a
/// `ComparisonError` with Argo CD's message and nothing of that Application is applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_namespaced_cluster_secret_limits_what_is_managed() {
    let env = Env::start().await;
    env.install_crds();
    let secret = env
        .cluster_secret_yaml("limited", "  namespaces: web,db\n")
        .replace("https://127.0.0.1:", "https://localhost:");
    env.kubectl_apply(&secret);
    let repo = GitRepo::new();
    repo.write("web/cm.yaml", &config_map("web", "", "where: git"))
        .write(
            "roles/role.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules: []\n",
        )
        .write("roles/cm.yaml", &config_map("roles", "", "where: git"));
    repo.commit("web");
    let repo_path = repo.path().display().to_string();
    let _c = env.start_controller(test_config());
    let limited = |ns: &str| format!("name: limited, namespace: {ns}");
    env.kubectl_apply(&app_yaml("inside", &repo_path, "web", &limited("web")));
    env.kubectl_apply(&app_yaml("outside", &repo_path, "web", &limited("other")));
    env.kubectl_apply(&app_yaml(
        "clusterwide",
        &repo_path,
        "roles",
        &limited("db"),
    ));
    eventually("the Application inside synced", 30, || {
        text(&env.application("inside"), "/status/sync/status") == "Synced"
    });
    assert!(env.exists(&["configmap", "web", "-n", "web"]));
    eventually("the others refused", 30, || {
        condition(&env.application("outside"), "ComparisonError").as_deref()
            == Some(r#"namespace "other" for ConfigMap "web" is not managed"#)
            && condition(&env.application("clusterwide"), "ComparisonError").as_deref()
                == Some(
                    r#"cluster level ClusterRole "reader" can not be managed when in namespaced mode"#,
                )
    });
    assert!(!env.exists(&["configmap", "web", "-n", "other"]));
    assert!(!env.exists(&["configmap", "roles", "-n", "db"]));
    assert!(!env.exists(&["clusterrole", "reader"]));
}

//! `SharedResourceWarning` and `OrphanedResourceWarning` conditions, as Argo CD writes them, and
//! what an AppProject refuses (InvalidSpecError, a sync that is not valid).

use driftless_e2e::controller::{application_with_source, eventually, test_config, text};
use driftless_e2e::{Env, GitRepo, config_map};
use serde_json::Value;

const AUTO: &str = "    automated: {}\n    syncOptions: [CreateNamespace=true]\n";

fn conditions(app: &Value, kind: &str) -> Vec<String> {
    app["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["type"] == kind)
        .map(|c| c["message"].as_str().unwrap_or("").to_string())
        .collect()
}

fn app(name: &str, project: &str, repo: &GitRepo, path: &str, namespace: &str) -> String {
    application_with_source(
        name,
        &format!(
            "{{repoURL: '{}', path: {path}, targetRevision: HEAD}}",
            repo.path().display()
        ),
        namespace,
        AUTO,
    )
    .replace("project: default", &format!("project: {project}"))
}

/// An object another Application tracks: a SharedResourceWarning naming both, and the sync does
/// not take it over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_tracked_by_another_application_is_a_shared_resource_warning() {
    let env = Env::start().await;
    env.install_crds();
    let repo = GitRepo::new();
    repo.write(
        "alpha/settings.yaml",
        &config_map("settings", "", "owner: alpha"),
    )
    .write(
        "beta/settings.yaml",
        &config_map("settings", "", "owner: beta"),
    )
    .write("beta/own.yaml", &config_map("beta-own", "", "n: '1'"));
    repo.commit("two apps, one ConfigMap");
    let _controller = env.start_controller(test_config());
    tokio::task::block_in_place(|| {
        env.kubectl_apply(&app("alpha", "default", &repo, "alpha", "shared"));
        eventually("alpha Synced", 30, || {
            text(&env.application("alpha"), "/status/sync/status") == "Synced"
        });
        env.kubectl_apply(&app("beta", "default", &repo, "beta", "shared"));
        eventually("beta's SharedResourceWarning", 30, || {
            conditions(&env.application("beta"), "SharedResourceWarning")
                == ["ConfigMap/settings is part of applications beta and alpha"]
        });
        eventually("beta's own object synced", 30, || {
            env.exists(&["configmap/beta-own", "-n", "shared"])
        });
        let cm = env.kubectl_json(&["get", "configmap", "settings", "-n", "shared"]);
        assert_eq!(cm["data"]["owner"], "alpha", "not taken over: {cm}");
        assert!(conditions(&env.application("alpha"), "SharedResourceWarning").is_empty());
        assert!(conditions(&env.application("beta"), "OrphanedResourceWarning").is_empty());
    });
}

/// With `orphanedResources` in the AppProject, untracked objects of the destination namespace
/// are counted (the project's ignore list and Argo CD's known exclusions left out); the warning
/// goes when they do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untracked_objects_are_an_orphaned_resource_warning_when_the_project_asks() {
    let env = Env::start().await;
    env.install_crds();
    env.kubectl_apply(
        "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: watchful, namespace: argocd}\nspec:\n  sourceRepos: ['*']\n  destinations: [{server: '*', namespace: '*'}]\n  orphanedResources:\n    warn: true\n    ignore: [{kind: Secret}]\n",
    );
    let repo = GitRepo::new();
    repo.write("app/mine.yaml", &config_map("mine", "", "n: '1'"));
    repo.commit("one ConfigMap");
    let _controller = env.start_controller(test_config());
    tokio::task::block_in_place(|| {
        env.kubectl_apply(&app("gamma", "watchful", &repo, "app", "orphans"));
        eventually("gamma Synced", 30, || {
            text(&env.application("gamma"), "/status/sync/status") == "Synced"
        });
        assert!(conditions(&env.application("gamma"), "OrphanedResourceWarning").is_empty());
        env.kubectl_apply(&format!(
            "{}---\napiVersion: v1\nkind: Secret\nmetadata: {{name: ignored, namespace: orphans}}\nstringData: {{a: b}}\n",
            config_map("stray", "", "n: '2'").replace("  name: stray\n", "  name: stray\n  namespace: orphans\n")
        ));
        eventually("gamma's OrphanedResourceWarning", 30, || {
            conditions(&env.application("gamma"), "OrphanedResourceWarning")
                == ["Application has 1 orphaned resources"]
        });
        let out = env.kubectl(&["delete", "configmap", "stray", "-n", "orphans"]);
        assert!(out.status.success(), "{out:?}");
        eventually("the warning gone with the orphan", 30, || {
            conditions(&env.application("gamma"), "OrphanedResourceWarning").is_empty()
        });
    });
}

/// An AppProject limits what its Applications use, with Argo CD's messages: a repository outside
/// `sourceRepos`, a destination outside `destinations` and a project that does not exist are an
/// `InvalidSpecError` (nothing applied); a cluster-scoped kind the project does not whitelist
/// fails the sync before anything of it is applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_project_limits_repositories_destinations_and_kinds() {
    let env = Env::start().await;
    env.install_crds();
    let repo = GitRepo::new();
    repo.write("web/cm.yaml", &config_map("web", "", "a: b"))
        .write(
            "rbac/role.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules: []\n",
        )
        .write("rbac/cm.yaml", &config_map("rbac-settings", "", "a: b"));
    repo.commit("one");
    let foreign = GitRepo::new();
    foreign.write("web/cm.yaml", &config_map("web", "", "a: b"));
    foreign.commit("one");
    let repo_url = repo.path().display().to_string();
    env.kubectl_apply(&format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {{name: team, namespace: argocd}}\nspec:\n  sourceRepos: ['{repo_url}']\n  destinations: [{{server: 'https://kubernetes.default.svc', namespace: 'team-*'}}]\n"
    ));
    let apply = |name: &str, project: &str, repo: &GitRepo, path: &str, ns: &str| {
        env.kubectl_apply(&app(name, project, repo, path, ns))
    };
    let foreign_url = foreign.path().display().to_string();
    apply("inside", "team", &repo, "web", "team-a");
    apply("elsewhere", "team", &repo, "web", "other");
    apply("foreign", "team", &foreign, "web", "team-b");
    apply("ghost", "nosuch", &repo, "web", "team-c");
    apply("rbac", "team", &repo, "rbac", "team-d");
    let _c = env.start_controller(test_config());
    tokio::task::block_in_place(|| {
        eventually("the permitted Application synced", 30, || {
            text(&env.application("inside"), "/status/sync/status") == "Synced"
        });
        let invalid = |app: &str| {
            conditions(&env.application(app), "InvalidSpecError")
                .into_iter()
                .next()
        };
        eventually("the others refused", 30, || {
            invalid("elsewhere").is_some()
                && invalid("foreign").is_some()
                && invalid("ghost").is_some()
        });
        assert_eq!(
            invalid("elsewhere").as_deref(),
            Some(
                "application destination server 'https://kubernetes.default.svc' and namespace 'other' do not match any of the allowed destinations in project 'team'"
            )
        );
        assert_eq!(
            invalid("foreign"),
            Some(format!(
                "application repo {foreign_url} is not permitted in project 'team'"
            ))
        );
        assert_eq!(
            invalid("ghost").as_deref(),
            Some("Application referencing project nosuch which does not exist")
        );
        eventually("the sync with a refused kind failed", 30, || {
            text(&env.application("rbac"), "/status/operationState/phase") == "Failed"
        });
        let a = env.application("rbac");
        assert_eq!(
            text(&a, "/status/operationState/message"),
            "one or more synchronization tasks are not valid"
        );
        assert_eq!(
            text(&a, "/status/operationState/syncResult/resources/0/message"),
            "resource rbac.authorization.k8s.io:ClusterRole is not permitted in project team",
            "{a}"
        );
        assert!(!env.exists(&["configmap", "web", "-n", "other"]));
        assert!(!env.exists(&["configmap", "web", "-n", "team-b"]));
        assert!(!env.exists(&["configmap", "rbac-settings", "-n", "team-d"]));
        assert!(!env.exists(&["clusterrole", "reader"]));
    });
}

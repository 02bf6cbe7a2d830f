//! Applications with several sources (`spec.sources`): each source renders at its own repository
//! and revision, the objects are the union, and a Helm source reads value files from a `ref`
//! source's repository (`$values/…`), confined to it.

mod support;

use driftless_runtime::{Application, Engine, EngineConfig, RuntimeError, SyncRequest, Target};
use driftless_sim::ResourceRef;
use support::{Env, GitRepo, color_chart_repo, config_map};

/// An Application deploying into `shop` whose `spec.sources` are `sources` (YAML list items).
fn app(sources: &str) -> Application {
    Application::from_yaml(&format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: shop}}\nspec:\n  destination: {{namespace: shop}}\n  syncPolicy: {{automated: {{prune: true}}}}\n  sources:\n{sources}"
    ))
    .expect("application")
}

fn offline() -> (Engine, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let engine = Engine::new(EngineConfig {
        cache_dir: dir.path().join("cache"),
        ..EngineConfig::default()
    })
    .expect("engine");
    (engine, dir)
}

/// A repository holding `text` at `file`, committed.
fn repo_with(file: &str, text: &str) -> GitRepo {
    let repo = GitRepo::new();
    repo.write(file, text);
    repo.commit(file);
    repo
}

/// The chart of `charts` with value file `value_file`, and a second source in `other` with the
/// flow-mapping fields `fields` (`ref: values`, `path: m`, …).
fn chart_app(charts: &GitRepo, value_file: &str, other: &GitRepo, fields: &str) -> Application {
    app(&format!(
        "    - repoURL: {}\n      path: chart\n      helm: {{valueFiles: ['{value_file}']}}\n    - {{repoURL: {}, {fields}}}\n",
        charts.path().display(),
        other.path().display()
    ))
}

/// Two directory sources: path `pa` of `a`, then `b` with the fields `fields`.
fn pair(a: &GitRepo, pa: &str, b: &GitRepo, fields: &str) -> Target {
    Target::from_application(&app(&format!(
        "    - {{repoURL: {}, path: {pa}}}\n    - {{repoURL: {}, {fields}}}\n",
        a.path().display(),
        b.path().display()
    )))
    .expect("target")
}

fn color(env: &Env) -> String {
    let cm = env
        .stored(&ResourceRef::core("configmaps"), "shop", "web")
        .expect("web ConfigMap applied");
    cm["data"]["color"].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_git_sources_render_and_sync_as_one_application() {
    let env = Env::start().await;
    env.namespace("shop");
    let a = repo_with("app/a.yaml", &config_map("from-a", "1"));
    let b = repo_with("conf/b.yaml", &config_map("from-b", "2"));
    let t = pair(&a, "app", &b, "path: conf, targetRevision: main");
    let rendered = env.engine.render(&t).await.expect("render");
    assert_eq!(rendered.revisions, [a.head(), b.head()]);
    assert_eq!(rendered.source_types, ["Directory", "Directory"]);
    let names: Vec<&str> = rendered
        .manifests
        .iter()
        .map(|m| m.key().name.as_str())
        .collect();
    assert_eq!(names, ["from-a", "from-b"]);

    env.sync(&t, &SyncRequest::default()).await.expect("sync");
    for name in ["from-a", "from-b"] {
        assert!(
            env.stored(&ResourceRef::core("configmaps"), "shop", name)
                .is_some(),
            "{name} applied"
        );
    }
    // A commit to one source is a new revision list; the other source's commit stays.
    b.write("conf/b.yaml", &config_map("from-b", "3"));
    b.commit("b2");
    let again = env.engine.resolve_all(&t, false).await.expect("resolve");
    assert_eq!(again, [a.head(), b.head()]);
    assert_ne!(again, rendered.revisions);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helm_chart_takes_its_values_from_a_ref_source() {
    let env = Env::start().await;
    env.namespace("shop");
    let charts = color_chart_repo("web");
    let values = repo_with("env/values-prod.yaml", "color: red\n");
    let t = Target::from_application(&chart_app(
        &charts,
        "$values/env/values-prod.yaml",
        &values,
        "targetRevision: main, ref: values",
    ))
    .expect("target");
    let rendered = env.engine.render(&t).await.expect("render");
    assert_eq!(rendered.revisions, [charts.head(), values.head()]);
    // The ref-only source renders nothing.
    assert_eq!(rendered.source_types, ["Helm", ""]);
    assert_eq!(rendered.manifests.len(), 1);
    env.sync(&t, &SyncRequest::default()).await.expect("sync");
    assert_eq!(color(&env), "red");

    // A commit to the values repository changes the revision list and the render.
    values.write("env/values-prod.yaml", "color: green\n");
    values.commit("greener");
    let commits = env.engine.resolve_all(&t, false).await.expect("resolve");
    assert_eq!(commits, [charts.head(), values.head()]);
    assert_ne!(commits, rendered.revisions);
    let greener = env
        .engine
        .render_revisions(&t, &commits)
        .await
        .expect("render");
    let data = &greener.manifests[0].object["data"]["color"];
    assert_eq!(data, "green");
    env.sync(&t, &SyncRequest::default()).await.expect("sync");
    assert_eq!(color(&env), "green");
}

#[tokio::test]
async fn a_ref_source_with_a_path_renders_and_lends_its_files() {
    let (engine, _dir) = offline();
    let charts = color_chart_repo("web");
    let shared = GitRepo::new();
    shared
        .write("manifests/extra.yaml", &config_map("extra", "x"))
        .write("env/values.yaml", "color: amber\n");
    shared.commit("shared");
    let t = Target::from_application(&chart_app(
        &charts,
        "$shared/env/values.yaml",
        &shared,
        "path: manifests, ref: shared",
    ))
    .expect("target");
    let rendered = engine.render(&t).await.expect("render");
    let by_name = |n: &str| {
        rendered
            .manifests
            .iter()
            .find(|m| m.key().name == n)
            .unwrap_or_else(|| panic!("{n} rendered"))
    };
    assert_eq!(by_name("web").object["data"]["color"], "amber");
    assert_eq!(by_name("extra").object["data"]["value"], "x");
    assert_eq!(rendered.source_types, ["Helm", "Directory"]);
}

#[tokio::test]
async fn a_repeated_object_keeps_the_last_sources_definition() {
    let (engine, _dir) = offline();
    let a = repo_with("m/cm.yaml", &config_map("shared", "from-a"));
    let b = repo_with("m/cm.yaml", &config_map("shared", "from-b"));
    let t = pair(&a, "m", &b, "path: m");
    let rendered = engine.render(&t).await.expect("render");
    assert_eq!(rendered.manifests.len(), 1);
    assert_eq!(rendered.manifests[0].object["data"]["value"], "from-b");
    let warning = rendered.warnings.join("\n");
    assert!(warning.contains("RepeatedResourceWarning"), "{warning}");
    assert!(
        warning.contains("spec.sources[0]:m/cm.yaml")
            && warning.contains("spec.sources[1]:m/cm.yaml"),
        "{warning}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_ref_is_refused_naming_it_and_nothing_is_applied() {
    let env = Env::start().await;
    env.namespace("shop");
    let charts = color_chart_repo("web");
    let values = repo_with("env/values-prod.yaml", "color: red\n");
    let a = chart_app(
        &charts,
        "$vals/env/values-prod.yaml",
        &values,
        "ref: values",
    );
    let e = env.engine.target(&a).expect_err("unknown ref").to_string();
    assert!(
        e.contains("spec.sources[0]")
            && e.contains("\"$vals\"")
            && e.contains("not one of the available sources ($values)"),
        "{e}"
    );
    assert!(
        env.stored(&ResourceRef::core("configmaps"), "shop", "web")
            .is_none()
    );
    let no_refs = app(&format!(
        "    - repoURL: {}\n      path: chart\n      helm: {{valueFiles: [$values/x.yaml]}}\n",
        charts.path().display()
    ));
    let e = Target::from_application(&no_refs).unwrap_err().to_string();
    assert!(e.contains("but no source has a 'ref' field defined"), "{e}");
}

#[tokio::test]
async fn a_ref_path_leaving_the_repository_is_refused() {
    let (engine, _dir) = offline();
    let charts = color_chart_repo("web");
    let values = GitRepo::new();
    values.write("env/values-prod.yaml", "color: red\n");
    std::os::unix::fs::symlink("../../../etc/passwd", values.path().join("env/link.yaml"))
        .expect("symlink");
    values.commit("values");
    let with = |file: &str| {
        Target::from_application(&chart_app(&charts, file, &values, "ref: values")).expect("target")
    };
    let err = engine
        .render(&with("$values/../outside.yaml"))
        .await
        .expect_err("escape refused");
    let e = err.to_string();
    assert!(
        e.contains("spec.sources[0]")
            && e.contains(
                "value file '$values/../outside.yaml' resolved to outside repository root"
            ),
        "{e}"
    );
    assert!(matches!(
        err,
        RuntimeError::InSource { ref source, .. } if matches!(**source, RuntimeError::RefEscapes { .. })
    ));
    let e = engine
        .render(&with("$values/env/link.yaml"))
        .await
        .expect_err("symlink out refused")
        .to_string();
    assert!(e.contains("symlink points outside the repository"), "{e}");
    let e = engine
        .render(&with("$values/env/missing.yaml"))
        .await
        .expect_err("missing file")
        .to_string();
    assert!(
        e.contains("'$values/env/missing.yaml': no such file"),
        "{e}"
    );
}

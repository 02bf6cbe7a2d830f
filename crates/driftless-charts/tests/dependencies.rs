//! `Chart.yaml` dependencies from a real chart repository and a real OCI registry, fetched
//! through the cache as `helm dependency build` does: the objects equal `helm template` of the
//! same chart after the reference helm's own dependency build, `Chart.lock` pins versions even
//! when newer ones are published, and a lock out of sync with `Chart.yaml` is refused.

mod support;

use driftless_charts::{ChartCache, DependencyFetcher, RepoCredentials};
use driftless_helm::{DirFs, HelmError, RenderOptions};
use std::path::Path;
use std::sync::Arc;
use support::{
    Registry, StaticServer, index, make_chart, objects_of_yaml, package, run_helm, sort_objects,
};

/// The parent chart: `web` from the chart repository (aliased `front`, with a condition) and
/// `db` from the registry (with import-values).
fn parent_chart(dir: &Path, repo_url: &str, oci_url: &str, web: &str) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: web\n  version: \"{web}\"\n  repository: {repo_url}\n  alias: front\n  condition: front.enabled\n- name: db\n  version: \">=1.0.0\"\n  repository: {oci_url}\n  import-values:\n  - child: service\n    parent: dbService\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("values.yaml"),
        "front:\n  enabled: true\n  replicaCount: 3\ndb:\n  flavour: from-parent\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  dbPort: {{ .Values.dbService.port | quote }}\n",
    )
    .unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

fn ours(chart: &Path, cache: &Arc<ChartCache>) -> Result<Vec<serde_json::Value>, HelmError> {
    let opts = RenderOptions {
        release_name: "rel".into(),
        charts: Some(Arc::new(DependencyFetcher::new(
            cache.clone(),
            RepoCredentials::default(),
        ))),
        ..RenderOptions::default()
    };
    let rendered = driftless_helm::render(&DirFs::new(chart), "", &opts)?;
    Ok(sort_objects(
        rendered
            .manifests()?
            .into_iter()
            .map(|m| m.object)
            .collect(),
    ))
}

fn chart_version_of(objects: &[serde_json::Value], configmap: &str) -> String {
    objects
        .iter()
        .find(|o| o["kind"] == "ConfigMap" && o["metadata"]["name"] == configmap)
        .unwrap_or_else(|| panic!("no ConfigMap {configmap}"))["data"]["chart"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn dependencies_from_repositories_render_as_after_helm_dependency_build() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let repo = t.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let server = StaticServer::start(&repo, None);
    let reg = Registry::start();
    package(
        &make_chart(&t.join("src"), "web", "0.1.0", "web-0.1.0"),
        &repo,
    );
    index(&repo, None);
    reg.push(&package(
        &make_chart(&t.join("src"), "db", "1.0.0", "db-1.0.0"),
        &t.join("out"),
    ));

    // The reference helm builds the dependencies of one copy (writing Chart.lock and charts/).
    let app = t.join("app");
    parent_chart(&app, &server.url(), &reg.charts_url(), "^0.1.0");
    let reference = t.join("reference");
    copy_dir(&app, &reference);
    run_helm(
        t,
        &[
            "dependency",
            "update",
            reference.to_str().unwrap(),
            "--plain-http",
        ],
    );
    std::fs::copy(reference.join("Chart.lock"), app.join("Chart.lock")).unwrap();

    // Newer versions appear; the lock still pins 0.1.0 and 1.0.0.
    package(
        &make_chart(&t.join("src"), "web", "0.1.5", "web-0.1.5"),
        &repo,
    );
    index(&repo, None);
    reg.push(&package(
        &make_chart(&t.join("src"), "db", "1.1.0", "db-1.1.0"),
        &t.join("out"),
    ));

    let cache = Arc::new(ChartCache::new(t.join("cache")).unwrap());
    let helms_downloads = server.count("/web-0.1.0.tgz");
    let got = ours(&app, &cache).expect("renders with fetched dependencies");
    let want = objects_of_yaml(&run_helm(
        t,
        &["template", "rel", reference.to_str().unwrap()],
    ));
    assert_eq!(got, want);
    assert_eq!(chart_version_of(&got, "rel-front-flavour"), "0.1.0");
    assert_eq!(chart_version_of(&got, "rel-db-flavour"), "1.0.0");
    let app_cm = got.iter().find(|o| o["metadata"]["name"] == "app").unwrap();
    assert_eq!(
        app_cm["data"]["dbPort"], "80",
        "import-values from the fetched db chart"
    );
    assert!(
        !app.join("charts").exists(),
        "the chart directory is not written to"
    );

    // A second render downloads nothing.
    let downloads = cache.downloads();
    assert_eq!(downloads, 2);
    ours(&app, &cache).unwrap();
    assert_eq!(cache.downloads(), downloads);
    assert_eq!(server.count("/web-0.1.0.tgz"), helms_downloads + 1);

    // Without Chart.lock the constraints resolve to the newest versions, as helm's build does.
    let unlocked = t.join("unlocked");
    parent_chart(&unlocked, &server.url(), &reg.charts_url(), "^0.1.0");
    let reference2 = t.join("reference2");
    copy_dir(&unlocked, &reference2);
    run_helm(
        t,
        &[
            "dependency",
            "build",
            reference2.to_str().unwrap(),
            "--plain-http",
        ],
    );
    let got = ours(&unlocked, &cache).unwrap();
    let want = objects_of_yaml(&run_helm(
        t,
        &["template", "rel", reference2.to_str().unwrap()],
    ));
    assert_eq!(got, want);
    assert_eq!(chart_version_of(&got, "rel-front-flavour"), "0.1.5");
    assert_eq!(chart_version_of(&got, "rel-db-flavour"), "1.1.0");

    // A lock that no longer matches Chart.yaml is refused, as helm refuses it.
    let stale = t.join("stale");
    parent_chart(&stale, &server.url(), &reg.charts_url(), "^0.1.5");
    std::fs::copy(app.join("Chart.lock"), stale.join("Chart.lock")).unwrap();
    let e = ours(&stale, &cache).unwrap_err();
    assert!(matches!(e, HelmError::LockOutOfSync { .. }), "{e}");
    assert!(e.to_string().contains("out of sync"), "{e}");

    // A dependency whose version exists nowhere names the chart, dependency and repository.
    let missing = t.join("missing");
    parent_chart(&missing, &server.url(), &reg.charts_url(), "^3.0.0");
    let e = ours(&missing, &cache).unwrap_err().to_string();
    assert!(
        e.contains("chart app")
            && e.contains("\"web\"")
            && e.contains(&server.url())
            && e.contains("^3.0.0"),
        "{e}"
    );
}

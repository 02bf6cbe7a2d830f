//! Charts read from a directory of a `SourceFs` tree: symlinks followed inside the tree and
//! refused out of it, `file://` dependencies beside the chart, limits, and errors that name
//! the file.

use std::path::Path;
use std::sync::Arc;

use driftless_core::fs::FsError;
use driftless_helm::{
    ChartFetcher, DirFs, FetchedChart, HelmError, ReadLimits, RenderOptions, load_chart, render,
};

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}-{{ .Values.x | default \"none\" }}\n";

/// A repository with the chart `charts/web`, a shared template beside it and a secret outside.
fn repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        &[
            (
                "repo/charts/web/Chart.yaml",
                "apiVersion: v2\nname: web\nversion: 1.0.0\n",
            ),
            ("repo/charts/web/templates/cm.yaml", CM),
            (
                "repo/shared/extra.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: extra\n",
            ),
            (
                "secret.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: stolen\n",
            ),
        ],
    );
    d
}

fn names(fs: &DirFs, dir: &str, opts: &RenderOptions) -> Result<Vec<String>, HelmError> {
    let r = render(fs, dir, opts)?;
    Ok(r.manifests()?
        .iter()
        .map(|m| format!("{}:{}", m.key().kind, m.key().name))
        .collect())
}

#[test]
fn links_inside_the_tree_are_followed() {
    let d = repo();
    let repo = d.path().join("repo");
    std::os::unix::fs::symlink(
        "../../../shared/extra.yaml",
        repo.join("charts/web/templates/extra.yaml"),
    )
    .unwrap();
    // The chart directory itself may be reached through a link.
    std::os::unix::fs::symlink("charts/web", repo.join("web")).unwrap();
    let fs = DirFs::new(&repo);
    // Helm's install order: Secrets before ConfigMaps.
    let want = ["Secret:extra", "ConfigMap:web-none"];
    assert_eq!(
        names(&fs, "charts/web", &RenderOptions::default()).unwrap(),
        want
    );
    assert_eq!(names(&fs, "web", &RenderOptions::default()).unwrap(), want);
    assert_eq!(load_chart(&fs, "web").unwrap().templates.len(), 2);
}

#[test]
fn links_out_of_the_tree_are_refused_naming_the_link() {
    let d = repo();
    let repo = d.path().join("repo");
    std::os::unix::fs::symlink(
        "../../../../secret.yaml",
        repo.join("charts/web/templates/s.yaml"),
    )
    .unwrap();
    let err = render(&DirFs::new(&repo), "charts/web", &RenderOptions::default()).unwrap_err();
    assert!(
        matches!(&err, HelmError::Fs(FsError::SymlinkOutside { link, .. }) if link == "charts/web/templates/s.yaml"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "charts/web/templates/s.yaml: symlink points outside the repository (target `../../../../secret.yaml`)"
    );
}

#[test]
fn a_dangling_link_is_an_error_as_in_helm() {
    let d = repo();
    let repo = d.path().join("repo");
    std::os::unix::fs::symlink("gone.yaml", repo.join("charts/web/templates/link.yaml")).unwrap();
    let err = load_chart(&DirFs::new(&repo), "charts/web").unwrap_err();
    assert!(
        matches!(&err, HelmError::Fs(FsError::NotFound(p)) if p == "charts/web/templates/link.yaml"),
        "{err:?}"
    );
}

#[test]
fn files_over_the_limit_are_refused_naming_the_file() {
    let d = repo();
    let fs = DirFs::new(d.path().join("repo"));
    let opts = RenderOptions {
        limits: ReadLimits {
            max_file_size: 40,
            ..ReadLimits::default()
        },
        ..RenderOptions::default()
    };
    let err = render(&fs, "charts/web", &opts).unwrap_err();
    assert!(
        matches!(&err, HelmError::Fs(FsError::TooLarge { path, limit: 40, .. }) if path == "charts/web/templates/cm.yaml"),
        "{err:?}"
    );
}

#[test]
fn a_missing_chart_directory_is_named() {
    let d = repo();
    let fs = DirFs::new(d.path().join("repo"));
    let err = load_chart(&fs, "charts/api").unwrap_err();
    assert_eq!(err.to_string(), "charts/api: no such file or directory");
    let err = load_chart(&fs, "charts/web/Chart.yaml").unwrap_err();
    assert_eq!(err.to_string(), "charts/web/Chart.yaml: not a directory");
    let err = load_chart(&fs, "../secret.yaml").unwrap_err();
    assert!(
        matches!(err, HelmError::Fs(FsError::PathEscapes(_))),
        "{err:?}"
    );
}

/// A fetcher for charts whose dependencies are all local: any fetch is a test failure.
#[derive(Debug)]
struct NoRemote;

impl ChartFetcher for NoRemote {
    fn fetch(
        &self,
        repository: &str,
        _: &str,
        _: &str,
    ) -> Result<FetchedChart, Box<dyn std::error::Error + Send + Sync>> {
        Err(format!("unexpected fetch from {repository}").into())
    }
}

#[test]
fn file_dependencies_are_read_beside_the_chart_inside_the_tree() {
    let d = repo();
    let repo = d.path().join("repo");
    write(
        &repo,
        &[
            (
                "charts/app/Chart.yaml",
                "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: web\n  version: ^1.0.0\n  repository: file://../web\n",
            ),
            ("charts/app/values.yaml", "web:\n  x: from-app\n"),
            (
                "charts/out/Chart.yaml",
                "apiVersion: v2\nname: out\nversion: 1.0.0\ndependencies:\n- name: web\n  version: ^1.0.0\n  repository: file://../../../web\n",
            ),
        ],
    );
    let fs = DirFs::new(&repo);
    let opts = RenderOptions {
        charts: Some(Arc::new(NoRemote)),
        ..RenderOptions::default()
    };
    assert_eq!(
        names(&fs, "charts/app", &opts).unwrap(),
        ["ConfigMap:web-from-app"]
    );
    let err = names(&fs, "charts/out", &opts).unwrap_err();
    assert!(matches!(err, HelmError::Dependency { .. }), "{err:?}");
    assert!(
        err.to_string()
            .ends_with("../../../web: charts/out/../../../web: path leaves the repository"),
        "{err}"
    );
}

//! Throwaway Git repositories made with the `git` CLI, and the repositories several suites
//! share. Std and `tempfile` only: the tests of driftless-runtime and driftless-source include
//! this file (`#[path]`, as the latter include `http_git.rs`), since they cannot depend on this
//! crate.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A throwaway Git repository (directory `repo` of a temporary root, so the root can be served
/// over HTTP).
pub struct GitRepo {
    root: tempfile::TempDir,
    dir: PathBuf,
}

impl GitRepo {
    /// The repository's name under its root.
    pub const NAME: &'static str = "repo";

    /// An empty repository on branch `main`.
    pub fn new() -> GitRepo {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join(Self::NAME);
        std::fs::create_dir(&dir).expect("mkdir");
        let repo = GitRepo { root, dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The temporary root holding the repository as [`GitRepo::NAME`].
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Writes a file (creating directories).
    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let p = self.dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
        self
    }

    /// Removes a file.
    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.dir.join(rel)).expect("remove");
        self
    }

    /// Commits everything; returns the commit id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.head()
    }

    /// The commit `HEAD` names.
    pub fn head(&self) -> String {
        let out = self.git(&["rev-parse", "HEAD"]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Runs git in the repository (see [`git_in`]).
    pub fn git(&self, args: &[&str]) -> Output {
        git_in(&self.dir, args)
    }
}

impl Default for GitRepo {
    fn default() -> Self {
        GitRepo::new()
    }
}

/// Runs `git` in `dir` with a fixed identity and no user or system configuration; panics with
/// its stderr on failure.
pub fn git_in(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A repository with chart `web` in `chart/`, committed: one ConfigMap named `configmap` whose
/// `data.color` is `.Values.color` (`blue` in the chart's values).
pub fn color_chart_repo(configmap: &str) -> GitRepo {
    let charts = GitRepo::new();
    charts
        .write("chart/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n")
        .write("chart/values.yaml", "color: blue\n")
        .write(
            "chart/templates/cm.yaml",
            &format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {configmap}\ndata:\n  color: {{{{ .Values.color | quote }}}}\n"
            ),
        );
    charts.commit("chart");
    charts
}

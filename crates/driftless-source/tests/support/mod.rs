//! Test harness: Git repositories made with the `git` CLI, served on loopback
//! by `git http-backend` (the end-to-end harness's server, included from
//! `tests/src/http_git.rs`) and by `git daemon`; git runs as the harness runs it
//! (`tests/src/git_repo.rs`).
#![allow(dead_code)]

#[path = "../../../../tests/src/git_repo.rs"]
mod git_repo;
#[path = "../../../../tests/src/http_git.rs"]
mod http_git;
#[allow(unused_imports)] // not every test binary serves over HTTP
pub use http_git::HttpGit;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `git` in `dir` with a clean, deterministic environment; its trimmed stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_repo::git_in(dir, args);
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A work-tree repository under a served root.
pub struct TestRepo {
    pub root: tempfile::TempDir,
    pub name: String,
}

impl TestRepo {
    /// A repository `app` with branch `main`.
    pub fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let name = "app".to_string();
        let dir = root.path().join(&name);
        std::fs::create_dir(&dir).unwrap();
        git(&dir, &["init", "-q", "-b", "main"]);
        TestRepo { root, name }
    }

    pub fn dir(&self) -> PathBuf {
        self.root.path().join(&self.name)
    }

    /// Writes files (path, content), commits them, returns the commit id.
    pub fn commit(&self, files: &[(&str, &str)], message: &str) -> String {
        for (p, c) in files {
            let f = self.dir().join(p);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, c).unwrap();
        }
        git(&self.dir(), &["add", "-A"]);
        git(
            &self.dir(),
            &["commit", "-q", "--allow-empty", "-m", message],
        );
        self.head()
    }

    pub fn head(&self) -> String {
        git(&self.dir(), &["rev-parse", "HEAD"])
    }

    pub fn git(&self, args: &[&str]) -> String {
        git(&self.dir(), args)
    }

    pub fn file_url(&self) -> String {
        format!("file://{}", self.dir().display())
    }
}

/// `git daemon` serving `root` on a free loopback port; killed on drop.
pub struct GitDaemon {
    pub port: u16,
    child: Child,
}

impl GitDaemon {
    pub fn start(root: &Path) -> Self {
        let port = free_port();
        // Run git-daemon itself: `git daemon` would leave it orphaned on kill.
        let exec = Command::new("git").arg("--exec-path").output().unwrap();
        let program =
            PathBuf::from(String::from_utf8_lossy(&exec.stdout).trim()).join("git-daemon");
        let child = Command::new(program)
            .args([
                "--reuseaddr",
                "--export-all",
                "--listen=127.0.0.1",
                &format!("--port={port}"),
                &format!("--base-path={}", root.display()),
                &root.display().to_string(),
            ])
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("git daemon starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "git daemon did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        GitDaemon { port, child }
    }

    pub fn url(&self, repo: &str) -> String {
        format!("git://127.0.0.1:{}/{repo}", self.port)
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Number of pack files in a bare repository.
pub fn pack_count(repo: &Path) -> usize {
    std::fs::read_dir(repo.join("objects/pack"))
        .map(|d| {
            d.filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "pack"))
            })
            .count()
        })
        .unwrap_or(0)
}

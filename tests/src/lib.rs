//! Test support for Driftless' end-to-end tests: a simulated cluster with a kubeconfig on disk
//! that the real `kubectl` reads, and throwaway Git repositories.

use driftless_sim::{Cluster as Sim, ClusterConfig, ClusterHandle};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A running simulated cluster, a kubeconfig file for it and a client.
pub struct Env {
    /// The simulator.
    pub sim: ClusterHandle,
    /// Applier-side view of the cluster.
    pub cluster: driftless_apply::Cluster,
    /// Path of the kubeconfig file.
    pub kubeconfig: PathBuf,
    dir: tempfile::TempDir,
}

impl Env {
    /// Starts a simulator with its workload controllers.
    pub async fn start() -> Env {
        Env::start_with(ClusterConfig::default()).await
    }

    /// Starts a simulator with `config`.
    pub async fn start_with(config: ClusterConfig) -> Env {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let sim = Sim::start(config).await.expect("simulator starts");
        let dir = tempfile::tempdir().expect("temp dir");
        let kubeconfig = dir.path().join("kubeconfig");
        sim.write_kubeconfig(&kubeconfig)
            .expect("kubeconfig written");
        let kc = kube::config::Kubeconfig::from_yaml(sim.kubeconfig()).expect("kubeconfig parses");
        let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
            .await
            .expect("kubeconfig loads");
        let client = kube::Client::try_from(config).expect("client");
        Env {
            sim,
            cluster: driftless_apply::Cluster::new(client, "driftless"),
            kubeconfig,
            dir,
        }
    }

    /// Runs the real `kubectl` against the simulator.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .output()
            .expect("kubectl runs")
    }

    /// Runs `kubectl ... -o json` and parses stdout; panics with stderr on failure.
    pub fn kubectl_json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        let out = self.kubectl(&all);
        assert!(
            out.status.success(),
            "kubectl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("kubectl prints JSON")
    }

    /// A scratch directory that lives as long as the environment.
    pub fn scratch(&self) -> &Path {
        self.dir.path()
    }
}

/// A throwaway Git repository made with the `git` CLI.
pub struct GitRepo {
    dir: tempfile::TempDir,
}

impl GitRepo {
    /// An empty repository on branch `main`.
    pub fn new() -> GitRepo {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = GitRepo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating directories).
    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
        self
    }

    /// Removes a file.
    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.dir.path().join(rel)).expect("remove");
        self
    }

    /// Commits everything; returns the commit id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        let out = self.git(&["rev-parse", "HEAD"]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Runs git in the repository with a fixed identity.
    pub fn git(&self, args: &[&str]) -> Output {
        let out = Command::new("git")
            .args(args)
            .current_dir(self.dir.path())
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
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}

impl Default for GitRepo {
    fn default() -> Self {
        GitRepo::new()
    }
}

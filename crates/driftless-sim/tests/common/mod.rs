//! Test harness: a simulated cluster on its own runtime, and the real kubectl.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use driftless_sim::{Cluster, ClusterConfig, ClusterHandle};

/// A running cluster plus a temp dir with its kubeconfig.
pub struct Sim {
    pub cluster: ClusterHandle,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
    pub rt: tokio::runtime::Runtime,
    /// The kubectl binary used by [`Sim::run`].
    pub kubectl: String,
}

/// Output of a kubectl run.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The kubectl binaries under test: `DRIFTLESS_KUBECTL` alone when set; else the
/// machine's /usr/bin/kubectl (1.32) and the 1.35 that `shared/tools/install-helm.sh`
/// installs into `<repo>/.tools` (installed here when missing).
pub fn kubectls() -> Vec<String> {
    if let Ok(k) = std::env::var("DRIFTLESS_KUBECTL") {
        return vec![k];
    }
    vec!["/usr/bin/kubectl".to_string(), tool("kubectl")]
}

/// A binary from `<repo>/.tools` (helm 4, kubectl 1.35), installed with
/// `shared/tools/install-helm.sh` when missing.
pub fn tool(name: &str) -> String {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let tools = repo.join(".tools");
    let shared = std::env::var("DRIFTLESS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo.join("../shared"));
    let bin = tools.join(name);
    if !bin.exists() {
        let script = shared.join("tools/install-helm.sh");
        let ok = Command::new(&script)
            .arg(&tools)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "cannot install {name} with {}", script.display());
    }
    bin.display().to_string()
}

/// Runs `case` against a fresh cluster once per kubectl version.
pub fn each_kubectl(case: impl Fn(&Sim)) {
    for k in kubectls() {
        let mut sim = Sim::start();
        sim.kubectl = k;
        case(&sim);
    }
}

impl Sim {
    pub fn start() -> Self {
        Self::start_with(ClusterConfig::default())
    }

    pub fn start_with(config: ClusterConfig) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let cluster = rt.block_on(Cluster::start(config)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        cluster.write_kubeconfig(&kubeconfig).unwrap();
        Self {
            cluster,
            dir,
            kubeconfig,
            rt,
            kubectl: "/usr/bin/kubectl".to_string(),
        }
    }

    /// Writes a file into the temp dir and returns its path.
    pub fn file(&self, name: &str, text: &str) -> String {
        let p = self.dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    pub fn run(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Out {
        let mut cmd = Command::new(&self.kubectl);
        cmd.args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HOME", self.dir.path())
            .env_remove("KUBECTL_EXTERNAL_DIFF")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("kubectl runs");
        {
            let mut sin = child.stdin.take().unwrap();
            if let Some(s) = stdin {
                sin.write_all(s.as_bytes()).unwrap();
            }
        }
        let out = child.wait_with_output().unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs kubectl; asserts success and an empty stderr (no warning a real cluster would not print).
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_in(args, None)
    }

    pub fn ok_in(&self, args: &[&str], stdin: Option<&str>) -> String {
        let o = self.run(args, stdin, &[]);
        assert_eq!(
            o.code, 0,
            "kubectl {args:?} failed: {}\n{}",
            o.stderr, o.stdout
        );
        assert!(
            o.stderr.trim().is_empty(),
            "kubectl {args:?} printed to stderr: {}",
            o.stderr
        );
        o.stdout
    }

    /// Polls `f` until it returns true (up to `secs`).
    pub fn eventually(&self, secs: u64, mut f: impl FnMut() -> bool) -> bool {
        let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        while std::time::Instant::now() < end {
            if f() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        false
    }
}

pub const APP: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: demo
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: demo
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: c
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  namespace: demo
  labels: {tier: config}
data:
  a: "1"
"#;

/// A cluster without the workload controllers, and a `kube::Client` for it.
pub async fn plain_cluster() -> (ClusterHandle, kube::Client) {
    let cluster = Cluster::start(ClusterConfig {
        controllers: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let kc = kube::config::Kubeconfig::from_yaml(cluster.kubeconfig()).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(cfg).unwrap();
    (cluster, client)
}

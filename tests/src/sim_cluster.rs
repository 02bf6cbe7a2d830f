//! A simulated cluster on a runtime of its own thread, with a kubeconfig file on disk that the
//! real `kubectl` (and the `driftless` binary) read.

use driftless_sim::{Cluster as Sim, ClusterConfig, ClusterHandle};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// A running simulator with a kubeconfig file for it; stopped when dropped.
///
/// The simulator runs on a runtime of its own thread, so tests may block (run `kubectl` or the
/// `driftless` binary) freely, from a runtime of their own or from none.
pub struct SimCluster {
    thread: SimThread,
    kubeconfig: PathBuf,
    dir: tempfile::TempDir,
}

impl SimCluster {
    /// Starts a simulator with `config` and writes its kubeconfig file.
    pub fn start(config: ClusterConfig) -> SimCluster {
        let thread = SimThread::start(config);
        let dir = tempfile::tempdir().expect("temp dir");
        let kubeconfig = dir.path().join("kubeconfig");
        thread
            .handle
            .write_kubeconfig(&kubeconfig)
            .expect("kubeconfig written");
        SimCluster {
            thread,
            kubeconfig,
            dir,
        }
    }

    /// The simulator handle.
    pub fn handle(&self) -> &ClusterHandle {
        &self.thread.handle
    }

    /// Path of the kubeconfig file.
    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// A scratch directory that lives as long as the simulator.
    pub fn scratch(&self) -> &Path {
        self.dir.path()
    }

    /// Runs the real `kubectl` (the one on `PATH`) against the simulator.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        self.kubectl_with_input(args, None)
    }

    /// Runs `kubectl` with `input` on its standard input (e.g. `apply -f -`).
    pub fn kubectl_with_input(&self, args: &[&str], input: Option<&str>) -> Output {
        self.kubectl_at(Path::new("kubectl"), args, input)
    }

    /// Runs the kubectl binary `program` against the simulator, with `input` on its standard
    /// input when given.
    pub fn kubectl_at(&self, program: &Path, args: &[&str], input: Option<&str>) -> Output {
        let mut child = Command::new(program)
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kubectl runs");
        if let Some(text) = input {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(text.as_bytes())
                .expect("kubectl stdin");
        }
        child.wait_with_output().expect("kubectl finishes")
    }

    /// `kubectl apply -f -` of `yaml` (as another client would); panics on failure.
    pub fn kubectl_apply(&self, yaml: &str) {
        let out = self.kubectl_with_input(&["apply", "-f", "-"], Some(yaml));
        assert!(
            out.status.success(),
            "kubectl apply failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `kubectl patch ARGS --type merge -p PATCH` (`args`: the object and any other flags, e.g.
    /// `["application", "shop", "-n", "argocd"]`); panics on failure.
    pub fn kubectl_merge_patch(&self, args: &[&str], patch: &str) {
        let mut all = vec!["patch"];
        all.extend_from_slice(args);
        all.extend(["--type", "merge", "-p", patch]);
        let out = self.kubectl(&all);
        assert!(
            out.status.success(),
            "kubectl patch {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Creates a namespace with `kubectl apply`.
    pub fn namespace(&self, name: &str) {
        self.kubectl_apply(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}}}\n"
        ));
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

    /// As [`SimCluster::kubectl_json`], retrying failures (for simulators injecting API faults).
    pub fn kubectl_json_retrying(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        let mut last = String::new();
        for _ in 0..20 {
            let out = self.kubectl(&all);
            if out.status.success() {
                return serde_json::from_slice(&out.stdout).expect("kubectl prints JSON");
            }
            last = String::from_utf8_lossy(&out.stderr).into_owned();
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("kubectl {args:?} kept failing: {last}");
    }

    /// True when `kubectl get <what>` finds the object.
    pub fn exists(&self, args: &[&str]) -> bool {
        let mut all = vec!["get"];
        all.extend_from_slice(args);
        let out = self.kubectl(&all);
        if out.status.success() {
            return true;
        }
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("NotFound"), "kubectl get {args:?}: {err}");
        false
    }
}

/// The simulator on its own thread and runtime; stopped when dropped.
struct SimThread {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    handle: Arc<ClusterHandle>,
}

impl SimThread {
    fn start(config: ClusterConfig) -> SimThread {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("simulator runtime");
            rt.block_on(async move {
                let handle = Arc::new(Sim::start(config).await.expect("simulator starts"));
                ready_tx.send(handle.clone()).expect("test waits");
                let _ = stop_rx.await;
                drop(handle);
            });
        });
        let handle = ready_rx.recv().expect("simulator started");
        SimThread {
            stop: Some(stop_tx),
            thread: Some(thread),
            handle,
        }
    }
}

impl Drop for SimThread {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // The runtime shuts down on its own thread; do not wait for it here (this may run
        // inside the test's runtime).
        drop(self.thread.take());
    }
}

//! The install manifests and Argo CD's Applications applied with the real kubectl to the
//! simulated cluster: no warning, and `kubectl get applications` shows Argo CD's columns.

mod common;

use std::process::{Command, Stdio};

use driftless_sim::{Cluster, ClusterConfig, ClusterHandle};

struct Sim {
    _cluster: ClusterHandle,
    dir: tempfile::TempDir,
    _rt: tokio::runtime::Runtime,
    kubectl: String,
}

/// `DRIFTLESS_KUBECTL` alone when set; else the machine's kubectl (1.32) and, when
/// `scripts/setup-test-tools.sh` has installed it, the 1.35 in `<repo>/.tools`.
fn kubectls() -> Vec<String> {
    if let Ok(k) = std::env::var("DRIFTLESS_KUBECTL") {
        return vec![k];
    }
    let mut out = vec!["/usr/bin/kubectl".to_string()];
    let newer = common::repo_root().join(".tools/kubectl");
    if newer.exists() {
        out.push(newer.display().to_string());
    }
    out
}

impl Sim {
    fn start(kubectl: &str) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let cluster = rt
            .block_on(Cluster::start(ClusterConfig::default()))
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        cluster
            .write_kubeconfig(&dir.path().join("kubeconfig"))
            .unwrap();
        Sim {
            _cluster: cluster,
            dir,
            _rt: rt,
            kubectl: kubectl.to_string(),
        }
    }

    /// Runs kubectl with `stdin`; asserts success and nothing on stderr (no warning).
    fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let mut child = Command::new(&self.kubectl)
            .args(args)
            .env("KUBECONFIG", self.dir.path().join("kubeconfig"))
            .env("HOME", self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kubectl runs");
        {
            use std::io::Write;
            let mut input = child.stdin.take().unwrap();
            if let Some(s) = stdin {
                input.write_all(s.as_bytes()).unwrap();
            }
        }
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            out.status.success(),
            "kubectl {args:?} failed: {stderr}\n{stdout}"
        );
        assert!(
            stderr.trim().is_empty(),
            "kubectl {args:?} warned: {stderr}"
        );
        stdout
    }
}

fn yaml(v: &serde_json::Value) -> String {
    serde_yaml_ng::to_string(v).unwrap()
}

#[test]
fn install_then_argo_cd_applications_apply_without_warnings() {
    for kubectl in kubectls() {
        install_and_apply(&Sim::start(&kubectl));
    }
}

fn install_and_apply(sim: &Sim) {
    let install = driftless_api::install_manifests("argocd").unwrap();
    // A server-side dry run needs the namespace (as on a real server); the install creates it.
    let namespace = install.split("\n---\n").next().unwrap();
    assert!(namespace.contains("kind: Namespace"), "{namespace}");
    sim.ok(&["apply", "-f", "-"], Some(namespace));
    let dry = sim.ok(&["apply", "--dry-run=server", "-f", "-"], Some(&install));
    assert!(
        dry.contains("deployment.apps/driftless-controller created (server dry run)"),
        "{dry}"
    );
    let out = sim.ok(&["apply", "-f", "-"], Some(&install));
    assert!(
        out.contains(
            "customresourcedefinition.apiextensions.k8s.io/applications.argoproj.io created"
        ),
        "{out}"
    );
    let again = sim.ok(&["apply", "-f", "-"], Some(&install));
    assert!(
        again.contains("service/driftless-controller unchanged"),
        "{again}"
    );
    sim.ok(&["apply", "--server-side", "-f", "-"], Some(&install));

    // Every Argo CD Application and ApplicationSet fixture, as a user would apply it.
    for kind in ["Application", "ApplicationSet"] {
        for (name, mut value) in common::fixtures(kind) {
            if name.ends_with("full-status.yaml") {
                // Made-up spec fields would (rightly) be refused by strict field validation.
                let spec = value["spec"].as_object_mut().unwrap();
                spec.remove("x-future-spec-field");
                spec["source"]["helm"]
                    .as_object_mut()
                    .unwrap()
                    .remove("x-future-helm-option");
            }
            let meta = value["metadata"].as_object_mut().unwrap();
            for generated in ["uid", "resourceVersion", "creationTimestamp", "generation"] {
                meta.remove(generated);
            }
            meta.insert("namespace".into(), "argocd".into());
            let stem = name.rsplit('/').next().unwrap().trim_end_matches(".yaml");
            meta.insert("name".into(), stem.to_lowercase().into());
            sim.ok(&["apply", "-f", "-"], Some(&yaml(&value)));
        }
    }
    sim.ok(
        &["apply", "-f", "-"],
        Some(&yaml(
            &serde_json::to_value(driftless_api::AppProject::default_project("argocd")).unwrap(),
        )),
    );

    // The status subresource: what a controller writes, and the columns kubectl shows.
    sim.ok(
        &[
            "patch", "application", "app-controller-fake-app", "-n", "argocd", "--subresource=status",
            "--type=merge", "-p",
            r#"{"status":{"sync":{"status":"Synced","revision":"aaaaaaa"},"health":{"status":"Healthy"}}}"#,
        ],
        None,
    );
    let table = sim.ok(&["get", "applications", "-n", "argocd"], None);
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    // As for Argo CD: the CRD's columns replace the default ones, so there is no AGE.
    assert_eq!(
        header,
        ["NAME", "SYNC", "STATUS", "HEALTH", "STATUS"],
        "{table}"
    );
    let row = table
        .lines()
        .find(|l| l.starts_with("app-controller-fake-app "))
        .unwrap_or_else(|| panic!("{table}"));
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cols[1..3], ["Synced", "Healthy"], "{table}");
    let wide = sim.ok(
        &[
            "get",
            "app",
            "app-controller-fake-app",
            "-n",
            "argocd",
            "-o",
            "wide",
        ],
        None,
    );
    assert!(wide.lines().next().unwrap().contains("REVISION"), "{wide}");
    assert!(
        wide.contains("aaaaaaa") && wide.contains("default"),
        "{wide}"
    );
    let sets = sim.ok(&["get", "appset", "-n", "argocd", "-o", "name"], None);
    assert_eq!(sets.lines().count(), 5, "{sets}");
    let projects = sim.ok(&["get", "appproj", "-n", "argocd", "-o", "name"], None);
    assert_eq!(projects.trim(), "appproject.argoproj.io/default");

    // What the server stored reads back into the types unchanged.
    let json = sim.ok(
        &[
            "get",
            "application",
            "app-live-child-application",
            "-n",
            "argocd",
            "-o",
            "json",
        ],
        None,
    );
    let stored: serde_json::Value = serde_json::from_str(&json).unwrap();
    let app: driftless_api::Application = serde_json::from_value(stored.clone()).unwrap();
    assert_eq!(serde_json::to_value(&app).unwrap(), stored);
    assert_eq!(app.spec.revision_history_limit, Some(1));
}

//! `driftless plan|diff|sync` end to end: the real binary against a simulated cluster (and, for
//! `diff --against-revision`, against no cluster at all).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SECRET_VALUE: &str = "hunter2-do-not-print";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_driftless"));
    c.env_remove("KUBECONFIG").env("DRIFTLESS_LOG", "warn");
    c
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn app_repo(password: &str, color: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write_app(dir.path(), password, color);
    dir
}

fn write_app(dir: &Path, password: &str, color: &str) {
    std::fs::create_dir_all(dir.join("app")).unwrap();
    std::fs::write(
        dir.join("app/config.yaml"),
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings}}\ndata: {{color: {color}}}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("app/secret.yaml"),
        format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: db}}\nstringData: {{password: {password}}}\n"),
    )
    .unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "app"]);
}

/// A simulator on its own thread, with a kubeconfig file.
struct Sim {
    _stop: std::sync::mpsc::Sender<()>,
    kubeconfig: PathBuf,
    _dir: tempfile::TempDir,
}

impl Sim {
    fn start() -> Sim {
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let path = kubeconfig.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async move {
                let h = driftless_sim::Cluster::start(Default::default())
                    .await
                    .unwrap();
                h.write_kubeconfig(&path).unwrap();
                ready_tx.send(()).unwrap();
                let _ = tokio::task::spawn_blocking(move || stop_rx.recv()).await;
                h.shutdown().await;
            });
        });
        ready_rx.recv().unwrap();
        Sim {
            _stop: stop_tx,
            kubeconfig,
            _dir: dir,
        }
    }

    fn driftless(&self, args: &[&str]) -> Output {
        bin()
            .args(args)
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .output()
            .unwrap()
    }

    fn kubectl(&self, args: &[&str]) -> Output {
        Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .output()
            .unwrap()
    }
}

#[test]
fn sync_sim_of_the_guestbook_prints_the_final_state() {
    let out = bin()
        .current_dir(repo_root())
        .args(["sync", "--sim", "-f", "examples/guestbook/application.yaml"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("Final state of the simulated cluster (namespace guestbook):"));
    for name in ["frontend", "redis-leader", "redis-follower"] {
        let row = stdout
            .lines()
            .rev()
            .find(|l| l.starts_with("Deployment") && l.split_whitespace().nth(2) == Some(name))
            .unwrap_or_else(|| panic!("{name} row in\n{stdout}"));
        assert!(row.contains("Healthy"), "{row}");
    }
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("ConfigMap") && l.contains("guestbook-config"))
    );
    // Progress went to stderr, wave by wave.
    assert!(stderr.contains("Sync wave -1: healthy"), "{stderr}");
    assert!(stderr.contains("Sync wave 0: healthy"), "{stderr}");
}

#[test]
fn diff_exit_codes_follow_the_cluster_and_secrets_are_never_printed() {
    let sim = Sim::start();
    let repo = app_repo(SECRET_VALUE, "blue");
    let r = repo.path().to_str().unwrap();
    let common = ["--repo", r, "--path", "app", "--dest-namespace", "default"];
    let run = |cmd: &str, extra: &[&str]| {
        let mut args = vec![cmd];
        args.extend_from_slice(&common);
        args.extend_from_slice(extra);
        sim.driftless(&args)
    };

    let out = run("diff", &["--color", "never"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("0 synced, 0 out of sync, 2 missing"),
        "{stdout}"
    );
    assert!(!stdout.contains(SECRET_VALUE) && !stderr.contains(SECRET_VALUE));

    let out = run("sync", &[]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(!stdout.contains(SECRET_VALUE) && !stderr.contains(SECRET_VALUE));
    let json = run("sync", &["-o", "json"]);
    assert!(!String::from_utf8_lossy(&json.stdout).contains(SECRET_VALUE));
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).expect("sync -o json");
    assert_eq!(
        parsed["objects"].as_array().map(Vec::len),
        Some(2),
        "{parsed}"
    );
    assert!(parsed["error"].is_null(), "{parsed}");

    let out = run("diff", &[]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));

    // Drift made by hand: out of sync again, and the diff shows it.
    let patched = sim.kubectl(&[
        "patch",
        "configmap/settings",
        "--type=merge",
        "-p",
        "{\"data\":{\"color\":\"red\"}}",
    ]);
    assert!(patched.status.success());
    let secret_drift = sim.kubectl(&[
        "patch",
        "secret/db",
        "--type=merge",
        "-p",
        "{\"stringData\":{\"password\":\"another-secret-value\"}}",
    ]);
    assert!(secret_drift.status.success());
    let out = run("diff", &["--color", "never"]);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("-  color: red") && stdout.contains("+  color: blue"),
        "{stdout}"
    );
    assert!(stdout.contains("Secret:default/db"), "{stdout}");
    for leaked in [
        SECRET_VALUE,
        "another-secret-value",
        "aHVudGVy",
        "YW5vdGhlci",
    ] {
        assert!(!stdout.contains(leaked), "{leaked} leaked:\n{stdout}");
    }
    let json = run("diff", &["-o", "json"]);
    let js = String::from_utf8_lossy(&json.stdout);
    assert_eq!(json.status.code(), Some(1));
    assert!(!js.contains(SECRET_VALUE) && !js.contains("another-secret-value"));

    // An error is exit 2.
    let out = sim.driftless(&["diff", "--repo", "/nonexistent/repo", "--path", "app"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn diff_between_revisions_needs_no_cluster() {
    let repo = app_repo(SECRET_VALUE, "blue");
    let first = git(repo.path(), &["rev-parse", "HEAD"]);
    write_app(repo.path(), "second-secret-value", "green");
    let r = repo.path().to_str().unwrap();
    let out = bin()
        .env("KUBECONFIG", "/nonexistent/kubeconfig")
        .args([
            "diff",
            "--repo",
            r,
            "--path",
            "app",
            "--against-revision",
            &first,
            "--color",
            "never",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("-  color: blue") && stdout.contains("+  color: green"),
        "{stdout}"
    );
    assert!(stdout.contains("Secret:default/db (OutOfSync)"), "{stdout}");
    assert!(!stdout.contains(SECRET_VALUE) && !stdout.contains("second-secret-value"));
    let same = bin()
        .env("KUBECONFIG", "/nonexistent/kubeconfig")
        .args([
            "diff",
            "--repo",
            r,
            "--path",
            "app",
            "--revision",
            &first,
            "--against-revision",
            &first,
        ])
        .output()
        .unwrap();
    assert_eq!(same.status.code(), Some(0), "{:?}", text(&same));
}

#[test]
fn sync_dry_run_writes_nothing_and_plan_works_offline() {
    let sim = Sim::start();
    let repo = app_repo(SECRET_VALUE, "blue");
    let r = repo.path().to_str().unwrap();
    let out = sim.driftless(&["sync", "--repo", r, "--path", "app", "--dry-run"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("validated"), "{stdout}");
    assert!(stdout.contains("nothing written"), "{stdout}");
    let got = sim.kubectl(&["get", "configmap/settings"]);
    assert!(!got.status.success());

    let plan = bin()
        .args(["plan", "--offline", "--repo", r, "--path", "app"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&plan);
    assert_eq!(plan.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("ConfigMap") && stdout.contains("Secret"),
        "{stdout}"
    );
    assert!(!stdout.contains(SECRET_VALUE));
}

#[test]
fn a_failed_sync_exits_1_and_names_the_object() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(dir.path().join("app")).unwrap();
    std::fs::write(
        dir.path().join("app/api.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  progressDeadlineSeconds: 1\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: main, image: example/api-crashloop:1}]\n",
    )
    .unwrap();
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "app"]);
    let out = bin()
        .args([
            "sync",
            "--sim",
            "--repo",
            dir.path().to_str().unwrap(),
            "--path",
            "app",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("error: sync failed: apps/Deployment:default/api is Degraded"),
        "{stderr}"
    );
    let row = stdout
        .lines()
        .find(|l| l.contains("Deployment") && l.contains(" api "))
        .unwrap_or_else(|| panic!("api row in\n{stdout}"));
    assert!(
        row.contains("Degraded") && row.contains("CrashLoopBackOff"),
        "{row}"
    );
}

//! `driftless plan|diff|sync` end to end: the real binary against a simulated cluster (and, for
//! `diff --against-revision`, against no cluster at all).

use driftless_e2e::tools::repo_root;
use driftless_e2e::{GitRepo, SimCluster};
use driftless_sim::ClusterConfig;
use std::process::{Command, Output};

const SECRET_VALUE: &str = "hunter2-do-not-print";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_driftless"));
    c.env_remove("KUBECONFIG").env("DRIFTLESS_LOG", "warn");
    c
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn app_repo(password: &str, color: &str) -> GitRepo {
    let repo = GitRepo::new();
    write_app(&repo, password, color);
    repo
}

fn write_app(repo: &GitRepo, password: &str, color: &str) {
    repo.write(
        "app/config.yaml",
        &format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings}}\ndata: {{color: {color}}}\n"),
    )
    .write(
        "app/secret.yaml",
        &format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: db}}\nstringData: {{password: {password}}}\n"),
    )
    .commit("app");
}

/// The binary against the simulator's kubeconfig.
fn driftless(sim: &SimCluster, args: &[&str]) -> Output {
    bin()
        .args(args)
        .arg("--kubeconfig")
        .arg(sim.kubeconfig())
        .output()
        .unwrap()
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
    let sim = SimCluster::start(ClusterConfig::default());
    let repo = app_repo(SECRET_VALUE, "blue");
    let r = repo.path().to_str().unwrap();
    let common = ["--repo", r, "--path", "app", "--dest-namespace", "default"];
    let run = |cmd: &str, extra: &[&str]| {
        let mut args = vec![cmd];
        args.extend_from_slice(&common);
        args.extend_from_slice(extra);
        driftless(&sim, &args)
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
    sim.kubectl_merge_patch(&["configmap/settings"], "{\"data\":{\"color\":\"red\"}}");
    sim.kubectl_merge_patch(
        &["secret/db"],
        "{\"stringData\":{\"password\":\"another-secret-value\"}}",
    );
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
    let out = driftless(
        &sim,
        &["diff", "--repo", "/nonexistent/repo", "--path", "app"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn diff_between_revisions_needs_no_cluster() {
    let repo = app_repo(SECRET_VALUE, "blue");
    let first = repo.head();
    write_app(&repo, "second-secret-value", "green");
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
    let sim = SimCluster::start(ClusterConfig::default());
    let repo = app_repo(SECRET_VALUE, "blue");
    let r = repo.path().to_str().unwrap();
    let out = driftless(&sim, &["sync", "--repo", r, "--path", "app", "--dry-run"]);
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
    let dir = GitRepo::new();
    dir.write(
        "app/api.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  progressDeadlineSeconds: 1\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: main, image: example/api-crashloop:1}]\n",
    )
    .commit("app");
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

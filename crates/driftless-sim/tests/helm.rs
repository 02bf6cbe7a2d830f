//! The real Helm 4 (from `shared/tools/install-helm.sh`) installs, upgrades and
//! uninstalls a chart on the simulated cluster.

mod common;

use std::process::Command;

use common::Sim;

fn helm(sim: &Sim, args: &[&str]) -> String {
    let out = Command::new(common::tool("helm"))
        .args(args)
        .env("KUBECONFIG", &sim.kubeconfig)
        .env("HOME", sim.dir.path())
        .env("HELM_CACHE_HOME", sim.dir.path().join("helm-cache"))
        .env("HELM_CONFIG_HOME", sim.dir.path().join("helm-config"))
        .env("HELM_DATA_HOME", sim.dir.path().join("helm-data"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "helm {args:?} failed: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn helm_install_upgrade_uninstall() {
    let sim = Sim::start();
    let chart = sim.dir.path().join("chart");
    helm(&sim, &["create", &chart.display().to_string()]);
    let chart = chart.display().to_string();
    helm(
        &sim,
        &["install", "demo", &chart, "--wait", "--timeout", "60s"],
    );
    let list = helm(&sim, &["list"]);
    assert!(list.contains("demo") && list.contains("deployed"), "{list}");
    assert_eq!(
        sim.ok(&[
            "get",
            "deploy",
            "demo-chart",
            "-o",
            "jsonpath={.status.readyReplicas}"
        ]),
        "1"
    );
    helm(
        &sim,
        &[
            "upgrade",
            "demo",
            &chart,
            "--set",
            "replicaCount=2",
            "--wait",
            "--timeout",
            "60s",
        ],
    );
    assert_eq!(
        sim.ok(&[
            "get",
            "deploy",
            "demo-chart",
            "-o",
            "jsonpath={.status.readyReplicas}"
        ]),
        "2"
    );
    let secrets = sim.ok(&["get", "secrets", "-l", "owner=helm", "-o", "name"]);
    assert_eq!(
        secrets.lines().count(),
        2,
        "one release secret per revision: {secrets}"
    );
    helm(&sim, &["uninstall", "demo", "--wait"]);
    assert!(sim.eventually(10, || {
        sim.ok(&["get", "deploy", "-o", "name"]).trim().is_empty()
    }));
}

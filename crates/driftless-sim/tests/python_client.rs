//! A second, independent client: the official Python `kubernetes` client creates, patches,
//! watches and deletes objects of several kinds (and sees refusals) against the simulator.
//! The client is installed into `<repo>/.tools/python` by `scripts/setup-test-tools.sh` (or
//! here, when missing).

mod common;

use std::path::PathBuf;
use std::process::Command;

fn python_path() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.tools/python");
    if !dir.join("kubernetes").is_dir() {
        let ok = Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "--target",
            ])
            .arg(&dir)
            .arg("kubernetes")
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(
            ok,
            "cannot install the Python kubernetes client into {}",
            dir.display()
        );
    }
    dir
}

#[test]
fn python_kubernetes_client_creates_patches_watches_and_deletes() {
    let sim = common::Sim::start();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/client_check.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(&sim.kubeconfig)
        .env("PYTHONPATH", python_path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.trim_end().ends_with("ok"),
        "python client failed:\n{stdout}\n{stderr}"
    );
}

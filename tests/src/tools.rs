//! The repository's reference tools for tests that compare against them: the `helm` and
//! `kubectl` that `shared/tools/install-helm.sh` installs into `<repo>/.tools`. Std only:
//! driftless-helm's tests include this file (`#[path]`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (the workspace's, holding `Cargo.lock`), from the including crate's
/// directory.
pub fn repo_root() -> PathBuf {
    let mut p = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    while !p.join("Cargo.lock").exists() {
        assert!(p.pop(), "workspace root not found");
    }
    p
}

/// The shared material (`DRIFTLESS_SHARED`, else `<repo>/../shared`).
pub fn shared_dir() -> PathBuf {
    std::env::var_os("DRIFTLESS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared"))
}

/// The reference helm in `<repo>/.tools` (installed from the shared tools when missing; once
/// per test process).
pub fn helm() -> PathBuf {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let tools = repo_root().join(".tools");
    let helm = tools.join("helm");
    let works = |h: &Path| {
        Command::new(h)
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !works(&helm) {
        let st = Command::new("bash")
            .arg(shared_dir().join("tools/install-helm.sh"))
            .arg(&tools)
            .status()
            .expect("run install-helm.sh");
        assert!(st.success(), "install-helm.sh failed");
    }
    helm
}

/// kubectl 1.35 from `<repo>/.tools` (installed with helm), else the one on `PATH`.
pub fn newest_kubectl() -> PathBuf {
    let tools = repo_root().join(".tools/kubectl");
    if tools.is_file() {
        tools
    } else {
        PathBuf::from("kubectl")
    }
}

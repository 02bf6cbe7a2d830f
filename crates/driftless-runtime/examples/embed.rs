//! Embedding the engine: start a simulated cluster in this process, read the bundled guestbook
//! Application, diff it against the cluster, sync it, and diff again.
//!
//! ```text
//! cargo run -p driftless-runtime --example embed
//! ```

use driftless_apply::{NoObserver, SyncOptions, SyncSettings};
use driftless_runtime::{
    Application, ClusterConfig, Comparison, Engine, EngineConfig, SyncRequest,
};
use std::path::Path;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    driftless_runtime::install_crypto_provider();
    let sim = driftless_sim::Cluster::start(Default::default()).await?;
    let cache = tempfile::tempdir()?;
    let engine = Engine::new(EngineConfig {
        cache_dir: cache.path().to_path_buf(),
        ..EngineConfig::default()
    })?
    .connect(&ClusterConfig::Yaml(sim.kubeconfig().to_string()))
    .await?;

    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/guestbook/application.yaml");
    let app = Application::from_yaml(&std::fs::read_to_string(&file)?)?;
    let mut target = engine.target(&app)?;
    // The example's repoURL (`../..`) is relative to the file: this repository.
    target.repo = file
        .parent()
        .unwrap_or(Path::new("."))
        .join(&target.repo)
        .display()
        .to_string();

    let (rendered, before) = engine.diff_oneshot(&target, false).await?;
    println!(
        "rendered {} objects at {}",
        rendered.manifests.len(),
        &rendered.commit[..12]
    );
    print_diff("before sync", &before);

    let settings = SyncSettings {
        app: target.app.clone(),
        options: SyncOptions::parse(&target.sync_options)?,
        namespace: Some(target.namespace.clone()),
        wait: false,
        ..SyncSettings::default()
    };
    let req = SyncRequest {
        prune: target.prune,
        ..SyncRequest::default()
    };
    let outcome = engine
        .sync_oneshot(&target, &req, &settings, &NoObserver)
        .await?;
    for o in &outcome.result.objects {
        println!("{:?} {}", o.action, o.key);
    }

    let (_, after) = engine.diff_oneshot(&target, false).await?;
    print_diff("after sync", &after);
    println!("API requests by verb: {:?}", sim.requests().by_verb());
    Ok(())
}

fn print_diff(when: &str, cmp: &Comparison) {
    let drifted: Vec<_> = cmp
        .objects
        .iter()
        .filter(|o| o.status != driftless_core::SyncStatus::Synced)
        .collect();
    println!(
        "--- {when}: {} of {} objects out of sync",
        drifted.len(),
        cmp.objects.len()
    );
    for d in drifted {
        print!("{}", d.unified(false));
    }
}

//! `driftless app diff`: the Application rendered from Git and compared with the cluster by the
//! engine, exactly as the controller compares it (`status.resources` as the inventory).

use super::Conn;
use crate::cmd::output;
use driftless_runtime::{Engine, EngineConfig};
use std::path::PathBuf;

/// Arguments of `driftless app diff`.
#[derive(clap::Args)]
pub struct DiffArgs {
    /// The Application.
    name: String,
    #[command(flatten)]
    conn: Conn,
    /// Compare with this revision instead of the Application's targetRevision.
    #[arg(long)]
    revision: Option<String>,
    /// Compare through a server-side dry run of every object.
    #[arg(long)]
    server_side_diff: bool,
    /// Colour the diff: auto (on a terminal), always, never.
    #[arg(long, value_enum, default_value_t = crate::cmd::sync::Color::Auto)]
    color: crate::cmd::sync::Color,
    /// Git cache directory.
    #[arg(long, env = "DRIFTLESS_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
}

/// Runs `driftless app diff`: 0 in sync, 1 out of sync, 2 on error.
pub async fn run(args: DiffArgs) -> anyhow::Result<u8> {
    let apps = args.conn.connect().await?;
    let app = apps.get(&args.name).await?;
    let engine = Engine::new(EngineConfig {
        cache_dir: args
            .cache_dir
            .clone()
            .unwrap_or_else(driftless_source::RepoCache::default_dir),
        ..EngineConfig::default()
    })?
    .with_client(apps.client.clone());
    let in_app = |e: driftless_runtime::RuntimeError| {
        anyhow::Error::new(e).context(format!("application '{}'", args.name))
    };
    let t = engine.target(&app).map_err(in_app)?;
    let revision = args.revision.clone().unwrap_or_else(|| t.revision.clone());
    let rendered = engine.render_at(&t, &revision).await.map_err(in_app)?;
    for w in &rendered.warnings {
        eprintln!("warning: {w}");
    }
    let live = engine
        .live(
            &t,
            &rendered,
            &driftless_runtime::inventory::of_application(&app),
        )
        .await
        .map_err(in_app)?;
    let cmp = engine
        .compare(&t, &live, args.server_side_diff)
        .await
        .map_err(in_app)?;
    let color = match args.color {
        crate::cmd::sync::Color::Always => true,
        crate::cmd::sync::Color::Never => false,
        crate::cmd::sync::Color::Auto => std::io::IsTerminal::is_terminal(&std::io::stdout()),
    };
    print!("{}", output::diff_text(&cmp, color));
    Ok(if cmp.in_sync() { 0 } else { 1 })
}

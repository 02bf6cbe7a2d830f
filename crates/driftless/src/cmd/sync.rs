//! `driftless plan`, `diff` and `sync`.

use super::output;
use super::target_args::{ClusterArgs, TargetArgs};
use anyhow::Context;
use driftless_apply::{SyncOptions, SyncSettings};
use driftless_runtime::{Engine, Rendered, SyncRequest, Target, pipeline};
use std::time::Duration;

/// Arguments of `driftless plan`.
#[derive(clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[command(flatten)]
    cluster: ClusterArgs,
    /// Plan against an empty cluster, without connecting to one.
    #[cfg_attr(feature = "sim", arg(long, conflicts_with = "sim"))]
    #[cfg_attr(not(feature = "sim"), arg(long))]
    offline: bool,
    /// Include prunes of tracked objects that left Git.
    #[arg(long)]
    prune: bool,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    output: Format,
}

/// Arguments of `driftless diff`.
#[derive(clap::Args)]
pub struct DiffArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[command(flatten)]
    cluster: ClusterArgs,
    /// Compare with this revision instead of the cluster (no cluster needed): shows what
    /// changes from it to --revision.
    #[cfg_attr(feature = "sim", arg(long, value_name = "REV", conflicts_with = "sim"))]
    #[cfg_attr(not(feature = "sim"), arg(long, value_name = "REV"))]
    against_revision: Option<String>,
    /// Compare every object through a server-side dry run (Argo CD's `ServerSideDiff=true`)
    /// instead of locally from the watch cache.
    #[arg(long)]
    server_side_diff: bool,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    output: Format,
    /// Colour the diff: auto (on a terminal), always, never.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

/// Arguments of `driftless sync`.
#[derive(clap::Args)]
pub struct SyncArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[command(flatten)]
    cluster: ClusterArgs,
    /// Delete tracked objects that left Git.
    #[arg(long)]
    prune: bool,
    /// Validate everything with a server-side dry run; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Sync option `Key=Value` (repeatable), as Argo CD's syncOptions.
    #[arg(long = "sync-option", value_name = "K=V")]
    sync_options: Vec<String>,
    /// Deadline for the whole sync, in seconds.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
    /// Deadline for one wave, in seconds.
    #[arg(long, default_value_t = 300)]
    wave_timeout: u64,
    /// Write every object, also those already in sync (by default only what differs is written).
    #[arg(long)]
    force_apply: bool,
    /// Compare through a server-side dry run of every object, not locally.
    #[arg(long)]
    server_side_diff: bool,
    /// Do not wait for health after applying.
    #[arg(long)]
    no_wait: bool,
    /// Output format of the final summary.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    output: Format,
}

/// Output formats.
#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// JSON.
    Json,
}

/// When to colour.
#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Color {
    /// On a terminal.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

async fn render(
    engine: &Engine,
    t: &Target,
    revision: &str,
) -> anyhow::Result<std::sync::Arc<Rendered>> {
    let rendered = engine
        .render_at(t, revision)
        .await
        .with_context(|| format!("cannot render {} at {revision}", t.path))?;
    for w in &rendered.warnings {
        eprintln!("warning: {w}");
    }
    Ok(rendered)
}

/// Runs `driftless plan`.
pub async fn plan(args: PlanArgs) -> anyhow::Result<u8> {
    let t = args.target.target()?;
    let plan = if args.offline {
        let rendered = render(&args.target.engine()?, &t, &t.revision).await?;
        let mut desired = rendered.manifests.clone();
        driftless_apply::default_namespaces_offline(&mut desired, &t.namespace);
        let live = pipeline::LiveState {
            desired,
            tracked: Vec::new(),
        };
        pipeline::plan(&t, &rendered, &live, args.prune)?
    } else {
        let c = args.cluster.connect(&args.target).await?;
        let rendered = render(&c.engine, &t, &t.revision).await?;
        let live = c.engine.live_oneshot(&t, &rendered).await?;
        c.engine.plan(&t, &rendered, &live, args.prune || t.prune)?
    };
    match args.output {
        Format::Json => println!("{}", serde_json::to_string_pretty(&plan.to_json())?),
        Format::Text => print!("{plan}"),
    }
    Ok(0)
}

/// Runs `driftless diff`: 0 in sync, 1 out of sync, 2 on error.
pub async fn diff(args: DiffArgs) -> anyhow::Result<u8> {
    let t = args.target.target()?;
    let comparison = match &args.against_revision {
        Some(base) => {
            let engine = args.target.engine()?;
            let new = render(&engine, &t, &t.revision).await?;
            let old = render(&engine, &t, base).await?;
            pipeline::compare_renders(&t, &new, &old)?
        }
        None => {
            let c = args.cluster.connect(&args.target).await?;
            let new = render(&c.engine, &t, &t.revision).await?;
            let live = c.engine.live_oneshot(&t, &new).await?;
            c.engine.compare(&t, &live, args.server_side_diff).await?
        }
    };
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::IsTerminal::is_terminal(&std::io::stdout()),
    };
    match args.output {
        Format::Json => {
            let all: Vec<_> = comparison.objects.iter().map(|d| d.to_json()).collect();
            println!("{}", serde_json::to_string_pretty(&all)?);
        }
        Format::Text => print!("{}", output::diff_text(&comparison, color)),
    }
    Ok(if comparison.in_sync() { 0 } else { 1 })
}

/// Runs `driftless sync`: 0 when synced (and healthy), 1 when the sync failed (the summary
/// shows how far it got), 2 on errors before anything was written.
pub async fn sync(args: SyncArgs) -> anyhow::Result<u8> {
    let mut t = args.target.target()?;
    t.sync_options.extend(args.sync_options.iter().cloned());
    let options = SyncOptions::parse(&t.sync_options)?;
    let c = args.cluster.connect(&args.target).await?;
    let rendered = render(&c.engine, &t, &t.revision).await?;
    let settings = SyncSettings {
        app: t.app.clone(),
        options,
        tracking: t.tracking,
        namespace: Some(t.namespace.clone()),
        dry_run: args.dry_run,
        wait: !args.no_wait,
        wave_timeout: Duration::from_secs(args.wave_timeout),
        sync_timeout: Duration::from_secs(args.timeout),
        ..SyncSettings::default()
    };
    let progress = output::Progress::new();
    eprintln!(
        "syncing {} ({} at {}) into namespace {}",
        t.app,
        t.path,
        short(&rendered.commit),
        t.namespace
    );
    let req = SyncRequest {
        prune: args.prune || t.prune,
        force_apply: args.force_apply,
        server_side_diff: args.server_side_diff,
        ..SyncRequest::default()
    };
    let outcome = c
        .engine
        .sync_rendered_oneshot(&t, rendered, &req, &settings, &progress)
        .await;
    progress.finish();
    let (steps, result, failure) = match outcome {
        Ok(done) => (done.plan.steps.len(), done.result, None),
        Err(driftless_runtime::RuntimeError::Sync(f)) => (0, f.result, Some(f.error)),
        Err(e) => return Err(e.into()),
    };
    match args.output {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "objects": result.objects,
                "warnings": result.warnings,
                "error": failure.as_ref().map(ToString::to_string),
            }))?
        ),
        Format::Text => {
            print!("{}", output::summary_table(&result));
            if args.dry_run {
                println!("dry run: {steps} step(s) validated, nothing written");
            }
        }
    }
    if c.sim.is_some() && args.output == Format::Text {
        println!();
        println!(
            "Final state of the simulated cluster (namespace {}):",
            t.namespace
        );
        let cluster = c.engine.cluster().expect("connected");
        print!("{}", output::cluster_state(cluster, &t).await?);
    }
    if let Some(e) = failure {
        eprintln!("error: sync failed: {e}");
        return Ok(1);
    }
    Ok(0)
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(7)]
}

//! The `driftless` command: GitOps continuous delivery for Kubernetes.
//!
//! A thin binary: each subcommand lives in `cmd/` and calls the library crates.

mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// GitOps continuous delivery for Kubernetes.
#[derive(Parser)]
#[command(name = "driftless", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render a source (directory, Kustomize or Helm) from Git into manifests.
    Render(cmd::render::Args),
    /// Print the sync plan: phases, waves and steps.
    Plan(cmd::sync::PlanArgs),
    /// Show what differs between Git and the cluster (exit 1 when out of sync).
    Diff(cmd::sync::DiffArgs),
    /// Apply the plan to the cluster, wave by wave.
    Sync(cmd::sync::SyncArgs),
    /// Run the simulated Kubernetes cluster.
    Sim(cmd::sim::Args),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DRIFTLESS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    driftless_runtime::install_crypto_provider();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Render(a) => cmd::render::run(a).await,
            Command::Plan(a) => cmd::sync::plan(a).await,
            Command::Diff(a) => cmd::sync::diff(a).await,
            Command::Sync(a) => cmd::sync::sync(a).await,
            Command::Sim(a) => cmd::sim::run(a).await,
        }
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

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
    /// Manage Argo CD Applications through the cluster: list, get, diff, sync, history, …
    #[command(subcommand)]
    App(cmd::app::AppCommand),
    /// Render a source (directory, Kustomize or Helm) from Git into manifests.
    Render(cmd::render::Args),
    /// Print the sync plan: phases, waves and steps.
    Plan(cmd::sync::PlanArgs),
    /// Show what differs between Git and the cluster (exit 1 when out of sync).
    Diff(cmd::sync::DiffArgs),
    /// Apply the plan to the cluster, wave by wave.
    Sync(cmd::sync::SyncArgs),
    /// Run the simulated Kubernetes cluster.
    #[cfg(feature = "sim")]
    Sim(cmd::sim::Args),
    /// Run the controller: reconcile Argo CD Applications continuously.
    Controller(cmd::controller::ControllerArgs),
    /// ApplicationSets: print the Applications a set generates (`appset generate -f`).
    Appset(cmd::appset::Args),
    /// Print the manifests that install the controller (CRDs, RBAC, Deployment, Service).
    Install(cmd::controller::InstallArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (default_level, json) = match &cli.command {
        Command::Controller(a) => ("info", a.log_format() == cmd::controller::LogFormat::Json),
        _ => ("warn", false),
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("DRIFTLESS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        logs.json().init();
    } else {
        logs.init();
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::App(a) => cmd::app::run(a).await,
            Command::Render(a) => cmd::render::run(a).await,
            Command::Plan(a) => cmd::sync::plan(a).await,
            Command::Diff(a) => cmd::sync::diff(a).await,
            Command::Sync(a) => cmd::sync::sync(a).await,
            #[cfg(feature = "sim")]
            Command::Sim(a) => cmd::sim::run(a).await,
            Command::Controller(a) => cmd::controller::run(a).await,
            Command::Install(a) => cmd::controller::install(a),
            Command::Appset(a) => cmd::appset::run(a).await,
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

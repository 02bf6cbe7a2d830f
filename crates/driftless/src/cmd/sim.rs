//! `driftless sim`: run the simulated Kubernetes cluster.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Arguments of `driftless sim`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: SimCommand,
}

#[derive(clap::Subcommand)]
enum SimCommand {
    /// Serve the Kubernetes API until interrupted.
    Serve(ServeArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:6443")]
    listen: SocketAddr,
    /// Write a kubeconfig for the cluster to this file.
    #[arg(long)]
    kubeconfig_out: Option<PathBuf>,
    /// Keep the cluster's objects here so it survives restarts (in memory without it).
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Serve plain HTTP instead of HTTPS.
    #[arg(long)]
    insecure_http: bool,
    /// Bearer token clients must send (random when not given).
    #[arg(long, env = "DRIFTLESS_SIM_TOKEN")]
    token: Option<String>,
}

/// Runs `driftless sim`.
pub async fn run(args: Args) -> anyhow::Result<u8> {
    match args.command {
        SimCommand::Serve(a) => serve(a).await,
    }
}

async fn serve(a: ServeArgs) -> anyhow::Result<u8> {
    let config = driftless_sim::ClusterConfig {
        listen: a.listen,
        tls: !a.insecure_http,
        token: a.token,
        state_dir: a.state_dir,
        ..Default::default()
    };
    let cluster = driftless_sim::Cluster::start(config).await?;
    if let Some(path) = &a.kubeconfig_out {
        cluster.write_kubeconfig(path)?;
    }
    match &a.kubeconfig_out {
        Some(p) => println!(
            "driftless-sim ready at {} (kubeconfig: {})",
            cluster.url(),
            p.display()
        ),
        None => println!("driftless-sim ready at {}", cluster.url()),
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    tokio::signal::ctrl_c().await?;
    cluster.shutdown().await;
    Ok(0)
}

//! `driftless controller` (run the Application controller) and `driftless install` (print the
//! manifests that install it).

use anyhow::Context as _;
use driftless_controller::{Context, ControllerConfig};
use driftless_runtime::{Engine, EngineConfig};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Arguments of `driftless controller`.
#[derive(clap::Args)]
pub struct ControllerArgs {
    /// Kubeconfig file (default: in-cluster config, then $KUBECONFIG or ~/.kube/config).
    #[arg(long)]
    kubeconfig: Option<PathBuf>,
    /// Kubeconfig context.
    #[arg(long)]
    context: Option<String>,
    /// The namespace whose Applications are reconciled.
    #[arg(long, default_value = "argocd")]
    namespace: String,
    /// How often every Application is compared (plus up to --jitter), e.g. 120s, 3m.
    #[arg(long, default_value = "120s", value_parser = parse_duration)]
    reconcile_interval: Duration,
    /// Random extra delay per interval.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    jitter: Duration,
    /// Address of /metrics, /healthz, /readyz and /api/webhook.
    #[arg(long, default_value = "0.0.0.0:8080")]
    metrics_listen: String,
    /// Secret verifying webhooks (GitHub HMAC, GitLab token).
    #[arg(long, env = "DRIFTLESS_WEBHOOK_SECRET", hide_env_values = true)]
    webhook_secret: Option<String>,
    /// Git cache directory.
    #[arg(long, env = "DRIFTLESS_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Log format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Number of controller replicas sharing the Applications (by destination cluster; default
    /// $ARGOCD_CONTROLLER_REPLICAS, else 1).
    #[arg(long)]
    replicas: Option<u32>,
    /// This replica's shard (default $ARGOCD_CONTROLLER_SHARD, else the ordinal ending the host
    /// name, as StatefulSet pods are named).
    #[arg(long)]
    shard: Option<u32>,
    /// How long a replica's Leases hold without renewal (a dead replica's shard is taken over
    /// after it).
    #[arg(long, default_value = "15s", value_parser = parse_duration)]
    lease_duration: Duration,
}

/// Log formats.
#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum LogFormat {
    /// Human-readable.
    Text,
    /// One JSON object per line.
    Json,
}

impl ControllerArgs {
    /// The log format asked for.
    pub fn log_format(&self) -> LogFormat {
        self.log_format
    }
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    driftless_api::parse_go_duration(s).map_err(|e| e.to_string())
}

/// Runs the controller until SIGTERM or Ctrl-C; a sync in progress is finished and recorded.
pub async fn run(args: ControllerArgs) -> anyhow::Result<u8> {
    let cluster = super::target_args::cluster_config(&args.kubeconfig, &args.context);
    // One client for the engine and the controller, counting API requests for /metrics.
    let metrics = Arc::new(driftless_controller::metrics::Metrics::default());
    let client = metrics.instrument(driftless_runtime::client(&cluster).await?);
    let engine = Engine::new(EngineConfig {
        cache_dir: args
            .cache_dir
            .clone()
            .unwrap_or_else(driftless_source::RepoCache::default_dir),
        // One fetch per repository per interval, however many Applications use it.
        poll_interval: args.reconcile_interval,
        // Destinations name clusters: the own one or those of Argo CD cluster Secrets.
        resolve_destinations: true,
        ..EngineConfig::default()
    })?
    .with_client(client.clone());
    let hostname = std::env::var("HOSTNAME").ok();
    let shards = driftless_controller::shard::ShardSettings::infer(
        args.replicas,
        args.shard,
        |k| std::env::var(k).ok(),
        hostname.as_deref(),
    )
    .map_err(anyhow::Error::msg)?;
    let config = ControllerConfig {
        scale: driftless_controller::scale::ScaleSettings {
            shards,
            lease_duration: args.lease_duration,
            ..Default::default()
        },
        namespace: args.namespace.clone(),
        reconcile_interval: args.reconcile_interval,
        jitter: args.jitter,
        webhook_secret: args.webhook_secret.clone(),
        ..ControllerConfig::default()
    };
    let ctx = Context::with_metrics(Arc::new(engine), client, config, metrics);
    let ready = Arc::new(AtomicBool::new(false));
    let http = driftless_controller::http::router(driftless_controller::http::HttpState {
        ctx: ctx.clone(),
        ready: ready.clone(),
    });
    let listener = tokio::net::TcpListener::bind(&args.metrics_listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.metrics_listen))?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, http).await {
            tracing::error!(error = %e, "HTTP endpoints stopped");
        }
    });
    ready.store(true, Ordering::Release);
    tracing::info!(namespace = %args.namespace, "controller running");
    driftless_controller::run_replica(ctx, shutdown_signal()).await;
    Ok(0)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Arguments of `driftless install`.
#[derive(clap::Args)]
pub struct InstallArgs {
    /// The namespace of the controller and its Applications.
    #[arg(long, default_value = "argocd")]
    namespace: String,
    /// Controller replicas: more than one installs a StatefulSet whose pods share the
    /// Applications by destination cluster.
    #[arg(long, default_value_t = 1)]
    replicas: u32,
}

/// Prints the install manifests (CRDs, RBAC, Deployment or StatefulSet, Service).
pub fn install(args: InstallArgs) -> anyhow::Result<u8> {
    print!(
        "{}",
        driftless_api::install_manifests_with(&driftless_api::InstallOptions {
            namespace: args.namespace,
            replicas: args.replicas,
            ..Default::default()
        })?
    );
    Ok(0)
}

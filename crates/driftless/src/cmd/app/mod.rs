//! `driftless app list|get|diff|sync|refresh|history|rollback|terminate-op|delete`: Argo CD
//! Applications managed through their objects in the cluster, as `argocd app …` does through
//! the Argo CD API server. No server is needed: the commands read the Application, write its
//! `operation` field, refresh annotation or finalizers, and wait for the controller to act.

mod diff;
mod ops;
mod sync;
mod view;

use anyhow::Context as _;
use driftless_api::Application;
use kube::api::{Api, Patch, PatchParams};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// `driftless app` subcommands.
#[derive(clap::Subcommand)]
pub enum AppCommand {
    /// List the Applications (NAME, CLUSTER, NAMESPACE, PROJECT, STATUS, HEALTH, …).
    List(ListArgs),
    /// Show one Application: summary, conditions, last operation and resources.
    Get(GetArgs),
    /// Show how the cluster differs from Git for an Application (exit 1 when out of sync).
    Diff(diff::DiffArgs),
    /// Ask the controller to sync an Application (the `operation` field) and wait for the result.
    Sync(sync::SyncArgs),
    /// Ask the controller to compare again (`argocd.argoproj.io/refresh`) and wait for it.
    Refresh(ops::RefreshArgs),
    /// List the Application's past syncs (ID, DATE, REVISION).
    History(GetArgs),
    /// Sync to the revision of a history entry (refused while automated sync is on).
    Rollback(sync::RollbackArgs),
    /// Ask the controller to terminate the running operation.
    TerminateOp(NameArgs),
    /// Delete an Application (with its resources when it carries the resources finalizer).
    Delete(ops::DeleteArgs),
}

/// How to reach the cluster and where the Applications live.
#[derive(clap::Args, Debug, Clone)]
pub struct Conn {
    /// Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster config).
    #[arg(long, env = "KUBECONFIG")]
    kubeconfig: Option<PathBuf>,
    /// Kubeconfig context.
    #[arg(long)]
    context: Option<String>,
    /// The namespace of the Applications (the controller's).
    #[arg(short = 'n', long, default_value = "argocd")]
    namespace: String,
}

/// Output formats (`-o`), as `argocd app`'s.
#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Output {
    /// Tables and summaries with every column.
    Wide,
    /// Names only.
    Name,
    /// The Application object(s) as JSON.
    Json,
    /// The Application object(s) as YAML.
    Yaml,
}

/// Arguments of `driftless app list`.
#[derive(clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    conn: Conn,
    /// Only Applications of this project (repeatable).
    #[arg(short = 'p', long)]
    project: Vec<String>,
    /// Only Applications whose labels match this selector (`k=v,k2!=v2`).
    #[arg(short = 'l', long)]
    selector: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Output::Wide)]
    output: Output,
}

/// Arguments of `driftless app get` and `history`.
#[derive(clap::Args)]
pub struct GetArgs {
    /// The Application.
    name: String,
    #[command(flatten)]
    conn: Conn,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Output::Wide)]
    output: Output,
}

/// Arguments naming one Application.
#[derive(clap::Args)]
pub struct NameArgs {
    /// The Application.
    name: String,
    #[command(flatten)]
    conn: Conn,
}

/// Runs `driftless app …`.
pub async fn run(cmd: AppCommand) -> anyhow::Result<u8> {
    match cmd {
        AppCommand::List(a) => list(a).await,
        AppCommand::Get(a) => get(a).await,
        AppCommand::Diff(a) => diff::run(a).await,
        AppCommand::Sync(a) => sync::sync(a).await,
        AppCommand::Refresh(a) => ops::refresh(a).await,
        AppCommand::History(a) => history(a).await,
        AppCommand::Rollback(a) => sync::rollback(a).await,
        AppCommand::TerminateOp(a) => ops::terminate(a).await,
        AppCommand::Delete(a) => ops::delete(a).await,
    }
}

/// A connection to the Applications of one namespace.
pub(crate) struct Apps {
    api: Api<Application>,
    client: kube::Client,
    namespace: String,
}

impl Conn {
    async fn connect(&self) -> anyhow::Result<Apps> {
        let config = crate::cmd::target_args::cluster_config(&self.kubeconfig, &self.context);
        let client = driftless_runtime::client(&config).await?;
        Ok(Apps {
            api: Api::namespaced(client.clone(), &self.namespace),
            client,
            namespace: self.namespace.clone(),
        })
    }
}

impl Apps {
    /// Reads Application `name`; a missing one is named with its namespace.
    async fn get(&self, name: &str) -> anyhow::Result<Application> {
        match self.api.get_opt(name).await {
            Ok(Some(app)) => Ok(app),
            Ok(None) => anyhow::bail!(
                "application '{name}' not found in namespace {}",
                self.namespace
            ),
            Err(e) => Err(e)
                .with_context(|| format!("cannot read application '{name}' in {}", self.namespace)),
        }
    }

    /// Merge-patches Application `name` (the main resource, or its status subresource).
    async fn patch(
        &self,
        name: &str,
        patch: &serde_json::Value,
        status: bool,
    ) -> anyhow::Result<Application> {
        let pp = PatchParams::default();
        let out = if status {
            self.api.patch_status(name, &pp, &Patch::Merge(patch)).await
        } else {
            self.api.patch(name, &pp, &Patch::Merge(patch)).await
        };
        out.with_context(|| format!("cannot update application '{name}' in {}", self.namespace))
    }

    /// Re-reads `name` until `done` holds (every 250 ms), for at most `timeout` (none when
    /// zero); `what` names the wait in the timeout error.
    async fn wait_until(
        &self,
        name: &str,
        timeout: Duration,
        what: &str,
        mut done: impl FnMut(&Application) -> bool,
    ) -> anyhow::Result<Application> {
        let start = Instant::now();
        loop {
            let app = self.get(name).await?;
            if done(&app) {
                return Ok(app);
            }
            if !timeout.is_zero() && start.elapsed() >= timeout {
                anyhow::bail!(
                    "timed out after {}s waiting for application '{name}' {what}",
                    timeout.as_secs()
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// Prints Applications as JSON or YAML (one object for `get`, a list for `list`).
fn print_objects(apps: &[Application], one: bool, format: Output) -> anyhow::Result<()> {
    let values: Vec<serde_json::Value> = apps
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()?;
    let value = match (one, values.first()) {
        (true, Some(v)) => v.clone(),
        _ => serde_json::Value::Array(values),
    };
    match format {
        Output::Json => println!("{}", serde_json::to_string_pretty(&value)?),
        Output::Yaml => print!("{}", driftless_core::yaml::to_string(&value)),
        Output::Name | Output::Wide => {
            for a in apps {
                println!("{}", a.name());
            }
        }
    }
    Ok(())
}

async fn list(args: ListArgs) -> anyhow::Result<u8> {
    let apps = args.conn.connect().await?;
    let mut lp = kube::api::ListParams::default();
    if let Some(s) = &args.selector {
        lp = lp.labels(s);
    }
    let mut items = apps
        .api
        .list(&lp)
        .await
        .with_context(|| format!("cannot list applications in {}", apps.namespace))?
        .items;
    if !args.project.is_empty() {
        items.retain(|a| args.project.iter().any(|p| p == a.project()));
    }
    items.sort_by(|a, b| a.name().cmp(b.name()));
    match args.output {
        Output::Wide => print!("{}", view::list_table(&items)),
        other => print_objects(&items, false, other)?,
    }
    Ok(0)
}

async fn get(args: GetArgs) -> anyhow::Result<u8> {
    let apps = args.conn.connect().await?;
    let app = apps.get(&args.name).await?;
    match args.output {
        Output::Wide => print!("{}", view::details(&app)),
        other => print_objects(std::slice::from_ref(&app), true, other)?,
    }
    Ok(0)
}

async fn history(args: GetArgs) -> anyhow::Result<u8> {
    let apps = args.conn.connect().await?;
    let app = apps.get(&args.name).await?;
    let history = app
        .status
        .as_ref()
        .map(|s| s.history.clone())
        .unwrap_or_default();
    match args.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&history)?),
        Output::Yaml => print!(
            "{}",
            driftless_core::yaml::to_string(&serde_json::to_value(&history)?)
        ),
        Output::Name => {
            for h in &history {
                println!("{}", h.id);
            }
        }
        Output::Wide => print!("{}", view::history_table(&history)),
    }
    Ok(0)
}

//! `driftless app sync` and `rollback`: write the `operation` field (what `argocd app sync`
//! asks the API server to write), then wait for the controller to run and clear it.

use super::{Apps, Conn, Output, print_objects, view};
use driftless_api::{
    Application, Operation, OperationInitiator, OperationPhase, SyncOperation,
    SyncOperationResource, SyncStrategy, SyncStrategyApply,
};
use serde_json::json;
use std::time::Duration;

/// Arguments of `driftless app sync`.
#[derive(clap::Args)]
pub struct SyncArgs {
    /// The Application.
    name: String,
    #[command(flatten)]
    conn: Conn,
    /// Sync to this revision instead of the Application's targetRevision.
    #[arg(long)]
    revision: Option<String>,
    /// Multiple sources: sync source `--source-positions[i]` (1-based) to `--revisions[i]`
    /// (as `argocd app sync --revisions … --source-positions …`).
    #[arg(long, value_delimiter = ',', requires = "source_positions")]
    revisions: Vec<String>,
    /// The 1-based positions in `spec.sources` that `--revisions` are for.
    #[arg(long, value_delimiter = ',', requires = "revisions")]
    source_positions: Vec<u64>,
    /// Delete tracked objects that left Git.
    #[arg(long)]
    prune: bool,
    /// Validate with a server-side dry run; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Sync only this object, as GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME (repeatable;
    /// an empty GROUP is the core group, `*` matches anything).
    #[arg(long = "resource", value_name = "GROUP:KIND:NAME")]
    resources: Vec<String>,
    /// Sync option `Key=Value` for this sync (repeatable), as Argo CD's syncOptions.
    #[arg(long = "sync-option", value_name = "K=V")]
    sync_options: Vec<String>,
    #[command(flatten)]
    wait: WaitArgs,
}

/// Arguments of `driftless app rollback`.
#[derive(clap::Args)]
pub struct RollbackArgs {
    /// The Application.
    name: String,
    /// The history ID to go back to (`driftless app history`); default: the one before the last.
    id: Option<i64>,
    #[command(flatten)]
    conn: Conn,
    /// Delete tracked objects that are not in the old revision.
    #[arg(long)]
    prune: bool,
    /// Validate with a server-side dry run; write nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    wait: WaitArgs,
}

/// Whether and how long to wait for the operation.
#[derive(clap::Args)]
struct WaitArgs {
    /// Return once the operation is requested, without waiting for it.
    #[arg(long = "async", conflicts_with = "wait")]
    no_wait: bool,
    /// Wait for the operation to finish (the default).
    #[arg(long)]
    wait: bool,
    /// Give up waiting after this many seconds (0: never).
    #[arg(long, default_value_t = 0)]
    timeout: u64,
    /// Output format of the result.
    #[arg(short, long, value_enum, default_value_t = Output::Wide)]
    output: Output,
}

/// Parses `GROUP:KIND:NAME` / `GROUP:KIND:NAMESPACE/NAME`.
fn parse_resource(s: &str) -> anyhow::Result<SyncOperationResource> {
    let parts: Vec<&str> = s.split(':').collect();
    let [group, kind, name] = parts[..] else {
        anyhow::bail!("--resource {s}: expected GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME");
    };
    let (namespace, name) = name.split_once('/').unwrap_or(("", name));
    if kind.is_empty() || name.is_empty() {
        anyhow::bail!("--resource {s}: KIND and NAME are required");
    }
    Ok(SyncOperationResource {
        group: group.to_string(),
        kind: kind.to_string(),
        name: name.to_string(),
        namespace: namespace.to_string(),
        ..Default::default()
    })
}

fn initiator() -> Option<OperationInitiator> {
    let user = std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "driftless-cli".into());
    Some(OperationInitiator {
        username: user,
        ..Default::default()
    })
}

/// Runs `driftless app sync`.
pub async fn sync(args: SyncArgs) -> anyhow::Result<u8> {
    let resources = args
        .resources
        .iter()
        .map(|r| parse_resource(r))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if args.revisions.len() != args.source_positions.len() {
        anyhow::bail!("--revisions and --source-positions must have the same number of entries");
    }
    let mut sync = SyncOperation {
        revision: args.revision.clone().unwrap_or_default(),
        revisions: args.revisions.clone(),
        prune: args.prune,
        dry_run: args.dry_run,
        resources,
        sync_options: args.sync_options.clone(),
        ..Default::default()
    };
    if !args.source_positions.is_empty() {
        sync.extra.insert(
            "sourcePositions".into(),
            serde_json::json!(args.source_positions),
        );
    }
    let op = Operation {
        sync: Some(sync),
        initiated_by: initiator(),
        ..Default::default()
    };
    let apps = args.conn.connect().await?;
    request(&apps, &args.name, |_| Ok(op.clone())).await?;
    finish(&apps, &args.name, &args.wait).await
}

/// Runs `driftless app rollback`: a sync to a history entry's revision and source, refused
/// while automated sync is on (the controller would sync forward again at once).
pub async fn rollback(args: RollbackArgs) -> anyhow::Result<u8> {
    let apps = args.conn.connect().await?;
    let name = args.name.clone();
    let (id, prune, dry_run) = (args.id, args.prune, args.dry_run);
    request(&apps, &name, |app| {
        if app.automated().is_some() {
            anyhow::bail!(
                "rollback cannot be initiated when auto-sync is enabled (application '{name}')"
            );
        }
        let history = app
            .status
            .as_ref()
            .map(|s| s.history.clone())
            .unwrap_or_default();
        let entry = match id {
            Some(id) => history.iter().find(|h| h.id == id),
            // As `argocd app rollback` without an ID: the entry before the last.
            None => history.len().checked_sub(2).and_then(|i| history.get(i)),
        };
        let Some(entry) = entry else {
            anyhow::bail!(
                "application '{name}' does not have deployment with id {}",
                id.map(|i| i.to_string())
                    .unwrap_or_else(|| "<previous>".into())
            );
        };
        Ok(Operation {
            sync: Some(SyncOperation {
                revision: entry.revision.clone(),
                source: entry.source.clone(),
                // Several sources: every source back to its revision of that sync.
                revisions: entry.revisions.clone(),
                sources: entry.sources.clone(),
                prune,
                dry_run,
                sync_strategy: Some(SyncStrategy {
                    apply: Some(SyncStrategyApply::default()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            initiated_by: initiator(),
            ..Default::default()
        })
    })
    .await?;
    finish(&apps, &name, &args.wait).await
}

/// Writes the operation `build` makes from the current Application into it, as the Argo CD
/// API server does, refusing while another operation is in progress.
///
/// The write carries the resourceVersion read, so an operation the controller started
/// meanwhile is never overwritten; a conflict reads and builds again.
async fn request(
    apps: &Apps,
    name: &str,
    mut build: impl FnMut(&Application) -> anyhow::Result<Operation>,
) -> anyhow::Result<()> {
    let mut attempts = 0;
    loop {
        let app = apps.get(name).await?;
        if app.operation.is_some() {
            anyhow::bail!("application '{name}': another operation is already in progress");
        }
        let op = build(&app)?;
        let patch = json!({
            "metadata": {"resourceVersion": app.metadata.resource_version},
            "operation": op,
        });
        match apps.patch(name, &patch, false).await {
            Ok(_) => return Ok(()),
            Err(e) if attempts < 5 && is_conflict(&e) => attempts += 1,
            Err(e) => return Err(e),
        }
    }
}

fn is_conflict(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(
            c.downcast_ref::<kube::Error>(),
            Some(kube::Error::Api(s)) if s.code == 409
        )
    })
}

/// Waits for the operation to end (unless `--async`) and prints the result.
async fn finish(apps: &Apps, name: &str, wait: &WaitArgs) -> anyhow::Result<u8> {
    if wait.no_wait {
        eprintln!("application '{name}': operation requested");
        return Ok(0);
    }
    let app = apps
        .wait_until(
            name,
            Duration::from_secs(wait.timeout),
            "to finish its operation",
            |a| {
                a.operation.is_none()
                    && a.status
                        .as_ref()
                        .and_then(|s| s.operation_state.as_ref())
                        .is_some_and(|o| {
                            !matches!(
                                o.phase,
                                OperationPhase::Running | OperationPhase::Terminating
                            )
                        })
            },
        )
        .await?;
    let state = app
        .status
        .as_ref()
        .and_then(|s| s.operation_state.clone())
        .expect("checked above");
    match wait.output {
        Output::Wide => {
            print!("{}", view::summary(&app));
            println!();
            print!("{}", view::operation(&state));
            println!();
            print!("{}", view::sync_result_table(&state));
        }
        other => print_objects(std::slice::from_ref(&app), true, other)?,
    }
    if state.phase == OperationPhase::Succeeded {
        Ok(0)
    } else {
        eprintln!(
            "error: operation of application '{name}' has completed with phase: {}: {}",
            state.phase.as_str(),
            state.message
        );
        Ok(1)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_resource;

    #[test]
    fn resources_parse_with_and_without_namespace() {
        let r = parse_resource("apps:Deployment:shop/web").unwrap();
        assert_eq!(
            (
                r.group.as_str(),
                r.kind.as_str(),
                r.namespace.as_str(),
                r.name.as_str()
            ),
            ("apps", "Deployment", "shop", "web")
        );
        let r = parse_resource(":ConfigMap:settings").unwrap();
        assert_eq!((r.group.as_str(), r.namespace.as_str()), ("", ""));
        assert!(parse_resource("ConfigMap:settings").is_err());
        assert!(parse_resource("::x").is_err());
    }
}

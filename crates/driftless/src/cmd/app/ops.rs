//! `driftless app refresh`, `terminate-op` and `delete`: annotation, operation state and
//! finalizer writes, as the Argo CD API server makes them for `argocd app …`.

use super::{Conn, NameArgs, view};
use driftless_api::{REFRESH_ANNOTATION, RESOURCES_FINALIZER, RESOURCES_FINALIZER_BACKGROUND};
use serde_json::json;
use std::time::Duration;

/// Arguments of `driftless app refresh`.
#[derive(clap::Args)]
pub struct RefreshArgs {
    /// The Application.
    name: String,
    #[command(flatten)]
    conn: Conn,
    /// Ask for a hard refresh (the controller fetches Git and renders again).
    #[arg(long)]
    hard: bool,
    /// Give up waiting after this many seconds.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
}

/// Arguments of `driftless app delete`.
#[derive(clap::Args)]
pub struct DeleteArgs {
    /// The Application.
    name: String,
    #[command(flatten)]
    conn: Conn,
    /// Delete the Application's resources too (adds the resources finalizer); `--cascade=false`
    /// removes the finalizer first, so the resources stay. Unset: as the Application says.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    cascade: Option<bool>,
    /// How the resources are deleted with `--cascade`: foreground or background.
    #[arg(long, value_enum, default_value_t = Propagation::Foreground)]
    propagation_policy: Propagation,
    /// Wait until the Application is gone (its resources first, with the finalizer).
    #[arg(long)]
    wait: bool,
    /// Give up waiting after this many seconds (0: never).
    #[arg(long, default_value_t = 0)]
    timeout: u64,
}

/// Deletion propagation of the resources finalizer.
#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Propagation {
    /// `resources-finalizer.argocd.argoproj.io`.
    Foreground,
    /// `resources-finalizer.argocd.argoproj.io/background`.
    Background,
}

/// Runs `driftless app refresh`: sets the refresh annotation and waits until the controller
/// has compared again (it removes the annotation, or a new comparison changed the status).
pub async fn refresh(args: RefreshArgs) -> anyhow::Result<u8> {
    let apps = args.conn.connect().await?;
    let before = apps.get(&args.name).await?;
    let reconciled = before.status.as_ref().and_then(|s| s.reconciled_at.clone());
    let kind = if args.hard { "hard" } else { "normal" };
    let patch = json!({"metadata": {"annotations": {REFRESH_ANNOTATION: kind}}});
    apps.patch(&args.name, &patch, false).await?;
    let app = apps
        .wait_until(
            &args.name,
            Duration::from_secs(args.timeout),
            "to be refreshed",
            |a| {
                a.annotation(REFRESH_ANNOTATION).is_none()
                    || a.status.as_ref().and_then(|s| s.reconciled_at.clone()) != reconciled
            },
        )
        .await?;
    print!("{}", view::summary(&app));
    Ok(0)
}

/// Runs `driftless app terminate-op`: marks the running operation `Terminating` in
/// `status.operationState`, as the Argo CD API server does.
pub async fn terminate(args: NameArgs) -> anyhow::Result<u8> {
    let apps = args.conn.connect().await?;
    let app = apps.get(&args.name).await?;
    let running = app.status.as_ref().and_then(|s| s.operation_state.as_ref());
    if app.operation.is_none() || running.is_none() {
        anyhow::bail!(
            "unable to terminate operation of application '{}': no operation is in progress",
            args.name
        );
    }
    let patch = json!({
        "metadata": {"resourceVersion": app.metadata.resource_version},
        "status": {"operationState": {"phase": "Terminating"}},
    });
    apps.patch(&args.name, &patch, true).await?;
    println!("Application '{}' operation terminating", args.name);
    Ok(0)
}

/// Runs `driftless app delete`.
pub async fn delete(args: DeleteArgs) -> anyhow::Result<u8> {
    let apps = args.conn.connect().await?;
    let app = apps.get(&args.name).await?;
    let finalizers = app.metadata.finalizers.clone().unwrap_or_default();
    let ours = |f: &String| f == RESOURCES_FINALIZER || f == RESOURCES_FINALIZER_BACKGROUND;
    let wanted = match args.propagation_policy {
        Propagation::Foreground => RESOURCES_FINALIZER,
        Propagation::Background => RESOURCES_FINALIZER_BACKGROUND,
    };
    let new = match args.cascade {
        // As Argo CD: cascade adds the finalizer when it is missing.
        Some(true) if !finalizers.iter().any(ours) => {
            let mut f = finalizers.clone();
            f.push(wanted.to_string());
            Some(f)
        }
        Some(false) if finalizers.iter().any(ours) => {
            Some(finalizers.iter().filter(|f| !ours(f)).cloned().collect())
        }
        _ => None,
    };
    if let Some(f) = new {
        let patch = json!({
            "metadata": {"resourceVersion": app.metadata.resource_version, "finalizers": f},
        });
        apps.patch(&args.name, &patch, false).await?;
    }
    match apps
        .api
        .delete(&args.name, &kube::api::DeleteParams::default())
        .await
    {
        Ok(_) => {}
        Err(kube::Error::Api(s)) if s.code == 404 => {}
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!(
                "cannot delete application '{}' in {}",
                args.name, apps.namespace
            )));
        }
    }
    if args.wait {
        wait_gone(&apps, &args.name, Duration::from_secs(args.timeout)).await?;
    }
    println!("application '{}' deleted", args.name);
    Ok(0)
}

async fn wait_gone(apps: &super::Apps, name: &str, timeout: Duration) -> anyhow::Result<()> {
    let start = std::time::Instant::now();
    loop {
        let gone = apps
            .api
            .get_opt(name)
            .await
            .map_err(|e| anyhow::Error::new(e).context(format!("cannot read '{name}'")))?
            .is_none();
        if gone {
            return Ok(());
        }
        if !timeout.is_zero() && start.elapsed() >= timeout {
            anyhow::bail!(
                "timed out after {}s waiting for application '{name}' to be deleted",
                timeout.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

//! Running several replicas: each renews a heartbeat Lease for its shard
//! (`driftless-controller-shard-N`) and serves its own shard plus those whose heartbeat stopped;
//! one replica, the holder of the `driftless-applicationset-controller` Lease, runs the
//! ApplicationSet loop.
//!
//! Argo CD's dynamic cluster distribution keeps the same heartbeats in the
//! `argocd-app-controller-shard-cm` ConfigMap and lets a *new* controller pod take a shard whose
//! heartbeat is older than three heartbeats. Driftless keeps one Lease per shard instead (the
//! object Kubernetes has for heartbeats, written with optimistic concurrency) and goes further: a
//! live replica serves a dead one's shard at once — the dead shard goes to the live replica at
//! position `shard mod live-count` among the live ordinals, so exactly one takes it — until the
//! owner's heartbeat returns. A returning replica serves its shard at once; the one that covered
//! for it stops at its next heartbeat, so both may look at those Applications for up to one
//! heartbeat interval (syncs are idempotent; the later one finds them in sync).

use crate::Context;
use crate::lease::{LeaseLock, is_held};
use crate::shard::ShardSettings;
use futures::Stream;
use k8s_openapi::api::coordination::v1::Lease;
use kube::api::{Api, DynamicObject, ListParams};
use kube::runtime::reflector::ObjectRef;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The Lease whose holder runs the ApplicationSet loop.
pub const APPSET_LEASE: &str = "driftless-applicationset-controller";

/// The heartbeat Lease of shard `n`.
pub fn shard_lease(n: u32) -> String {
    format!("driftless-controller-shard-{n}")
}

/// How replicas split the work.
#[derive(Debug, Clone)]
pub struct ScaleSettings {
    /// Replicas and this replica's shard.
    pub shards: ShardSettings,
    /// This replica's name in Leases (the pod name).
    pub identity: String,
    /// How long a Lease holds without renewal (client-go's default is 15 s); renewed every fifth
    /// of it.
    pub lease_duration: Duration,
}

impl Default for ScaleSettings {
    fn default() -> Self {
        ScaleSettings {
            shards: ShardSettings::default(),
            identity: default_identity(),
            lease_duration: Duration::from_secs(15),
        }
    }
}

/// `$HOSTNAME` (the pod name), else `driftless-<pid>`.
pub fn default_identity() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.trim().is_empty())
        .unwrap_or_else(|| format!("driftless-{}", std::process::id()))
}

fn renew_interval(s: &ScaleSettings) -> Duration {
    (s.lease_duration / 5).max(Duration::from_millis(100))
}

fn leases(ctx: &Context) -> Api<Lease> {
    Api::namespaced(ctx.apps.clone().into_client(), &ctx.config.namespace)
}

/// Runs the Application controller, and with several replicas the heartbeats and the
/// ApplicationSet loop while this replica leads, until `shutdown`; Leases are released on the
/// way out so another replica takes over at once.
pub async fn run_replica(
    ctx: Arc<Context>,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) {
    let (stop_tx, stop) = watch::channel(false);
    let heartbeat = tokio::spawn(heartbeat(ctx.clone(), stop.clone()));
    let appsets = tokio::spawn(appsets_while_leader(ctx.clone(), stop));
    crate::run(ctx, shutdown).await;
    let _ = stop_tx.send(true);
    let _ = heartbeat.await;
    let _ = appsets.await;
}

async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Renews this shard's Lease and decides which shards this replica serves.
async fn heartbeat(ctx: Arc<Context>, stop: watch::Receiver<bool>) {
    let s = ctx.config.scale.clone();
    if s.shards.replicas <= 1 {
        return;
    }
    let api = leases(&ctx);
    let own = LeaseLock::new(
        api.clone(),
        &shard_lease(s.shards.shard),
        &s.identity,
        s.lease_duration,
    );
    let started = Instant::now();
    loop {
        match own.acquire_or_renew().await {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                shard = s.shards.shard,
                "another replica holds this shard's heartbeat Lease (two replicas with one ordinal?)"
            ),
            Err(e) => tracing::warn!(error = %e, "cannot renew the shard heartbeat"),
        }
        if let Some(serving) = serving(&api, &s, started.elapsed()).await
            && ctx.shards.set_serving(serving.clone())
        {
            tracing::info!(shards = ?serving, "serving shards");
        }
        let wait = tokio::time::sleep(renew_interval(&s));
        tokio::select! {
            _ = wait => {}
            _ = stopped(stop.clone()) => break,
        }
    }
    if let Err(e) = own.release().await {
        tracing::warn!(error = %e, "cannot release the shard heartbeat");
    }
}

/// This replica's shard, plus the shards whose heartbeat stopped that fall to it; `None` when
/// the Leases cannot be read (keep serving what it served).
async fn serving(api: &Api<Lease>, s: &ScaleSettings, up: Duration) -> Option<BTreeSet<u32>> {
    let me = s.shards.shard;
    let now = k8s_openapi::jiff::Timestamp::now();
    let mut live = BTreeSet::from([me]);
    let mut dead = Vec::new();
    for n in (0..s.shards.replicas).filter(|n| *n != me) {
        match api.get_opt(&shard_lease(n)).await {
            Ok(Some(l)) if is_held(&l, now) => {
                live.insert(n);
            }
            Ok(Some(_)) => dead.push(n),
            // Never started: wait one lease duration for it before covering.
            Ok(None) if up >= s.lease_duration => dead.push(n),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the heartbeats of the other replicas");
                return None;
            }
        }
    }
    let live: Vec<u32> = live.into_iter().collect();
    let mut out = BTreeSet::from([me]);
    out.extend(
        dead.into_iter()
            .filter(|n| live[*n as usize % live.len()] == me),
    );
    Some(out)
}

/// Runs the ApplicationSet loop while this replica holds [`APPSET_LEASE`] (always with one
/// replica).
async fn appsets_while_leader(ctx: Arc<Context>, stop: watch::Receiver<bool>) {
    let s = ctx.config.scale.clone();
    if s.shards.replicas <= 1 {
        ctx.shards.set_leading(true);
        crate::appset::run_appsets(ctx.clone(), stopped(stop)).await;
        ctx.shards.set_leading(false);
        return;
    }
    let lock = LeaseLock::new(leases(&ctx), APPSET_LEASE, &s.identity, s.lease_duration);
    let (leader_tx, leader) = watch::channel(false);
    let elect = tokio::spawn(elect(lock, s.clone(), leader_tx, stop.clone()));
    loop {
        let mut l = leader.clone();
        tokio::select! {
            r = l.wait_for(|x| *x) => if r.is_err() { break },
            _ = stopped(stop.clone()) => break,
        }
        tracing::info!(identity = %s.identity, "leading: running the ApplicationSet loop");
        ctx.shards.set_leading(true);
        let mut lost = leader.clone();
        let stop2 = stop.clone();
        crate::appset::run_appsets(ctx.clone(), async move {
            tokio::select! {
                _ = lost.wait_for(|x| !*x) => {}
                _ = stopped(stop2) => {}
            }
        })
        .await;
        ctx.shards.set_leading(false);
        tracing::info!(identity = %s.identity, "no longer leading the ApplicationSet loop");
    }
    let _ = elect.await;
}

/// Takes or renews the leader Lease every renew interval; steps down when another holds it or
/// when it could not be renewed for a lease duration.
async fn elect(
    lock: LeaseLock,
    s: ScaleSettings,
    leader: watch::Sender<bool>,
    stop: watch::Receiver<bool>,
) {
    let mut renewed: Option<Instant> = None;
    loop {
        let leading = match lock.acquire_or_renew().await {
            Ok(true) => {
                renewed = Some(Instant::now());
                true
            }
            Ok(false) => false,
            Err(e) => {
                tracing::warn!(error = %e, "cannot renew the ApplicationSet leader Lease");
                renewed.is_some_and(|r| r.elapsed() < s.lease_duration)
            }
        };
        if !leading {
            renewed = None;
        }
        leader.send_if_modified(|l| std::mem::replace(l, leading) != leading);
        tokio::select! {
            _ = tokio::time::sleep(renew_interval(&s)) => {}
            _ = stopped(stop.clone()) => break,
        }
    }
    leader.send_replace(false);
    if let Err(e) = lock.release().await {
        tracing::warn!(error = %e, "cannot release the ApplicationSet leader Lease");
    }
}

/// Every Application, each time the shards served change (those now ours reconcile at once).
pub(crate) fn on_shard_change(
    ctx: Arc<Context>,
) -> impl Stream<Item = ObjectRef<DynamicObject>> + Send + 'static {
    let mut changes = ctx.shards.subscribe();
    let (tx, rx) = tokio::sync::mpsc::channel(1024);
    tokio::spawn(async move {
        while changes.changed().await.is_ok() {
            let Ok(apps) = ctx.apps.list(&ListParams::default()).await else {
                continue;
            };
            for app in apps.items {
                let name = app.metadata.name.unwrap_or_default();
                let r = ObjectRef::new_with(&name, crate::application_resource())
                    .within(&ctx.config.namespace);
                if tx.send(r).await.is_err() {
                    return;
                }
            }
        }
    });
    futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|x| (x, rx)) })
}

//! Argo CD's Secrets in the controller's namespace — clusters (`secret-type: cluster`) and
//! repository credentials (`repository`, `repo-creds`) — watched and handed to the engine. A
//! change requeues the Applications it may concern: those naming the cluster (by name or server,
//! before or after the change), and every Application when repository credentials change.
//! Nothing of a Secret's data is logged.

use crate::Context;
use driftless_api::{ClusterSecret, RepoSecret, SECRET_TYPE_LABEL};
use futures::{Stream, StreamExt};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DynamicObject, ListParams};
use kube::runtime::WatchStreamExt;
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher::{self, Event};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// The watch of Argo CD's Secrets: Applications to requeue, and whether the first listing was
/// handed to the engine (reconciling before it would send Applications to the wrong cluster or
/// fetch without credentials).
pub struct SecretsWatch {
    /// True once the engine holds the first listing.
    pub ready: watch::Receiver<bool>,
    refs: mpsc::Receiver<ObjectRef<DynamicObject>>,
}

impl SecretsWatch {
    /// Waits for the first listing.
    pub async fn wait_ready(&mut self) {
        let _ = self.ready.wait_for(|r| *r).await;
    }

    /// The Applications to requeue.
    pub fn into_stream(self) -> impl Stream<Item = ObjectRef<DynamicObject>> + Send + 'static {
        futures::stream::unfold(self.refs, |mut rx| async move {
            rx.recv().await.map(|x| (x, rx))
        })
    }
}

/// Starts watching the Secrets labelled `argocd.argoproj.io/secret-type` in the controller's
/// namespace.
pub fn watch_secrets(ctx: Arc<Context>) -> SecretsWatch {
    let (ready_tx, ready) = watch::channel(false);
    let (tx, refs) = mpsc::channel(1024);
    let api: Api<Secret> = Api::namespaced(ctx.apps.clone().into_client(), &ctx.config.namespace);
    tokio::spawn(async move {
        let config = watcher::Config::default().labels(SECRET_TYPE_LABEL);
        let mut stream = std::pin::pin!(watcher::watcher(api, config).default_backoff());
        let mut all: BTreeMap<String, Secret> = BTreeMap::new();
        let mut listing: Option<BTreeMap<String, Secret>> = None;
        let mut clusters: Vec<ClusterSecret> = Vec::new();
        while let Some(event) = stream.next().await {
            let touched = match event {
                Ok(Event::Init) => {
                    listing = Some(BTreeMap::new());
                    continue;
                }
                Ok(Event::InitApply(s)) => {
                    if let Some(l) = listing.as_mut() {
                        l.insert(s.metadata.name.clone().unwrap_or_default(), s);
                    }
                    continue;
                }
                Ok(Event::InitDone) => {
                    all = listing.take().unwrap_or_default();
                    None
                }
                Ok(Event::Apply(s)) => {
                    let t = secret_type_of(&s);
                    all.insert(s.metadata.name.clone().unwrap_or_default(), s);
                    Some(t)
                }
                Ok(Event::Delete(s)) => {
                    let t = secret_type_of(&s);
                    all.remove(s.metadata.name.as_deref().unwrap_or_default());
                    Some(t)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "watching Argo CD Secrets failed; retrying");
                    continue;
                }
            };
            let before = std::mem::take(&mut clusters);
            clusters = hand_to_engine(&ctx, &all);
            let _ = ready_tx.send(true);
            let names = match touched {
                // The first listing: nothing reconciled yet, nothing to requeue.
                None => continue,
                Some(t) if t == "cluster" => concerned_clusters(&before, &clusters),
                Some(t) if t == "repository" || t == "repo-creds" => None,
                Some(_) => continue,
            };
            if requeue(&ctx, names.as_ref(), &tx).await.is_err() {
                return;
            }
        }
    });
    SecretsWatch { ready, refs }
}

fn secret_type_of(s: &Secret) -> String {
    driftless_api::secret_type(s)
        .unwrap_or_default()
        .to_string()
}

/// Decodes the Secrets and gives the engine the clusters and repository credentials; a Secret
/// that cannot be decoded is left out with a warning naming it. Returns the clusters.
fn hand_to_engine(ctx: &Context, all: &BTreeMap<String, Secret>) -> Vec<ClusterSecret> {
    let mut clusters = Vec::new();
    let mut repos = Vec::new();
    for s in all.values() {
        match driftless_api::secret_type(s) {
            Some("cluster") => match ClusterSecret::from_secret(s) {
                Ok(c) => clusters.push(c),
                Err(e) => tracing::warn!(error = %e, "cluster Secret ignored"),
            },
            Some(_) => match RepoSecret::from_secret(s) {
                Some(Ok(r)) => repos.push(r),
                Some(Err(e)) => tracing::warn!(error = %e, "repository Secret ignored"),
                None => {}
            },
            None => {}
        }
    }
    ctx.engine.clusters().set_secrets(clusters.clone());
    ctx.engine.set_repo_secrets(repos);
    clusters
}

/// The names and servers of clusters that changed between `before` and `after`.
fn concerned_clusters(
    before: &[ClusterSecret],
    after: &[ClusterSecret],
) -> Option<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for c in before.iter().filter(|c| !after.contains(c)) {
        out.extend([c.name.clone(), c.server.clone()]);
    }
    for c in after.iter().filter(|c| !before.contains(c)) {
        out.extend([c.name.clone(), c.server.clone()]);
    }
    Some(out)
}

/// Requeues the Applications whose destination names one of `clusters` (all when `None`).
async fn requeue(
    ctx: &Context,
    clusters: Option<&BTreeSet<String>>,
    tx: &mpsc::Sender<ObjectRef<DynamicObject>>,
) -> Result<(), ()> {
    let apps = match ctx.apps.list(&ListParams::default()).await {
        Ok(l) => l.items,
        Err(e) => {
            tracing::warn!(error = %e, "cannot list Applications to requeue; the next poll catches up");
            return Ok(());
        }
    };
    for app in apps {
        let dest = |k: &str| {
            app.data
                .pointer(&format!("/spec/destination/{k}"))
                .and_then(serde_json::Value::as_str)
                .map(|s| s.trim_end_matches('/').to_string())
        };
        let concerned = clusters.is_none_or(|names| {
            [dest("name"), dest("server")]
                .into_iter()
                .flatten()
                .any(|d| names.contains(&d))
        });
        if concerned {
            let name = app.metadata.name.clone().unwrap_or_default();
            let r = ObjectRef::new_with(&name, crate::application_resource())
                .within(&ctx.config.namespace);
            tx.send(r).await.map_err(|_| ())?;
        }
    }
    Ok(())
}

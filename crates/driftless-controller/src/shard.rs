//! Sharding Applications across controller replicas, as Argo CD does: by destination *cluster*,
//! with its `legacy` algorithm — FNV-32a of the cluster id (the cluster Secret's uid) modulo the
//! replica count; the local cluster without a Secret (and a destination that names no cluster)
//! is shard 0; a cluster Secret's `shard` field pins its cluster when it is below the replica
//! count. Which shards this replica serves is decided by the heartbeat Leases ([`crate::lease`]):
//! its own, plus those of replicas whose heartbeat stopped.

use driftless_api::{Application, ResolvedCluster};
use std::collections::BTreeSet;
use std::sync::{Arc, RwLock};

/// How Applications are split across replicas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardSettings {
    /// The number of replicas (Argo CD's `ARGOCD_CONTROLLER_REPLICAS`).
    pub replicas: u32,
    /// This replica's shard (its StatefulSet ordinal).
    pub shard: u32,
}

impl Default for ShardSettings {
    fn default() -> Self {
        ShardSettings {
            replicas: 1,
            shard: 0,
        }
    }
}

impl ShardSettings {
    /// Settings from flags, then Argo CD's environment (`ARGOCD_CONTROLLER_REPLICAS`,
    /// `ARGOCD_CONTROLLER_SHARD`), then the ordinal that ends the host name (`…-2`, as a
    /// StatefulSet names its pods).
    ///
    /// ```
    /// use driftless_controller::shard::ShardSettings;
    /// let s = ShardSettings::infer(Some(3), None, |_| None, Some("driftless-controller-2")).unwrap();
    /// assert_eq!((s.replicas, s.shard), (3, 2));
    /// assert!(ShardSettings::infer(Some(2), None, |_| None, Some("laptop")).is_err());
    /// assert_eq!(ShardSettings::infer(None, None, |_| None, None).unwrap(), ShardSettings::default());
    /// ```
    pub fn infer(
        replicas: Option<u32>,
        shard: Option<u32>,
        env: impl Fn(&str) -> Option<String>,
        hostname: Option<&str>,
    ) -> Result<Self, String> {
        let number = |name: &str| -> Result<Option<u32>, String> {
            match env(name) {
                None => Ok(None),
                Some(v) if v.trim().is_empty() => Ok(None),
                Some(v) => v
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("{name}={v:?} is not a number")),
            }
        };
        let replicas = match replicas {
            Some(r) => r,
            None => number("ARGOCD_CONTROLLER_REPLICAS")?.unwrap_or(1),
        };
        if replicas == 0 {
            return Err("--replicas must be at least 1".into());
        }
        if replicas == 1 {
            return Ok(ShardSettings::default());
        }
        let shard = match shard
            .map(Some)
            .map_or_else(|| number("ARGOCD_CONTROLLER_SHARD"), Ok)?
        {
            Some(s) => s,
            None => {
                let host = hostname.unwrap_or_default();
                host.rsplit('-').next().and_then(|n| n.parse().ok()).ok_or_else(|| {
                    format!(
                        "with {replicas} replicas the shard is needed: pass --shard, set ARGOCD_CONTROLLER_SHARD, or run as a StatefulSet pod (host name ending in -N; this one is {host:?})"
                    )
                })?
            }
        };
        if shard >= replicas {
            return Err(format!("shard {shard} is not below --replicas {replicas}"));
        }
        Ok(ShardSettings { replicas, shard })
    }
}

/// FNV-1a, 32 bits (Go's `hash/fnv` `New32a`).
pub fn fnv32a(data: &[u8]) -> u32 {
    data.iter().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

/// The shard of a cluster among `replicas` (Argo CD's `legacy` distribution with the Secret's
/// `shard` override).
///
/// ```
/// use driftless_api::{ClusterSecret, ResolvedCluster};
/// use driftless_controller::shard::cluster_shard;
/// let local = ResolvedCluster { server: "https://kubernetes.default.svc".into(), name: "in-cluster".into(), secret: None };
/// assert_eq!(cluster_shard(Some(&local), 3), 0);
/// let pinned = ClusterSecret { uid: "u".into(), shard: Some(2), ..Default::default() };
/// let c = ResolvedCluster { server: "https://x".into(), name: "x".into(), secret: Some(pinned) };
/// assert_eq!(cluster_shard(Some(&c), 3), 2);
/// ```
pub fn cluster_shard(cluster: Option<&ResolvedCluster>, replicas: u32) -> u32 {
    let Some(secret) = cluster.and_then(|c| c.secret.as_ref()) else {
        return 0;
    };
    match secret.shard {
        Some(s) if s < replicas => s,
        _ if secret.uid.is_empty() => 0,
        _ => fnv32a(secret.uid.as_bytes()) % replicas,
    }
}

/// The shards this replica serves now; shared by the reconciler and the heartbeat loop.
#[derive(Debug, Clone)]
pub struct Shards {
    settings: ShardSettings,
    serving: Arc<RwLock<BTreeSet<u32>>>,
    changed: Arc<tokio::sync::watch::Sender<u64>>,
    leading: Arc<std::sync::atomic::AtomicBool>,
}

impl Default for Shards {
    fn default() -> Self {
        Shards::new(ShardSettings::default())
    }
}

impl Shards {
    /// This replica serving its own shard only (until the heartbeats say more).
    pub fn new(settings: ShardSettings) -> Self {
        let own = BTreeSet::from([settings.shard]);
        Shards {
            settings,
            serving: Arc::new(RwLock::new(own)),
            changed: Arc::new(tokio::sync::watch::channel(0).0),
            leading: Arc::default(),
        }
    }

    /// The settings.
    pub fn settings(&self) -> &ShardSettings {
        &self.settings
    }

    /// The shards served now.
    pub fn serving(&self) -> BTreeSet<u32> {
        self.serving.read().expect("shards").clone()
    }

    /// Replaces the shards served; true when they changed.
    pub(crate) fn set_serving(&self, shards: BTreeSet<u32>) -> bool {
        let mut s = self.serving.write().expect("shards");
        let changed = *s != shards;
        *s = shards;
        if changed {
            self.changed.send_modify(|n| *n += 1);
        }
        changed
    }

    /// True while this replica runs the ApplicationSet loop.
    pub fn leads_appsets(&self) -> bool {
        self.leading.load(std::sync::atomic::Ordering::Acquire)
    }

    pub(crate) fn set_leading(&self, leading: bool) {
        self.leading
            .store(leading, std::sync::atomic::Ordering::Release);
    }

    /// Notified each time the shards served change.
    pub(crate) fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// True when this replica reconciles `app` (always with one replica).
    pub fn owns(&self, engine: &driftless_runtime::Engine, app: &Application) -> bool {
        if self.settings.replicas <= 1 {
            return true;
        }
        let cluster = engine.clusters().resolve(&app.spec.destination).ok();
        let shard = cluster_shard(cluster.as_ref(), self.settings.replicas);
        self.serving.read().expect("shards").contains(&shard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv32a_matches_go() {
        // Go: fnv.New32a() of "" and "a".
        assert_eq!(fnv32a(b""), 0x811c_9dc5);
        assert_eq!(fnv32a(b"a"), 0xe40c_292c);
        assert_eq!(fnv32a(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn override_beyond_replicas_is_ignored() {
        let secret = driftless_api::ClusterSecret {
            uid: "abc".into(),
            shard: Some(7),
            ..Default::default()
        };
        let c = ResolvedCluster {
            server: "https://x".into(),
            name: "x".into(),
            secret: Some(secret),
        };
        assert_eq!(cluster_shard(Some(&c), 2), fnv32a(b"abc") % 2);
        assert_eq!(cluster_shard(None, 2), 0);
    }
}

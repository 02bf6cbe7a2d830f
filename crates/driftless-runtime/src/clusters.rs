//! Several clusters: the engine's own connection, and one per Argo CD cluster Secret, connected
//! on first use and reconnected when the Secret's connection settings change. Each connection
//! has its own discovery cache and watch cache; every watch cache reports changes on the
//! engine's one channel, so a controller hears drift on any cluster.

use crate::RuntimeError;
use crate::live::{LiveCache, LiveChange};
use driftless_api::{ClusterSecret, Destination, DestinationError, ResolvedCluster};
use driftless_apply::Cluster;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// A connected cluster with its watch cache.
pub(crate) struct Connection {
    pub(crate) cluster: Arc<Cluster>,
    pub(crate) live: Arc<LiveCache>,
}

impl Connection {
    pub(crate) fn new(
        client: kube::Client,
        field_manager: &str,
        changes: broadcast::Sender<LiveChange>,
    ) -> Arc<Self> {
        let live = LiveCache::with_changes(client.clone(), changes);
        let cluster = Cluster::new(client, field_manager).with_read_cache(live.clone());
        Arc::new(Connection {
            cluster: Arc::new(cluster),
            live,
        })
    }
}

/// The cluster Secrets an engine knows and the connections made from them.
pub struct Clusters {
    secrets: Mutex<Vec<ClusterSecret>>,
    /// By server URL: the connection settings it was made with, and the connection.
    conns: Mutex<HashMap<String, (String, Arc<Connection>)>>,
    /// One connection attempt per server at a time.
    connecting: tokio::sync::Mutex<()>,
    field_manager: String,
    changes: broadcast::Sender<LiveChange>,
}

impl Clusters {
    pub(crate) fn new(field_manager: &str, changes: broadcast::Sender<LiveChange>) -> Self {
        Clusters {
            secrets: Mutex::default(),
            conns: Mutex::default(),
            connecting: tokio::sync::Mutex::new(()),
            field_manager: field_manager.to_string(),
            changes,
        }
    }

    /// Replaces the known cluster Secrets. A connection whose Secret is gone or whose
    /// connection settings changed is dropped (its watches stop); the next use reconnects.
    pub fn set_secrets(&self, secrets: Vec<ClusterSecret>) {
        let keys: HashMap<String, String> = secrets
            .iter()
            .map(|s| (s.server.clone(), s.connection_key()))
            .collect();
        self.conns
            .lock()
            .expect("connections")
            .retain(|server, (key, _)| keys.get(server) == Some(key));
        *self.secrets.lock().expect("secrets") = secrets;
    }

    /// The known cluster Secrets.
    pub fn secrets(&self) -> Vec<ClusterSecret> {
        self.secrets.lock().expect("secrets").clone()
    }

    /// The cluster `dest` names (Argo CD's rules, [`driftless_api::resolve_destination`]).
    pub fn resolve(&self, dest: &Destination) -> Result<ResolvedCluster, DestinationError> {
        driftless_api::resolve_destination(dest, &self.secrets.lock().expect("secrets"))
    }

    /// The servers connected now.
    pub fn connected(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .conns
            .lock()
            .expect("connections")
            .keys()
            .cloned()
            .collect();
        v.sort();
        v
    }

    pub(crate) fn each_connection(&self) -> Vec<Arc<Connection>> {
        self.conns
            .lock()
            .expect("connections")
            .values()
            .map(|(_, c)| c.clone())
            .collect()
    }

    /// The connection to `server` (a cluster Secret's), made on first use.
    pub(crate) async fn connection(&self, server: &str) -> Result<Arc<Connection>, RuntimeError> {
        if let Some(c) = self.cached(server) {
            return Ok(c);
        }
        let _one = self.connecting.lock().await;
        if let Some(c) = self.cached(server) {
            return Ok(c);
        }
        let secret = self
            .secrets()
            .into_iter()
            .find(|s| s.server == server)
            .ok_or_else(|| {
                RuntimeError::Connect(format!("cluster {server}: no cluster Secret declares it"))
            })?;
        let client = client_for(&secret).await?;
        let conn = Connection::new(client, &self.field_manager, self.changes.clone());
        self.conns
            .lock()
            .expect("connections")
            .insert(server.to_string(), (secret.connection_key(), conn.clone()));
        tracing::info!(cluster = %secret.name, server, "connected to cluster");
        Ok(conn)
    }

    fn cached(&self, server: &str) -> Option<Arc<Connection>> {
        self.conns
            .lock()
            .expect("connections")
            .get(server)
            .map(|(_, c)| c.clone())
    }
}

/// A client for a cluster Secret: its settings as an in-memory kubeconfig (never written or
/// logged).
async fn client_for(secret: &ClusterSecret) -> Result<kube::Client, RuntimeError> {
    crate::install_crypto_provider();
    let err =
        |what: &str| RuntimeError::Connect(format!("cluster Secret {}: {what}", secret.secret));
    let c = &secret.config;
    if c.exec_provider_config.is_some() || c.aws_auth_config.is_some() {
        return Err(err(
            "execProviderConfig and awsAuthConfig are not supported; use bearerToken or TLS client certificates",
        ));
    }
    let t = &c.tls_client_config;
    let mut cluster = serde_json::json!({"server": secret.server});
    if t.insecure {
        cluster["insecure-skip-tls-verify"] = true.into();
    }
    if let Some(ca) = &t.ca_data {
        cluster["certificate-authority-data"] = ca.clone().into();
    }
    if let Some(name) = &t.server_name {
        cluster["tls-server-name"] = name.clone().into();
    }
    let mut user = serde_json::json!({});
    let fields = [
        ("token", &c.bearer_token),
        ("username", &c.username),
        ("password", &c.password),
        ("client-certificate-data", &t.cert_data),
        ("client-key-data", &t.key_data),
    ];
    for (key, value) in fields {
        if let Some(v) = value {
            user[key] = v.clone().into();
        }
    }
    let kubeconfig = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": cluster}],
        "users": [{"name": "u", "user": user}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x",
    });
    // Errors below come from kube's parsing of the settings and never carry their values.
    let kc: kube::config::Kubeconfig =
        serde_json::from_value(kubeconfig).map_err(|_| err("invalid connection settings"))?;
    let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .map_err(|e| err(&format!("invalid connection settings: {e}")))?;
    kube::Client::try_from(config).map_err(|e| err(&format!("cannot build the client: {e}")))
}

//! Starting a simulated cluster: store, system loops, controllers and the API server.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::server::{kubeconfig, router, tls};
use crate::store::Store;

/// Errors starting a cluster.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The error.
        source: std::io::Error,
    },
    /// Certificates could not be created or loaded.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The state directory could not be read.
    #[error(transparent)]
    State(#[from] crate::store::PersistError),
    /// Bootstrapping the store failed.
    #[error("bootstrap failed: {0}")]
    Bootstrap(#[from] crate::status::ApiError),
    /// Writing the kubeconfig failed.
    #[error("cannot write kubeconfig {path}: {source}")]
    Kubeconfig {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

/// How to run a simulated cluster.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// Address to listen on (port 0 picks a free port).
    pub listen: SocketAddr,
    /// Serve HTTPS with a self-signed CA (true) or plain HTTP.
    pub tls: bool,
    /// Bearer token clients must send; a random one when None.
    pub token: Option<String>,
    /// Persist objects (and certificates) here and reload them on start.
    pub state_dir: Option<PathBuf>,
    /// Interval of watch BOOKMARK events (when clients allow them).
    pub bookmark_interval: Duration,
    /// Watch events kept for resumption (older resourceVersions get 410 Gone).
    pub watch_history: usize,
    /// Run the workload controllers (Deployments → Pods, ...).
    pub controllers: bool,
    /// Timings and nodes of the workload controllers.
    pub workloads: crate::controllers::WorkloadConfig,
    /// API faults to inject (none by default).
    pub faults: crate::controllers::faults::FaultConfig,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: true,
            token: None,
            state_dir: None,
            bookmark_interval: Duration::from_secs(5),
            watch_history: 10_000,
            controllers: true,
            workloads: Default::default(),
            faults: Default::default(),
        }
    }
}

/// Handle of a running cluster. Dropping it stops the cluster.
pub struct ClusterHandle {
    store: Store,
    url: String,
    addr: SocketAddr,
    kubeconfig: String,
    ca_pem: Option<String>,
    token: String,
    tasks: Vec<JoinHandle<()>>,
    state_dir: Option<PathBuf>,
    metrics: std::sync::Arc<crate::server::metrics::RequestMetrics>,
}

impl std::fmt::Debug for ClusterHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterHandle")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// A simulated Kubernetes cluster.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let cluster = driftless_sim::Cluster::start(Default::default()).await?;
/// println!("API server at {}", cluster.url());
/// cluster.write_kubeconfig(std::path::Path::new("/tmp/kubeconfig"))?;
/// cluster.shutdown().await;
/// # Ok(()) }
/// ```
pub struct Cluster;

impl Cluster {
    /// Starts a cluster on the current tokio runtime.
    pub async fn start(config: ClusterConfig) -> Result<ClusterHandle, ClusterError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let store = Store::with_history(config.watch_history);
        if let Some(dir) = &config.state_dir {
            store.load_from(dir)?;
        }
        store.bootstrap()?;
        // A state directory keeps the token too, so kubeconfigs survive restarts.
        let token = match (&config.token, &config.state_dir) {
            (Some(t), _) => t.clone(),
            (None, Some(dir)) => {
                let path = dir.join("token");
                match std::fs::read_to_string(&path) {
                    Ok(t) if !t.trim().is_empty() => t.trim().to_string(),
                    _ => {
                        let t = uuid::Uuid::new_v4().simple().to_string();
                        std::fs::create_dir_all(dir)
                            .and_then(|_| std::fs::write(&path, &t))
                            .map_err(|source| ClusterError::Kubeconfig {
                                path: path.display().to_string(),
                                source,
                            })?;
                        t
                    }
                }
            }
            (None, None) => uuid::Uuid::new_v4().simple().to_string(),
        };
        let tcp = TcpListener::bind(config.listen)
            .await
            .map_err(|source| ClusterError::Bind {
                addr: config.listen,
                source,
            })?;
        let addr = tcp.local_addr().map_err(|source| ClusterError::Bind {
            addr: config.listen,
            source,
        })?;
        let certs = if config.tls {
            Some(match &config.state_dir {
                Some(d) => tls::Certs::load_or_generate(d)?,
                None => tls::Certs::generate()?,
            })
        } else {
            None
        };
        let scheme = if config.tls { "https" } else { "http" };
        let url = format!("{scheme}://{addr}");
        let metrics = std::sync::Arc::new(crate::server::metrics::RequestMetrics::default());
        let app = router(
            store.clone(),
            token.clone(),
            addr.to_string(),
            config.bookmark_interval,
            crate::controllers::faults::FaultInjector::new(config.faults.clone()),
            metrics.clone(),
        );
        let mut tasks = Vec::new();
        match &certs {
            Some(c) => {
                let listener = tls::TlsListener::new(tcp, c.server_config()?)
                    .map_err(|source| ClusterError::Bind { addr, source })?;
                tasks.push(tokio::spawn(async move {
                    let _ = axum::serve(listener, app).await;
                }));
            }
            None => {
                tasks.push(tokio::spawn(async move {
                    let _ = axum::serve(tcp, app).await;
                }));
            }
        }
        let ca_pem = certs.as_ref().map(|c| c.ca_pem.clone());
        tasks.extend(crate::system::start(store.clone(), ca_pem.clone()));
        if config.controllers {
            tasks.push(
                crate::controllers::start(store.clone(), config.workloads.clone()).into_handle(),
            );
        }
        if let Some(dir) = config.state_dir.clone() {
            let s = store.clone();
            tasks.push(tokio::spawn(async move {
                loop {
                    s.changed().await;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    let _ = s.save_to(&dir);
                }
            }));
        }
        let kubeconfig = kubeconfig::build(&url, ca_pem.as_deref(), &token);
        Ok(ClusterHandle {
            store,
            url,
            addr,
            kubeconfig,
            ca_pem,
            token,
            tasks,
            state_dir: config.state_dir,
            metrics,
        })
    }
}

impl ClusterHandle {
    /// The API server URL, e.g. `https://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A kubeconfig (YAML) for this cluster, with the CA and the token.
    pub fn kubeconfig(&self) -> &str {
        &self.kubeconfig
    }

    /// The CA certificate (PEM) of an HTTPS cluster.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The bearer token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The cluster's object store (for tests and in-process tools).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Requests served so far, counted as `/metrics` reports them (`apiserver_request_total`).
    pub fn requests(&self) -> &crate::server::metrics::RequestMetrics {
        &self.metrics
    }

    /// Writes the kubeconfig to `path`.
    pub fn write_kubeconfig(&self, path: &Path) -> Result<(), ClusterError> {
        std::fs::write(path, &self.kubeconfig).map_err(|source| ClusterError::Kubeconfig {
            path: path.display().to_string(),
            source,
        })
    }

    /// Stops the server and all loops (saving state when a state directory is set).
    pub async fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        for t in self.tasks.drain(..) {
            t.abort();
        }
        if let Some(d) = &self.state_dir {
            let _ = self.store.save_to(d);
        }
    }
}

impl Drop for ClusterHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

//! Reaching a cluster: a kubeconfig file, kubeconfig text (the embedded simulator), or the
//! environment (in-cluster service account, `$KUBECONFIG`, `~/.kube/config`).

use crate::RuntimeError;
use std::path::PathBuf;

/// Where the cluster's connection settings come from.
#[derive(Debug, Clone, Default)]
pub enum ClusterConfig {
    /// In-cluster config when running in a pod, else `$KUBECONFIG` / `~/.kube/config`.
    #[default]
    Infer,
    /// A kubeconfig file and optional context.
    File {
        /// The kubeconfig path.
        path: PathBuf,
        /// The context (the file's current one when `None`).
        context: Option<String>,
    },
    /// The default kubeconfig with a given context.
    Context(String),
    /// Kubeconfig text (e.g. from the embedded simulator).
    Yaml(String),
}

/// A `kube::Client` for `config`.
pub async fn client(config: &ClusterConfig) -> Result<kube::Client, RuntimeError> {
    crate::install_crypto_provider();
    let err = |what: &str, e: &dyn std::fmt::Display| RuntimeError::Connect(format!("{what}: {e}"));
    let cfg = match config {
        ClusterConfig::Infer => kube::Config::infer().await.map_err(|e| {
            err(
                "no cluster: pass --kubeconfig, set KUBECONFIG, run in a pod, or use --sim",
                &e,
            )
        })?,
        ClusterConfig::Context(ctx) => {
            let options = kube::config::KubeConfigOptions {
                context: Some(ctx.clone()),
                ..Default::default()
            };
            kube::Config::from_kubeconfig(&options)
                .await
                .map_err(|e| err(&format!("context {ctx}"), &e))?
        }
        ClusterConfig::File { path, context } => {
            let kc = kube::config::Kubeconfig::read_from(path)
                .map_err(|e| err(&format!("cannot read kubeconfig {}", path.display()), &e))?;
            let options = kube::config::KubeConfigOptions {
                context: context.clone(),
                ..Default::default()
            };
            kube::Config::from_custom_kubeconfig(kc, &options)
                .await
                .map_err(|e| err(&format!("kubeconfig {}", path.display()), &e))?
        }
        ClusterConfig::Yaml(text) => {
            let kc =
                kube::config::Kubeconfig::from_yaml(text).map_err(|e| err("kubeconfig", &e))?;
            kube::Config::from_custom_kubeconfig(kc, &Default::default())
                .await
                .map_err(|e| err("kubeconfig", &e))?
        }
    };
    kube::Client::try_from(cfg).map_err(|e| err("cannot build the Kubernetes client", &e))
}

//! Argo CD's declarative Secrets, decoded: clusters (`argocd.argoproj.io/secret-type: cluster`)
//! and repository credentials (`repository`, `repo-creds`). Values are never printed: `Debug`
//! shows which credential is set, and errors name the Secret and the key, never the value.

mod cluster;
mod destination;
mod repo;
mod scope;

pub use cluster::{ClusterSecret, ClusterSecretConfig, TlsClientConfig};
pub use destination::{DestinationError, ResolvedCluster, resolve_destination};
pub use repo::{
    RepoCredentials, RepoSecret, RepoSecretKind, chart_repo_credentials, chart_repository,
    normalize_git_url, repo_credentials,
};
pub use scope::NamespacedMode;

use k8s_openapi::api::core::v1::Secret;

/// The label that marks Argo CD's Secrets and says what they hold.
pub const SECRET_TYPE_LABEL: &str = "argocd.argoproj.io/secret-type";
/// The controller's own cluster.
pub const IN_CLUSTER_SERVER: &str = "https://kubernetes.default.svc";
/// The name Argo CD gives the controller's own cluster.
pub const IN_CLUSTER_NAME: &str = "in-cluster";

/// A Secret of Argo CD's that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} Secret {secret}: {message}")]
pub struct SecretError {
    /// `cluster`, `repository` or `repo-creds`.
    pub kind: String,
    /// The Secret's name.
    pub secret: String,
    /// What is wrong (never a value).
    pub message: String,
}

/// The `argocd.argoproj.io/secret-type` label of `secret`.
pub fn secret_type(secret: &Secret) -> Option<&str> {
    secret
        .metadata
        .labels
        .as_ref()?
        .get(SECRET_TYPE_LABEL)
        .map(String::as_str)
}

/// The UTF-8 text of key `key` of `secret` (empty when absent).
fn text(secret: &Secret, kind: &str, key: &str) -> Result<String, SecretError> {
    let Some(bytes) = secret.data.as_ref().and_then(|d| d.get(key)) else {
        return Ok(String::new());
    };
    String::from_utf8(bytes.0.clone()).map_err(|_| SecretError {
        kind: kind.to_string(),
        secret: secret.metadata.name.clone().unwrap_or_default(),
        message: format!("data.{key} is not UTF-8 text"),
    })
}

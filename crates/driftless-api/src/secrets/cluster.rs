//! Cluster Secrets: `name`, `server`, `config` (JSON), `namespaces`, `clusterResources`,
//! `project` and `shard`, as Argo CD reads them (`secretToCluster`).

use super::{SecretError, text};
use k8s_openapi::api::core::v1::Secret;
use serde::Deserialize;
use std::fmt;

/// One cluster Secret, decoded.
#[derive(Clone, PartialEq, Default)]
pub struct ClusterSecret {
    /// The Secret's name.
    pub secret: String,
    /// The Secret's uid: Argo CD's cluster id, which the `legacy` sharding hashes.
    pub uid: String,
    /// `name`: what `destination.name` refers to.
    pub name: String,
    /// `server`: the API server URL (trailing `/` removed), what `destination.server` refers to.
    pub server: String,
    /// `project`: the AppProject the cluster is scoped to (empty: any).
    pub project: String,
    /// `shard`: the controller shard this cluster is pinned to.
    pub shard: Option<u32>,
    /// `namespaces`: the namespaces the credentials may use (empty: all).
    pub namespaces: Vec<String>,
    /// `clusterResources`: cluster-scoped kinds are managed even with `namespaces` set.
    pub cluster_resources: bool,
    /// `config`: how to authenticate.
    pub config: ClusterSecretConfig,
}

/// The `config` JSON of a cluster Secret (Argo CD's `ClusterConfig`).
#[derive(Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSecretConfig {
    /// Basic authentication user.
    #[serde(default)]
    pub username: Option<String>,
    /// Basic authentication password.
    #[serde(default)]
    pub password: Option<String>,
    /// A bearer token (a ServiceAccount token).
    #[serde(default)]
    pub bearer_token: Option<String>,
    /// TLS settings.
    #[serde(default)]
    pub tls_client_config: TlsClientConfig,
    /// `execProviderConfig` / `awsAuthConfig`: not supported (the connection fails clearly).
    #[serde(default)]
    pub exec_provider_config: Option<serde_json::Value>,
    /// See `exec_provider_config`.
    #[serde(default)]
    pub aws_auth_config: Option<serde_json::Value>,
}

/// `tlsClientConfig`: PEM data base64-encoded, as Argo CD's JSON holds its `[]byte` fields.
#[derive(Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TlsClientConfig {
    /// Skip verifying the server's certificate.
    #[serde(default)]
    pub insecure: bool,
    /// The name to verify the server's certificate against.
    #[serde(default)]
    pub server_name: Option<String>,
    /// Client certificate (base64 of PEM).
    #[serde(default)]
    pub cert_data: Option<String>,
    /// Client key (base64 of PEM).
    #[serde(default)]
    pub key_data: Option<String>,
    /// Certificate authorities (base64 of PEM).
    #[serde(default)]
    pub ca_data: Option<String>,
}

impl ClusterSecret {
    /// Decodes a cluster Secret. A `shard` that is not a number is ignored, as Argo CD does.
    ///
    /// ```
    /// use k8s_openapi::api::core::v1::Secret;
    /// let s: Secret = serde_json::from_value(serde_json::json!({
    ///     "metadata": {"name": "prod", "uid": "u1", "labels": {"argocd.argoproj.io/secret-type": "cluster"}},
    ///     "stringData": {},
    ///     "data": {"name": "cHJvZA==", "server": "aHR0cHM6Ly9wcm9kLmV4YW1wbGU6NjQ0My8=",
    ///              "config": "eyJiZWFyZXJUb2tlbiI6InMzY3JldCJ9"},
    /// })).unwrap();
    /// let c = driftless_api::ClusterSecret::from_secret(&s).unwrap();
    /// assert_eq!((c.name.as_str(), c.server.as_str()), ("prod", "https://prod.example:6443"));
    /// assert_eq!(c.config.bearer_token.as_deref(), Some("s3cret"));
    /// assert!(!format!("{c:?}").contains("s3cret"));
    /// ```
    pub fn from_secret(secret: &Secret) -> Result<Self, SecretError> {
        let name = secret.metadata.name.clone().unwrap_or_default();
        let field = |k| text(secret, "cluster", k);
        let err = |message: String| SecretError {
            kind: "cluster".into(),
            secret: name.clone(),
            message,
        };
        let raw = field("config")?;
        let config = if raw.trim().is_empty() {
            ClusterSecretConfig::default()
        } else {
            // serde's message names the field and position, never the value of a string.
            serde_json::from_str(&raw).map_err(|e| {
                err(format!(
                    "data.config is not Argo CD's cluster config JSON (line {}, column {})",
                    e.line(),
                    e.column()
                ))
            })?
        };
        let server = field("server")?.trim().trim_end_matches('/').to_string();
        if server.is_empty() {
            return Err(err("data.server is missing".into()));
        }
        Ok(ClusterSecret {
            secret: name.clone(),
            uid: secret.metadata.uid.clone().unwrap_or_default(),
            name: field("name")?,
            server,
            project: field("project")?,
            shard: field("shard")?.trim().parse().ok(),
            namespaces: field("namespaces")?
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .collect(),
            cluster_resources: field("clusterResources")?.trim() == "true",
            config,
        })
    }

    /// The limits of namespaced mode, when the Secret lists `namespaces` (else everything the
    /// credentials reach is managed).
    pub fn namespaced_mode(&self) -> Option<super::NamespacedMode> {
        (!self.namespaces.is_empty()).then(|| super::NamespacedMode {
            namespaces: self.namespaces.clone(),
            cluster_resources: self.cluster_resources,
        })
    }

    /// A fingerprint of everything the connection depends on: a changed Secret reconnects.
    pub fn connection_key(&self) -> String {
        let c = &self.config;
        let t = &c.tls_client_config;
        format!(
            "{}\0{:?}\0{:?}\0{:?}\0{}\0{:?}\0{:?}\0{:?}\0{:?}",
            self.server,
            c.username,
            c.password,
            c.bearer_token,
            t.insecure,
            t.server_name,
            t.cert_data,
            t.key_data,
            t.ca_data
        )
    }
}

impl fmt::Debug for ClusterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClusterSecret")
            .field("secret", &self.secret)
            .field("name", &self.name)
            .field("server", &self.server)
            .field("project", &self.project)
            .field("shard", &self.shard)
            .field("namespaces", &self.namespaces)
            .field("config", &self.config)
            .finish()
    }
}

impl fmt::Debug for ClusterSecretConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |o: &Option<String>| if o.is_some() { "<redacted>" } else { "-" };
        let t = &self.tls_client_config;
        f.debug_struct("ClusterSecretConfig")
            .field("username", &self.username)
            .field("password", &set(&self.password))
            .field("bearer_token", &set(&self.bearer_token))
            .field("insecure", &t.insecure)
            .field("server_name", &t.server_name)
            .field("cert_data", &set(&t.cert_data))
            .field("key_data", &set(&t.key_data))
            .field("ca_data", &set(&t.ca_data))
            .finish()
    }
}

impl fmt::Debug for TlsClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsClientConfig")
            .field("insecure", &self.insecure)
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

//! What the plugin, `clusterDecisionResource`, `pullRequest` and `scmProvider`
//! generators read from the cluster (ConfigMaps, Secrets, duck-typed
//! resources), behind a trait so the generators stay pure.

use serde::Deserialize;
use serde_json::Value;

use crate::error::SourceError;
use crate::generators::clusters::secret_field;
use crate::selector::LabelSelector;

/// Which resources a `clusterDecisionResource` generator lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceQuery {
    /// `group/version` from the generator's ConfigMap (`apiVersion`).
    pub api_version: String,
    /// The resource as Argo CD addresses it: the ConfigMap's `kind`, used as the
    /// plural resource name (`placementdecisions`).
    pub resource: String,
    /// The namespace listed (Argo CD's).
    pub namespace: String,
    /// `metadata.name=<name>` when the generator names one resource.
    pub name: Option<String>,
    /// The label selector the resources must match, else none (its `Display`
    /// is Kubernetes' string form, `a=b,c in (d)`).
    pub label_selector: Option<LabelSelector>,
}

/// Read access to the cluster Argo CD runs in.
pub trait ClusterReader {
    /// The namespace of Argo CD's own configuration: the plugin and
    /// `clusterDecisionResource` ConfigMaps and the plugin token's Secret.
    fn argocd_namespace(&self) -> String;

    /// The ConfigMap `namespace/name` as JSON, `None` when it does not exist.
    fn config_map(&self, namespace: &str, name: &str) -> Result<Option<Value>, SourceError>;

    /// The Secret `namespace/name` as JSON (`data` base64-encoded as the API
    /// returns it), `None` when it does not exist.
    fn secret(&self, namespace: &str, name: &str) -> Result<Option<Value>, SourceError>;

    /// The resources of `query`, as JSON objects, in the API server's order.
    fn list(&self, query: &ResourceQuery) -> Result<Vec<Value>, SourceError>;
}

/// No cluster: every read fails with a clear error (`driftless appset generate`
/// without a cluster, sets using none of these generators).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCluster;

impl NoCluster {
    fn refuse(what: &str) -> SourceError {
        SourceError(format!(
            "reading {what} needs a cluster; none was given (the controller reads it from Argo CD's namespace)"
        ))
    }
}

impl ClusterReader for NoCluster {
    fn argocd_namespace(&self) -> String {
        String::new()
    }
    fn config_map(&self, _: &str, name: &str) -> Result<Option<Value>, SourceError> {
        Err(NoCluster::refuse(&format!("ConfigMap {name}")))
    }
    fn secret(&self, _: &str, name: &str) -> Result<Option<Value>, SourceError> {
        Err(NoCluster::refuse(&format!("Secret {name}")))
    }
    fn list(&self, q: &ResourceQuery) -> Result<Vec<Value>, SourceError> {
        Err(NoCluster::refuse(&format!(
            "{} {}",
            q.api_version, q.resource
        )))
    }
}

/// A cluster in memory: objects as JSON (ConfigMaps, Secrets, any resource),
/// for `driftless appset generate` and tests. `list` matches a resource by its
/// `apiVersion` and its kind's lowercase plural (`PlacementDecision` is
/// `placementdecisions`).
///
/// ```
/// use driftless_appset::{ClusterReader, MemCluster};
/// let c = MemCluster::new("argocd", vec![serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
///     "metadata": {"name": "p", "namespace": "argocd"}, "data": {"baseUrl": "http://plugin"}})]);
/// assert_eq!(c.config_map("argocd", "p").unwrap().unwrap()["data"]["baseUrl"], "http://plugin");
/// assert!(c.secret("argocd", "p").unwrap().is_none());
/// ```
#[derive(Clone, Default)]
pub struct MemCluster {
    namespace: String,
    objects: Vec<Value>,
}

impl std::fmt::Debug for MemCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemCluster")
            .field("namespace", &self.namespace)
            .field("objects", &self.objects.len())
            .finish()
    }
}

impl MemCluster {
    /// `objects` with Argo CD's configuration in `namespace`; an object without
    /// a namespace is in `namespace`.
    pub fn new(namespace: &str, objects: Vec<Value>) -> MemCluster {
        MemCluster {
            namespace: namespace.to_string(),
            objects,
        }
    }

    fn in_namespace<'a>(&'a self, o: &'a Value, namespace: &str) -> bool {
        let ns = o
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or(&self.namespace);
        ns == namespace
    }

    fn find(&self, api_version: &str, kind: &str, namespace: &str, name: &str) -> Option<Value> {
        self.objects
            .iter()
            .find(|o| {
                o["apiVersion"] == api_version
                    && o["kind"] == kind
                    && o.pointer("/metadata/name") == Some(&Value::from(name))
                    && self.in_namespace(o, namespace)
            })
            .cloned()
    }
}

impl ClusterReader for MemCluster {
    fn argocd_namespace(&self) -> String {
        self.namespace.clone()
    }

    fn config_map(&self, namespace: &str, name: &str) -> Result<Option<Value>, SourceError> {
        Ok(self.find("v1", "ConfigMap", namespace, name))
    }

    fn secret(&self, namespace: &str, name: &str) -> Result<Option<Value>, SourceError> {
        Ok(self.find("v1", "Secret", namespace, name))
    }

    fn list(&self, q: &ResourceQuery) -> Result<Vec<Value>, SourceError> {
        Ok(self
            .objects
            .iter()
            .filter(|o| {
                let kind = o["kind"].as_str().unwrap_or_default().to_lowercase();
                let labels = o
                    .pointer("/metadata/labels")
                    .and_then(Value::as_object)
                    .map(|m| {
                        m.iter()
                            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                            .collect()
                    })
                    .unwrap_or_default();
                o["apiVersion"] == q.api_version.as_str()
                    && (q.resource == format!("{kind}s") || q.resource == kind)
                    && self.in_namespace(o, &q.namespace)
                    && q.name.as_ref().is_none_or(|n| {
                        o.pointer("/metadata/name") == Some(&Value::from(n.as_str()))
                    })
                    && q.label_selector.as_ref().is_none_or(|s| s.matches(&labels))
            })
            .cloned()
            .collect())
    }
}

/// A reference to one key of a Secret (`tokenRef`, `passwordRef`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub(crate) struct SecretRef {
    #[serde(rename = "secretName")]
    pub secret_name: String,
    pub key: String,
}

/// The `data` of a ConfigMap as strings.
pub(crate) fn config_map_data(cm: &Value) -> serde_json::Map<String, Value> {
    cm.get("data")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Argo CD's `GetSecretRef`: the value of `r.key` in Secret `r.secret_name` of
/// `namespace`; no reference is the empty token. Errors never hold the value.
pub(crate) fn secret_ref(
    cluster: &dyn ClusterReader,
    namespace: &str,
    r: Option<&SecretRef>,
) -> Result<String, String> {
    let Some(r) = r else {
        return Ok(String::new());
    };
    secret_key(cluster, namespace, &r.secret_name, &r.key)?.ok_or_else(|| {
        format!(
            "key {:?} in secret {namespace}/{} not found",
            r.key, r.secret_name
        )
    })
}

/// The value of `key` in Secret `namespace/name`, `None` when the key is absent.
fn secret_key(
    cluster: &dyn ClusterReader,
    namespace: &str,
    name: &str,
    key: &str,
) -> Result<Option<String>, String> {
    let secret = cluster
        .secret(namespace, name)
        .map_err(|e| format!("error fetching secret {namespace}/{name}: {e}"))?
        .ok_or_else(|| format!("error fetching secret {namespace}/{name}: not found"))?;
    let present = ["data", "stringData"]
        .iter()
        .any(|f| secret.get(*f).and_then(|d| d.get(key)).is_some());
    if !present {
        return Ok(None);
    }
    secret_field(&secret, key)
        .map(Some)
        .map_err(|e| format!("secret {namespace}/{name}: {e}"))
}

/// The Secret Argo CD reads `$key` references from when they name no Secret.
pub const ARGOCD_SECRET: &str = "argocd-secret";

/// Argo CD's plugin token: `$<secret>:<key>` (or `$<key>` in `argocd-secret`)
/// read from the Argo CD namespace, surrounding whitespace trimmed.
pub(crate) fn plugin_token(cluster: &dyn ClusterReader, reference: &str) -> Result<String, String> {
    let Some(rest) = reference.strip_prefix('$') else {
        return Err(
            "token is empty, or does not reference a secret key starting with '$'".to_string(),
        );
    };
    let (name, key) = match rest.split_once(':') {
        Some((name, key)) => (name, key),
        None => (ARGOCD_SECRET, rest),
    };
    let ns = cluster.argocd_namespace();
    let value = secret_key(cluster, &ns, name, key)?
        .ok_or_else(|| format!("key {key:?} in secret {ns}/{name} not found"))?;
    Ok(value.trim().to_string())
}

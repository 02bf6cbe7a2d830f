//! The generators' cluster reads ([`ClusterReader`]) over a `kube::Client`: ConfigMaps and
//! Secrets by name, duck-typed resources by name or label selector. Must be used from a blocking
//! thread (it drives the client's futures with a runtime handle).

use driftless_appset::{ClusterReader, ResourceQuery, SourceError};
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::{Api, DynamicObject, ListParams};
use kube::core::ApiResource;
use serde_json::Value;

/// A [`ClusterReader`] over `client`, Argo CD's configuration in `namespace`.
pub struct KubeCluster {
    client: kube::Client,
    namespace: String,
    handle: tokio::runtime::Handle,
}

impl std::fmt::Debug for KubeCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubeCluster")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

impl KubeCluster {
    /// Reads through `client`, driving its futures on `handle`.
    pub fn new(client: kube::Client, namespace: &str, handle: tokio::runtime::Handle) -> Self {
        KubeCluster {
            client,
            namespace: namespace.to_string(),
            handle,
        }
    }

    fn get<K>(&self, namespace: &str, name: &str) -> Result<Option<Value>, SourceError>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
            + Clone
            + serde::de::DeserializeOwned
            + serde::Serialize
            + std::fmt::Debug,
        <K as kube::Resource>::DynamicType: Default,
    {
        let api: Api<K> = Api::namespaced(self.client.clone(), namespace);
        let kind = K::kind(&Default::default()).to_string();
        let got = self
            .handle
            .block_on(api.get_opt(name))
            // The error names the object, never its contents.
            .map_err(|e| SourceError(format!("{kind} {namespace}/{name}: {e}")))?;
        got.map(|o| serde_json::to_value(o).map_err(|e| SourceError(format!("{kind} {name}: {e}"))))
            .transpose()
    }
}

impl ClusterReader for KubeCluster {
    fn argocd_namespace(&self) -> String {
        self.namespace.clone()
    }

    fn config_map(&self, namespace: &str, name: &str) -> Result<Option<Value>, SourceError> {
        self.get::<ConfigMap>(namespace, name)
    }

    fn secret(&self, namespace: &str, name: &str) -> Result<Option<Value>, SourceError> {
        self.get::<Secret>(namespace, name)
    }

    fn list(&self, q: &ResourceQuery) -> Result<Vec<Value>, SourceError> {
        let (group, version) = q
            .api_version
            .split_once('/')
            .unwrap_or(("", &q.api_version));
        let ar = ApiResource {
            group: group.to_string(),
            version: version.to_string(),
            api_version: q.api_version.clone(),
            kind: q.resource.clone(),
            plural: q.resource.clone(),
        };
        let api: Api<DynamicObject> = Api::namespaced_with(self.client.clone(), &q.namespace, &ar);
        let mut lp = ListParams::default();
        if let Some(name) = &q.name {
            lp = lp.fields(&format!("metadata.name={name}"));
        }
        if let Some(sel) = &q.label_selector {
            lp = lp.labels(&sel.to_string());
        }
        let list = self
            .handle
            .block_on(api.list(&lp))
            .map_err(|e| SourceError(format!("{} {}: {e}", q.api_version, q.resource)))?;
        list.items
            .iter()
            .map(|o| serde_json::to_value(o).map_err(|e| SourceError(e.to_string())))
            .collect()
    }
}

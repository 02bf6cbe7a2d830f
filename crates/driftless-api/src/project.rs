//! The Argo CD `AppProject`: which sources and destinations its Applications may use.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

use crate::fields::{Extra, is_false};

/// An Argo CD `AppProject`.
///
/// ```
/// let p = driftless_api::AppProject::default_project("argocd");
/// assert_eq!(p.spec.source_repos, ["*"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppProject {
    /// `argoproj.io/v1alpha1`.
    #[serde(default)]
    pub api_version: String,
    /// `AppProject`.
    #[serde(default)]
    pub kind: String,
    /// Name and namespace.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// What the project allows.
    #[serde(default)]
    pub spec: AppProjectSpec,
    /// Argo CD's project status (JWT tokens by role), kept as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<serde_json::Value>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec` of an AppProject.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppProjectSpec {
    /// Repository URL globs Applications may use (`*` for any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_repos: Vec<String>,
    /// Clusters and namespaces Applications may deploy to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destinations: Vec<ProjectDestination>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Roles (kept as given; Driftless has no RBAC of its own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<serde_json::Value>,
    /// Cluster-scoped kinds that may be deployed (none when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster_resource_whitelist: Vec<GroupKind>,
    /// Cluster-scoped kinds that may not be deployed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster_resource_blacklist: Vec<GroupKind>,
    /// Namespaced kinds that may be deployed (all when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespace_resource_whitelist: Vec<GroupKind>,
    /// Namespaced kinds that may not be deployed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespace_resource_blacklist: Vec<GroupKind>,
    /// Orphaned-resource monitoring settings (kept as given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orphaned_resources: Option<serde_json::Value>,
    /// Sync windows (kept as given).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sync_windows: Vec<serde_json::Value>,
    /// GnuPG keys commits must be signed with (kept as given).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signature_keys: Vec<serde_json::Value>,
    /// Namespaces Applications of this project may live in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_namespaces: Vec<String>,
    /// Only project-scoped clusters may be used.
    #[serde(default, skip_serializing_if = "is_false")]
    pub permit_only_project_scoped_clusters: bool,
    /// Service accounts to impersonate per destination (kept as given).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destination_service_accounts: Vec<serde_json::Value>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One permitted destination (`*` globs allowed, `!` negates in Argo CD 2.5+).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ProjectDestination {
    /// API server URL glob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Namespace glob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Cluster name glob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A group and kind (`*` for any).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GroupKind {
    /// API group (empty for core).
    #[serde(default)]
    pub group: String,
    /// Kind.
    #[serde(default)]
    pub kind: String,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

impl AppProject {
    /// The `default` project Argo CD creates when missing: any source, any destination, any
    /// cluster-scoped kind.
    pub fn default_project(namespace: &str) -> Self {
        let any = || Some("*".to_string());
        AppProject {
            api_version: crate::API_VERSION.to_string(),
            kind: "AppProject".to_string(),
            metadata: ObjectMeta {
                name: Some("default".to_string()),
                namespace: Some(namespace.to_string()),
                ..Default::default()
            },
            spec: AppProjectSpec {
                source_repos: vec!["*".to_string()],
                destinations: vec![ProjectDestination {
                    server: any(),
                    namespace: any(),
                    ..Default::default()
                }],
                cluster_resource_whitelist: vec![GroupKind {
                    group: "*".to_string(),
                    kind: "*".to_string(),
                    ..Default::default()
                }],
                ..Default::default()
            },
            status: None,
            extra: Extra::new(),
        }
    }
}

crate::resource::impl_resource!(AppProject, "AppProject", "appprojects");

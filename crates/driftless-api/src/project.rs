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

impl AppProject {
    /// Whether an Application of this project may use repository `repo_url` (Argo CD's
    /// `IsSourcePermitted`): some `sourceRepos` glob matches the normalised URL and no `!` pattern
    /// excludes it.
    pub fn permits_source(&self, repo_url: &str) -> bool {
        let repo = normalize_git_url(repo_url);
        let mut any = false;
        for pattern in &self.spec.source_repos {
            let normalized = match pattern.strip_prefix('!') {
                Some(p) => format!("!{}", normalize_git_url(p)),
                None => normalize_git_url(pattern),
            };
            if glob_match(&normalized, &repo) {
                any = true;
            } else if normalized.starts_with('!') {
                return false;
            }
        }
        any
    }

    /// Whether an Application of this project may deploy to `dest` (Argo CD's
    /// `isDestinationMatched`: server or name, and namespace, match one entry; `!` entries exclude).
    pub fn permits_destination(&self, dest: &crate::source::Destination) -> bool {
        let server = dest.server.as_deref().unwrap_or("");
        let name = dest.name.as_deref().unwrap_or("");
        let namespace = dest.namespace.as_deref().unwrap_or("");
        let mut any = false;
        for item in &self.spec.destinations {
            let item_server = item.server.as_deref().unwrap_or("");
            let item_name = item.name.as_deref().unwrap_or("");
            let item_namespace = item.namespace.as_deref().unwrap_or("");
            let name_ok = !name.is_empty() && glob_match(item_name, name);
            let server_ok = !server.is_empty() && glob_match(item_server, server);
            let namespace_ok = glob_match(item_namespace, namespace);
            let cluster_ok = server_ok || name_ok;
            let cluster_denied = (!name_ok && item_name.starts_with('!'))
                || (!server_ok && item_server.starts_with('!'));
            let namespace_denied = !namespace_ok && item_namespace.starts_with('!');
            if cluster_ok && namespace_ok {
                any = true;
            } else if (cluster_denied && namespace_ok) || (namespace_denied && cluster_ok) {
                return false;
            }
        }
        any
    }

    /// Whether objects of `group`/`kind` may be deployed (Argo CD's `IsGroupKindPermitted`):
    /// cluster-scoped kinds only when whitelisted, namespaced kinds unless a non-empty whitelist
    /// leaves them out; a blacklist wins. Patterns are Go `filepath.Match` globs.
    pub fn permits_kind(&self, group: &str, kind: &str, namespaced: bool) -> bool {
        let listed = |list: &[GroupKind]| {
            list.iter().any(|gk| {
                crate::glob::matches(&gk.kind, kind, crate::glob::Dialect::Filepath)
                    && crate::glob::matches(&gk.group, group, crate::glob::Dialect::Filepath)
            })
        };
        let spec = &self.spec;
        if namespaced {
            // Argo CD tells an absent whitelist (all) from an empty one (none); both read as
            // empty here, so an empty whitelist allows all.
            let white = spec.namespace_resource_whitelist.is_empty()
                || listed(&spec.namespace_resource_whitelist);
            white && !listed(&spec.namespace_resource_blacklist)
        } else {
            listed(&spec.cluster_resource_whitelist) && !listed(&spec.cluster_resource_blacklist)
        }
    }
}

impl AppProject {
    /// Orphaned-resource monitoring (`spec.orphanedResources`): `None` when off, else whether
    /// it warns (`warn` defaults to true, as Argo CD's `IsWarn`).
    pub fn orphaned_warn(&self) -> Option<bool> {
        let o = self.spec.orphaned_resources.as_ref()?;
        Some(
            o.get("warn")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(true),
        )
    }

    /// Whether orphaned-resource monitoring leaves this object out: Argo CD's known exclusions
    /// (every `default` ServiceAccount, every `kube-root-ca.crt` ConfigMap, the `kubernetes`
    /// Service of `default`) and the project's `orphanedResources.ignore` entries (globs).
    ///
    /// ```
    /// let mut p = driftless_api::AppProject::default_project("argocd");
    /// p.spec.orphaned_resources = Some(serde_json::json!({"ignore": [{"kind": "Secret", "name": "tls-*"}]}));
    /// assert!(p.orphan_excluded("", "Secret", "shop", "tls-web"));
    /// assert!(p.orphan_excluded("", "ServiceAccount", "shop", "default"));
    /// assert!(!p.orphan_excluded("", "ConfigMap", "shop", "settings"));
    /// ```
    pub fn orphan_excluded(&self, group: &str, kind: &str, namespace: &str, name: &str) -> bool {
        let known = group.is_empty()
            && matches!(
                (kind, namespace, name),
                ("Service", "default", "kubernetes")
                    | ("ServiceAccount", _, "default")
                    | ("ConfigMap", _, "kube-root-ca.crt")
            );
        let field = |item: &serde_json::Value, f: &str| {
            item.get(f)
                .and_then(serde_json::Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let ignored = self
            .spec
            .orphaned_resources
            .as_ref()
            .and_then(|o| o.get("ignore"))
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .any(|item| {
                let (g, k, n) = (
                    field(item, "group"),
                    field(item, "kind"),
                    field(item, "name"),
                );
                (k.is_empty() || glob_match(&k, kind))
                    && glob_match(&g, group)
                    && (n.is_empty() || glob_match(&n, name))
            });
        known || ignored
    }
}

/// Argo CD's `globMatch` with negation: `!pattern` matches what `pattern` does not.
fn glob_match(pattern: &str, text: &str) -> bool {
    match pattern.strip_prefix('!') {
        Some(p) => !crate::glob::matches(p, text, crate::glob::Dialect::Gobwas),
        None => crate::glob::matches(pattern, text, crate::glob::Dialect::Gobwas),
    }
}

/// Argo CD's `git.NormalizeGitURL`: lower case, `git@host:path` as `host/path`, no `.git` suffix,
/// no `ssh://` prefix.
fn normalize_git_url(repo: &str) -> String {
    let mut repo = repo.trim().to_lowercase();
    let scp_like = !repo.contains("://")
        && repo
            .find(':')
            .is_some_and(|colon| repo[..colon].contains('@'));
    if scp_like {
        repo = repo.replacen(':', "/", 1);
    }
    let repo = repo.strip_suffix(".git").unwrap_or(&repo);
    repo.strip_prefix("ssh://").unwrap_or(repo).to_string()
}

crate::resource::impl_resource!(AppProject, "AppProject", "appprojects");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Destination;

    fn dest(server: &str, name: &str, namespace: &str) -> Destination {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Destination {
            server: some(server),
            name: some(name),
            namespace: some(namespace),
            ..Default::default()
        }
    }

    fn project(yaml: &str) -> AppProject {
        serde_yaml_ng::from_str(yaml).unwrap()
    }

    #[test]
    fn default_project_permits_everything() {
        let p = AppProject::default_project("argocd");
        assert!(p.permits_source("https://github.com/a/b.git"));
        assert!(p.permits_destination(&dest("https://kubernetes.default.svc", "", "shop")));
        assert!(p.permits_kind("rbac.authorization.k8s.io", "ClusterRole", false));
        assert!(p.permits_kind("apps", "Deployment", true));
        // A destination needs a server or a name.
        assert!(!p.permits_destination(&dest("", "", "shop")));
    }

    #[test]
    fn sources_are_normalised_and_deny_patterns_exclude() {
        let p = project(
            "spec:\n  sourceRepos: ['https://github.com/Org/*', 'git@gitlab.com:team/app.git']\n",
        );
        assert!(p.permits_source("https://github.com/org/shop.git"));
        assert!(p.permits_source("HTTPS://GITHUB.COM/ORG/shop"));
        assert!(!p.permits_source("https://github.com/other/shop"));
        assert!(p.permits_source("git@gitlab.com:team/app"));
        assert!(p.permits_source("ssh://git@gitlab.com/team/app.git"));
        // As in Argo CD, a `!` pattern matches every other repository and excludes its own.
        let p = project("spec:\n  sourceRepos: ['!https://github.com/org/secret.git']\n");
        assert!(!p.permits_source("https://github.com/org/secret"));
        assert!(p.permits_source("https://github.com/other/shop"));
    }

    #[test]
    fn destinations_and_kinds() {
        let p = project(concat!(
            "spec:\n",
            "  destinations:\n",
            "  - {server: 'https://prod.example.com', namespace: 'shop-*'}\n",
            "  - {name: 'in-cluster', namespace: '!kube-system'}\n",
            "  clusterResourceWhitelist: [{group: '', kind: Namespace}]\n",
            "  namespaceResourceBlacklist: [{group: '', kind: ResourceQuota}]\n",
        ));
        assert!(p.permits_destination(&dest("https://prod.example.com", "", "shop-eu")));
        assert!(!p.permits_destination(&dest("https://prod.example.com", "", "web")));
        assert!(p.permits_destination(&dest("", "in-cluster", "web")));
        assert!(!p.permits_destination(&dest("", "in-cluster", "kube-system")));
        assert!(p.permits_kind("", "Namespace", false));
        assert!(!p.permits_kind("rbac.authorization.k8s.io", "ClusterRole", false));
        assert!(p.permits_kind("apps", "Deployment", true));
        assert!(!p.permits_kind("", "ResourceQuota", true));
    }
}

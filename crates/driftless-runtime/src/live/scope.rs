//! What one watch covers: a kind (at one version) in one namespace, or cluster-wide.

use driftless_core::ObjectKey;
use kube::core::ApiResource;
use std::fmt;
use std::hash::{Hash, Hasher};

/// One watch: a served kind in one namespace (`None` for cluster-scoped kinds).
#[derive(Debug, Clone)]
pub struct Scope {
    /// How the kind is served (group, version, kind, plural).
    pub resource: ApiResource,
    /// The namespace, for namespaced kinds.
    pub namespace: Option<String>,
}

impl Scope {
    /// The scope of a served kind in a namespace.
    pub fn new(resource: ApiResource, namespace: Option<String>) -> Self {
        Scope {
            resource,
            namespace,
        }
    }

    /// A scope value usable only as a map key for `key`'s kind (equality ignores the plural).
    pub(crate) fn lookup(key: &ObjectKey, namespace: Option<String>) -> Self {
        Scope {
            resource: ApiResource {
                group: key.group.clone(),
                version: key.version.clone(),
                api_version: key.api_version(),
                kind: key.kind.clone(),
                plural: String::new(),
            },
            namespace,
        }
    }

    fn id(&self) -> (&str, &str, &str, Option<&str>) {
        (
            &self.resource.group,
            &self.resource.version,
            &self.resource.kind,
            self.namespace.as_deref(),
        )
    }
}

impl PartialEq for Scope {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}
impl Eq for Scope {}
impl Hash for Scope {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.resource;
        match &self.namespace {
            Some(ns) => write!(f, "{}/{} in {ns}", r.api_version, r.kind),
            None => write!(f, "{}/{}", r.api_version, r.kind),
        }
    }
}

/// Kinds read beside a workload for its health and the UI's tree: (group, version, kind, plural).
const CHILDREN: &[(&str, &str, &str, &str)] = &[
    ("apps", "v1", "ReplicaSet", "replicasets"),
    ("", "v1", "Pod", "pods"),
];

/// Workload kinds whose namespaces also get the child kinds watched.
const WORKLOADS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
];

/// The scopes covering `keys`, given how each kind is served (`None`: not served, so nothing to
/// watch yet), plus the child kinds beside workloads.
pub fn scopes_for<'a>(
    keys: impl IntoIterator<Item = (&'a ObjectKey, Option<(ApiResource, bool)>)>,
) -> std::collections::HashSet<Scope> {
    let mut out = std::collections::HashSet::new();
    for (key, served) in keys {
        let Some((resource, namespaced)) = served else {
            continue;
        };
        let ns = if namespaced {
            key.namespace.clone()
        } else {
            None
        };
        if namespaced && ns.is_none() {
            continue;
        }
        if WORKLOADS.contains(&key.kind.as_str()) {
            for (g, v, k, p) in CHILDREN {
                let api_version = if g.is_empty() {
                    v.to_string()
                } else {
                    format!("{g}/{v}")
                };
                out.insert(Scope::new(
                    ApiResource {
                        group: g.to_string(),
                        version: v.to_string(),
                        api_version,
                        kind: k.to_string(),
                        plural: p.to_string(),
                    },
                    ns.clone(),
                ));
            }
        }
        out.insert(Scope::new(resource, ns));
    }
    out
}

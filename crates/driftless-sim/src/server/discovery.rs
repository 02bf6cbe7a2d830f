//! Discovery documents: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/{g}`, `/apis/{g}/{v}`,
//! and the aggregated discovery format (`apidiscovery.k8s.io/v2`) kubectl asks for first.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::registry::{Registry, ResourceType, compare_kube_versions};

/// Order of built-in groups in `/apis` (as kube-apiserver lists them); custom groups follow.
const GROUP_ORDER: &[&str] = &[
    "apiregistration.k8s.io",
    "apps",
    "events.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "networking.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "node.k8s.io",
    "discovery.k8s.io",
    "flowcontrol.apiserver.k8s.io",
];

/// The `/version` document.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "32",
        "gitVersion": "v1.32.0-driftless-sim",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2024-12-11T00:00:00Z",
        "goVersion": "go1.23.4",
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}

/// Group → version → types, groups in server order, versions by priority.
/// Types of one version.
type Versions = Vec<(String, Vec<Arc<ResourceType>>)>;

fn grouped(reg: &Registry) -> Vec<(String, Versions)> {
    let mut groups: BTreeMap<String, BTreeMap<String, Vec<Arc<ResourceType>>>> = BTreeMap::new();
    for t in reg.all() {
        groups
            .entry(t.group.clone())
            .or_default()
            .entry(t.version.clone())
            .or_default()
            .push(t);
    }
    let mut out: Vec<(String, Versions)> = groups
        .into_iter()
        .map(|(g, vs)| {
            let mut vs: Vec<(String, Vec<Arc<ResourceType>>)> = vs.into_iter().collect();
            vs.sort_by(|a, b| compare_kube_versions(&a.0, &b.0));
            (g, vs)
        })
        .collect();
    let rank = |g: &str| {
        if g.is_empty() {
            0
        } else {
            GROUP_ORDER
                .iter()
                .position(|x| *x == g)
                .map(|p| p + 1)
                .unwrap_or(GROUP_ORDER.len() + 1)
        }
    };
    out.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then(a.0.cmp(&b.0)));
    out
}

fn gv(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    }
}

/// `/api`: the core group's versions.
pub fn api_versions(server_address: &str) -> Value {
    json!({"kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]})
}

fn group_json(group: &str, versions: &[(String, Vec<Arc<ResourceType>>)]) -> Value {
    let vs: Vec<Value> = versions
        .iter()
        .map(|(v, _)| json!({"groupVersion": gv(group, v), "version": v}))
        .collect();
    let preferred = versions
        .iter()
        .find(|(_, ts)| ts.iter().any(|t| t.preferred))
        .or(versions.first())
        .map(|(v, _)| json!({"groupVersion": gv(group, v), "version": v}));
    json!({"name": group, "versions": vs, "preferredVersion": preferred})
}

/// `/apis`: every named group.
pub fn api_groups(reg: &Registry) -> Value {
    let groups: Vec<Value> = grouped(reg)
        .iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, vs)| group_json(g, vs))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/{group}`, or None for an unknown group.
pub fn api_group(reg: &Registry, group: &str) -> Option<Value> {
    grouped(reg)
        .iter()
        .find(|(g, _)| g == group && !g.is_empty())
        .map(|(g, vs)| {
            let mut v = group_json(g, vs);
            let m = v.as_object_mut().expect("object");
            let mut out = serde_json::Map::new();
            out.insert("kind".into(), json!("APIGroup"));
            out.insert("apiVersion".into(), json!("v1"));
            out.append(m);
            Value::Object(out)
        })
}

/// `storageVersionHash`: base64 of the first 8 bytes of sha256("group/version/Kind").
fn storage_version_hash(t: &ResourceType) -> String {
    use base64::Engine;
    use sha2::Digest;
    let d = sha2::Sha256::digest(format!("{}/{}/{}", t.group, t.version, t.kind).as_bytes());
    base64::engine::general_purpose::STANDARD.encode(&d[..8])
}

fn subresources(t: &ResourceType) -> Vec<(&'static str, Value, Vec<&'static str>)> {
    let mut out = Vec::new();
    let own = json!({"group": t.group, "version": t.version, "kind": t.kind});
    if t.status_subresource {
        out.push(("status", own.clone(), vec!["get", "patch", "update"]));
    }
    if t.scale_subresource {
        out.push((
            "scale",
            json!({"group": "autoscaling", "version": "v1", "kind": "Scale"}),
            vec!["get", "patch", "update"],
        ));
    }
    if t.group.is_empty() && t.kind == "Pod" {
        out.push((
            "log",
            json!({"group": "", "version": "v1", "kind": "Pod"}),
            vec!["get"],
        ));
    }
    if t.group.is_empty() && t.kind == "Namespace" {
        out.push(("finalize", own, vec!["update"]));
    }
    out
}

/// `/api/v1` or `/apis/{group}/{version}`, or None when nothing is served there.
pub fn resource_list(reg: &Registry, group: &str, version: &str) -> Option<Value> {
    let mut types: Vec<Arc<ResourceType>> = reg
        .all()
        .into_iter()
        .filter(|t| t.group == group && t.version == version)
        .collect();
    if types.is_empty() {
        return None;
    }
    types.sort_by(|a, b| a.plural.cmp(&b.plural));
    let mut resources = Vec::new();
    for t in &types {
        let mut r = json!({
            "name": t.plural, "singularName": t.singular, "namespaced": t.namespaced,
            "kind": t.kind, "verbs": t.verbs(),
        });
        if !t.short_names.is_empty() {
            r["shortNames"] = json!(t.short_names);
        }
        if !t.categories.is_empty() {
            r["categories"] = json!(t.categories);
        }
        r["storageVersionHash"] = json!(storage_version_hash(t));
        resources.push(r);
        let mut subs = subresources(t);
        subs.sort_by(|a, b| a.0.cmp(b.0));
        for (sub, kind, verbs) in subs {
            let mut s = json!({"name": format!("{}/{sub}", t.plural), "singularName": "",
                "namespaced": t.namespaced, "kind": kind["kind"], "verbs": verbs});
            if kind["group"] != json!(t.group) || kind["version"] != json!(t.version) {
                s["group"] = kind["group"].clone();
                s["version"] = kind["version"].clone();
            }
            resources.push(s);
        }
    }
    // The core group's list has no apiVersion (as kube-apiserver serves it).
    Some(if group.is_empty() {
        json!({"kind": "APIResourceList", "groupVersion": gv(group, version), "resources": resources})
    } else {
        json!({"kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": gv(group, version), "resources": resources})
    })
}

/// The aggregated discovery document (`APIGroupDiscoveryList`) of the core group
/// (`core = true`, for `/api`) or of all named groups (`/apis`).
pub fn aggregated(reg: &Registry, core: bool, api_version: &str) -> Value {
    let items: Vec<Value> = grouped(reg)
        .iter()
        .filter(|(g, _)| g.is_empty() == core)
        .map(|(g, vs)| {
            let versions: Vec<Value> = vs
                .iter()
                .map(|(v, types)| {
                    let mut types = types.clone();
                    types.sort_by(|a, b| a.plural.cmp(&b.plural));
                    let resources: Vec<Value> = types
                        .iter()
                        .map(|t| {
                            let mut r = json!({
                                "resource": t.plural,
                                "responseKind": {"group": t.group, "version": t.version, "kind": t.kind},
                                "scope": if t.namespaced { "Namespaced" } else { "Cluster" },
                                "singularResource": t.singular,
                                "verbs": t.verbs(),
                            });
                            if !t.short_names.is_empty() {
                                r["shortNames"] = json!(t.short_names);
                            }
                            if !t.categories.is_empty() {
                                r["categories"] = json!(t.categories);
                            }
                            let subs: Vec<Value> = subresources(t)
                                .into_iter()
                                .map(|(s, kind, verbs)| json!({"subresource": s, "responseKind": kind, "verbs": verbs}))
                                .collect();
                            if !subs.is_empty() {
                                r["subresources"] = json!(subs);
                            }
                            r
                        })
                        .collect();
                    json!({"version": v, "resources": resources, "freshness": "Current"})
                })
                .collect();
            let mut meta = json!({"creationTimestamp": null});
            if !g.is_empty() {
                meta = json!({"name": g, "creationTimestamp": null});
            }
            json!({"metadata": meta, "versions": versions})
        })
        .collect();
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": api_version, "metadata": {}, "items": items})
}

//! The `clusterDecisionResource` generator (Argo CD's duck-type generator): the
//! ConfigMap `configMapRef` (Argo CD's namespace) names a resource type
//! (`apiVersion`, `kind` used as the plural resource name), the list in its
//! `status` (`statusListKey`, default `clusters`) and the key of each entry that
//! names an Argo CD cluster (`matchKey`). The resources are listed by `name` or
//! `labelSelector`; each entry naming a known cluster becomes one parameter set:
//! `name` and `server` of the cluster, the entry's own keys, and `values`.

use serde_json::{Map, Value};

use super::clusters::known_clusters;
use super::{Ctx, parse};
use crate::cluster::{ResourceQuery, config_map_data};
use crate::error::AppSetError;
use crate::selector::LabelSelector;
use crate::template::Params;

/// The status list read when the ConfigMap has no `statusListKey`.
const DEFAULT_STATUS_LIST_KEY: &str = "clusters";

#[derive(serde::Deserialize)]
struct DuckSpec {
    #[serde(rename = "configMapRef", default)]
    config_map_ref: String,
    #[serde(default)]
    name: String,
    #[serde(rename = "labelSelector")]
    label_selector: Option<LabelSelector>,
    #[serde(default)]
    values: Map<String, Value>,
}

/// The resource type and keys the ConfigMap declares.
struct Decl {
    api_version: String,
    kind: String,
    status_list_key: String,
    match_key: String,
}

fn declaration(ctx: &Ctx<'_>, name: &str) -> Result<Decl, String> {
    let cluster = ctx.inputs.cluster;
    let cm = cluster
        .config_map(&cluster.argocd_namespace(), name)
        .map_err(|e| format!("error reading configMapRef: {e}"))?
        .ok_or_else(|| format!("error reading configMapRef: configmaps {name:?} not found"))?;
    let data = config_map_data(&cm);
    let field = |k: &str| {
        data.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let status_list_key = match field("statusListKey") {
        k if k.is_empty() => DEFAULT_STATUS_LIST_KEY.to_string(),
        k => k,
    };
    Ok(Decl {
        api_version: field("apiVersion"),
        kind: field("kind"),
        status_list_key,
        match_key: field("matchKey"),
    })
}

/// The list query of the spec: by name or by label selector, exactly one.
fn query(spec: &DuckSpec, decl: &Decl, namespace: String) -> Result<ResourceQuery, String> {
    if decl.kind.is_empty() || decl.api_version.find('/').is_none_or(|i| i < 1) {
        return Err(format!(
            "There is a problem with the apiVersion, kind or resourceName provided (ConfigMap {}: apiVersion {:?} must be group/version, kind {:?} must be set)",
            spec.config_map_ref, decl.api_version, decl.kind
        ));
    }
    let selector = spec
        .label_selector
        .as_ref()
        .filter(|s| !s.match_labels.is_empty() || !s.match_expressions.is_empty());
    let label_selector = match (spec.name.is_empty(), selector) {
        (true, Some(s)) => Some(s.clone()),
        (false, None) => None,
        _ => {
            return Err(
                "There is a problem with the definition of the ClusterDecisionResource generator: set either name or labelSelector"
                    .into(),
            );
        }
    };
    if let Some(s) = selector {
        s.validate().map_err(|e| format!("labelSelector: {e}"))?;
    }
    Ok(ResourceQuery {
        api_version: decl.api_version.clone(),
        resource: decl.kind.clone(),
        namespace,
        name: (!spec.name.is_empty()).then(|| spec.name.clone()),
        label_selector,
    })
}

/// Every entry of `status.<key>` of the resources that have a status.
fn decisions(resources: &[Value], key: &str) -> Result<Vec<Map<String, Value>>, String> {
    let mut out = Vec::new();
    for r in resources {
        let name = r
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(status) = r
            .get("status")
            .and_then(Value::as_object)
            .filter(|s| !s.is_empty())
        else {
            continue;
        };
        let list = match status.get(key) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(a)) => a,
            Some(_) => return Err(format!("{name}: status.{key} is not a list")),
        };
        for (i, entry) in list.iter().enumerate() {
            let Value::Object(m) = entry else {
                return Err(format!("{name}: status.{key}[{i}] is not an object"));
            };
            out.push(m.clone());
        }
    }
    Ok(out)
}

pub(super) fn params(ctx: &Ctx<'_>, spec: &Value, at: &str) -> Result<Vec<Params>, AppSetError> {
    let spec: DuckSpec = parse(spec, at)?;
    let err = |m: String| AppSetError::generator(at, m);
    let clusters = known_clusters(ctx.inputs.cluster_secrets)
        .map_err(|e| err(format!("error listing clusters: {e}")))?;
    let decl = declaration(ctx, &spec.config_map_ref).map_err(err)?;
    let q = query(&spec, &decl, ctx.inputs.cluster.argocd_namespace()).map_err(err)?;
    let resources = ctx
        .inputs
        .cluster
        .list(&q)
        .map_err(|e| err(format!("failed to get dynamic resources: {e}")))?;
    if resources.is_empty() {
        return Err(err("no clusterDecisionResources found".into()));
    }
    if decl.match_key.is_empty() {
        // Argo CD logs a warning and generates nothing.
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in decisions(&resources, &decl.status_list_key).map_err(err)? {
        let Some(wanted) = entry
            .get(&decl.match_key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        else {
            continue;
        };
        let Some((name, server)) = clusters.iter().find(|(n, _)| n == wanted) else {
            continue;
        };
        let mut p = Params::new();
        p.insert("name".into(), name.clone().into());
        p.insert("server".into(), server.clone().into());
        for (k, v) in &entry {
            let Value::String(s) = v else {
                return Err(err(format!(
                    "status.{}: {k} of the decision for {wanted} must be a string, got {v}",
                    decl.status_list_key
                )));
            };
            p.insert(k.clone(), Value::String(s.clone()));
        }
        // Argo CD adds this generator's values as written (not templated).
        if ctx.renderer.is_go() {
            if !spec.values.is_empty() {
                p.insert("values".into(), Value::Object(spec.values.clone()));
            }
        } else {
            for (k, v) in &spec.values {
                p.insert(format!("values.{k}"), v.clone());
            }
        }
        out.push(p);
    }
    Ok(out)
}

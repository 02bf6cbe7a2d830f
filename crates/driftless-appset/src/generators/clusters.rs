//! The clusters generator: one parameter set per Argo CD cluster Secret
//! matching `selector`, plus the local cluster (`in-cluster`,
//! `https://kubernetes.default.svc`) when no Secret declares it and the
//! selector is empty. With `flatList: true`, one parameter set whose
//! `clusters` lists them all.

use std::collections::BTreeMap;

use base64::Engine;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Ctx, append_values, parse};
use crate::error::AppSetError;
use crate::selector::LabelSelector;
use crate::template::{Params, sanitize_name};

/// The label marking an Argo CD cluster Secret.
pub const SECRET_TYPE_LABEL: &str = "argocd.argoproj.io/secret-type";
/// The in-cluster API server address.
pub const IN_CLUSTER_SERVER: &str = "https://kubernetes.default.svc";
/// kubectl's copy of the applied object, which for a Secret holds its data.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// The name Argo CD gives the local cluster.
pub const IN_CLUSTER_NAME: &str = "in-cluster";

#[derive(Deserialize)]
struct ClustersSpec {
    #[serde(default)]
    selector: LabelSelector,
    #[serde(default)]
    values: Map<String, Value>,
    #[serde(default, rename = "flatList")]
    flat_list: bool,
}

/// One cluster Secret, decoded.
struct ClusterSecret {
    name: String,
    server: String,
    project: String,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// A key of the Secret: `stringData` as written, else base64-decoded `data`.
pub(crate) fn secret_field(secret: &Value, key: &str) -> Result<String, String> {
    if let Some(s) = secret
        .pointer(&format!("/stringData/{key}"))
        .and_then(Value::as_str)
    {
        return Ok(s.to_string());
    }
    match secret
        .pointer(&format!("/data/{key}"))
        .and_then(Value::as_str)
    {
        None => Ok(String::new()),
        Some(b64) => base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| format!("data.{key} is not base64: {e}")),
    }
}

fn cluster_secrets(secrets: &[Value]) -> Result<Vec<ClusterSecret>, String> {
    let mut out: Vec<(String, ClusterSecret)> = Vec::new();
    for s in secrets {
        let labels = string_map(s.pointer("/metadata/labels"));
        if labels.get(SECRET_TYPE_LABEL).map(String::as_str) != Some("cluster") {
            continue;
        }
        let secret_name = s
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let field =
            |k| secret_field(s, k).map_err(|e| format!("cluster Secret {secret_name}: {e}"));
        out.push((
            secret_name.clone(),
            ClusterSecret {
                name: field("name")?,
                server: field("server")?,
                project: field("project")?,
                annotations: {
                    // It holds the whole Secret, credentials included: never a parameter.
                    let mut a = string_map(s.pointer("/metadata/annotations"));
                    a.remove(LAST_APPLIED);
                    a
                },
                labels,
            },
        ));
    }
    // The API server lists Secrets sorted by name.
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out.into_iter().map(|(_, c)| c).collect())
}

/// Argo CD's cluster list (`ListClusters`): `(name, server)` of every cluster
/// Secret by Secret name, with the local cluster first unless a Secret declares it.
pub(crate) fn known_clusters(secrets: &[Value]) -> Result<Vec<(String, String)>, String> {
    let secrets = cluster_secrets(secrets)?;
    let mut out = Vec::with_capacity(secrets.len() + 1);
    if !secrets
        .iter()
        .any(|c| c.server.trim_end_matches('/') == IN_CLUSTER_SERVER)
    {
        out.push((IN_CLUSTER_NAME.to_string(), IN_CLUSTER_SERVER.to_string()));
    }
    out.extend(secrets.into_iter().map(|c| (c.name, c.server)));
    Ok(out)
}

pub(super) fn params(ctx: &Ctx<'_>, spec: &Value, at: &str) -> Result<Vec<Params>, AppSetError> {
    let spec: ClustersSpec = parse(spec, at)?;
    spec.selector
        .validate()
        .map_err(|e| AppSetError::generator(at, format!("error converting label selector: {e}")))?;
    let secrets =
        cluster_secrets(ctx.inputs.cluster_secrets).map_err(|e| AppSetError::generator(at, e))?;
    let mut out = Vec::new();
    // Argo CD lists the local cluster only when no Secret declares its server;
    // it has no labels, so a non-empty selector never matches it.
    let declares_local = secrets
        .iter()
        .any(|c| c.server.trim_end_matches('/') == IN_CLUSTER_SERVER);
    if !declares_local && spec.selector.is_empty() {
        let mut p = Params::new();
        p.insert("name".into(), IN_CLUSTER_NAME.into());
        p.insert("nameNormalized".into(), IN_CLUSTER_NAME.into());
        p.insert("server".into(), IN_CLUSTER_SERVER.into());
        p.insert("project".into(), "".into());
        append_values(ctx, &spec.values, &mut p, at)?;
        out.push(p);
    }
    for c in secrets.iter().filter(|c| spec.selector.matches(&c.labels)) {
        let mut p = Params::new();
        p.insert("name".into(), c.name.clone().into());
        p.insert("nameNormalized".into(), sanitize_name(&c.name).into());
        p.insert("server".into(), c.server.clone().into());
        p.insert("project".into(), c.project.clone().into());
        if ctx.renderer.is_go() {
            let to_obj = |m: &BTreeMap<String, String>| {
                Value::Object(
                    m.iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                        .collect(),
                )
            };
            let mut meta = Map::new();
            if !c.annotations.is_empty() {
                meta.insert("annotations".into(), to_obj(&c.annotations));
            }
            if !c.labels.is_empty() {
                meta.insert("labels".into(), to_obj(&c.labels));
            }
            p.insert("metadata".into(), Value::Object(meta));
        } else {
            for (k, v) in &c.annotations {
                p.insert(format!("metadata.annotations.{k}"), v.clone().into());
            }
            for (k, v) in &c.labels {
                p.insert(format!("metadata.labels.{k}"), v.clone().into());
            }
        }
        append_values(ctx, &spec.values, &mut p, at)?;
        out.push(p);
    }
    if spec.flat_list {
        // One parameter set holding every cluster's parameters.
        let mut p = Params::new();
        p.insert(
            "clusters".into(),
            Value::Array(out.into_iter().map(Value::Object).collect()),
        );
        return Ok(vec![p]);
    }
    Ok(out)
}

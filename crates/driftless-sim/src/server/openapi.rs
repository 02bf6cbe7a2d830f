//! `/openapi/v2` and `/openapi/v3`: the schemas from `driftless-patch`, with the PATCH
//! operations (and their `fieldValidation` parameter) kubectl looks for to decide that
//! the server validates fields itself.

use axum::response::Response;
use serde_json::{Value, json};

use super::json_bytes;
use super::request::Ctx;
use crate::registry::{Registry, ResourceType};
use crate::status::ApiError;

pub(crate) fn v2(ctx: &Ctx) -> Response {
    let bytes = ctx.app.openapi_v2.get_or_init(|| {
        let doc = driftless_patch::schema::Schema::builtin().openapi_v2();
        bytes::Bytes::from(serde_json::to_vec(&doc).unwrap_or_default())
    });
    json_bytes(200, bytes.to_vec(), "application/json")
}

fn gv_key(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// A short hash of the kinds in a group-version (changes when CRDs change).
fn gv_hash(reg: &Registry, group: &str, version: &str) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for t in reg
        .all()
        .iter()
        .filter(|t| t.group == group && t.version == version)
    {
        h.update(t.plural.as_bytes());
        if let Some(s) = &t.schema {
            h.update(s.to_string().as_bytes());
        }
    }
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02X}"))
        .collect()
}

pub(crate) fn v3_root(reg: &Registry) -> Value {
    let mut gvs: Vec<(String, String)> = reg
        .all()
        .iter()
        .map(|t| (t.group.clone(), t.version.clone()))
        .collect();
    gvs.sort();
    gvs.dedup();
    let mut paths = serde_json::Map::new();
    for (g, v) in gvs {
        let key = gv_key(&g, &v);
        paths.insert(
            key.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{key}?hash={}", gv_hash(reg, &g, &v))}),
        );
    }
    json!({"paths": paths})
}

fn operations(t: &ResourceType) -> (String, Value) {
    let gvk = json!({"group": t.group, "version": t.version, "kind": t.kind});
    let prefix = if t.group.is_empty() {
        "/api/v1".to_string()
    } else {
        format!("/apis/{}/{}", t.group, t.version)
    };
    let path = if t.namespaced {
        format!("{prefix}/namespaces/{{namespace}}/{}/{{name}}", t.plural)
    } else {
        format!("{prefix}/{}/{{name}}", t.plural)
    };
    let param = |n: &str| json!({"name": n, "in": "query", "schema": {"type": "string", "uniqueItems": true}});
    let op = |action: &str, params: Vec<Value>| {
        json!({"x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk, "parameters": params,
            "responses": {"200": {"description": "OK"}}})
    };
    (
        path,
        json!({
            "get": op("get", vec![]),
            "put": op("put", vec![param("dryRun"), param("fieldManager"), param("fieldValidation")]),
            "patch": op("patch", vec![param("dryRun"), param("fieldManager"), param("fieldValidation"), param("force")]),
            "delete": op("delete", vec![param("dryRun"), param("gracePeriodSeconds"), param("propagationPolicy")]),
        }),
    )
}

pub(crate) fn v3_doc(reg: &Registry, rest: &[&str]) -> Result<Value, ApiError> {
    let (group, version) = match rest {
        ["api", v] => ("", *v),
        ["apis", g, v] => (*g, *v),
        _ => return Err(ApiError::resource_not_found()),
    };
    let types: Vec<_> = reg
        .all()
        .into_iter()
        .filter(|t| t.group == group && t.version == version)
        .collect();
    if types.is_empty() {
        return Err(ApiError::resource_not_found());
    }
    let mut doc = crate::patching::openapi_v3(group, version, &types)
        .unwrap_or_else(|| json!({"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"}, "paths": {}, "components": {"schemas": {}}}));
    let mut paths = serde_json::Map::new();
    for t in &types {
        let (p, ops) = operations(t);
        paths.insert(p, ops);
    }
    doc["paths"] = Value::Object(paths);
    Ok(doc)
}

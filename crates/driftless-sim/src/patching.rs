//! The one place where the simulated server calls patch and apply semantics
//! (`driftless-patch`): JSON patch, merge patch, strategic merge patch,
//! server-side apply, managedFields bookkeeping and unknown-field detection.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use driftless_patch::schema::{Schema, TypeRef};
use driftless_patch::{PatchError, ssa};
use serde_json::Value;

use crate::registry::ResourceType;
use crate::status::{ApiError, Cause};

/// Schemas of custom resources, built from their CRDs (keyed by `plural.group`).
#[derive(Default)]
struct CrdSchemas(RwLock<HashMap<String, Arc<Schema>>>);

fn crd_schemas() -> &'static CrdSchemas {
    static S: std::sync::OnceLock<CrdSchemas> = std::sync::OnceLock::new();
    S.get_or_init(CrdSchemas::default)
}

/// Registers (or replaces) the schema of a CRD's kinds.
pub fn register_crd(crd: &Value) {
    let Some(name) = crd.pointer("/metadata/name").and_then(Value::as_str) else {
        return;
    };
    let mut map = crd_schemas().0.write().unwrap_or_else(|e| e.into_inner());
    match Schema::from_crd(crd) {
        Ok(s) => {
            map.insert(name.to_string(), Arc::new(s));
        }
        Err(_) => {
            map.remove(name);
        }
    }
}

/// Runs `f` with the schema type of `rt` (untyped when none is known).
pub fn with_type<R>(rt: &ResourceType, f: impl FnOnce(TypeRef<'_>) -> R) -> R {
    if rt.custom {
        let schema = crd_schemas()
            .0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&format!("{}.{}", rt.plural, rt.group))
            .cloned();
        if let Some(s) = schema
            && let Some(t) = s.for_kind(&rt.group, &rt.version, &rt.kind)
        {
            return f(t);
        }
        return f(TypeRef::untyped());
    }
    match Schema::builtin().for_kind(&rt.group, &rt.version, &rt.kind) {
        Some(t) => f(t),
        None => f(TypeRef::untyped()),
    }
}

fn patch_error(e: PatchError) -> ApiError {
    ApiError::new(e.http_status(), e.reason(), e.status_message())
}

/// Records `manager`'s Update of `new` (compared with `old`) in `new.metadata.managedFields`.
pub fn update_managed_fields(
    rt: &ResourceType,
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    subresource: Option<&str>,
) -> Result<(), ApiError> {
    let opts = ssa::UpdateOptions {
        manager,
        subresource,
        ..Default::default()
    };
    // The endpoint's "reset fields" are not tracked: status on the main resource
    // (when it has a status subresource), spec on /status.
    let reset: Option<&str> = match (subresource, rt.status_subresource) {
        (Some("status"), _) => Some("spec"),
        (None, true) => Some("status"),
        _ => None,
    };
    let view = |v: &Value| -> Value {
        let mut v = v.clone();
        if let (Some(r), Some(m)) = (reset, v.as_object_mut()) {
            m.shift_remove(r);
        }
        v
    };
    let old_view = old.map(view);
    let out = with_type(rt, |ty| {
        ssa::update(old_view.as_ref(), &view(new), &opts, ty)
    })
    .map_err(|e| ApiError::internal(e.to_string()))?;
    if let Some(mf) = out.pointer("/metadata/managedFields") {
        new["metadata"]["managedFields"] = mf.clone();
    }
    Ok(())
}

/// Applies an RFC 6902 JSON patch.
pub fn json_patch(doc: &Value, patch: &Value) -> Result<Value, ApiError> {
    driftless_patch::json_patch(doc, patch).map_err(patch_error)
}

/// Applies an RFC 7386 JSON merge patch.
pub fn merge_patch(doc: &Value, patch: &Value) -> Result<Value, ApiError> {
    if !patch.is_object() {
        return Err(ApiError::bad_request(
            "error decoding patch: json: cannot unmarshal into Go value of type map[string]interface {}",
        ));
    }
    Ok(driftless_patch::merge_patch(doc, patch))
}

/// Applies a strategic merge patch (built-in kinds; 415 for custom resources).
pub fn strategic_merge_patch(
    rt: &ResourceType,
    doc: &Value,
    patch: &Value,
) -> Result<Value, ApiError> {
    if rt.custom {
        return Err(ApiError::unsupported_media_type(
            "application/strategic-merge-patch+json",
        ));
    }
    with_type(rt, |ty| {
        driftless_patch::strategic_merge_patch(doc, patch, ty)
    })
    .map_err(patch_error)
}

/// Server-side apply of `applied` by `manager` onto `live` (None creates).
/// `subresource` is `Some("status")` for applies to `/status`.
pub fn apply(
    rt: &ResourceType,
    live: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
    subresource: Option<&str>,
) -> Result<Value, ApiError> {
    let ignored: &[&str] = match (subresource, rt.status_subresource) {
        (Some("status"), _) => &["spec"],
        (None, true) => &["status"],
        _ => &[],
    };
    let opts = ssa::ApplyOptions {
        manager,
        force,
        subresource,
        ignored_fields: ignored,
        ..Default::default()
    };
    let res = with_type(rt, |ty| ssa::apply_with(live, applied, &opts, ty));
    match res {
        Ok(r) => Ok(r.object),
        Err(ssa::ApplyError::Conflict(c)) => {
            let status = c.to_status();
            let mut e = ApiError::new(
                409,
                "Conflict",
                status["message"]
                    .as_str()
                    .unwrap_or("Apply failed")
                    .to_string(),
            );
            if let Some(causes) = status.pointer("/details/causes").and_then(Value::as_array) {
                e.causes = causes
                    .iter()
                    .map(|c| {
                        Cause::new(
                            c["reason"].as_str().unwrap_or(""),
                            c["message"].as_str().unwrap_or(""),
                            c["field"].as_str().unwrap_or(""),
                        )
                    })
                    .collect();
            }
            Err(e)
        }
        // Go's GroupVersionKind.String(): `/v1, Kind=ConfigMap` for the core group.
        Err(ssa::ApplyError::Invalid(m)) => Err(ApiError::bad_request(format!(
            "failed to create typed patch object ({}/{}, Kind={}): {m}",
            rt.group, rt.version, rt.kind
        ))),
        Err(e) => Err(ApiError::internal(e.to_string())),
    }
}

/// The fields of `obj` its schema does not declare, as `unknown field "spec.foo"` texts.
pub fn unknown_fields(rt: &ResourceType, obj: &Value) -> Vec<String> {
    with_type(rt, |ty| {
        if !ty.is_typed() {
            return Vec::new();
        }
        driftless_patch::schema::unknown_fields(obj, ty)
            .iter()
            .map(|u| u.to_string())
            .collect()
    })
}

/// The OpenAPI v3 document of a group-version (built-in schema, or the CRD's).
pub fn openapi_v3(group: &str, version: &str, types: &[Arc<ResourceType>]) -> Option<Value> {
    if let Some(t) = types.iter().find(|t| t.custom) {
        let schema = crd_schemas()
            .0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&format!("{}.{}", t.plural, t.group))
            .cloned()?;
        let mut doc = schema.openapi_v3(group, version)?;
        // Other CRDs of the same group-version.
        for other in types.iter().filter(|o| o.custom && o.plural != t.plural) {
            let s = crd_schemas()
                .0
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .get(&format!("{}.{}", other.plural, other.group))
                .cloned();
            if let Some(d) = s.and_then(|s| s.openapi_v3(group, version))
                && let (Some(dst), Some(src)) = (
                    doc.pointer_mut("/components/schemas")
                        .and_then(Value::as_object_mut),
                    d.pointer("/components/schemas").and_then(Value::as_object),
                )
            {
                for (k, v) in src {
                    dst.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
        return Some(doc);
    }
    Schema::builtin().openapi_v3(group, version)
}

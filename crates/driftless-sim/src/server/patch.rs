//! PATCH: JSON patch, merge patch, strategic merge patch and server-side apply.

use std::sync::Arc;

use axum::response::Response;
use serde_json::{Value, json};

use super::handlers::{field_validation, object_response};
use super::request::{Ctx, Target};
use crate::patching;
use crate::registry::ResourceType;
use crate::status::ApiError;
use crate::store::WriteOptions;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Json,
    Merge,
    Strategic,
    Apply,
}

fn patch_kind(ct: &str) -> Result<Kind, ApiError> {
    let base = ct.split(';').next().unwrap_or("").trim();
    match base {
        "application/json-patch+json" => Ok(Kind::Json),
        "application/merge-patch+json" => Ok(Kind::Merge),
        "application/strategic-merge-patch+json" => Ok(Kind::Strategic),
        "application/apply-patch+yaml" | "application/apply-patch+json" => Ok(Kind::Apply),
        other => Err(ApiError::unsupported_media_type(other)),
    }
}

fn run_patch(
    kind: Kind,
    rt: &ResourceType,
    live: &Value,
    patch: &Value,
) -> Result<Value, ApiError> {
    match kind {
        Kind::Json => patching::json_patch(live, patch),
        Kind::Merge => patching::merge_patch(live, patch),
        Kind::Strategic => patching::strategic_merge_patch(rt, live, patch),
        Kind::Apply => Err(ApiError::bad_request("apply is not a plain patch")),
    }
}

/// Applies a non-apply patch from the request to `doc` (used for `/scale`).
pub(crate) fn apply_plain_patch(
    ctx: &Ctx,
    rt: &ResourceType,
    doc: &Value,
) -> Result<Value, ApiError> {
    let kind = patch_kind(ctx.content_type())?;
    let patch = ctx.body_value()?;
    match kind {
        Kind::Apply => Err(ApiError::unsupported_media_type(ctx.content_type())),
        // Strategic merge on a Scale is a merge patch (no lists).
        Kind::Strategic => patching::merge_patch(doc, &patch),
        k => run_patch(k, rt, doc, &patch),
    }
}

fn rv_of(v: &Value) -> Option<&str> {
    v.pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
}

pub(crate) fn patch(
    ctx: &Ctx,
    rt: &Arc<ResourceType>,
    t: &Target,
    sub: Option<&str>,
) -> Result<Response, ApiError> {
    let kind = patch_kind(ctx.content_type())?;
    let body = ctx.body_value()?;
    if body.is_null() {
        return Err(ApiError::bad_request("the body of the request was empty"));
    }
    let name = t.name.clone().unwrap_or_default();
    let ns = t.namespace.as_deref();
    let r = rt.resource_ref();
    let store = &ctx.app.store;
    let dry_run = ctx.dry_run()?;
    if kind == Kind::Apply {
        return apply(ctx, rt, t, sub, body, dry_run);
    }
    let manager = ctx.manager();
    loop {
        let live = store.get(&r, ns, &name)?;
        let mut new = run_patch(kind, rt, &live, &body)?;
        crate::typed::check_patched(rt, &new)?;
        if new.pointer("/metadata/name").and_then(Value::as_str) != Some(name.as_str()) {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({}) does not match the name on the URL ({name})",
                new.pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
            )));
        }
        if rt.namespaced
            && new.pointer("/metadata/namespace") != live.pointer("/metadata/namespace")
        {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        let user_rv = rv_of(&new) != rv_of(&live);
        if new.pointer("/metadata/resourceVersion").is_none() {
            new["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"].clone();
        }
        let warnings = field_validation(ctx, rt, &new)?;
        let opts = WriteOptions {
            dry_run,
            field_manager: Some(manager.clone()),
            field_validation: None,
            subresource: None,
        };
        let res = if sub == Some("status") {
            store.update_status(&r, new, &opts)
        } else {
            store.update(&r, new, &opts)
        };
        match res {
            Ok(o) => return Ok(object_response(ctx, rt, 200, &o, Some(&warnings))),
            Err(e) if e.is_conflict() && !user_rv => continue,
            Err(e) => return Err(e),
        }
    }
}

fn apply(
    ctx: &Ctx,
    rt: &Arc<ResourceType>,
    t: &Target,
    sub: Option<&str>,
    mut body: Value,
    dry_run: bool,
) -> Result<Response, ApiError> {
    let Some(manager) = ctx.q("fieldManager").map(str::to_string) else {
        return Err(ApiError::invalid(
            "",
            "PatchOptions",
            "",
            vec![crate::status::Cause::new(
                "FieldValueRequired",
                "Required value: is required for apply patch",
                "fieldManager",
            )],
        ));
    };
    if !body.is_object() {
        return Err(ApiError::bad_request(
            "the applied configuration must be an object",
        ));
    }
    let name = t.name.clone().unwrap_or_default();
    match body.pointer("/metadata/name").and_then(Value::as_str) {
        Some(n) if n != name => {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({n}) does not match the name on the URL ({name})"
            )));
        }
        Some(_) => {}
        None => {
            return Err(ApiError::bad_request(
                "metadata.name is required in an applied configuration",
            ));
        }
    }
    for (field, want) in [("apiVersion", rt.api_version()), ("kind", rt.kind.clone())] {
        if body.get(field).and_then(Value::as_str) != Some(want.as_str()) {
            return Err(ApiError::bad_request(format!(
                "invalid object type: {} in the applied configuration does not match {want}",
                body.get(field).and_then(Value::as_str).unwrap_or("<empty>")
            )));
        }
    }
    if rt.namespaced {
        let ns = t.namespace.clone().unwrap_or_default();
        if let Some(g) = body.pointer("/metadata/namespace").and_then(Value::as_str)
            && g != ns
        {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        body["metadata"]["namespace"] = json!(ns);
    }
    let warnings = field_validation(ctx, rt, &body)?;
    let force = ctx.flag("force");
    let store = &ctx.app.store;
    let r = rt.resource_ref();
    let user_rv = rv_of(&body).map(str::to_string);
    let opts = WriteOptions {
        dry_run,
        field_manager: None,
        field_validation: None,
        subresource: None,
    };
    loop {
        match store.get(&r, t.namespace.as_deref(), &name) {
            Err(e) if e.is_not_found() && sub.is_none() => {
                let created = patching::apply(rt, None, &body, &manager, force, None)?;
                match store.create(&r, created, &opts) {
                    Ok(o) => return Ok(object_response(ctx, rt, 201, &o, Some(&warnings))),
                    Err(e) if e.code == 409 && e.reason == "AlreadyExists" => continue,
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
            Ok(live) => {
                let mut new = patching::apply(rt, Some(&live), &body, &manager, force, sub)?;
                let rv = user_rv
                    .clone()
                    .unwrap_or_else(|| rv_of(&live).unwrap_or("").to_string());
                new["metadata"]["resourceVersion"] = json!(rv);
                let res = if sub == Some("status") {
                    store.update_status(&r, new, &opts)
                } else {
                    store.update(&r, new, &opts)
                };
                match res {
                    Ok(o) => return Ok(object_response(ctx, rt, 200, &o, Some(&warnings))),
                    Err(e) if e.is_conflict() && user_rv.is_none() && e.causes.is_empty() => {
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    }
}

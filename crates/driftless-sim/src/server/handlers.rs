//! Request dispatch and the plain verbs: get, list, create, update, delete,
//! deletecollection, and the scale subresource.

use std::sync::Arc;

use axum::http::{HeaderValue, Method};
use axum::response::Response;
use serde_json::{Value, json};

use super::request::{Ctx, Target, parse_target};
use super::table::{IncludeObject, table};
use super::{discovery, json_bytes, json_response, logs, openapi, patch, watch};
use crate::registry::{ResourceRef, ResourceType};
use crate::status::ApiError;
use crate::store::{
    DeleteOptions, DeleteOutcome, FieldSelector, LabelSelector, ListOptions, Propagation,
    WriteOptions, for_version,
};

const AGGREGATED_V2: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
const AGGREGATED_V2BETA1: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

pub(crate) async fn dispatch(ctx: Ctx) -> Result<Response, ApiError> {
    let path = ctx.path.trim_end_matches('/').to_string();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let reg = ctx.app.store.registry().clone();
    let get = ctx.method == Method::GET;
    match segs.as_slice() {
        ["version"] if get => Ok(json_response(200, &discovery::version())),
        ["healthz" | "livez" | "readyz"] if get => {
            Ok(json_bytes(200, b"ok".to_vec(), "text/plain; charset=utf-8"))
        }
        ["api"] if get => Ok(match aggregated_type(&ctx) {
            Some((ct, v)) => json_bytes(
                200,
                serde_json::to_vec(&discovery::aggregated(&reg, true, v)).unwrap_or_default(),
                ct,
            ),
            None => json_response(200, &discovery::api_versions(&ctx.app.server_address)),
        }),
        ["apis"] if get => Ok(match aggregated_type(&ctx) {
            Some((ct, v)) => json_bytes(
                200,
                serde_json::to_vec(&discovery::aggregated(&reg, false, v)).unwrap_or_default(),
                ct,
            ),
            None => json_response(200, &discovery::api_groups(&reg)),
        }),
        ["api", "v1"] if get => discovery::resource_list(&reg, "", "v1")
            .map(|v| json_response(200, &v))
            .ok_or_else(ApiError::resource_not_found),
        ["apis", g] if get => discovery::api_group(&reg, g)
            .map(|v| json_response(200, &v))
            .ok_or_else(ApiError::resource_not_found),
        ["apis", g, v] if get => discovery::resource_list(&reg, g, v)
            .map(|v| json_response(200, &v))
            .ok_or_else(ApiError::resource_not_found),
        ["openapi", "v2"] if get => Ok(openapi::v2(&ctx)),
        ["openapi", "v3"] if get => Ok(json_response(200, &openapi::v3_root(&reg))),
        ["openapi", "v3", rest @ ..] if get => {
            openapi::v3_doc(&reg, rest).map(|v| json_response(200, &v))
        }
        ["api", "v1", rest @ ..] => match parse_target("", "v1", rest) {
            Some(t) => resource(ctx, t).await,
            None => Err(ApiError::resource_not_found()),
        },
        ["apis", g, v, rest @ ..] => {
            let (g, v) = (g.to_string(), v.to_string());
            match parse_target(&g, &v, rest) {
                Some(t) => resource(ctx, t).await,
                None => Err(ApiError::resource_not_found()),
            }
        }
        _ => Err(ApiError::resource_not_found()),
    }
}

fn aggregated_type(ctx: &Ctx) -> Option<(&'static str, &'static str)> {
    for part in ctx.accept().split(',') {
        let p = part.replace(' ', "");
        if p.contains("as=APIGroupDiscoveryList") && p.contains("g=apidiscovery.k8s.io") {
            if p.contains("v=v2beta1") {
                return Some((AGGREGATED_V2BETA1, "apidiscovery.k8s.io/v2beta1"));
            }
            if p.contains("v=v2") {
                return Some((AGGREGATED_V2, "apidiscovery.k8s.io/v2"));
            }
        }
        if p.starts_with("application/json") && !p.contains("as=") {
            return None;
        }
    }
    None
}

async fn resource(ctx: Ctx, t: Target) -> Result<Response, ApiError> {
    let rref = ResourceRef::new(&t.group, &t.version, &t.resource);
    let rt = ctx.app.store.resource_type(&rref)?;
    if !rt.namespaced && t.namespace.is_some() {
        return Err(ApiError::resource_not_found());
    }
    let m = ctx.method.clone();
    if rt.is_review() && !(m == Method::POST && t.name.is_none()) {
        return Err(ApiError::method_not_allowed(
            "the server does not allow this method on the requested resource",
        ));
    }
    match (m, t.name.as_deref(), t.sub.as_deref()) {
        (Method::GET, None, None) => {
            if t.watch_path || ctx.flag("watch") {
                watch::watch(ctx, rt, t).await
            } else {
                list(&ctx, &rt, &t)
            }
        }
        (Method::GET, Some(name), None) => {
            if t.watch_path {
                return watch::watch(ctx, rt, t).await;
            }
            let obj = ctx.app.store.get(&rref, t.namespace.as_deref(), name)?;
            Ok(object_response(&ctx, &rt, 200, &obj, None))
        }
        (Method::GET, Some(name), Some("status")) if rt.status_subresource => {
            let obj = ctx.app.store.get(&rref, t.namespace.as_deref(), name)?;
            Ok(object_response(&ctx, &rt, 200, &obj, None))
        }
        (Method::GET, Some(name), Some("scale")) if rt.scale_subresource => {
            let obj = ctx.app.store.get(&rref, t.namespace.as_deref(), name)?;
            Ok(json_response(200, &scale_of(&obj)))
        }
        (Method::GET, Some(name), Some("log")) if rt.group.is_empty() && rt.kind == "Pod" => {
            let name = name.to_string();
            logs::logs(ctx, rt, t.namespace.clone().unwrap_or_default(), name).await
        }
        (Method::POST, None, None) => create(&ctx, &rt, &t),
        (Method::PUT, Some(_), None) => update(&ctx, &rt, &t, false),
        (Method::PUT, Some(_), Some("status")) if rt.status_subresource => {
            update(&ctx, &rt, &t, true)
        }
        (Method::PUT, Some(_), Some("finalize"))
            if rt.kind == "Namespace" && rt.group.is_empty() =>
        {
            update(&ctx, &rt, &t, false)
        }
        (Method::PUT, Some(name), Some("scale")) if rt.scale_subresource => {
            let body = ctx.body_value()?;
            set_scale(&ctx, &rt, &t, name, &body)
        }
        (Method::PATCH, Some(_), None) => patch::patch(&ctx, &rt, &t, None),
        (Method::PATCH, Some(_), Some("status")) if rt.status_subresource => {
            patch::patch(&ctx, &rt, &t, Some("status"))
        }
        (Method::PATCH, Some(name), Some("scale")) if rt.scale_subresource => {
            let obj = ctx.app.store.get(&rref, t.namespace.as_deref(), name)?;
            let scale = patch::apply_plain_patch(&ctx, &rt, &scale_of(&obj))?;
            set_scale(&ctx, &rt, &t, name, &scale)
        }
        (Method::DELETE, Some(name), None) => delete(&ctx, &rt, &t, name),
        (Method::DELETE, None, None) => delete_collection(&ctx, &rt, &t),
        (_, _, Some(_)) => Err(ApiError::resource_not_found()),
        _ => Err(ApiError::method_not_allowed(
            "the server does not allow this method on the requested resource".to_string(),
        )),
    }
}

/// The representation asked for: the object, a Table, or PartialObjectMetadata.
pub(crate) fn object_response(
    ctx: &Ctx,
    rt: &ResourceType,
    code: u16,
    obj: &Value,
    warnings: Option<&[String]>,
) -> Response {
    let body = if ctx.wants_table() {
        table(
            rt,
            std::slice::from_ref(obj),
            include_object(ctx),
            json!({"resourceVersion": obj.pointer("/metadata/resourceVersion").cloned().unwrap_or(json!(""))}),
        )
    } else if ctx.wants_metadata() {
        json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata").cloned().unwrap_or(json!({}))})
    } else {
        obj.clone()
    };
    let mut r = match protobuf_body(ctx, rt, &rt.kind, &body) {
        Some(pb) => pb_response(code, pb),
        None => json_response(code, &body),
    };
    for w in warnings.unwrap_or(&[]) {
        if let Ok(v) = HeaderValue::from_str(&format!(
            "299 - {}",
            serde_json::to_string(w).unwrap_or_default()
        )) {
            r.headers_mut().append("Warning", v);
        }
    }
    r
}

/// The protobuf form of a plain (not Table, not metadata-only) built-in object or list, when the
/// client prefers protobuf.
fn protobuf_body(ctx: &Ctx, rt: &ResourceType, kind: &str, body: &Value) -> Option<Vec<u8>> {
    if !ctx.wants_protobuf() || rt.custom || ctx.wants_table() || ctx.wants_metadata() {
        return None;
    }
    super::protobuf_encode::encode(&rt.api_version(), kind, body)
}

fn pb_response(code: u16, body: Vec<u8>) -> Response {
    json_bytes(code, body, "application/vnd.kubernetes.protobuf")
}

pub(crate) fn include_object(ctx: &Ctx) -> IncludeObject {
    match ctx.q("includeObject") {
        Some("None") => IncludeObject::None,
        Some("Object") => IncludeObject::Object,
        _ => IncludeObject::Metadata,
    }
}

pub(crate) fn selectors(
    ctx: &Ctx,
    rt: &ResourceType,
) -> Result<(LabelSelector, FieldSelector), ApiError> {
    Ok((
        LabelSelector::parse(ctx.q("labelSelector").unwrap_or(""))?,
        FieldSelector::parse(ctx.q("fieldSelector").unwrap_or(""), &rt.field_selectors)?,
    ))
}

fn list(ctx: &Ctx, rt: &Arc<ResourceType>, t: &Target) -> Result<Response, ApiError> {
    let (label_selector, field_selector) = selectors(ctx, rt)?;
    let limit = ctx.q("limit").and_then(|l| l.parse().ok()).unwrap_or(0);
    let opts = ListOptions {
        label_selector,
        field_selector,
        limit,
        continue_token: ctx.q("continue").map(str::to_string),
    };
    let page = ctx
        .app
        .store
        .list_shared(&rt.resource_ref(), t.namespace.as_deref(), &opts)?;
    let mut meta = serde_json::Map::new();
    meta.insert(
        "resourceVersion".into(),
        json!(page.resource_version.to_string()),
    );
    if let Some(c) = &page.continue_token {
        meta.insert("continue".into(), json!(c));
    }
    if let Some(r) = page.remaining {
        meta.insert("remainingItemCount".into(), json!(r));
    }
    if ctx.wants_table() {
        let items: Vec<Value> = page.items.iter().map(|o| for_version(o, rt)).collect();
        let body = table(rt, &items, include_object(ctx), Value::Object(meta));
        return Ok(json_response(200, &body));
    }
    if ctx.wants_metadata() {
        let items: Vec<Value> = page
            .items
            .iter()
            .map(|o| json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]}))
            .collect();
        let body = json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": meta, "items": items});
        return Ok(json_response(200, &body));
    }
    if ctx.wants_protobuf() && !rt.custom {
        let list = json!({"metadata": Value::Object(meta.clone()), "items": page.items.iter().map(|o| o.as_ref().clone()).collect::<Vec<Value>>()});
        if let Some(pb) = protobuf_body(ctx, rt, &rt.list_kind(), &list) {
            return Ok(pb_response(200, pb));
        }
    }
    // Serialised straight from the shared stored objects (no copies): built-in list
    // items carry no kind/apiVersion, custom resources' items do (in the served version).
    let api_version = rt.api_version();
    let list = ListBody {
        kind: rt.list_kind(),
        api_version: &api_version,
        metadata: Value::Object(meta),
        items: page
            .items
            .iter()
            .map(|o| ItemView {
                obj: o,
                api_version: rt.custom.then_some(api_version.as_str()),
            })
            .collect(),
    };
    Ok(super::json_bytes(
        200,
        serde_json::to_vec(&list).unwrap_or_default(),
        "application/json",
    ))
}

#[derive(serde::Serialize)]
struct ListBody<'a> {
    kind: String,
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    metadata: Value,
    items: Vec<ItemView<'a>>,
}

/// A stored object as a list item: without kind/apiVersion for built-ins, with the
/// served apiVersion for custom resources.
struct ItemView<'a> {
    obj: &'a Value,
    api_version: Option<&'a str>,
}

impl serde::Serialize for ItemView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let Some(m) = self.obj.as_object() else {
            return self.obj.serialize(s);
        };
        let mut out = s.serialize_map(None)?;
        for (k, v) in m {
            match (k.as_str(), self.api_version) {
                ("apiVersion", Some(av)) => out.serialize_entry(k, av)?,
                ("apiVersion" | "kind", None) => {}
                _ => out.serialize_entry(k, v)?,
            }
        }
        out.end()
    }
}

/// Answers an authorization review: the bearer token is cluster-admin, everything is allowed.
fn review(rt: &ResourceType, mut obj: Value) -> Value {
    obj["kind"] = json!(rt.kind);
    obj["apiVersion"] = json!(rt.api_version());
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    obj["metadata"]["creationTimestamp"] = Value::Null;
    obj["status"] = if rt.kind == "SelfSubjectRulesReview" {
        json!({"resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
            "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}], "incomplete": false})
    } else {
        json!({"allowed": true, "reason": "the simulated cluster's token is cluster-admin"})
    };
    obj
}

/// Checks apiVersion/kind of a body against the endpoint.
fn check_type(rt: &ResourceType, obj: &Value) -> Result<(), ApiError> {
    if !obj.is_object() {
        return Err(ApiError::bad_request("the request body is not an object"));
    }
    if let Some(kind) = obj.get("kind").and_then(Value::as_str)
        && kind != rt.kind
    {
        return Err(ApiError::bad_request(format!(
            "the kind of the object ({kind}) does not match the kind of the endpoint ({})",
            rt.kind
        )));
    }
    if let Some(av) = obj.get("apiVersion").and_then(Value::as_str)
        && av != rt.api_version()
    {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({av}) does not match the expected API version ({})",
            rt.api_version()
        )));
    }
    Ok(())
}

fn set_namespace(rt: &ResourceType, t: &Target, obj: &mut Value) -> Result<(), ApiError> {
    if !rt.namespaced {
        return Ok(());
    }
    let ns = t.namespace.clone().unwrap_or_default();
    if let Some(given) = obj.pointer("/metadata/namespace").and_then(Value::as_str)
        && !given.is_empty()
        && given != ns
    {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    obj["metadata"]["namespace"] = json!(ns);
    Ok(())
}

/// Field validation (`fieldValidation`): unknown fields are an error (Strict), warnings (Warn,
/// the default) or ignored.
pub(crate) fn field_validation(
    ctx: &Ctx,
    rt: &ResourceType,
    obj: &Value,
) -> Result<Vec<String>, ApiError> {
    let mode = ctx.q("fieldValidation").unwrap_or("Warn");
    if !matches!(mode, "Strict" | "Warn" | "Ignore") {
        return Err(ApiError::bad_request(format!(
            "fieldValidation parameter unsupported: {mode}. Supported values are: Ignore, Warn, Strict"
        )));
    }
    if mode == "Ignore" {
        return Ok(vec![]);
    }
    let unknown = crate::patching::unknown_fields(rt, obj);
    if unknown.is_empty() {
        return Ok(vec![]);
    }
    if mode == "Strict" {
        return Err(ApiError::bad_request(format!(
            "{} in version \"{}\" cannot be handled as a {}: strict decoding error: {}",
            rt.kind,
            rt.version,
            rt.kind,
            unknown.join(", ")
        )));
    }
    Ok(unknown)
}

fn create(ctx: &Ctx, rt: &Arc<ResourceType>, t: &Target) -> Result<Response, ApiError> {
    if rt.is_review() {
        // The answer does not depend on the request (protobuf bodies are not decoded).
        let body = if ctx.content_type().contains("protobuf") {
            json!({})
        } else {
            ctx.body_value()?
        };
        return Ok(json_response(201, &review(rt, body)));
    }
    let mut obj = ctx.body_value()?;
    check_type(rt, &obj)?;
    crate::typed::check(rt, &obj)?;
    set_namespace(rt, t, &mut obj)?;
    let warnings = field_validation(ctx, rt, &obj)?;
    let opts = WriteOptions {
        dry_run: ctx.dry_run()?,
        field_manager: Some(ctx.manager()),
        field_validation: ctx.q("fieldValidation").map(str::to_string),
        subresource: None,
    };
    let created = ctx.app.store.create(&rt.resource_ref(), obj, &opts)?;
    Ok(object_response(ctx, rt, 201, &created, Some(&warnings)))
}

fn update(
    ctx: &Ctx,
    rt: &Arc<ResourceType>,
    t: &Target,
    status: bool,
) -> Result<Response, ApiError> {
    let mut obj = ctx.body_value()?;
    check_type(rt, &obj)?;
    crate::typed::check(rt, &obj)?;
    let name = t.name.clone().unwrap_or_default();
    match obj.pointer("/metadata/name").and_then(Value::as_str) {
        Some(n) if n == name => {}
        Some(n) => {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({n}) does not match the name on the URL ({name})"
            )));
        }
        None => obj["metadata"]["name"] = json!(name),
    }
    set_namespace(rt, t, &mut obj)?;
    let warnings = field_validation(ctx, rt, &obj)?;
    let opts = WriteOptions {
        dry_run: ctx.dry_run()?,
        field_manager: Some(ctx.manager()),
        field_validation: None,
        subresource: None,
    };
    let r = rt.resource_ref();
    let updated = if status {
        ctx.app.store.update_status(&r, obj, &opts)?
    } else {
        ctx.app.store.update(&r, obj, &opts)?
    };
    Ok(object_response(ctx, rt, 200, &updated, Some(&warnings)))
}

fn delete_options(ctx: &Ctx) -> Result<DeleteOptions, ApiError> {
    let body = ctx.body_value().unwrap_or(Value::Null);
    let policy = body
        .get("propagationPolicy")
        .and_then(Value::as_str)
        .or(ctx.q("propagationPolicy"));
    let mut propagation = match policy {
        None => None,
        Some(p) => Some(Propagation::parse(p).ok_or_else(|| {
            ApiError::bad_request(format!(
                "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{p}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
            ))
        })?),
    };
    let orphan = body
        .get("orphanDependents")
        .and_then(Value::as_bool)
        .or(ctx.q("orphanDependents").map(|v| v == "true"));
    if propagation.is_none() {
        propagation = orphan.map(|o| {
            if o {
                Propagation::Orphan
            } else {
                Propagation::Background
            }
        });
    }
    let dry = body
        .get("dryRun")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|v| v == "All"))
        || ctx.dry_run()?;
    Ok(DeleteOptions {
        propagation,
        dry_run: dry,
        precondition_uid: body
            .pointer("/preconditions/uid")
            .and_then(Value::as_str)
            .map(str::to_string),
        precondition_rv: body
            .pointer("/preconditions/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

fn delete(ctx: &Ctx, rt: &Arc<ResourceType>, t: &Target, name: &str) -> Result<Response, ApiError> {
    let opts = delete_options(ctx)?;
    let out = ctx
        .app
        .store
        .delete(&rt.resource_ref(), t.namespace.as_deref(), name, &opts)?;
    match out {
        DeleteOutcome::Pending(o) => Ok(object_response(ctx, rt, 200, &o, None)),
        DeleteOutcome::Deleted(o) => {
            let returns_object = rt.custom
                || (rt.group.is_empty() && matches!(rt.kind.as_str(), "Pod" | "Namespace"));
            if returns_object {
                return Ok(object_response(ctx, rt, 200, &o, None));
            }
            let mut details = json!({"name": name, "kind": rt.plural,
                "uid": o.pointer("/metadata/uid").cloned().unwrap_or(json!(""))});
            if !rt.group.is_empty() {
                details["group"] = json!(rt.group);
            }
            let mut ordered = serde_json::Map::new();
            for k in ["name", "group", "kind", "uid"] {
                if let Some(v) = details.get(k) {
                    ordered.insert(k.into(), v.clone());
                }
            }
            Ok(json_response(
                200,
                &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": ordered}),
            ))
        }
    }
}

fn delete_collection(ctx: &Ctx, rt: &Arc<ResourceType>, t: &Target) -> Result<Response, ApiError> {
    let opts = delete_options(ctx)?;
    let (label_selector, field_selector) = selectors(ctx, rt)?;
    let list = ListOptions {
        label_selector,
        field_selector,
        ..ListOptions::default()
    };
    let items = ctx.app.store.delete_collection(
        &rt.resource_ref(),
        t.namespace.as_deref(),
        &list,
        &opts,
    )?;
    let rv = ctx.app.store.resource_version();
    Ok(json_response(
        200,
        &json!({"kind": rt.list_kind(), "apiVersion": rt.api_version(), "metadata": {"resourceVersion": rv.to_string()}, "items": items}),
    ))
}

/// The `autoscaling/v1` Scale of a workload.
fn scale_of(obj: &Value) -> Value {
    let meta = &obj["metadata"];
    let sel = obj
        .pointer("/spec/selector")
        .cloned()
        .unwrap_or(Value::Null);
    let selector = if sel.get("matchLabels").is_some() || sel.get("matchExpressions").is_some() {
        let mut parts: Vec<String> = sel
            .get("matchLabels")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                    .collect()
            })
            .unwrap_or_default();
        parts.sort();
        parts.join(",")
    } else {
        String::new()
    };
    let mut m = serde_json::Map::new();
    for k in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(v) = meta.get(k) {
            m.insert(k.into(), v.clone());
        }
    }
    let mut status =
        json!({"replicas": obj.pointer("/status/replicas").and_then(Value::as_i64).unwrap_or(0)});
    if !selector.is_empty() {
        status["selector"] = json!(selector);
    }
    json!({"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": m,
        "spec": {"replicas": obj.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(0)}, "status": status})
}

fn set_scale(
    ctx: &Ctx,
    rt: &Arc<ResourceType>,
    t: &Target,
    name: &str,
    scale: &Value,
) -> Result<Response, ApiError> {
    let replicas = scale
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .ok_or_else(|| ApiError::bad_request("spec.replicas is required in a Scale"))?;
    let opts = WriteOptions {
        dry_run: ctx.dry_run()?,
        field_manager: Some(ctx.manager()),
        field_validation: None,
        subresource: Some("scale".into()),
    };
    let precondition = scale
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .map(str::to_string);
    let r = rt.resource_ref();
    let mut obj = ctx.app.store.get(&r, t.namespace.as_deref(), name)?;
    if let Some(p) = precondition {
        obj["metadata"]["resourceVersion"] = json!(p);
    }
    obj["spec"]["replicas"] = json!(replicas);
    let updated = ctx.app.store.update(&r, obj, &opts)?;
    Ok(json_response(200, &scale_of(&for_version(&updated, rt))))
}

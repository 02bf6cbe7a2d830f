//! The apply and update entry points: structured-merge-diff's `Updater` plus the API server's
//! field-manager layers (stripped metadata, manager identity, timestamps, `before-first-apply`,
//! the cap on update managers, the `kubectl` last-applied annotation).

use super::conflict::{ApplyConflict, Conflict};
use super::fieldset::{FieldSet, Path, PathElement};
use super::managed_fields::{
    ManagedFieldsEntry, ManagedFieldsError, Operation, now_rfc3339, read_managed_fields,
    write_managed_fields,
};
use super::server_fields::{drop_config_nulls, keep_system_metadata};
use super::typed;
use crate::schema::TypeRef;
use serde_json::{Value, json};
use thiserror::Error;

/// Why a server-side apply failed.
#[derive(Debug, Clone, Error, PartialEq)]
pub enum ApplyError {
    /// Another manager owns fields this apply would change (`409 Conflict`).
    #[error(transparent)]
    Conflict(#[from] ApplyConflict),
    /// The applied configuration is not acceptable; the message names the field, e.g.
    /// `.spec.foo: field not declared in schema` (the server answers `400 BadRequest` with
    /// `failed to create typed patch object (<gvk>): <message>`).
    #[error("{0}")]
    Invalid(String),
    /// The live object's managedFields cannot be decoded.
    #[error(transparent)]
    ManagedFields(#[from] ManagedFieldsError),
}

impl ApplyError {
    /// HTTP status of the API server's answer.
    pub fn http_status(&self) -> u16 {
        match self {
            ApplyError::Conflict(_) => 409,
            ApplyError::Invalid(_) => 400,
            ApplyError::ManagedFields(_) => 500,
        }
    }
}

/// Parameters of a server-side apply.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions<'a> {
    /// Field manager (`fieldManager` query parameter; required for apply).
    pub manager: &'a str,
    /// `force=true`: take ownership of conflicting fields.
    pub force: bool,
    /// Time to record, RFC 3339 (the current time when `None`).
    pub time: Option<&'a str>,
    /// Subresource being written (`status`), if any.
    pub subresource: Option<&'a str>,
    /// Top-level fields whose changes this endpoint ignores (the API server's "reset fields"):
    /// `["status"]` when applying to a resource with a status subresource, `["spec"]`... when
    /// applying to `/status`. They are dropped from the applied configuration.
    pub ignored_fields: &'a [&'a str],
}

/// The outcome of a successful apply.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyResult {
    /// The new object, `metadata.managedFields` included. Fields the applied configuration
    /// does not mention (uid, resourceVersion, status...) are kept from the live object.
    pub object: Value,
    /// Whether anything but managedFields changed.
    pub changed: bool,
}

/// Manager recorded for fields of objects that had no managedFields before their first apply.
const BEFORE_FIRST_APPLY: &str = "before-first-apply";
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Server-side apply of `applied` by `manager` onto `live` (`None` creates the object).
///
/// ```
/// use driftless_patch::{schema::Schema, ssa};
/// use serde_json::json;
/// let ty = Schema::builtin().for_kind("apps", "v1", "Deployment").unwrap();
/// let a = json!({"apiVersion": "apps/v1", "kind": "Deployment",
///                "metadata": {"name": "web"}, "spec": {"replicas": 2}});
/// let live = ssa::apply(None, &a, "a", false, ty).unwrap().object;
/// let b = json!({"apiVersion": "apps/v1", "kind": "Deployment",
///                "metadata": {"name": "web"}, "spec": {"replicas": 3}});
/// let err = ssa::apply(Some(&live), &b, "b", false, ty).unwrap_err();
/// assert_eq!(err.to_string(), "Apply failed with 1 conflict: conflict with \"a\": .spec.replicas");
/// let forced = ssa::apply(Some(&live), &b, "b", true, ty).unwrap().object;
/// assert_eq!(forced["spec"]["replicas"], 3);
/// ```
pub fn apply(
    live: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
    ty: TypeRef<'_>,
) -> Result<ApplyResult, ApplyError> {
    apply_with(
        live,
        applied,
        &ApplyOptions {
            manager,
            force,
            ..ApplyOptions::default()
        },
        ty,
    )
}

/// Server-side apply with explicit options. See [`apply`].
pub fn apply_with(
    live: Option<&Value>,
    applied: &Value,
    opts: &ApplyOptions<'_>,
    ty: TypeRef<'_>,
) -> Result<ApplyResult, ApplyError> {
    let Value::Object(applied_map) = applied else {
        return Err(ApplyError::Invalid(
            "the applied configuration must be an object".into(),
        ));
    };
    if applied
        .pointer("/metadata/managedFields")
        .is_some_and(|m| !m.is_null())
    {
        return Err(ApplyError::Invalid(
            "metadata.managedFields must be nil".into(),
        ));
    }
    let mut config = applied.clone();
    if let Some(m) = config.as_object_mut() {
        for f in opts.ignored_fields {
            m.shift_remove(*f);
        }
    }
    let time = opts.time.map(String::from).unwrap_or_else(now_rfc3339);
    let api_version = applied_map
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();

    let live_obj = live.map(strip_managed_fields).unwrap_or_else(|| json!({}));
    let mut managers = match live {
        Some(l) => read_managed_fields(l)?,
        None => Vec::new(),
    };
    // An existing object nobody manages yet: its current fields go to `before-first-apply`.
    if managers.is_empty() && live.is_some() {
        // As an Update from an empty object to the live one.
        let cmp = typed::compare(&json!({}), &live_obj, ty);
        let set = strip_meta(&cmp.added.union(&cmp.modified));
        if !set.is_empty() {
            managers.push(ManagedFieldsEntry {
                manager: BEFORE_FIRST_APPLY.into(),
                operation: Operation::Update,
                api_version: api_version.clone(),
                time: Some(time.clone()),
                fields: set,
                subresource: opts.subresource.map(String::from),
            });
        }
    }

    // Name, kind... count as applied while pruning; they are never recorded as owned.
    let config_full = typed::to_field_set(&config, ty).map_err(ApplyError::Invalid)?;
    let config_set = strip_meta(&config_full);
    let me = ManagedFieldsEntry {
        manager: opts.manager.to_string(),
        operation: Operation::Apply,
        api_version: api_version.clone(),
        time: Some(time.clone()),
        fields: config_set.clone(),
        subresource: opts.subresource.map(String::from),
    };
    let last_set = managers
        .iter()
        .find(|m| m.same_identity(&me))
        .map(|m| m.fields.clone());

    let mut merged = typed::merge(&live_obj, &config, ty);
    if live.is_some() {
        keep_system_metadata(&mut merged, &live_obj);
    }
    if let Some(last) = &last_set {
        let mut owned = config_full.clone();
        for m in managers.iter().filter(|m| !m.same_identity(&me)) {
            owned.union_in_place(&m.fields);
        }
        let to_remove = typed::prune_set(last, &owned, ty);
        if !to_remove.is_empty() {
            merged = typed::remove_items(&merged, &to_remove, ty);
        }
    }

    let cmp = typed::compare(&live_obj, &merged, ty);
    let changed_set = cmp.modified.union(&cmp.added);
    let mut conflicts = Vec::new();
    for m in managers.iter().filter(|m| !m.same_identity(&me)) {
        for p in m.fields.intersection(&changed_set).paths() {
            conflicts.push(Conflict {
                manager: m.display_name(),
                path: p,
            });
        }
    }
    if !conflicts.is_empty() && !opts.force {
        let mut remaining = conflicts;
        if let Some(allowed) = allowed_by_last_applied(&live_obj, opts, ty) {
            remaining.retain(|c| !allowed.contains(&c.path.0));
            if remaining.is_empty() {
                let forced = ApplyOptions {
                    force: true,
                    ..opts.clone()
                };
                return apply_with(live, applied, &forced, ty);
            }
        }
        remaining.sort_by(|a, b| a.manager.cmp(&b.manager).then_with(|| a.path.cmp(&b.path)));
        return Err(ApplyError::Conflict(ApplyConflict {
            conflicts: remaining,
        }));
    }
    for m in managers.iter_mut().filter(|m| !m.same_identity(&me)) {
        m.fields = m.fields.difference(&changed_set).difference(&cmp.removed);
    }
    managers.retain(|m| !m.same_identity(&me) && !m.fields.is_empty());
    if !me.fields.is_empty() {
        managers.push(me);
    }

    drop_config_nulls(&mut merged, &config, &live_obj);
    if live.is_some() {
        keep_system_metadata(&mut merged, &live_obj);
    }
    let changed = !crate::json_patch::json_equal(&live_obj, &merged);
    let mut object = merged;
    if opts.manager == "kubectl" && has_last_applied(&object) {
        set_last_applied(&mut object, applied);
    }
    write_managed_fields(&mut object, &managers);
    Ok(ApplyResult { object, changed })
}

/// kubectl's upgrade from client-side to server-side apply: for the manager `kubectl`, conflicts
/// on fields of the `last-applied-configuration` annotation are allowed (the apply is then
/// forced, taking them over); other conflicts are still reported.
fn allowed_by_last_applied(
    live_obj: &Value,
    opts: &ApplyOptions<'_>,
    ty: TypeRef<'_>,
) -> Option<FieldSet> {
    if opts.manager != "kubectl" {
        return None;
    }
    let text = live_obj
        .pointer("/metadata/annotations")?
        .get(LAST_APPLIED)?
        .as_str()?;
    let last_applied: Value = serde_json::from_str(text).ok()?;
    typed::to_field_set(&last_applied, ty).ok()
}

fn has_last_applied(obj: &Value) -> bool {
    obj.pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .is_some_and(|a| a.contains_key(LAST_APPLIED))
}

fn set_last_applied(obj: &mut Value, applied: &Value) {
    let mut cfg = applied.clone();
    if let Some(a) = cfg
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        a.shift_remove(LAST_APPLIED);
    }
    let cfg = sorted_keys(cfg);
    if let Some(a) = obj
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        a.insert(LAST_APPLIED.into(), Value::String(format!("{cfg}\n")));
    }
}

/// Sorts object keys recursively (Go encodes unstructured maps with sorted keys).
fn sorted_keys(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sorted_keys(v)))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted_keys).collect()),
        other => other,
    }
}

pub(super) fn strip_managed_fields(obj: &Value) -> Value {
    let mut o = obj.clone();
    if let Some(m) = o.get_mut("metadata").and_then(Value::as_object_mut) {
        m.shift_remove("managedFields");
    }
    o
}

/// Removes the fields the API server never attributes to a manager.
pub(super) fn strip_meta(set: &FieldSet) -> FieldSet {
    let mut strip = FieldSet::new();
    for f in ["apiVersion", "kind", "metadata"] {
        strip.insert(&[PathElement::field(f)]);
    }
    for f in [
        "name",
        "namespace",
        "creationTimestamp",
        "selfLink",
        "uid",
        "clusterName",
        "generation",
        "managedFields",
        "resourceVersion",
    ] {
        strip.insert(&Path::fields(&["metadata", f]).0);
    }
    set.difference(&strip)
}

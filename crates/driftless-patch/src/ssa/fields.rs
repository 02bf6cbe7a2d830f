//! Field-set helpers over objects (for normalising diffs).

use super::apply::ApplyError;
use super::fieldset::FieldSet;
use super::managed_fields::{ManagedFieldsError, read_managed_fields};
use super::typed;
use crate::schema::TypeRef;
use serde_json::Value;

/// The set of fields an object sets, as server-side apply counts them (list items by key,
/// maps entry by entry, atomic values as one field).
///
/// ```
/// use driftless_patch::{schema::Schema, ssa};
/// let ty = Schema::builtin().for_kind("", "v1", "Pod").unwrap();
/// let pod = serde_json::json!({"spec": {"containers": [{"name": "c", "image": "x"}]}});
/// let paths: Vec<String> = ssa::field_set(&pod, ty).unwrap().paths().iter().map(|p| p.to_string()).collect();
/// assert_eq!(paths, [".spec.containers[name=\"c\"]", ".spec.containers[name=\"c\"].image",
///                    ".spec.containers[name=\"c\"].name"]);
/// ```
pub fn field_set(obj: &Value, ty: TypeRef<'_>) -> Result<FieldSet, ApplyError> {
    typed::to_field_set(obj, ty).map_err(ApplyError::Invalid)
}

/// Removes the given fields (and everything below them) from an object.
pub fn remove_fields(obj: &Value, set: &FieldSet, ty: TypeRef<'_>) -> Value {
    typed::remove_items(obj, set, ty)
}

/// Keeps only the given fields of an object (structured-merge-diff's `ExtractItems`); list items
/// keep their key fields only when the set names them (as server-side apply sets do).
///
/// For a server-side-apply-aware diff, compare a desired object with the live object reduced to
/// the desired object's fields: defaults and fields set by others then never show up.
///
/// ```
/// use driftless_patch::{schema::Schema, ssa};
/// use serde_json::json;
/// let ty = Schema::builtin().for_kind("apps", "v1", "Deployment").unwrap();
/// let desired = json!({"spec": {"replicas": 2, "template": {"spec": {"containers": [
///     {"name": "c", "image": "nginx:1.27"}]}}}});
/// let live = json!({"spec": {"replicas": 2, "revisionHistoryLimit": 10, "template": {"spec": {
///     "containers": [{"name": "c", "image": "nginx:1.26", "imagePullPolicy": "IfNotPresent"}],
///     "dnsPolicy": "ClusterFirst"}}}});
/// let set = ssa::field_set(&desired, ty).unwrap();
/// let projected = ssa::extract_fields(&live, &set, ty);
/// assert_eq!(projected, json!({"spec": {"replicas": 2, "template": {"spec": {"containers": [
///     {"name": "c", "image": "nginx:1.26"}]}}}}));
/// ```
pub fn extract_fields(obj: &Value, set: &FieldSet, ty: TypeRef<'_>) -> Value {
    typed::extract_items(obj, set, ty).unwrap_or(Value::Null)
}

/// Removes from `obj` the fields that the named managers own according to the managedFields of
/// `managed_fields_of` (usually the live object); fields also owned by another manager are
/// removed too. Used to ignore differences in fields other controllers manage (Argo CD's
/// `managedFieldsManagers`).
///
/// ```
/// use driftless_patch::{schema::Schema, ssa};
/// use serde_json::json;
/// let ty = Schema::builtin().for_kind("apps", "v1", "Deployment").unwrap();
/// let live = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w",
///   "managedFields": [{"manager": "hpa", "operation": "Update", "apiVersion": "apps/v1",
///     "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:replicas": {}}}}]},
///   "spec": {"replicas": 5, "paused": false}});
/// let out = ssa::remove_fields_owned_by(&live, &live, &["hpa"], ty).unwrap();
/// assert_eq!(out["spec"], json!({"paused": false}));
/// ```
pub fn remove_fields_owned_by(
    obj: &Value,
    managed_fields_of: &Value,
    managers: &[&str],
    ty: TypeRef<'_>,
) -> Result<Value, ManagedFieldsError> {
    let mut set = FieldSet::new();
    for m in read_managed_fields(managed_fields_of)? {
        if managers.contains(&m.manager.as_str()) {
            set.union_in_place(&m.fields);
        }
    }
    Ok(typed::remove_items(obj, &set, ty))
}

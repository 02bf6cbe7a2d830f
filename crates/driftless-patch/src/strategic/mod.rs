//! Strategic merge patch (`application/strategic-merge-patch+json`) with the semantics of
//! `k8s.io/apimachinery/pkg/util/strategicpatch` as the API server applies it:
//!
//! * maps merge recursively; `null` deletes a key;
//! * lists with `patchStrategy: merge` merge: lists of objects by their `patchMergeKey`,
//!   lists of scalars as sets (e.g. `finalizers`); other lists are replaced;
//! * `patchStrategy: replace` on a map replaces it;
//! * directives: `$patch: replace|delete` in maps, `{"$patch": "delete", <key>: ...}` and
//!   `{"$patch": "replace"}` in lists, `$retainKeys`, `$deleteFromPrimitiveList/<field>`,
//!   `$setElementOrder/<field>`;
//! * order: patch items first (in patch or `$setElementOrder` order), server-only items
//!   interleaved by their live order.

mod list;
mod map;

use crate::PatchError;
use crate::schema::TypeRef;
use serde_json::Value;

pub(crate) const DIRECTIVE: &str = "$patch";
pub(crate) const RETAIN_KEYS: &str = "$retainKeys";
pub(crate) const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList/";
pub(crate) const SET_ELEMENT_ORDER: &str = "$setElementOrder/";

/// Applies a strategic merge patch to `doc`, using `ty` for list merge keys and strategies.
///
/// ```
/// use driftless_patch::{schema::Schema, strategic_merge_patch};
/// use serde_json::json;
/// let ty = Schema::builtin().for_kind("apps", "v1", "Deployment").unwrap();
/// let live = json!({"spec": {"template": {"spec": {"containers": [
///     {"name": "c", "image": "nginx:1.27"}, {"name": "side", "image": "busybox"}]}}}});
/// let patch = json!({"spec": {"template": {"spec": {"containers": [
///     {"name": "c", "image": "nginx:1.28"}, {"name": "side", "$patch": "delete"}]}}}});
/// let out = strategic_merge_patch(&live, &patch, ty).unwrap();
/// assert_eq!(out["spec"]["template"]["spec"]["containers"],
///            json!([{"name": "c", "image": "nginx:1.28"}]));
/// ```
pub fn strategic_merge_patch(
    doc: &Value,
    patch: &Value,
    ty: TypeRef<'_>,
) -> Result<Value, PatchError> {
    let Value::Object(p) = patch else {
        return Err(PatchError::BadRequest(
            "invalid JSON document: a strategic merge patch must be a JSON object".into(),
        ));
    };
    let original = match doc {
        Value::Object(m) => m.clone(),
        _ => serde_json::Map::new(),
    };
    map::merge_map(original, p.clone(), ty).map(Value::Object)
}

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

/// Formats a decoded JSON value like Go's `%v` (as apimachinery's error messages print them):
/// `map[k:v]` with sorted keys, `[a b]`, `<nil>`, floats as `%g` with exponents from 1e21.
pub(crate) fn go_fmt(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            let exp = if f == 0.0 {
                0
            } else {
                f.abs().log10().floor() as i32
            };
            if (-4..21).contains(&exp) {
                format!("{f}")
            } else {
                let e = format!("{f:e}");
                let (mant, ex) = e.split_once('e').unwrap_or((&e, "0"));
                let ex: i32 = ex.parse().unwrap_or(0);
                format!("{mant}e{}{:02}", if ex < 0 { '-' } else { '+' }, ex.abs())
            }
        }
        Value::Array(a) => format!("[{}]", a.iter().map(go_fmt).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => {
            let mut kv: Vec<(&String, &Value)> = m.iter().collect();
            kv.sort_by(|a, b| a.0.cmp(b.0));
            let parts: Vec<String> = kv
                .iter()
                .map(|(k, v)| format!("{k}:{}", go_fmt(v)))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::go_fmt;
    use serde_json::json;

    #[test]
    fn go_formatting() {
        assert_eq!(
            go_fmt(&json!({"name": "a", "$patch": "frob"})),
            "map[$patch:frob name:a]"
        );
        assert_eq!(
            go_fmt(&json!([[1.5, 1000000, "q"], null, true])),
            "[[1.5 1000000 q] <nil> true]"
        );
        assert_eq!(go_fmt(&json!(1e21)), "1e+21");
        assert_eq!(go_fmt(&json!(0.00001)), "1e-05");
    }
}

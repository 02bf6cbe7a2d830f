//! Client-side apply (`ServerSideApply=false`), as `kubectl apply` does it for unstructured
//! objects: the last applied configuration is kept in an annotation and a three-way JSON merge
//! patch is sent — fields removed from Git since the last apply are deleted, fields that differ
//! from live are set, fields only others set are left alone. Lists are replaced whole (JSON merge
//! patch), where kubectl merges built-in kinds' keyed lists strategically.

use crate::{ApplyError, Cluster};
use driftless_core::ObjectKey;
use serde_json::{Map, Value};

/// kubectl's annotation holding the last applied configuration.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Client-side applies `obj`.
pub(crate) async fn apply(
    cluster: &Cluster,
    key: &ObjectKey,
    obj: &Value,
) -> Result<Value, ApplyError> {
    let mut desired = obj.clone();
    if let Some(a) = desired
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        a.remove(LAST_APPLIED);
    }
    let text = serde_json::to_string(&desired).unwrap_or_default();
    let meta = desired
        .as_object_mut()
        .and_then(|o| o.get_mut("metadata"))
        .and_then(Value::as_object_mut);
    if let Some(meta) = meta {
        let ann = meta
            .entry("annotations")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(ann) = ann.as_object_mut() {
            ann.insert(LAST_APPLIED.into(), text.into());
        }
    }
    let Some(live) = cluster.get_fresh(key).await? else {
        return cluster.create(key, &desired, false).await;
    };
    let last: Value = live
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(LAST_APPLIED))
        .and_then(Value::as_str)
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_else(|| Value::Object(Map::new()));
    let patch = three_way(&last, &desired, &live);
    cluster.merge_patch(key, &patch).await
}

/// The three-way JSON merge patch from `live` to `desired`, deleting what `last` had and
/// `desired` no longer has.
///
/// ```text
/// last {a:1,b:1}, desired {a:2}, live {a:1,b:1,c:1}  →  {a:2,b:null}
/// ```
pub(crate) fn three_way(last: &Value, desired: &Value, live: &Value) -> Value {
    let mut deletions = driftless_patch::create_merge_patch(last, desired);
    keep_nulls(&mut deletions);
    let mut changes = driftless_patch::create_merge_patch(live, desired);
    drop_nulls(&mut changes);
    merge_into(&mut deletions, changes);
    deletions
}

fn keep_nulls(v: &mut Value) {
    if let Value::Object(m) = v {
        m.retain(|_, c| {
            keep_nulls(c);
            c.is_null() || c.as_object().is_some_and(|o| !o.is_empty())
        });
    }
}

fn drop_nulls(v: &mut Value) {
    if let Value::Object(m) = v {
        m.retain(|_, c| {
            drop_nulls(c);
            !c.is_null()
        });
    }
}

fn merge_into(a: &mut Value, b: Value) {
    match (a, b) {
        (Value::Object(am), Value::Object(bm)) => {
            for (k, bv) in bm {
                match am.get_mut(&k) {
                    Some(av) => merge_into(av, bv),
                    None => {
                        am.insert(k, bv);
                    }
                }
            }
        }
        (a, b) => *a = b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn removed_fields_are_deleted_and_foreign_ones_kept() {
        let last = json!({"data": {"a": "1", "b": "1"}});
        let desired = json!({"data": {"a": "2"}});
        let live = json!({"data": {"a": "1", "b": "1", "c": "1"}});
        assert_eq!(
            three_way(&last, &desired, &live),
            json!({"data": {"a": "2", "b": null}})
        );
    }

    #[test]
    fn drift_on_a_desired_field_is_reverted() {
        let last = json!({"data": {"a": "1"}});
        let desired = json!({"data": {"a": "1"}});
        let live = json!({"data": {"a": "edited"}});
        assert_eq!(
            three_way(&last, &desired, &live),
            json!({"data": {"a": "1"}})
        );
    }
}

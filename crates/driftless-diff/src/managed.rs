//! Field ownership from `metadata.managedFields` (`FieldsV1`).
//!
//! This is the one place that reads managedFields. Parsing and field sets
//! come from `driftless-patch`; here owned fields are resolved to concrete
//! paths inside a given object (the live object or the desired one, whose
//! list items may sit at other indexes).

use crate::path::{Path, Seg};
use driftless_patch::schema::{Schema, TypeRef};
use driftless_patch::ssa;
use serde_json::{Map, Value};

/// The `fieldsV1` sets of the managedFields entries of `live` that
/// `wanted(manager, operation)` selects (read-only walk of the raw JSON: keys
/// that do not resolve in the target are skipped).
pub(crate) fn field_sets<'a>(
    live: &'a Value,
    wanted: &dyn Fn(&str, &str) -> bool,
) -> Vec<&'a Map<String, Value>> {
    live.pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter(|(_, e)| {
            let text = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("");
            wanted(text("manager"), text("operation"))
        })
        .filter_map(|(_, e)| e.get("fieldsV1").and_then(Value::as_object))
        .collect()
}

/// Removes from `v` the fields `managers` own per `live`'s managedFields,
/// with `driftless-patch`'s schema-aware removal (built-in Kubernetes
/// schema; custom resources untyped).
pub(crate) fn remove_owned_by(v: &mut Value, live: &Value, managers: &[&str]) {
    let Some(key) = driftless_core::ObjectKey::from_object(live) else {
        return;
    };
    let schema = Schema::builtin();
    let ty = schema
        .for_kind(&key.group, &key.version, &key.kind)
        .unwrap_or_else(TypeRef::untyped);
    if let Ok(out) = ssa::remove_fields_owned_by(v, live, managers, ty) {
        *v = out;
    }
}

/// Concrete paths in `target` of the leaf fields listed in `sets`.
pub(crate) fn owned_paths(sets: &[&Map<String, Value>], target: &Value) -> Vec<Path> {
    let mut out = Vec::new();
    for set in sets {
        walk(set, target, &mut Vec::new(), &mut out);
    }
    out.sort();
    out.dedup();
    out
}

fn walk(fields: &Map<String, Value>, node: &Value, path: &mut Path, out: &mut Vec<Path>) {
    for (key, sub) in fields {
        let Some((seg, child)) = resolve(key, node) else {
            continue;
        };
        path.push(seg);
        match sub.as_object() {
            Some(m) if m.keys().any(|k| k != ".") => walk(m, child, path, out),
            _ => out.push(path.clone()),
        }
        path.pop();
    }
}

/// Resolves one FieldsV1 key (`f:name`, `k:{…}`, `v:…`, `i:N`) in `node`.
fn resolve<'a>(key: &str, node: &'a Value) -> Option<(Seg, &'a Value)> {
    if let Some(name) = key.strip_prefix("f:") {
        let child = node.as_object()?.get(name)?;
        return Some((Seg::Key(name.to_string()), child));
    }
    let items = node.as_array()?;
    let index = if let Some(json) = key.strip_prefix("k:") {
        let fields: Map<String, Value> = serde_json::from_str(json).ok()?;
        items
            .iter()
            .position(|it| fields.iter().all(|(k, v)| it.get(k) == Some(v)))?
    } else if let Some(json) = key.strip_prefix("v:") {
        let value: Value = serde_json::from_str(json).ok()?;
        items.iter().position(|it| *it == value)?
    } else if let Some(i) = key.strip_prefix("i:") {
        i.parse().ok()?
    } else {
        return None;
    };
    Some((Seg::Index(index), items.get(index)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_keyed_list_items_per_target() {
        let live = json!({
            "metadata": {"managedFields": [
                {"manager": "kube-controller-manager", "operation": "Update", "fieldsType": "FieldsV1",
                 "fieldsV1": {"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
                     "k:{\"name\":\"app\"}": {".": {}, "f:image": {}}}}}}}}
            ]},
            "spec": {"replicas": 5, "template": {"spec": {"containers": [
                {"name": "sidecar", "image": "s"}, {"name": "app", "image": "a:2"}]}}}
        });
        let sets = field_sets(&live, &|m, _| m == "kube-controller-manager");
        let desired = json!({"spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "app", "image": "a:1"}]}}}});
        let paths = owned_paths(&sets, &desired);
        let k = |s: &str| Seg::Key(s.into());
        assert_eq!(
            paths,
            vec![
                vec![k("spec"), k("replicas")],
                vec![
                    k("spec"),
                    k("template"),
                    k("spec"),
                    k("containers"),
                    Seg::Index(0),
                    k("image")
                ],
            ]
        );
        assert_eq!(owned_paths(&sets, &live)[1][4], Seg::Index(1));
    }
}

//! Normalisation applied to both sides before comparing.

use base64::Engine;
use serde_json::{Map, Value};

/// Metadata fields the API server owns.
pub const SERVER_METADATA: [&str; 8] = [
    "managedFields",
    "resourceVersion",
    "uid",
    "generation",
    "creationTimestamp",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

/// kubectl's client-side apply record.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Drops `status`, server-owned metadata and the last-applied annotation,
/// empty `labels`/`annotations`, and null map values; folds a Secret's
/// `stringData` into `data` (base64), as the API server does.
pub(crate) fn normalize(obj: &Value) -> Value {
    // Copy without the parts that are dropped anyway (status and managedFields
    // are often as large as the rest of the object).
    let mut v = match obj {
        Value::Object(top) => Value::Object(
            top.iter()
                .filter(|(k, v)| *k != "status" && !v.is_null())
                .map(|(k, v)| match (k.as_str(), v) {
                    ("metadata", Value::Object(meta)) => (
                        k.clone(),
                        Value::Object(
                            meta.iter()
                                .filter(|(f, v)| {
                                    !SERVER_METADATA.contains(&f.as_str()) && !v.is_null()
                                })
                                .map(|(f, v)| (f.clone(), drop_nulls(v)))
                                .collect(),
                        ),
                    ),
                    _ => (k.clone(), drop_nulls(v)),
                })
                .collect(),
        ),
        other => drop_nulls(other),
    };
    let Some(m) = v.as_object_mut() else {
        return v;
    };
    if let Some(meta) = m.get_mut("metadata").and_then(Value::as_object_mut) {
        if let Some(ann) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            ann.shift_remove(LAST_APPLIED);
        }
        for f in ["annotations", "labels"] {
            if meta
                .get(f)
                .and_then(Value::as_object)
                .is_some_and(Map::is_empty)
            {
                meta.shift_remove(f);
            }
        }
    }
    if is_secret(&v) {
        fold_string_data(&mut v);
    }
    v
}

/// True for core-group Secrets.
pub(crate) fn is_secret(v: &Value) -> bool {
    v.get("kind").and_then(Value::as_str) == Some("Secret")
        && v.get("apiVersion").and_then(Value::as_str) == Some("v1")
}

fn fold_string_data(v: &mut Value) {
    let Some(m) = v.as_object_mut() else { return };
    let Some(Value::Object(string_data)) = m.shift_remove("stringData") else {
        return;
    };
    let data = m.entry("data").or_insert_with(|| Value::Object(Map::new()));
    if !data.is_object() {
        *data = Value::Object(Map::new());
    }
    let data = data.as_object_mut().expect("just made an object");
    for (k, val) in string_data {
        let text = match val {
            Value::String(s) => s,
            other => other.to_string(),
        };
        data.insert(
            k,
            Value::String(base64::engine::general_purpose::STANDARD.encode(text)),
        );
    }
}

fn drop_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), drop_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(drop_nulls).collect()),
        other => other.clone(),
    }
}

/// Removes empty maps and lists, bottom-up (the API server omits most of
/// them, so a desired `{}` must not count as a difference).
pub(crate) fn drop_empty(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for child in m.values_mut() {
                drop_empty(child);
            }
            m.retain(|_, c| !is_empty_container(c));
        }
        Value::Array(a) => a.iter_mut().for_each(drop_empty),
        _ => {}
    }
}

fn is_empty_container(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Argo CD's two-way rule: keeps only the parts of `live` that `desired`
/// mentions. Map keys absent from desired are dropped; list items are
/// compared index by index and extra live items are kept (so they show).
pub(crate) fn restrict_to(desired: &Value, live: &Value) -> Value {
    match (desired, live) {
        (Value::Object(d), Value::Object(l)) => Value::Object(
            d.iter()
                .filter_map(|(k, dv)| Some((k.clone(), restrict_to(dv, l.get(k)?))))
                .collect(),
        ),
        (Value::Array(d), Value::Array(l)) => Value::Array(
            l.iter()
                .enumerate()
                .map(|(i, lv)| match d.get(i) {
                    Some(dv) => restrict_to(dv, lv),
                    None => lv.clone(),
                })
                .collect(),
        ),
        _ => live.clone(),
    }
}

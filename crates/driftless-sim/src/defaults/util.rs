//! Small helpers for editing JSON objects the way Go defaulting does
//! (a missing or `null` field counts as unset).

use serde_json::{Map, Value};

/// Whether `m[key]` is missing or `null`.
pub(crate) fn unset(m: &Map<String, Value>, key: &str) -> bool {
    m.get(key).is_none_or(Value::is_null)
}

/// Sets `m[key] = value` when the field is unset.
pub(crate) fn default(m: &mut Map<String, Value>, key: &str, value: Value) {
    if unset(m, key) {
        m.insert(key.to_string(), value);
    }
}

/// Sets `m[key] = value` when the field is unset or an empty string.
pub(crate) fn default_str(m: &mut Map<String, Value>, key: &str, value: &str) {
    if unset(m, key) || m.get(key).and_then(Value::as_str) == Some("") {
        m.insert(key.to_string(), Value::String(value.to_string()));
    }
}

/// The object at `m[key]`, created (as `{}`) when unset or not an object.
pub(crate) fn obj<'a>(m: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    if !m.get(key).is_some_and(Value::is_object) {
        m.insert(key.to_string(), Value::Object(Map::new()));
    }
    m.get_mut(key)
        .and_then(Value::as_object_mut)
        .expect("just inserted")
}

/// The object at `m[key]` if it is one.
pub(crate) fn obj_opt<'a>(
    m: &'a mut Map<String, Value>,
    key: &str,
) -> Option<&'a mut Map<String, Value>> {
    m.get_mut(key).and_then(Value::as_object_mut)
}

/// Calls `f` on every object element of the array at `m[key]`.
pub(crate) fn each(
    m: &mut Map<String, Value>,
    key: &str,
    mut f: impl FnMut(&mut Map<String, Value>),
) {
    if let Some(Value::Array(items)) = m.get_mut(key) {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            f(item);
        }
    }
}

/// A string field, or `""`.
pub(crate) fn str_of<'a>(m: &'a Map<String, Value>, key: &str) -> &'a str {
    m.get(key).and_then(Value::as_str).unwrap_or("")
}

/// `Value::pointer` for a map (path relative to it, `/a/b`).
pub(crate) fn ptr<'a>(m: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.trim_start_matches('/').split('/');
    let first = m.get(parts.next()?)?;
    parts.try_fold(first, |v, p| v.get(p))
}

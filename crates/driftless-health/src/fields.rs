//! Small readers over `serde_json::Value` with Go's zero-value defaults.

use serde_json::Value;

/// The value at a JSON pointer, if any.
pub(crate) fn at<'a>(obj: &'a Value, pointer: &str) -> Option<&'a Value> {
    obj.pointer(pointer).filter(|v| !v.is_null())
}

/// An integer at `pointer`; 0 when absent (Go's zero value).
pub(crate) fn int(obj: &Value, pointer: &str) -> i64 {
    opt_int(obj, pointer).unwrap_or(0)
}

/// An integer at `pointer`, `None` when absent.
pub(crate) fn opt_int(obj: &Value, pointer: &str) -> Option<i64> {
    at(obj, pointer).and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}

/// A string at `pointer`; `""` when absent.
pub(crate) fn text<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    at(obj, pointer).and_then(|v| v.as_str()).unwrap_or("")
}

/// A boolean at `pointer`; false when absent.
pub(crate) fn flag(obj: &Value, pointer: &str) -> bool {
    at(obj, pointer).and_then(|v| v.as_bool()).unwrap_or(false)
}

/// The array at `pointer`; empty when absent.
pub(crate) fn list<'a>(obj: &'a Value, pointer: &str) -> &'a [Value] {
    at(obj, pointer)
        .and_then(|v| v.as_array())
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The first entry of `status.conditions`-like list with `type == kind`.
pub(crate) fn condition<'a>(obj: &'a Value, pointer: &str, kind: &str) -> Option<&'a Value> {
    list(obj, pointer)
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
}

/// An object's API group (empty for core) and kind.
pub(crate) fn group_kind(obj: &Value) -> (&str, &str) {
    let api_version = text(obj, "/apiVersion");
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    (group, text(obj, "/kind"))
}

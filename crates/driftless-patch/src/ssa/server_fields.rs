//! What the API server does around an apply that is not field management: system metadata
//! stays the server's, and explicit `null`s of the applied configuration unset fields.

use serde_json::{Map, Value};

/// Metadata the API server owns; an applied configuration cannot change it.
const SYSTEM_METADATA: &[&str] = &[
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "selfLink",
];

/// Restores the system metadata of `live` in `merged` (or drops what the configuration set
/// when the live object has none).
pub(crate) fn keep_system_metadata(merged: &mut Value, live: &Value) {
    let live_meta = live.get("metadata").and_then(Value::as_object);
    let Some(meta) = merged.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    for f in SYSTEM_METADATA {
        match live_meta.and_then(|m| m.get(*f)) {
            Some(v) => {
                meta.insert((*f).to_string(), v.clone());
            }
            None => {
                meta.shift_remove(*f);
            }
        }
    }
}

/// Removes from `merged` the map entries the configuration set to `null` (an explicit null
/// unsets a field; the typed object the server stores has no such value), unless the live
/// object already holds that `null` (so re-applying changes nothing).
pub(crate) fn drop_config_nulls(merged: &mut Value, config: &Value, live: &Value) {
    let (Some(m), Some(c)) = (merged.as_object_mut(), config.as_object()) else {
        return;
    };
    let empty = Map::new();
    let l = live.as_object().unwrap_or(&empty);
    for (k, cv) in c {
        if cv.is_null() {
            if !l.get(k).is_some_and(Value::is_null) {
                m.shift_remove(k);
            }
        } else if cv.is_object()
            && let Some(mv) = m.get_mut(k)
        {
            drop_config_nulls(mv, cv, l.get(k).unwrap_or(&Value::Null));
        }
    }
}

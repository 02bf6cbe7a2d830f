//! Secret redaction, the way Argo CD masks Secret data in diffs.

use crate::normalize::is_secret;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// Replaces every value under `data` and `stringData` of the Secrets among
/// `objs` with `+` masks. Per key, equal values get equal masks and different
/// values masks of different lengths (8, 12, 16 … `+`), so a diff still shows
/// which keys changed without showing any value. Non-Secrets are untouched.
pub(crate) fn redact(objs: &mut [Option<&mut Value>]) {
    if !objs.iter().flatten().any(|o| is_secret(o)) {
        return;
    }
    for field in ["data", "stringData"] {
        let mut keys = BTreeSet::new();
        for o in objs.iter().flatten() {
            if let Some(m) = o.get(field).and_then(Value::as_object) {
                keys.extend(m.keys().cloned());
            }
        }
        for key in keys {
            let mut masks: HashMap<String, String> = HashMap::new();
            let mut next = "+".repeat(8);
            for o in objs.iter_mut().flatten() {
                let Some(slot) = o
                    .get_mut(field)
                    .and_then(Value::as_object_mut)
                    .and_then(|m| m.get_mut(&key))
                else {
                    continue;
                };
                let text = match &*slot {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let mask = masks.entry(text).or_insert_with(|| {
                    let m = next.clone();
                    next.push_str("++++");
                    m
                });
                *slot = Value::String(mask.clone());
            }
        }
        // Anything that is not a map (a malformed Secret) is masked whole.
        for o in objs.iter_mut().flatten() {
            if let Some(slot) = o.get_mut(field)
                && !slot.is_object()
                && !slot.is_null()
            {
                *slot = Value::String("++++++++".into());
            }
        }
    }
}

/// A redacted copy of one object (for showing a single object).
pub fn redacted(obj: &Value) -> Value {
    let mut v = obj.clone();
    if let Some(ann) = v
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
        && is_secret(obj)
    {
        // kubectl's last-applied record holds the Secret in clear.
        ann.shift_remove(crate::normalize::LAST_APPLIED);
    }
    redact(&mut [Some(&mut v)]);
    v
}

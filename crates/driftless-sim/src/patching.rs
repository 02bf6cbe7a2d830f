//! The one place where the simulated server calls patch and apply semantics
//! (`driftless-patch`): JSON patch, merge patch, strategic merge patch,
//! server-side apply and managedFields bookkeeping.

use serde_json::Value;

use crate::registry::ResourceType;
use crate::status::ApiError;

/// Records `manager`'s Update of `new` (compared with `old`) in `new.metadata.managedFields`.
pub fn update_managed_fields(
    _rt: &ResourceType,
    _old: Option<&Value>,
    _new: &mut Value,
    _manager: &str,
    _subresource: Option<&str>,
) -> Result<(), ApiError> {
    // Filled in once driftless-patch provides field-set computation.
    Ok(())
}

/// Applies an RFC 7386 JSON merge patch.
pub fn merge_patch(doc: &Value, patch: &Value) -> Result<Value, ApiError> {
    fn merge(target: &mut Value, patch: &Value) {
        if let Value::Object(p) = patch {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            let t = target.as_object_mut().expect("object");
            for (k, v) in p {
                if v.is_null() {
                    t.shift_remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        } else {
            *target = patch.clone();
        }
    }
    let mut out = doc.clone();
    merge(&mut out, patch);
    Ok(out)
}

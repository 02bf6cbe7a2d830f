//! Merging of maps, `$patch` / `$retainKeys` / `$setElementOrder` / `$deleteFromPrimitiveList`.

use super::list::{self, ListCtx};
use super::{DELETE_FROM_PRIMITIVE_LIST, DIRECTIVE, RETAIN_KEYS, SET_ELEMENT_ORDER, go_fmt};
use crate::PatchError;
use crate::schema::TypeRef;
use serde_json::{Map, Value};

type Obj = Map<String, Value>;

/// `mergeMap`: merges `patch` into `original`.
pub(crate) fn merge_map(
    mut original: Obj,
    mut patch: Obj,
    ty: TypeRef<'_>,
) -> Result<Obj, PatchError> {
    if let Some(d) = patch.get(DIRECTIVE) {
        return match d.as_str() {
            Some("replace") => {
                patch.shift_remove(DIRECTIVE);
                Ok(patch)
            }
            Some("delete") => Ok(Obj::new()),
            _ => Err(PatchError::Internal(format!(
                "unknown patch type: {} in map: {}",
                go_fmt(d),
                go_fmt(&Value::Object(patch.clone()))
            ))),
        };
    }
    apply_retain_keys(&mut original, &mut patch)?;
    merge_ordered_lists(&mut original, &mut patch, ty)?;

    for (key, patch_v) in patch {
        let (key, is_delete_list) = match key.strip_prefix(DELETE_FROM_PRIMITIVE_LIST) {
            Some(k) => (k.to_string(), true),
            None => (key, false),
        };
        if patch_v.is_null() {
            original.shift_remove(&key);
            continue;
        }
        let field_ty = field_type(ty, &key);
        let Some(orig_v) = original.get(&key) else {
            if !is_delete_list && let Some(fresh) = fresh_value(patch_v) {
                original.insert(key, fresh);
            }
            continue;
        };
        let merged = match (orig_v, patch_v) {
            (Value::Object(o), Value::Object(p)) => {
                if strategy(field_ty).as_deref() == Some("replace") {
                    Value::Object(p)
                } else {
                    Value::Object(merge_map(o.clone(), p, field_ty)?)
                }
            }
            (Value::Array(o), Value::Array(p)) => {
                if strategy(field_ty).as_deref() == Some("merge") || is_delete_list {
                    let ctx = ListCtx {
                        ty: field_ty,
                        name: &key,
                    };
                    Value::Array(list::merge_slice(o.clone(), p, &ctx, is_delete_list)?)
                } else {
                    Value::Array(p)
                }
            }
            (_, p) => {
                if is_delete_list {
                    continue;
                }
                match fresh_value(p) {
                    Some(v) => v,
                    None => {
                        original.shift_remove(&key);
                        continue;
                    }
                }
            }
        };
        original.insert(key, merged);
    }
    Ok(original)
}

/// A value added where the original had none, as apimachinery treats it (checked against
/// `kubectl patch --local`): `null`s are dropped, maps carrying a `$patch` directive are dropped
/// whole, list items carrying one are dropped; other directives stay as plain keys.
fn fresh_value(v: Value) -> Option<Value> {
    match v {
        Value::Object(m) => {
            if m.contains_key(DIRECTIVE) {
                return None;
            }
            Some(Value::Object(
                m.into_iter()
                    .filter(|(_, x)| !x.is_null())
                    .filter_map(|(k, x)| fresh_value(x).map(|y| (k, y)))
                    .collect(),
            ))
        }
        Value::Array(a) => Some(Value::Array(
            a.into_iter().filter_map(fresh_value).collect(),
        )),
        other => Some(other),
    }
}

/// Drops the list items that carry a `$patch` directive.
pub(crate) fn without_directive_items(items: Vec<Value>) -> Vec<Value> {
    items
        .into_iter()
        .filter(|i| i.get(DIRECTIVE).is_none())
        .collect()
}

/// The type of field `key`, untyped when unknown.
pub(crate) fn field_type<'a>(ty: TypeRef<'a>, key: &str) -> TypeRef<'a> {
    ty.field(key).unwrap_or_else(TypeRef::untyped)
}

/// The patch strategy of a field apart from `retainKeys` (`merge`, `replace` or none).
pub(crate) fn strategy(ty: TypeRef<'_>) -> Option<String> {
    ty.patch_strategy()
        .into_iter()
        .find(|s| *s != "retainKeys")
        .map(String::from)
}

/// `$retainKeys`: drops keys of `original` not listed; every patch key must be listed.
fn apply_retain_keys(original: &mut Obj, patch: &mut Obj) -> Result<(), PatchError> {
    let Some(retain) = patch.shift_remove(RETAIN_KEYS) else {
        return Ok(());
    };
    let bad = || PatchError::BadRequest("invalid patch format of retainKeys".into());
    let Value::Array(keys) = retain else {
        return Err(bad());
    };
    let keys: Vec<&str> = keys.iter().filter_map(Value::as_str).collect();
    for (k, v) in patch.iter() {
        if v.is_null()
            || k.starts_with(DELETE_FROM_PRIMITIVE_LIST)
            || k.starts_with(SET_ELEMENT_ORDER)
        {
            continue;
        }
        if !keys.contains(&k.as_str()) {
            return Err(bad());
        }
    }
    original.retain(|k, _| keys.contains(&k.as_str()));
    Ok(())
}

/// `$setElementOrder/<field>`: merges the field's list and orders it as listed.
fn merge_ordered_lists(
    original: &mut Obj,
    patch: &mut Obj,
    ty: TypeRef<'_>,
) -> Result<(), PatchError> {
    let keys: Vec<String> = patch
        .keys()
        .filter(|k| k.starts_with(SET_ELEMENT_ORDER))
        .cloned()
        .collect();
    for key in keys {
        let order = patch.shift_remove(&key).unwrap_or(Value::Null);
        let Value::Array(order) = order else {
            return Err(PatchError::BadRequest(
                "invalid patch format of setElementOrder list".into(),
            ));
        };
        let field = key[SET_ELEMENT_ORDER.len()..].to_string();
        let field_ty = field_type(ty, &field);
        let ctx = ListCtx {
            ty: field_ty,
            name: &field,
        };
        let orig_list = match original.get(&field) {
            Some(Value::Array(a)) => Some(a.clone()),
            Some(other) => return Err(bad_arg(other)),
            None => None,
        };
        let patch_list = match patch.get(&field) {
            Some(Value::Array(a)) => Some(a.clone()),
            Some(other) => return Err(bad_arg(other)),
            None => None,
        };
        list::validate_set_order(patch_list.as_deref().unwrap_or(&[]), &order, &ctx)?;
        let merged = match (&orig_list, patch_list) {
            (Some(o), None) => o.clone(),
            (None, Some(p)) => without_directive_items(p),
            (Some(o), Some(p)) => {
                if strategy(field_ty).as_deref() == Some("merge") {
                    list::merge_slice(o.clone(), p, &ctx, false)?
                } else {
                    p
                }
            }
            (None, None) => continue,
        };
        let ordered = list::order_by(merged, &order, orig_list.as_deref().unwrap_or(&[]), &ctx)?;
        original.insert(field.clone(), Value::Array(ordered));
        patch.shift_remove(&field);
    }
    Ok(())
}

fn bad_arg(v: &Value) -> PatchError {
    PatchError::BadRequest(format!("expected a list, but got {}", go_fmt(v)))
}

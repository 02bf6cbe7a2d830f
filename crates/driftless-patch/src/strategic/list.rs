//! Merging of lists with `patchStrategy: merge`, list directives and element order.

use super::DIRECTIVE;
use super::go_fmt;
use super::map::merge_map;
use crate::PatchError;
use crate::json_patch::json_equal;
use crate::schema::TypeRef;
use serde_json::{Map, Value};

/// The list being merged: its schema and field name (for messages).
pub(crate) struct ListCtx<'a, 'n> {
    pub ty: TypeRef<'a>,
    pub name: &'n str,
}

impl ListCtx<'_, '_> {
    fn merge_key(&self) -> Option<&str> {
        self.ty.patch_merge_key()
    }
}

#[derive(PartialEq, Clone, Copy)]
enum ElemKind {
    Map,
    Scalar(u8),
}

fn elem_kind(v: &Value) -> ElemKind {
    match v {
        Value::Object(_) => ElemKind::Map,
        Value::Array(_) => ElemKind::Scalar(4),
        Value::String(_) => ElemKind::Scalar(0),
        Value::Number(_) => ElemKind::Scalar(1),
        Value::Bool(_) => ElemKind::Scalar(2),
        Value::Null => ElemKind::Scalar(3),
    }
}

/// The common element kind of the lists (`sliceElementType`).
fn slice_kind(lists: &[&[Value]]) -> Result<Option<ElemKind>, PatchError> {
    let mut kind = None;
    for v in lists.iter().flat_map(|l| l.iter()) {
        let k = elem_kind(v);
        match kind {
            None if v.is_array() => {
                return Err(PatchError::Invalid(
                    "lists of lists are not supported".into(),
                ));
            }
            None => kind = Some(k),
            Some(prev) if prev != k => {
                let all: Vec<Value> = lists.iter().map(|l| Value::Array(l.to_vec())).collect();
                return Err(PatchError::Internal(format!(
                    "list element types are not identical: {}",
                    go_fmt(&Value::Array(all))
                )));
            }
            _ => {}
        }
    }
    Ok(kind)
}

fn no_merge_key(item: &Map<String, Value>, key: &str) -> PatchError {
    PatchError::Internal(format!(
        "map: {} does not contain declared merge key: {key}",
        go_fmt(&Value::Object(item.clone()))
    ))
}

/// `mergeSlice`: merges `patch` into `original` for a list with strategy `merge`
/// (or a `$deleteFromPrimitiveList` list when `delete_list`).
pub(crate) fn merge_slice(
    original: Vec<Value>,
    patch: Vec<Value>,
    ctx: &ListCtx<'_, '_>,
    delete_list: bool,
) -> Result<Vec<Value>, PatchError> {
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    let Some(kind) = slice_kind(&[&original, &patch])? else {
        return Ok(original);
    };
    if kind != ElemKind::Map {
        if delete_list {
            return Ok(original
                .into_iter()
                .filter(|v| !patch.iter().any(|d| json_equal(v, d)))
                .collect());
        }
        let mut merged: Vec<Value> = Vec::with_capacity(original.len() + patch.len());
        for v in original.iter().chain(&patch) {
            if !merged.iter().any(|m| json_equal(m, v)) {
                merged.push(v.clone());
            }
        }
        let (patch_items, server_only) = partition(merged, &patch, None)?;
        return normalize_element_order(patch_items, server_only, &patch, &original, None);
    }
    let key = ctx
        .merge_key()
        .ok_or_else(|| {
            PatchError::Internal(format!(
                "cannot merge lists without merge key for {}",
                ctx.name
            ))
        })?
        .to_string();
    let (original, patch) = apply_special_elements(original, patch, &key)?;
    let item_ty = ctx.ty.items();
    let mut merged = original.clone();
    for item in &patch {
        let Value::Object(p) = item else { continue };
        let kv = p.get(&key).ok_or_else(|| no_merge_key(p, &key))?;
        match find_by_key(&merged, &key, kv) {
            Some(i) => {
                let Value::Object(o) = &merged[i] else {
                    continue;
                };
                merged[i] = Value::Object(merge_map(o.clone(), p.clone(), item_ty)?);
            }
            // New items are appended as sent (apimachinery does not process them further).
            None => merged.push(item.clone()),
        }
    }
    let (patch_items, server_only) = partition(merged, &patch, Some(&key))?;
    normalize_element_order(patch_items, server_only, &patch, &original, Some(&key))
}

/// Handles `{"$patch": "delete", key: v}` and `{"$patch": "replace"}` items; returns the new
/// original and the patch without directive items.
fn apply_special_elements(
    mut original: Vec<Value>,
    patch: Vec<Value>,
    key: &str,
) -> Result<(Vec<Value>, Vec<Value>), PatchError> {
    let mut plain = Vec::with_capacity(patch.len());
    let mut replace = false;
    for v in patch {
        let Value::Object(m) = &v else { continue };
        let Some(d) = m.get(DIRECTIVE) else {
            plain.push(v);
            continue;
        };
        match d.as_str() {
            Some("delete") => {
                let kv = m.get(key).ok_or_else(|| no_merge_key(m, key))?;
                original.retain(|o| !o.get(key).is_some_and(|ov| json_equal(ov, kv)));
            }
            Some("replace") => replace = true,
            Some("merge") => {
                return Err(PatchError::Internal(
                    "merging lists cannot yet be specified in the patch".into(),
                ));
            }
            _ => {
                return Err(PatchError::Internal(format!(
                    "unknown patch type: {} in map: {}",
                    go_fmt(d),
                    go_fmt(&v)
                )));
            }
        }
    }
    if replace {
        Ok((plain, Vec::new()))
    } else {
        Ok((original, plain))
    }
}

fn find_by_key(list: &[Value], key: &str, value: &Value) -> Option<usize> {
    list.iter()
        .position(|v| v.get(key).is_some_and(|k| json_equal(k, value)))
}

/// Index of `v` in `list`: by merge key for maps, by value for scalars.
fn index_of(list: &[Value], v: &Value, key: Option<&str>) -> Option<usize> {
    match key {
        Some(k) => v.get(k).and_then(|kv| find_by_key(list, k, kv)),
        None => list.iter().position(|x| json_equal(x, v)),
    }
}

/// Splits `items` into those present in `by` and the others, keeping order.
fn partition(
    items: Vec<Value>,
    by: &[Value],
    key: Option<&str>,
) -> Result<(Vec<Value>, Vec<Value>), PatchError> {
    let mut inside = Vec::new();
    let mut outside = Vec::new();
    for v in items {
        if let Some(k) = key {
            let Value::Object(m) = &v else {
                return Err(PatchError::Internal(format!("expected a map, but got {v}")));
            };
            if !m.contains_key(k) {
                return Err(no_merge_key(m, k));
            }
        }
        if index_of(by, &v, key).is_some() {
            inside.push(v)
        } else {
            outside.push(v)
        }
    }
    Ok((inside, outside))
}

/// Sorts the items found in `order` by their position there; the rest keep their order at the end.
fn normalize_slice_order(
    to_sort: Vec<Value>,
    order: &[Value],
    key: Option<&str>,
) -> Result<Vec<Value>, PatchError> {
    let (mut present, absent) = partition(to_sort, order, key)?;
    present.sort_by_key(|v| index_of(order, v, key));
    present.extend(absent);
    Ok(present)
}

/// `normalizeElementOrder`: patch items in patch order, server-only items in live order,
/// interleaved by live order where both are known.
fn normalize_element_order(
    patch_items: Vec<Value>,
    server_only: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    key: Option<&str>,
) -> Result<Vec<Value>, PatchError> {
    let right = normalize_slice_order(patch_items, patch_order, key)?;
    let left = normalize_slice_order(server_only, server_order, key)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() || j < right.len() {
        if i >= left.len() {
            out.push(right[j].clone());
            j += 1;
        } else if j >= right.len() {
            out.push(left[i].clone());
            i += 1;
        } else {
            let li = index_of(server_order, &left[i], key);
            let ri = index_of(server_order, &right[j], key);
            match (li, ri) {
                (Some(a), Some(b)) if a < b => {
                    out.push(left[i].clone());
                    i += 1;
                }
                _ => {
                    out.push(right[j].clone());
                    j += 1;
                }
            }
        }
    }
    Ok(out)
}

/// Orders a merged list by a `$setElementOrder` list.
pub(crate) fn order_by(
    merged: Vec<Value>,
    order: &[Value],
    server_order: &[Value],
    ctx: &ListCtx<'_, '_>,
) -> Result<Vec<Value>, PatchError> {
    let key = ctx.merge_key();
    let key = if merged.iter().chain(order).any(Value::is_object) {
        key
    } else {
        None
    };
    let (patch_items, server_only) = partition(merged, order, key)?;
    normalize_element_order(patch_items, server_only, order, server_order, key)
}

/// Checks that the patch list follows the relative order of its `$setElementOrder` list.
pub(crate) fn validate_set_order(
    patch: &[Value],
    order: &[Value],
    ctx: &ListCtx<'_, '_>,
) -> Result<(), PatchError> {
    if patch.is_empty() || order.is_empty() {
        return Ok(());
    }
    let key = if patch.iter().any(Value::is_object) {
        ctx.merge_key()
    } else {
        None
    };
    let items: Vec<&Value> = patch
        .iter()
        .filter(|v| v.get(DIRECTIVE).is_none())
        .collect();
    let (mut pi, mut oi) = (0, 0);
    while pi < items.len() && oi < order.len() {
        let equal = match key {
            Some(k) => match (items[pi].get(k), order[oi].get(k)) {
                (Some(a), Some(b)) => json_equal(a, b),
                _ => {
                    return Err(PatchError::Internal(format!(
                        "map: {} does not contain declared merge key: {k}",
                        go_fmt(items[pi])
                    )));
                }
            },
            None => json_equal(items[pi], &order[oi]),
        };
        if equal {
            pi += 1;
        }
        oi += 1;
    }
    if pi < items.len() {
        return Err(PatchError::Internal(format!(
            "The order in patch list:\n{}\n doesn't match $setElementOrder list:\n{}\n",
            go_fmt(&Value::Array(patch.to_vec())),
            go_fmt(&Value::Array(order.to_vec()))
        )));
    }
    Ok(())
}

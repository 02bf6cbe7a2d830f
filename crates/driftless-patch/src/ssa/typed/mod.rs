//! Typed walks over JSON values, following structured-merge-diff: field sets (`ToFieldSet`),
//! comparison (`Compare`), merge (`Merge`) and removal (`RemoveItems`, prune, extract).

mod compare;
mod merge;
mod remove;
mod to_set;

pub(crate) use compare::compare;
pub(crate) use merge::merge;
pub(crate) use remove::{extract_items, prune_set, remove_items};
pub(crate) use to_set::to_field_set;

use super::fieldset::PathElement;
use crate::schema::{Shape, TypeRef};

/// Keys of an associative list: `None` for a set of scalars.
pub(super) type Keys<'a> = Option<&'a [String]>;
use serde_json::Value;

/// How a node is treated by the walks.
pub(super) enum Kind<'a> {
    /// Compared and replaced as a whole (scalars, atomic lists and maps, mismatched shapes).
    Leaf,
    /// Fields or keys, each its own path element.
    Fields,
    /// Associative list (set or keyed) with its type.
    Assoc(Keys<'a>, TypeRef<'a>),
}

pub(super) fn kind<'a>(ty: TypeRef<'a>, v: Option<&Value>) -> Kind<'a> {
    match (ty.shape(), v) {
        (Shape::Struct | Shape::Map, Some(Value::Object(_)) | None) if !ty.is_atomic_map() => {
            Kind::Fields
        }
        (Shape::Untyped, Some(Value::Object(_))) => Kind::Fields,
        (Shape::List, Some(Value::Array(_)) | None) => match ty.assoc_keys() {
            Some(keys) => Kind::Assoc(keys, ty.items()),
            None => Kind::Leaf,
        },
        _ => Kind::Leaf,
    }
}

/// The path element naming a list item, or an error naming what is wrong with it.
pub(crate) fn item_element(
    lt: &Keys<'_>,
    item_ty: TypeRef<'_>,
    item: &Value,
) -> Result<PathElement, String> {
    match lt {
        Some(keys) if !keys.is_empty() => {
            let Value::Object(m) = item else {
                return Err(format!(
                    "expected an object in an associative list, got {item}"
                ));
            };
            let mut kv = Vec::with_capacity(keys.len());
            for k in keys.iter() {
                let v = match m.get(k) {
                    Some(v) => v.clone(),
                    None => match item_ty.field(k).and_then(|f| f.default_value().cloned()) {
                        Some(d) => d,
                        None => {
                            return Err(format!(
                                "associative list with keys has an element that omits key field {k:?} (and doesn't have default value)"
                            ));
                        }
                    },
                };
                kv.push((k.to_string(), v));
            }
            kv.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(PathElement::Key(kv))
        }
        _ => match item {
            Value::Object(_) | Value::Array(_) => Err(format!(
                "associative list without keys has an element that's a map or list: {item}"
            )),
            v => Ok(PathElement::Value(v.clone())),
        },
    }
}

pub(super) fn path_string(path: &[PathElement]) -> String {
    path.iter().map(ToString::to_string).collect()
}

/// Indexes list items by path element; duplicates are reported.
pub(super) fn index_items<'v>(
    lt: &Keys<'_>,
    item_ty: TypeRef<'_>,
    items: &'v [Value],
    path: &[PathElement],
) -> Result<Vec<(PathElement, &'v Value)>, String> {
    let mut out: Vec<(PathElement, &Value)> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let pe = item_element(lt, item_ty, item)
            .map_err(|e| format!("{}: element {i}: {e}", path_string(path)))?;
        if out.iter().any(|(p, _)| *p == pe) {
            return Err(format!(
                "{}: duplicate entries for key {pe}",
                path_string(path)
            ));
        }
        out.push((pe, item));
    }
    Ok(out)
}

/// Like [`index_items`] but tolerant (live objects may hold duplicates): keeps the first.
pub(super) fn index_items_lenient<'v>(
    lt: &Keys<'_>,
    item_ty: TypeRef<'_>,
    items: &'v [Value],
) -> Vec<(PathElement, &'v Value)> {
    let mut out: Vec<(PathElement, &Value)> = Vec::with_capacity(items.len());
    for item in items {
        if let Ok(pe) = item_element(lt, item_ty, item)
            && !out.iter().any(|(p, _)| *p == pe)
        {
            out.push((pe, item));
        }
    }
    out
}

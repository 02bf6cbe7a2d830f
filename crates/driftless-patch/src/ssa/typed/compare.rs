//! `Compare`: added, modified and removed paths between two objects.

use super::{Kind, index_items_lenient, kind};
use crate::json_patch::json_equal;
use crate::schema::TypeRef;
use crate::ssa::fieldset::{FieldSet, PathElement};
use serde_json::{Map, Value};

/// Result of [`compare`].
#[derive(Debug, Default)]
pub(crate) struct Comparison {
    pub added: FieldSet,
    pub modified: FieldSet,
    pub removed: FieldSet,
}

/// `Compare`: which paths were added, modified or removed from `lhs` to `rhs`.
pub(crate) fn compare(lhs: &Value, rhs: &Value, ty: TypeRef<'_>) -> Comparison {
    let mut c = Comparison::default();
    let mut path = Vec::new();
    walk_compare(Some(lhs), Some(rhs), ty, &mut path, &mut c);
    c
}

/// Absent, null, `{}` or `[]`: compared as a leaf when both sides are (keeps the distinction).
fn empty_ish(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::Object(m)) => m.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    }
}

fn walk_compare(
    lhs: Option<&Value>,
    rhs: Option<&Value>,
    ty: TypeRef<'_>,
    path: &mut Vec<PathElement>,
    c: &mut Comparison,
) {
    let lk = kind(ty, lhs);
    let rk = kind(ty, rhs);
    let structural = match (&lk, &rk) {
        _ if empty_ish(lhs) && empty_ish(rhs) => None,
        (Kind::Fields, Kind::Fields) => Some(true),
        (Kind::Assoc(..), Kind::Assoc(..)) => Some(false),
        _ => None,
    };
    match structural {
        None => {
            // Leaf rule.
            match (lhs, rhs) {
                (None, Some(_)) => c.added.insert(path),
                (Some(_), None) => c.removed.insert(path),
                (Some(l), Some(r)) if !json_equal(l, r) => c.modified.insert(path),
                _ => {}
            }
            return;
        }
        Some(true) => {
            let empty = Map::new();
            let lm = lhs.and_then(Value::as_object).unwrap_or(&empty);
            let rm = rhs.and_then(Value::as_object).unwrap_or(&empty);
            for (k, lv) in lm {
                let Some(cty) = ty.field(k) else { continue };
                path.push(PathElement::Field(k.clone()));
                walk_compare(Some(lv), rm.get(k), cty, path, c);
                path.pop();
            }
            for (k, rv) in rm {
                if lm.contains_key(k) {
                    continue;
                }
                let Some(cty) = ty.field(k) else { continue };
                path.push(PathElement::Field(k.clone()));
                walk_compare(None, Some(rv), cty, path, c);
                path.pop();
            }
        }
        Some(false) => {
            let Kind::Assoc(lt, item_ty) = lk else { return };
            let empty = Vec::new();
            let li = index_items_lenient(
                &lt,
                item_ty,
                lhs.and_then(Value::as_array).unwrap_or(&empty),
            );
            let ri = index_items_lenient(
                &lt,
                item_ty,
                rhs.and_then(Value::as_array).unwrap_or(&empty),
            );
            for (pe, lv) in &li {
                let rv = ri.iter().find(|(p, _)| p == pe).map(|(_, v)| *v);
                path.push(pe.clone());
                walk_compare(Some(lv), rv, item_ty, path, c);
                path.pop();
            }
            for (pe, rv) in &ri {
                if li.iter().any(|(p, _)| p == pe) {
                    continue;
                }
                path.push(pe.clone());
                walk_compare(None, Some(rv), item_ty, path, c);
                path.pop();
            }
        }
    }
    // Post-item hook for non-leaf nodes. Built-in structs are Go values that exist in any object
    // (even a new one), so the API server never sees them added or removed.
    let value_struct = ty.is_builtin_struct() && matches!(path.last(), Some(PathElement::Field(_)));
    if !path.is_empty() && !value_struct {
        match (lhs, rhs) {
            (None, Some(_)) => c.added.insert(path),
            (Some(_), None) => c.removed.insert(path),
            _ => {}
        }
    }
}

//! `RemoveItems`, `ExtractItems` and the prune set of an apply.

use super::{Kind, item_element, kind};
use crate::schema::{Shape, TypeRef};
use crate::ssa::fieldset::{FieldSet, PathElement};
use serde_json::{Map, Value};

/// `RemoveItems`: removes every path of `set` (with everything below it) from `v`.
/// Maps and lists emptied by the removal are dropped from their parent.
pub(crate) fn remove_items(v: &Value, set: &FieldSet, ty: TypeRef<'_>) -> Value {
    match kind(ty, Some(v)) {
        Kind::Fields => {
            let Value::Object(m) = v else {
                return v.clone();
            };
            let mut out = Map::new();
            for (k, child) in m {
                let pe = PathElement::Field(k.clone());
                if set.has_member(&pe) {
                    continue;
                }
                match (set.child(&pe), ty.field(k)) {
                    (Some(sub), Some(cty)) => {
                        let nv = remove_items(child, sub, cty);
                        if emptied(child, &nv) {
                            continue;
                        }
                        out.insert(k.clone(), nv);
                    }
                    _ => {
                        out.insert(k.clone(), child.clone());
                    }
                }
            }
            Value::Object(out)
        }
        Kind::Assoc(lt, item_ty) => {
            let Value::Array(items) = v else {
                return v.clone();
            };
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item_element(&lt, item_ty, item) {
                    Ok(pe) if set.has_member(&pe) => {}
                    Ok(pe) => match set.child(&pe) {
                        Some(sub) => out.push(remove_items(item, sub, item_ty)),
                        None => out.push(item.clone()),
                    },
                    Err(_) => out.push(item.clone()),
                }
            }
            Value::Array(out)
        }
        Kind::Leaf => v.clone(),
    }
}

/// Whether removal turned a non-empty map or list into an empty one, which structured-merge-diff
/// turns into null (the field disappears).
fn emptied(before: &Value, after: &Value) -> bool {
    let was_nonempty = match before {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    };
    let now_empty = match after {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    was_nonempty && now_empty
}

/// The paths to remove when a manager whose previous applied set was `last` applies again:
/// structured-merge-diff's `prune` (with `EnsureNamedFieldsAreMembers`). `owned` is the union of
/// the new applied set and every other manager's set. A path of `last` is removed (with
/// everything below it) when it, or an ancestor at or below a path of `last`, is owned by
/// nobody; struct fields count as owned when anything below them is.
pub(crate) fn prune_set(last: &FieldSet, owned: &FieldSet, ty: TypeRef<'_>) -> FieldSet {
    let mut out = FieldSet::new();
    let mut path = Vec::new();
    prune_walk(last, Some(owned), ty, (false, false), &mut path, &mut out);
    out
}

fn prune_walk(
    last: &FieldSet,
    owned: Option<&FieldSet>,
    ty: TypeRef<'_>,
    (under_last, removal_root): (bool, bool),
    path: &mut Vec<PathElement>,
    out: &mut FieldSet,
) {
    for pe in last.elements() {
        let named = ty.shape() == Shape::Struct
            && matches!(pe, PathElement::Field(n) if ty.has_declared_field(n));
        let last_child = last.child(pe);
        let owned_child = owned.and_then(|o| o.child(pe));
        let in_last = last.has_member(pe) || (named && last_child.is_some_and(|c| !c.is_empty()));
        let in_owned = owned.is_some_and(|o| o.has_member(pe))
            || (named && owned_child.is_some_and(|c| !c.is_empty()));
        let under = under_last || in_last;
        let root = removal_root || (under && !in_owned);
        path.push(pe.clone());
        if in_last && root {
            out.insert(path);
        } else if let Some(lc) = last_child {
            let child_ty = match pe {
                PathElement::Field(n) => ty.field(n).unwrap_or_else(TypeRef::untyped),
                _ => ty.items(),
            };
            prune_walk(lc, owned_child, child_ty, (under, root), path, out);
        }
        path.pop();
    }
}

/// `ExtractItems`: keeps only the paths of `set` (with everything below members).
pub(crate) fn extract_items(v: &Value, set: &FieldSet, ty: TypeRef<'_>) -> Option<Value> {
    match kind(ty, Some(v)) {
        Kind::Fields => {
            let Value::Object(m) = v else { return None };
            let mut out = Map::new();
            for (k, child) in m {
                let pe = PathElement::Field(k.clone());
                if set.has_member(&pe) {
                    out.insert(k.clone(), child.clone());
                } else if let (Some(sub), Some(cty)) = (set.child(&pe), ty.field(k))
                    && let Some(x) = extract_items(child, sub, cty)
                {
                    out.insert(k.clone(), x);
                }
            }
            Some(Value::Object(out))
        }
        Kind::Assoc(lt, item_ty) => {
            let Value::Array(items) = v else { return None };
            let mut out = Vec::new();
            for item in items {
                let Ok(pe) = item_element(&lt, item_ty, item) else {
                    continue;
                };
                match set.child(&pe) {
                    Some(sub) => out.extend(extract_items(item, sub, item_ty)),
                    None if set.has_member(&pe) => out.push(item.clone()),
                    None => {}
                }
            }
            Some(Value::Array(out))
        }
        Kind::Leaf => Some(v.clone()),
    }
}

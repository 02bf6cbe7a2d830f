//! Typed walks over JSON values, following structured-merge-diff: field sets (`ToFieldSet`),
//! comparison (`Compare`), merge (`Merge`) and removal (`RemoveItems`).

use super::fieldset::{FieldSet, PathElement};
use crate::json_patch::json_equal;
use crate::schema::{Shape, TypeRef};

/// Keys of an associative list: `None` for a set of scalars.
type Keys<'a> = Option<&'a [String]>;
use serde_json::{Map, Value};

/// How a node is treated by the walks.
enum Kind<'a> {
    /// Compared and replaced as a whole (scalars, atomic lists and maps, mismatched shapes).
    Leaf,
    /// Fields or keys, each its own path element.
    Fields,
    /// Associative list (set or keyed) with its type.
    Assoc(Keys<'a>, TypeRef<'a>),
}

fn kind<'a>(ty: TypeRef<'a>, v: Option<&Value>) -> Kind<'a> {
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

fn path_string(path: &[PathElement]) -> String {
    path.iter().map(ToString::to_string).collect()
}

/// Indexes list items by path element; duplicates are reported.
fn index_items<'v>(
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
fn index_items_lenient<'v>(
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

/// `ToFieldSet`: the fields a value sets. Errors name the offending path
/// (`.spec.foo: field not declared in schema`).
pub(crate) fn to_field_set(v: &Value, ty: TypeRef<'_>) -> Result<FieldSet, String> {
    let mut set = FieldSet::new();
    let mut path = Vec::new();
    walk_set(v, ty, &mut path, &mut set)?;
    Ok(set)
}

/// Checks a value against the schema's shape, with structured-merge-diff's messages
/// (`.spec.replicas: expected numeric (int or float), got string`).
fn check_shape(v: &Value, ty: TypeRef<'_>, path: &[PathElement]) -> Result<(), String> {
    if v.is_null() || !ty.is_typed() {
        return Ok(());
    }
    let go_type = |v: &Value| match v {
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
        Value::Null => "<nil>",
    };
    let go_repr = |v: &Value| match v {
        Value::String(s) => format!("{s:?}"),
        other => crate::strategic::go_fmt(other),
    };
    let err = match ty.shape() {
        Shape::Scalar => match (ty.type_name(), ty.format(), v) {
            (
                _,
                Some("int-or-string" | "quantity"),
                Value::Number(_) | Value::String(_) | Value::Bool(_),
            ) => None,
            (_, Some("int-or-string" | "quantity"), other) => Some(format!(
                "expected any scalar, got &{{{}}}",
                crate::strategic::go_fmt(other)
            )),
            (Some("integer" | "number"), _, Value::Number(_)) => None,
            (Some("integer" | "number"), _, other) => Some(format!(
                "expected numeric (int or float), got {}",
                go_type(other)
            )),
            (Some("string"), _, Value::String(_)) => None,
            (Some("string"), _, other) => Some(format!(
                "expected string, got &value.valueUnstructured{{Value:{}}}",
                go_repr(other)
            )),
            (Some("boolean"), _, Value::Bool(_)) => None,
            (Some("boolean"), _, other) => Some(format!(
                "expected boolean, got &{{{}}}",
                crate::strategic::go_fmt(other)
            )),
            _ => None,
        },
        Shape::Struct | Shape::Map if !v.is_object() => Some(format!(
            "expected map, got &{{{}}}",
            crate::strategic::go_fmt(v)
        )),
        Shape::List if !v.is_array() => Some(format!(
            "expected list, got &{{{}}}",
            crate::strategic::go_fmt(v)
        )),
        _ => None,
    };
    match err {
        Some(e) => Err(format!("{}: {e}", path_string(path))),
        None => Ok(()),
    }
}

fn walk_set(
    v: &Value,
    ty: TypeRef<'_>,
    path: &mut Vec<PathElement>,
    set: &mut FieldSet,
) -> Result<(), String> {
    check_shape(v, ty, path)?;
    match kind(ty, Some(v)) {
        Kind::Leaf => {
            set.insert(path);
        }
        Kind::Fields => {
            let Value::Object(m) = v else { return Ok(()) };
            for (k, child) in m {
                path.push(PathElement::Field(k.clone()));
                let Some(cty) = ty.field(k) else {
                    let msg = format!("{}: field not declared in schema", path_string(path));
                    path.pop();
                    return Err(msg);
                };
                walk_set(child, cty, path, set)?;
                let empty_map = matches!(child, Value::Object(c) if c.is_empty());
                if child.is_null() || empty_map || !ty.has_declared_field(k) {
                    set.insert(path);
                }
                path.pop();
            }
        }
        Kind::Assoc(lt, item_ty) => {
            let Value::Array(items) = v else {
                return Ok(());
            };
            for (pe, item) in index_items(&lt, item_ty, items, path)? {
                path.push(pe);
                walk_set(item, item_ty, path, set)?;
                set.insert(path);
                path.pop();
            }
        }
    }
    Ok(())
}

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

/// `Merge`: applies `rhs` (an applied configuration) over `lhs` (the live object).
pub(crate) fn merge(lhs: &Value, rhs: &Value, ty: TypeRef<'_>) -> Value {
    match (kind(ty, Some(lhs)), kind(ty, Some(rhs))) {
        (Kind::Fields, Kind::Fields) => {
            let (Value::Object(lm), Value::Object(rm)) = (lhs, rhs) else {
                return rhs.clone();
            };
            let mut out = lm.clone();
            for (k, rv) in rm {
                let merged = match (lm.get(k), ty.field(k)) {
                    (Some(lv), Some(cty)) => merge(lv, rv, cty),
                    _ => rv.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (Kind::Assoc(lt, item_ty), Kind::Assoc(..)) => {
            let (Value::Array(la), Value::Array(ra)) = (lhs, rhs) else {
                return rhs.clone();
            };
            Value::Array(merge_list(&lt, item_ty, la, ra))
        }
        _ => rhs.clone(),
    }
}

/// Merges associative lists keeping structured-merge-diff's order: items only in `lhs` stay
/// where they are, shared items follow `rhs` order, new `rhs` items go at their `rhs` position.
fn merge_list(lt: &Keys<'_>, item_ty: TypeRef<'_>, la: &[Value], ra: &[Value]) -> Vec<Value> {
    let lhs = index_items_lenient(lt, item_ty, la);
    let rhs = index_items_lenient(lt, item_ty, ra);
    let in_rhs = |pe: &PathElement| rhs.iter().any(|(p, _)| p == pe);
    let lhs_get = |pe: &PathElement| lhs.iter().find(|(p, _)| p == pe).map(|(_, v)| *v);
    let mut shared: std::collections::VecDeque<&PathElement> = rhs
        .iter()
        .map(|(p, _)| p)
        .filter(|p| lhs_get(p).is_some())
        .collect();
    let mut next_shared = shared.pop_front();
    let mut done: Vec<&PathElement> = Vec::new();
    let mut out = Vec::with_capacity(lhs.len().max(rhs.len()));
    let merge_item = |pe: &PathElement, r: &Value| match lhs_get(pe) {
        Some(l) => merge(l, r, item_ty),
        None => r.clone(),
    };
    let (mut li, mut ri) = (0, 0);
    while li < lhs.len() || ri < rhs.len() {
        if li < lhs.len() && ri < rhs.len() {
            let (lpe, _) = &lhs[li];
            let (rpe, rv) = &rhs[ri];
            if lpe == rpe {
                out.push(merge_item(rpe, rv));
                done.push(rpe);
                li += 1;
                ri += 1;
                next_shared = shared.pop_front();
                continue;
            }
            if in_rhs(lpe) && next_shared.is_some_and(|n| n != lpe) {
                li += 1;
                continue;
            }
        }
        if li < lhs.len() {
            let (lpe, lv) = &lhs[li];
            if !in_rhs(lpe) {
                out.push((*lv).clone());
                li += 1;
                continue;
            }
            if done.contains(&lpe) {
                li += 1;
                continue;
            }
        }
        if ri < rhs.len() {
            let (rpe, rv) = &rhs[ri];
            out.push(merge_item(rpe, rv));
            done.push(rpe);
            ri += 1;
            if next_shared.is_some_and(|n| n == rpe) {
                next_shared = shared.pop_front();
            }
        }
    }
    out
}

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

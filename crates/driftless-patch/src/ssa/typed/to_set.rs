//! `ToFieldSet` with schema validation of values.

use super::{Kind, index_items, kind, path_string};
use crate::schema::{Shape, TypeRef};
use crate::ssa::fieldset::{FieldSet, PathElement};
use serde_json::Value;

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

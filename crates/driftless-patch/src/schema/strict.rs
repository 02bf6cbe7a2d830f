//! Unknown-field detection for `fieldValidation=Strict` (and `Warn`).

use super::{Shape, TypeRef};
use serde_json::Value;
use std::fmt;

/// A field present in an object but not declared in its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownField {
    /// Path as the API server's strict JSON decoder prints it: `spec.template.spec.containers[0].foo`.
    pub path: String,
}

impl fmt::Display for UnknownField {
    /// Formats like the API server: `unknown field "spec.foo"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown field {:?}", self.path)
    }
}

/// Lists the fields of `obj` that `ty` does not declare, in document order.
///
/// The API server (1.27+) rejects such objects with `fieldValidation=Strict` (the default of
/// kubectl) with `400 BadRequest` and the message
/// `<Kind> in version "<v>" cannot be handled as a <Kind>: strict decoding error: unknown field "bogus"`
/// (several fields joined by `, `); with `Warn` it answers `Warning` headers
/// `unknown field "bogus"`.
///
/// ```
/// use driftless_patch::schema::{Schema, unknown_fields};
/// let cm = Schema::builtin().for_kind("", "v1", "ConfigMap").unwrap();
/// let obj = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
///     "metadata": {"name": "x", "labelz": {}}, "bogus": 1, "data": {"k": "v"}});
/// let names: Vec<String> = unknown_fields(&obj, cm).iter().map(|u| u.to_string()).collect();
/// assert_eq!(names, ["unknown field \"metadata.labelz\"", "unknown field \"bogus\""]);
/// ```
pub fn unknown_fields(obj: &Value, ty: TypeRef<'_>) -> Vec<UnknownField> {
    let mut out = Vec::new();
    walk(obj, ty, &mut String::new(), &mut out);
    out
}

fn walk(v: &Value, ty: TypeRef<'_>, path: &mut String, out: &mut Vec<UnknownField>) {
    match (v, ty.shape()) {
        (Value::Object(m), Shape::Struct | Shape::Map) => {
            for (k, child) in m {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                match ty.field(k) {
                    Some(cty) => walk(child, cty, path, out),
                    None => out.push(UnknownField { path: path.clone() }),
                }
                path.truncate(len);
            }
        }
        (Value::Array(items), Shape::List) => {
            let ity = ty.items();
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(item, ity, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

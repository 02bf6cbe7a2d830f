//! Structural schemas of custom resources, enforced as `apiextensions-apiserver` does:
//! non-nullable `null`s pruned, unknown fields pruned (unless
//! `x-kubernetes-preserve-unknown-fields`), `default`s applied, then the value validated
//! (type, `enum`, `required`, `minimum`/`maximum`, `multipleOf`, `minLength`/`maxLength`/
//! `pattern`, `format`, `minItems`/`maxItems`/`uniqueItems`, `minProperties`/`maxProperties`,
//! `x-kubernetes-int-or-string`, `additionalProperties`, CEL `x-kubernetes-validations` through
//! `crd_cel`). Violations are `422 Invalid` causes
//! worded like the real server's.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::{Map, Value};

use crate::registry::ResourceType;
use crate::status::{ApiError, Cause};

/// Prunes and defaults a custom resource being written (no-op for built-in kinds).
pub fn admit(rt: &ResourceType, obj: &mut Value) {
    if let (true, Some(s)) = (rt.custom, rt.schema.as_ref()) {
        prune_and_default(s, obj);
    }
}

/// Validates a custom resource against its schema: `422 Invalid` with one cause per field.
pub fn check(rt: &ResourceType, obj: &Value) -> Result<(), ApiError> {
    let (true, Some(s)) = (rt.custom, rt.schema.as_ref()) else {
        return Ok(());
    };
    let causes = validate(s, obj);
    if causes.is_empty() {
        return Ok(());
    }
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    Err(ApiError::invalid(&rt.group, &rt.kind, name, causes))
}

/// Prunes and defaults `obj` (a whole custom resource) against its version's
/// `openAPIV3Schema`. `apiVersion`, `kind` and `metadata` are never pruned.
pub fn prune_and_default(schema: &Value, obj: &mut Value) {
    let Value::Object(m) = obj else { return };
    let props = schema.get("properties").and_then(Value::as_object);
    let keep_all = preserves(schema);
    m.retain(|k, v| {
        if matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
            return true;
        }
        match props.and_then(|p| p.get(k)) {
            Some(s) => !v.is_null() || nullable(s),
            None => keep_all,
        }
    });
    for (k, v) in m.iter_mut() {
        if matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
            continue;
        }
        if let Some(s) = props.and_then(|p| p.get(k)) {
            prune_value(s, v);
        }
    }
    apply_defaults(schema, m, true);
}

fn preserves(s: &Value) -> bool {
    s.get("x-kubernetes-preserve-unknown-fields")
        .and_then(Value::as_bool)
        == Some(true)
}

fn nullable(s: &Value) -> bool {
    s.get("nullable").and_then(Value::as_bool) == Some(true)
}

fn embedded(s: &Value) -> bool {
    s.get("x-kubernetes-embedded-resource")
        .and_then(Value::as_bool)
        == Some(true)
}

/// The schema of a map's values (`additionalProperties` as a schema).
fn additional(s: &Value) -> Option<&Value> {
    s.get("additionalProperties").filter(|a| a.is_object())
}

fn prune_value(s: &Value, v: &mut Value) {
    match v {
        Value::Object(m) => {
            let props = s.get("properties").and_then(Value::as_object);
            let add = additional(s);
            let free = preserves(s) || s.get("additionalProperties") == Some(&Value::Bool(true));
            let emb = embedded(s);
            m.retain(|k, fv| {
                let fs = props.and_then(|p| p.get(k)).or(add);
                match fs {
                    Some(fs) => !fv.is_null() || nullable(fs),
                    None => free || emb && matches!(k.as_str(), "apiVersion" | "kind" | "metadata"),
                }
            });
            for (k, fv) in m.iter_mut() {
                if let Some(fs) = props.and_then(|p| p.get(k)).or(add) {
                    prune_value(fs, fv);
                }
            }
            apply_defaults(s, m, false);
        }
        Value::Array(a) => {
            if let Some(items) = s.get("items") {
                for item in a.iter_mut() {
                    prune_value(items, item);
                }
            }
        }
        _ => {}
    }
}

/// Sets the `default` of each absent property (defaults are pruned and defaulted too).
fn apply_defaults(s: &Value, m: &mut Map<String, Value>, root: bool) {
    let Some(props) = s.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (k, ps) in props {
        if root && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
            continue;
        }
        if m.contains_key(k) {
            continue;
        }
        if let Some(d) = ps.get("default") {
            let mut d = d.clone();
            prune_value(ps, &mut d);
            m.insert(k.clone(), d);
        }
    }
}

/// The causes of `obj` violating `schema` (empty when valid). Run after [`prune_and_default`].
pub fn validate(schema: &Value, obj: &Value) -> Vec<Cause> {
    let mut out = Vec::new();
    let Value::Object(m) = obj else { return out };
    let props = schema.get("properties").and_then(Value::as_object);
    required(schema, m, "", &mut out);
    crate::crd_cel::check(schema, obj, "", &mut out);
    for (k, v) in m {
        if matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
            continue;
        }
        if let Some(s) = props.and_then(|p| p.get(k)) {
            check_value(s, v, k, &mut out);
        }
    }
    out
}

fn join(path: &str, k: &str) -> String {
    if path.is_empty() {
        k.to_string()
    } else {
        format!("{path}.{k}")
    }
}

fn required(s: &Value, m: &Map<String, Value>, path: &str, out: &mut Vec<Cause>) {
    for r in s
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !m.contains_key(r) {
            out.push(Cause::new(
                "FieldValueRequired",
                "Required value",
                join(path, r),
            ));
        }
    }
}

/// The JSON type name the validator reports (`integer` for whole numbers).
fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if is_integer(n) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn is_integer(n: &serde_json::Number) -> bool {
    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
}

/// Go's `%v`/`%q` of a value in `Invalid value: …`.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => format!("{:?}", other.to_string()),
    }
}

fn invalid(path: &str, v: &Value, detail: String) -> Cause {
    Cause::new(
        "FieldValueInvalid",
        format!("Invalid value: {}: {path} in body {detail}", show(v)),
        path,
    )
}

fn type_invalid(path: &str, want: &str, got: &str) -> Cause {
    Cause::new(
        "FieldValueTypeInvalid",
        format!("Invalid value: {got:?}: {path} in body must be of type {want}: {got:?}"),
        path,
    )
}

fn type_matches(want: &str, v: &Value) -> bool {
    match (want, v) {
        ("object", Value::Object(_)) | ("array", Value::Array(_)) => true,
        ("string", Value::String(_)) | ("boolean", Value::Bool(_)) => true,
        ("number", Value::Number(_)) => true,
        ("integer", Value::Number(n)) => is_integer(n),
        _ => false,
    }
}

fn check_value(s: &Value, v: &Value, path: &str, out: &mut Vec<Cause>) {
    if v.is_null() {
        if !nullable(s) && (s.get("type").is_some() || int_or_string(s)) {
            let want = s
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("integer,string");
            out.push(type_invalid(path, want, "null"));
        }
        return;
    }
    if int_or_string(s) {
        if !matches!(v, Value::String(_)) && !matches!(v, Value::Number(n) if is_integer(n)) {
            out.push(type_invalid(path, "integer,string", type_of(v)));
            return;
        }
    } else if let Some(want) = s.get("type").and_then(Value::as_str)
        && !type_matches(want, v)
    {
        out.push(type_invalid(path, want, type_of(v)));
        return;
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.iter().any(|x| json_eq(x, v))
    {
        let allowed: Vec<String> = e.iter().map(show).collect();
        out.push(Cause::new(
            "FieldValueNotSupported",
            format!(
                "Unsupported value: {}: supported values: {}",
                show(v),
                allowed.join(", ")
            ),
            path,
        ));
    }
    crate::crd_cel::check(s, v, path, out);
    match v {
        Value::Number(n) => number(s, v, n, path, out),
        Value::String(st) => string(s, v, st, path, out),
        Value::Array(a) => array(s, v, a, path, out),
        Value::Object(m) => object(s, m, path, out),
        _ => {}
    }
}

fn int_or_string(s: &Value) -> bool {
    s.get("x-kubernetes-int-or-string").and_then(Value::as_bool) == Some(true)
}

fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn number(s: &Value, v: &Value, n: &serde_json::Number, path: &str, out: &mut Vec<Cause>) {
    let x = n.as_f64().unwrap_or(0.0);
    let bound = |k: &str| s.get(k).and_then(Value::as_f64);
    let excl = |k: &str| s.get(k).and_then(Value::as_bool) == Some(true);
    let fmt = |k: &str| s.get(k).map(|b| b.to_string()).unwrap_or_default();
    if let Some(m) = bound("multipleOf")
        && m != 0.0
        && (x / m).fract() != 0.0
    {
        out.push(invalid(
            path,
            v,
            format!("should be a multiple of {}", fmt("multipleOf")),
        ));
    }
    if let Some(max) = bound("maximum") {
        if excl("exclusiveMaximum") && x >= max {
            out.push(invalid(
                path,
                v,
                format!("should be less than {}", fmt("maximum")),
            ));
        } else if x > max {
            out.push(invalid(
                path,
                v,
                format!("should be less than or equal to {}", fmt("maximum")),
            ));
        }
    }
    if let Some(min) = bound("minimum") {
        if excl("exclusiveMinimum") && x <= min {
            out.push(invalid(
                path,
                v,
                format!("should be greater than {}", fmt("minimum")),
            ));
        } else if x < min {
            out.push(invalid(
                path,
                v,
                format!("should be greater than or equal to {}", fmt("minimum")),
            ));
        }
    }
    let range = match s.get("format").and_then(Value::as_str) {
        Some("int32") => Some((f64::from(i32::MIN), f64::from(i32::MAX))),
        _ => None,
    };
    if let Some((lo, hi)) = range
        && (x < lo || x > hi)
    {
        out.push(type_invalid(path, "int32", &n.to_string()));
    }
}

/// Strings stop at the first failing check (maxLength, minLength, pattern), as the
/// validator of Kubernetes 1.24 does.
fn string(s: &Value, v: &Value, st: &str, path: &str, out: &mut Vec<Cause>) {
    let len = st.chars().count() as u64;
    if let Some(max) = s.get("maxLength").and_then(Value::as_u64)
        && len > max
    {
        out.push(Cause::new(
            "FieldValueTooLong",
            format!("Too long: may not be longer than {max}"),
            path,
        ));
        return;
    }
    if let Some(min) = s.get("minLength").and_then(Value::as_u64)
        && len < min
    {
        out.push(invalid(
            path,
            v,
            format!("should be at least {min} chars long"),
        ));
        return;
    }
    if let Some(p) = s.get("pattern").and_then(Value::as_str)
        && !pattern_matches(p, st)
    {
        out.push(invalid(path, v, format!("should match '{p}'")));
        return;
    }
    if let Some(f) = s.get("format").and_then(Value::as_str)
        && !crate::formats::valid(f, st)
    {
        out.push(type_invalid(path, f, st));
    }
}

fn pattern_matches(p: &str, s: &str) -> bool {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<regex::Regex>>>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let re = cache
        .entry(p.to_string())
        .or_insert_with(|| regex::Regex::new(p).ok());
    // A pattern the CRD could not have been created with matches everything.
    re.as_ref().is_none_or(|re| re.is_match(s))
}

fn array(s: &Value, v: &Value, a: &[Value], path: &str, out: &mut Vec<Cause>) {
    let n = a.len() as u64;
    if let Some(max) = s.get("maxItems").and_then(Value::as_u64)
        && n > max
    {
        out.push(Cause::new(
            "FieldValueTooMany",
            format!("Too many: {n}: must have at most {max} items"),
            path,
        ));
    }
    if let Some(min) = s.get("minItems").and_then(Value::as_u64)
        && n < min
    {
        out.push(invalid(
            path,
            v,
            format!("should have at least {min} items"),
        ));
    }
    if s.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
        for (i, x) in a.iter().enumerate() {
            if a[..i].iter().any(|y| json_eq(x, y)) {
                out.push(Cause::new(
                    "FieldValueDuplicate",
                    format!("Duplicate value: {}", show(x)),
                    format!("{path}[{i}]"),
                ));
            }
        }
    }
    if let Some(items) = s.get("items") {
        for (i, item) in a.iter().enumerate() {
            check_value(items, item, &format!("{path}[{i}]"), out);
        }
    }
}

fn object(s: &Value, m: &Map<String, Value>, path: &str, out: &mut Vec<Cause>) {
    let n = m.len() as u64;
    if let Some(max) = s.get("maxProperties").and_then(Value::as_u64)
        && n > max
    {
        out.push(Cause::new(
            "FieldValueTooMany",
            format!("Too many: {n}: must have at most {max} items"),
            path,
        ));
    }
    if let Some(min) = s.get("minProperties").and_then(Value::as_u64)
        && n < min
    {
        out.push(Cause::new(
            "FieldValueInvalid",
            format!("Invalid value: {n}: {path} in body should have at least {min} properties"),
            path,
        ));
    }
    required(s, m, path, out);
    let props = s.get("properties").and_then(Value::as_object);
    let add = additional(s);
    for (k, fv) in m {
        if let Some(fs) = props.and_then(|p| p.get(k)).or(add) {
            check_value(fs, fv, &join(path, k), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({"type": "object", "properties": {"spec": {"type": "object", "required": ["count"],
        "properties": {
            "count": {"type": "integer", "maximum": 10, "minimum": 1},
            "ratio": {"type": "number", "exclusiveMaximum": true, "maximum": 1, "multipleOf": 0.5},
            "label": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5, "minLength": 2},
            "tier": {"type": "string", "enum": ["bronze", "silver"], "default": "bronze"},
            "port": {"x-kubernetes-int-or-string": true},
            "when": {"type": "string", "format": "date-time"},
            "tags": {"type": "array", "maxItems": 2, "uniqueItems": true, "items": {"type": "string"}},
            "env": {"type": "object", "maxProperties": 1, "additionalProperties": {"type": "string"}},
            "note": {"type": "string", "nullable": true},
            "gone": {"type": "string"},
            "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
            "items": {"type": "array", "items": {"type": "object", "required": ["name"],
                "properties": {"name": {"type": "string"}, "size": {"type": "integer", "default": 1}}}}
        }}}})
    }

    fn run(spec: Value) -> (Value, Vec<(String, String, String)>) {
        let s = schema();
        let mut obj =
            json!({"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "a"}, "spec": spec});
        prune_and_default(&s, &mut obj);
        let causes = validate(&s, &obj)
            .into_iter()
            .map(|c| (c.reason, c.field, c.message))
            .collect();
        (obj, causes)
    }

    fn one(spec: Value) -> (String, String, String) {
        let (_, c) = run(spec);
        assert_eq!(c.len(), 1, "{c:?}");
        c.into_iter().next().unwrap()
    }

    #[test]
    fn defaults_prunes_and_keeps_preserved_fields() {
        let (obj, c) = run(json!({"count": 1, "unknown": 1, "gone": null, "note": null,
            "extra": {"kept": true}, "items": [{"name": "a", "x": 1}]}));
        assert!(c.is_empty(), "{c:?}");
        assert_eq!(
            obj["spec"],
            json!({"count": 1, "note": null, "extra": {"kept": true},
                "items": [{"name": "a", "size": 1}], "tier": "bronze"})
        );
    }

    #[test]
    fn each_keyword_is_refused_like_the_server() {
        let cases: Vec<(Value, &str, &str, &str)> = vec![
            (
                json!({"count": "many"}),
                "FieldValueTypeInvalid",
                "spec.count",
                "Invalid value: \"string\": spec.count in body must be of type integer: \"string\"",
            ),
            (
                json!({"count": 11}),
                "FieldValueInvalid",
                "spec.count",
                "Invalid value: 11: spec.count in body should be less than or equal to 10",
            ),
            (
                json!({"count": 0}),
                "FieldValueInvalid",
                "spec.count",
                "Invalid value: 0: spec.count in body should be greater than or equal to 1",
            ),
            (
                json!({"count": 1, "ratio": 1}),
                "FieldValueInvalid",
                "spec.ratio",
                "Invalid value: 1: spec.ratio in body should be less than 1",
            ),
            (
                json!({"count": 1, "ratio": 0.3}),
                "FieldValueInvalid",
                "spec.ratio",
                "Invalid value: 0.3: spec.ratio in body should be a multiple of 0.5",
            ),
            (
                json!({"count": 1, "label": "ABCDEFG"}),
                "FieldValueTooLong",
                "spec.label",
                "Too long: may not be longer than 5",
            ),
            (
                json!({"count": 1, "label": "a"}),
                "FieldValueInvalid",
                "spec.label",
                "Invalid value: \"a\": spec.label in body should be at least 2 chars long",
            ),
            (
                json!({"count": 1, "label": "AB"}),
                "FieldValueInvalid",
                "spec.label",
                "Invalid value: \"AB\": spec.label in body should match '^[a-z]+$'",
            ),
            (
                json!({"count": 1, "tier": "gold"}),
                "FieldValueNotSupported",
                "spec.tier",
                "Unsupported value: \"gold\": supported values: \"bronze\", \"silver\"",
            ),
            (
                json!({"count": 1, "port": true}),
                "FieldValueTypeInvalid",
                "spec.port",
                "Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\"",
            ),
            (
                json!({"count": 1, "when": "yesterday"}),
                "FieldValueTypeInvalid",
                "spec.when",
                "Invalid value: \"yesterday\": spec.when in body must be of type date-time: \"yesterday\"",
            ),
            (
                json!({"count": 1, "tags": ["a", "b", "c"]}),
                "FieldValueTooMany",
                "spec.tags",
                "Too many: 3: must have at most 2 items",
            ),
            (
                json!({"count": 1, "tags": ["a", "a"]}),
                "FieldValueDuplicate",
                "spec.tags[1]",
                "Duplicate value: \"a\"",
            ),
            (
                json!({"count": 1, "env": {"a": "1", "b": "2"}}),
                "FieldValueTooMany",
                "spec.env",
                "Too many: 2: must have at most 1 items",
            ),
            (
                json!({"count": 1, "env": {"a": 1}}),
                "FieldValueTypeInvalid",
                "spec.env.a",
                "Invalid value: \"integer\": spec.env.a in body must be of type string: \"integer\"",
            ),
            (
                json!({"count": 1, "items": [{"size": 2}]}),
                "FieldValueRequired",
                "spec.items[0].name",
                "Required value",
            ),
            (
                json!({}),
                "FieldValueRequired",
                "spec.count",
                "Required value",
            ),
        ];
        for (spec, reason, field, msg) in cases {
            let got = one(spec.clone());
            assert_eq!(got, (reason.into(), field.into(), msg.into()), "{spec}");
        }
        // Whole numbers are integers; an int-or-string takes both.
        assert!(run(json!({"count": 2.0, "port": "http"})).1.is_empty());
        assert!(run(json!({"count": 2, "port": 8080})).1.is_empty());
    }
}

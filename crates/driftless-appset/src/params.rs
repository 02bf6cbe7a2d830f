//! Parameter-set helpers with Argo CD's semantics: flattening (for selectors
//! and fasttemplate files), Go's `%v` of a value, and the merges of the
//! matrix and merge generators.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::template::Params;

/// Go's `fmt.Sprintf("%v", v)` of a JSON-decoded value (numbers are
/// `float64`, printed `%g`-style: `1e+06`).
pub(crate) fn go_sprint(v: &Value) -> String {
    crate::template::go_value(v).to_string()
}

/// `github.com/jeremywohl/flatten` in dot style: nested maps and lists become
/// `a.b` / `a.0` keys; empty maps and lists vanish.
pub(crate) fn flatten(params: &Params) -> Vec<(String, Value)> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
        let key = |k: &str| {
            if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            }
        };
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    walk(&key(k), x, out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(&key(&i.to_string()), x, out);
                }
            }
            other => out.push((prefix.to_string(), other.clone())),
        }
    }
    let mut out = Vec::new();
    for (k, v) in params {
        match v {
            Value::Object(_) | Value::Array(_) => walk(k, v, &mut out),
            other => out.push((k.clone(), other.clone())),
        }
    }
    out
}

/// The flattened parameters as a label set (`%v` of each value), what a
/// generator's `selector` is matched against.
pub(crate) fn label_set(params: &Params) -> BTreeMap<String, String> {
    flatten(params)
        .into_iter()
        .map(|(k, v)| {
            let s = match &v {
                Value::String(s) => s.clone(),
                other => go_sprint(other),
            };
            (k, s)
        })
        .collect()
}

/// `mergo.Merge(&dst, src, mergo.WithOverride)` on parameter maps (mergo
/// v0.3 map rules): a map merges into a map (and fills an absent or empty
/// destination, but never replaces a non-empty scalar); anything else from
/// `src` replaces, empty values and `null` included.
pub(crate) fn merge_override(dst: &mut Params, src: &Params) {
    for (k, v) in src {
        match (dst.get_mut(k), v) {
            (Some(Value::Object(d)), Value::Object(s)) => merge_override(d, s),
            (Some(d), Value::Object(_)) if !is_empty(d) => {}
            _ => {
                dst.insert(k.clone(), v.clone());
            }
        }
    }
}

/// `mergo.Merge(&dst, src)` without override, on JSON: `dst`'s non-empty
/// values win, objects merge recursively, empty values are filled from `src`.
/// How a generator's `template` is completed from the set's `template`.
pub(crate) fn fill_empty(dst: &mut Value, src: &Value) {
    match (dst, src) {
        (Value::Object(d), Value::Object(s)) => {
            for (k, sv) in s {
                match d.get_mut(k) {
                    Some(dv) => fill_empty(dv, sv),
                    None => {
                        d.insert(k.clone(), sv.clone());
                    }
                }
            }
        }
        (d, s) => {
            if is_empty(d) {
                *d = s.clone();
            }
        }
    }
}

/// Go's zero value test as mergo sees it.
pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
    }
}

/// Argo CD's `CombineStringMaps` (matrix, fasttemplate): `%v` of both sides;
/// a key present in both with different values is an error.
pub(crate) fn combine_strict(a: &Params, b: &Params) -> Result<Params, String> {
    let mut out = Map::new();
    for (k, v) in a {
        out.insert(k.clone(), Value::String(str_of(v)));
    }
    for (k, v) in b {
        let v = str_of(v);
        if let Some(Value::String(cur)) = out.get(k)
            && *cur != v
        {
            return Err(format!(
                "found duplicate key {k} with different value, a: {cur} ,b: {v}"
            ));
        }
        out.insert(k.clone(), Value::String(v));
    }
    Ok(out)
}

/// Argo CD's `CombineStringMapsAllowDuplicates` (merge, fasttemplate): the
/// later map wins.
pub(crate) fn combine_override(a: &Params, b: &Params) -> Params {
    let mut out = Map::new();
    for (k, v) in a.iter().chain(b) {
        out.insert(k.clone(), Value::String(str_of(v)));
    }
    out
}

fn str_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => go_sprint(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(v: Value) -> Params {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn flatten_dot_style() {
        let f = flatten(&p(
            json!({"a": {"b": "c", "l": [1, {"x": true}]}, "e": {}, "n": 1000000}),
        ));
        let got: Vec<(String, String)> = f.iter().map(|(k, v)| (k.clone(), go_sprint(v))).collect();
        assert_eq!(
            got,
            vec![
                ("a.b".into(), "c".into()),
                ("a.l.0".into(), "1".into()),
                ("a.l.1.x".into(), "true".into()),
                ("n".into(), "1e+06".into()),
            ]
        );
    }

    #[test]
    fn merges() {
        let mut d = p(json!({"a": {"x": 1, "y": 2}, "b": "old", "s": "scalar", "l": [1, 2]}));
        merge_override(
            &mut d,
            &p(json!({"a": {"y": 3}, "b": "", "c": 4, "s": {"m": 1}, "l": [3]})),
        );
        assert_eq!(
            Value::Object(d),
            json!({"a": {"x": 1, "y": 3}, "b": "", "s": "scalar", "l": [3], "c": 4})
        );
        let mut t = json!({"metadata": {"name": "n"}, "spec": {"project": ""}});
        fill_empty(
            &mut t,
            &json!({"metadata": {"name": "base", "labels": {"a": "b"}}, "spec": {"project": "p"}}),
        );
        assert_eq!(
            t,
            json!({"metadata": {"name": "n", "labels": {"a": "b"}}, "spec": {"project": "p"}})
        );
        assert!(combine_strict(&p(json!({"k": "1"})), &p(json!({"k": "2"}))).is_err());
        assert_eq!(
            combine_override(&p(json!({"k": "1"})), &p(json!({"k": "2"})))["k"],
            json!("2")
        );
    }
}

//! JSON patch (RFC 6902, `application/json-patch+json`), with the error wording of the
//! `evanphx/json-patch` library that kube-apiserver uses (negative array indices allowed).

use crate::PatchError;
use serde_json::Value;

/// Applies a JSON patch (`[{"op": ..., "path": ..., ...}]`) to `doc`.
///
/// Operations: `add`, `remove`, `replace`, `move`, `copy`, `test`. The patch is atomic:
/// on error nothing is applied (the input is never modified).
///
/// ```
/// use driftless_patch::json_patch;
/// use serde_json::json;
/// let doc = json!({"metadata": {"name": "web"}, "spec": {"ports": [80]}});
/// let out = json_patch(&doc, &json!([
///     {"op": "add", "path": "/metadata/annotations", "value": {"j": "2"}},
///     {"op": "add", "path": "/spec/ports/-", "value": 443},
///     {"op": "test", "path": "/spec/ports/1", "value": 443},
/// ])).unwrap();
/// assert_eq!(out, json!({"metadata": {"name": "web", "annotations": {"j": "2"}},
///                        "spec": {"ports": [80, 443]}}));
/// ```
pub fn json_patch(doc: &Value, patch: &Value) -> Result<Value, PatchError> {
    let ops = patch.as_array().ok_or_else(|| {
        PatchError::BadRequest(format!(
            "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
            go_type_name(patch)
        ))
    })?;
    let mut doc = doc.clone();
    for op in ops {
        apply_op(&mut doc, op)?;
    }
    Ok(doc)
}

fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn str_field<'a>(op: &'a Value, name: &str) -> Option<&'a str> {
    op.get(name).and_then(Value::as_str)
}

fn apply_op(doc: &mut Value, op: &Value) -> Result<(), PatchError> {
    let kind = str_field(op, "op").unwrap_or("unknown");
    let missing =
        |what: &str| PatchError::NotApplicable(format!("{kind} operation failed to decode {what}"));
    match kind {
        "add" => {
            let path = str_field(op, "path").ok_or_else(|| missing("path"))?;
            let value = op.get("value").ok_or_else(|| missing("value"))?.clone();
            add(doc, path, value, "add")
        }
        "remove" => {
            let path = str_field(op, "path").ok_or_else(|| missing("path"))?;
            remove(doc, path, "remove").map(|_| ())
        }
        "replace" => {
            let path = str_field(op, "path").ok_or_else(|| missing("path"))?;
            let value = op.get("value").ok_or_else(|| missing("value"))?.clone();
            replace(doc, path, value)
        }
        "move" => {
            let from = str_field(op, "from").ok_or_else(|| missing("from"))?;
            let path = str_field(op, "path").ok_or_else(|| missing("path"))?;
            let (container, key) = parent(doc, from).ok_or_else(|| {
                PatchError::NotApplicable(format!(
                    "move operation does not apply: doc is missing from path: {from}: missing value"
                ))
            })?;
            let wrap = |e: String| {
                PatchError::NotApplicable(format!("error in move for path: '{key}': {e}"))
            };
            let v = match container {
                Value::Object(m) => m.shift_remove(&key).ok_or_else(|| {
                    wrap(format!(
                        "Unable to remove nonexistent key: {key}: missing value"
                    ))
                })?,
                Value::Array(a) => {
                    let i = index(&key, a.len(), false).map_err(wrap)?;
                    a.remove(i)
                }
                _ => return Err(wrap("missing value".into())),
            };
            add(doc, path, v, "move")
        }
        "copy" => {
            let from = str_field(op, "from").ok_or_else(|| missing("from"))?;
            let path = str_field(op, "path").ok_or_else(|| missing("path"))?;
            let (container, key) = parent(doc, from).ok_or_else(|| {
                PatchError::NotApplicable(format!(
                    "copy operation does not apply: doc is missing from path: {from}: missing value"
                ))
            })?;
            let v = match container {
                // evanphx/json-patch v4 copies a missing object key as null.
                Value::Object(m) => m.get(&key).cloned().unwrap_or(Value::Null),
                Value::Array(a) => {
                    let i = index(&key, a.len(), false).map_err(|e| {
                        PatchError::NotApplicable(format!("error in copy for from: '{from}': {e}"))
                    })?;
                    a[i].clone()
                }
                _ => Value::Null,
            };
            add(doc, path, v, "copy")
        }
        "test" => {
            let path = str_field(op, "path").ok_or_else(|| missing("path"))?;
            let expected = op.get("value").unwrap_or(&Value::Null);
            let failed =
                || PatchError::NotApplicable(format!("testing value {path} failed: test failed"));
            if path.is_empty() {
                return if json_equal(doc, expected) {
                    Ok(())
                } else {
                    Err(failed())
                };
            }
            let (container, key) = parent(doc, path).ok_or_else(|| {
                PatchError::NotApplicable(format!(
                    "test operation does not apply: is missing path: {path}: missing value"
                ))
            })?;
            let actual = match container {
                Value::Object(m) => m.get(&key),
                Value::Array(a) => {
                    let i = index(&key, a.len(), false).map_err(|e| {
                        PatchError::NotApplicable(format!("error in test for path: '{path}': {e}"))
                    })?;
                    a.get(i)
                }
                _ => None,
            };
            match actual {
                Some(v) if json_equal(v, expected) => Ok(()),
                None if expected.is_null() => Ok(()),
                _ => Err(failed()),
            }
        }
        other => Err(PatchError::NotApplicable(format!(
            "Unexpected kind: {other}"
        ))),
    }
}

/// Splits a JSON pointer into unescaped tokens. `""` is the whole document.
fn tokens(path: &str) -> Option<Vec<String>> {
    if path.is_empty() {
        return Some(Vec::new());
    }
    let rest = path.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Resolves an array index token; `len` is the current length, `extra` allows `len` itself (add).
fn index(token: &str, len: usize, extra: bool) -> Result<usize, String> {
    let idx: i64 = token
        .parse()
        .map_err(|e| format!("value was not a proper array index: '{token}': {e}"))?;
    let size = len as i64 + i64::from(extra);
    let resolved = if idx < 0 { idx + size } else { idx };
    if idx >= size || resolved < 0 {
        return Err(format!(
            "Unable to access invalid index: {idx}: invalid index referenced"
        ));
    }
    Ok(resolved as usize)
}

/// The container that holds the last token of `path`, and that token.
fn parent<'a>(doc: &'a mut Value, path: &str) -> Option<(&'a mut Value, String)> {
    let mut toks = tokens(path)?;
    let last = toks.pop()?;
    let mut cur = doc;
    for t in toks {
        cur = match cur {
            Value::Object(m) => m.get_mut(&t)?,
            Value::Array(a) => {
                let i = index(&t, a.len(), false).ok()?;
                a.get_mut(i)?
            }
            _ => return None,
        };
    }
    Some((cur, last))
}

fn add(doc: &mut Value, path: &str, value: Value, kind: &str) -> Result<(), PatchError> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let missing = || {
        PatchError::NotApplicable(format!(
            "{kind} operation does not apply: doc is missing path: \"{path}\": missing value"
        ))
    };
    let (container, key) = parent(doc, path).ok_or_else(missing)?;
    match container {
        Value::Object(m) => {
            m.insert(key, value);
            Ok(())
        }
        Value::Array(a) => {
            if key == "-" {
                a.push(value);
                return Ok(());
            }
            let i = index(&key, a.len(), true).map_err(|e| {
                PatchError::NotApplicable(format!("error in add for path: '{path}': {e}"))
            })?;
            a.insert(i, value);
            Ok(())
        }
        _ => Err(missing()),
    }
}

fn remove(doc: &mut Value, path: &str, kind: &str) -> Result<Value, PatchError> {
    let missing = || {
        PatchError::NotApplicable(format!(
            "{kind} operation does not apply: doc is missing path: \"{path}\": missing value"
        ))
    };
    let (container, key) = parent(doc, path).ok_or_else(missing)?;
    match container {
        Value::Object(m) => m.shift_remove(&key).ok_or_else(|| {
            PatchError::NotApplicable(format!(
                "error in remove for path: '{path}': Unable to remove nonexistent key: {key}: missing value"
            ))
        }),
        Value::Array(a) => {
            let i = index(&key, a.len(), false)
                .map_err(|e| PatchError::NotApplicable(format!("error in remove for path: '{path}': {e}")))?;
            Ok(a.remove(i))
        }
        _ => Err(missing()),
    }
}

fn replace(doc: &mut Value, path: &str, value: Value) -> Result<(), PatchError> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let missing_key = || {
        PatchError::NotApplicable(format!(
            "replace operation does not apply: doc is missing key: {path}: missing value"
        ))
    };
    let (container, key) = parent(doc, path).ok_or_else(|| {
        PatchError::NotApplicable(format!(
            "replace operation does not apply: doc is missing path: {path}: missing value"
        ))
    })?;
    match container {
        // evanphx/json-patch v4 (used by the API server) replaces a missing object key too.
        Value::Object(m) => {
            m.insert(key, value);
            Ok(())
        }
        Value::Array(a) => {
            let i = index(&key, a.len(), false).map_err(|e| {
                PatchError::NotApplicable(format!("error in replace for path: '{path}': {e}"))
            })?;
            a[i] = value;
            Ok(())
        }
        _ => Err(missing_key()),
    }
}

/// JSON equality where `1` and `1.0` are equal (as when Go compares decoded documents).
pub(crate) fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(doc: Value, patch: Value) -> String {
        json_patch(&doc, &patch).unwrap_err().to_string()
    }

    #[test]
    fn rfc6902_appendix_examples() {
        let d = json!({"foo": ["bar", "baz"]});
        let p = json!([{"op": "add", "path": "/foo/1", "value": "qux"}]);
        assert_eq!(
            json_patch(&d, &p).unwrap(),
            json!({"foo": ["bar", "qux", "baz"]})
        );
        let d = json!({"baz": "qux", "foo": "bar"});
        let p = json!([{"op": "remove", "path": "/baz"}]);
        assert_eq!(json_patch(&d, &p).unwrap(), json!({"foo": "bar"}));
        let d = json!({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}});
        let p = json!([{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}]);
        assert_eq!(
            json_patch(&d, &p).unwrap(),
            json!({"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}})
        );
        let d = json!({"foo": ["all", "grass", "cows", "eat"]});
        let p = json!([{"op": "move", "from": "/foo/1", "path": "/foo/3"}]);
        assert_eq!(
            json_patch(&d, &p).unwrap(),
            json!({"foo": ["all", "cows", "eat", "grass"]})
        );
        let d = json!({"/": 9, "~1": 10});
        let p = json!([{"op": "test", "path": "/~01", "value": 10}, {"op": "copy", "from": "/~1", "path": "/x"}]);
        assert_eq!(
            json_patch(&d, &p).unwrap(),
            json!({"/": 9, "~1": 10, "x": 9})
        );
    }

    #[test]
    fn errors_are_worded_like_evanphx() {
        assert_eq!(
            err(
                json!({}),
                json!([{"op": "add", "path": "/a/b", "value": 1}])
            ),
            "add operation does not apply: doc is missing path: \"/a/b\": missing value"
        );
        assert_eq!(
            err(json!({"a": {}}), json!([{"op": "remove", "path": "/a/x"}])),
            "error in remove for path: '/a/x': Unable to remove nonexistent key: x: missing value"
        );
        assert_eq!(
            err(
                json!({"a": [1]}),
                json!([{"op": "replace", "path": "/a/5", "value": 1}])
            ),
            "error in replace for path: '/a/5': Unable to access invalid index: 5: invalid index referenced"
        );
        assert_eq!(
            err(
                json!({}),
                json!([{"op": "replace", "path": "/x/y", "value": 1}])
            ),
            "replace operation does not apply: doc is missing path: /x/y: missing value"
        );
        assert_eq!(
            err(json!({}), json!([{"op": "frob", "path": "/x"}])),
            "Unexpected kind: frob"
        );
        let e = json_patch(&json!({}), &json!({"op": "add"})).unwrap_err();
        assert_eq!(e.http_status(), 400);
    }

    #[test]
    fn negative_indices_and_numeric_equality() {
        let d = json!({"a": [1, 2, 3]});
        let p = json!([{"op": "remove", "path": "/a/-1"}, {"op": "test", "path": "/a/1", "value": 2.0}]);
        assert_eq!(json_patch(&d, &p).unwrap(), json!({"a": [1, 2]}));
    }

    #[test]
    fn failed_patch_leaves_input_unchanged() {
        let d = json!({"a": 1});
        let p = json!([{"op": "replace", "path": "/a", "value": 2}, {"op": "test", "path": "/a", "value": 1}]);
        assert!(json_patch(&d, &p).is_err());
        assert_eq!(d, json!({"a": 1}));
    }
}

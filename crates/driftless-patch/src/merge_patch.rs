//! JSON merge patch (RFC 7386, `application/merge-patch+json`).

use serde_json::{Map, Value};

/// Applies a JSON merge patch: objects merge recursively, `null` deletes, anything else
/// (including arrays) replaces.
///
/// ```
/// use driftless_patch::merge_patch;
/// use serde_json::json;
/// let doc = json!({"metadata": {"labels": {"x": "1", "old": "y"}}});
/// let out = merge_patch(&doc, &json!({"metadata": {"labels": {"m": "1", "old": null}}}));
/// assert_eq!(out, json!({"metadata": {"labels": {"x": "1", "m": "1"}}}));
/// ```
pub fn merge_patch(doc: &Value, patch: &Value) -> Value {
    let Value::Object(p) = patch else {
        return patch.clone();
    };
    let mut out = match doc {
        Value::Object(m) => m.clone(),
        _ => Map::new(),
    };
    for (k, pv) in p {
        if pv.is_null() {
            out.shift_remove(k);
        } else {
            let merged = merge_patch(out.get(k).unwrap_or(&Value::Null), pv);
            out.insert(k.clone(), merged);
        }
    }
    Value::Object(out)
}

/// Computes a merge patch that turns `from` into `to` (`merge_patch(from, &create_merge_patch(from, to)) == to`
/// whenever `to` contains no `null` values inside objects, which merge patch cannot express).
///
/// ```
/// use driftless_patch::{create_merge_patch, merge_patch};
/// use serde_json::json;
/// let a = json!({"a": 1, "b": {"c": 2, "d": 3}});
/// let b = json!({"a": 1, "b": {"c": 5}, "e": [1]});
/// let p = create_merge_patch(&a, &b);
/// assert_eq!(p, json!({"b": {"c": 5, "d": null}, "e": [1]}));
/// assert_eq!(merge_patch(&a, &p), b);
/// ```
pub fn create_merge_patch(from: &Value, to: &Value) -> Value {
    match (from, to) {
        (Value::Object(f), Value::Object(t)) => {
            let mut patch = Map::new();
            for (k, fv) in f {
                match t.get(k) {
                    None => {
                        patch.insert(k.clone(), Value::Null);
                    }
                    Some(tv) if tv != fv => {
                        patch.insert(k.clone(), create_merge_patch(fv, tv));
                    }
                    Some(_) => {}
                }
            }
            for (k, tv) in t {
                if !f.contains_key(k) {
                    patch.insert(k.clone(), create_merge_patch(&Value::Null, tv));
                }
            }
            Value::Object(patch)
        }
        (_, Value::Object(t)) => {
            // A fresh object: nested nulls cannot be expressed and are dropped.
            create_merge_patch(&Value::Object(Map::new()), &Value::Object(t.clone()))
        }
        _ => to.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc7386_appendix_a() {
        let cases = [
            (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
            (
                json!({"a": "b"}),
                json!({"b": "c"}),
                json!({"a": "b", "b": "c"}),
            ),
            (json!({"a": "b"}), json!({"a": null}), json!({})),
            (
                json!({"a": "b", "b": "c"}),
                json!({"a": null}),
                json!({"b": "c"}),
            ),
            (json!({"a": ["b"]}), json!({"a": "c"}), json!({"a": "c"})),
            (json!({"a": "c"}), json!({"a": ["b"]}), json!({"a": ["b"]})),
            (
                json!({"a": {"b": "c"}}),
                json!({"a": {"b": "d", "c": null}}),
                json!({"a": {"b": "d"}}),
            ),
            (
                json!({"a": [{"b": "c"}]}),
                json!({"a": [1]}),
                json!({"a": [1]}),
            ),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a": "b"}), json!(["c"]), json!(["c"])),
            (json!({"a": "foo"}), json!(null), json!(null)),
            (json!({"a": "foo"}), json!("bar"), json!("bar")),
            (
                json!({"e": null}),
                json!({"a": 1}),
                json!({"e": null, "a": 1}),
            ),
            (
                json!([1, 2]),
                json!({"a": "b", "c": null}),
                json!({"a": "b"}),
            ),
            (
                json!({}),
                json!({"a": {"bb": {"ccc": null}}}),
                json!({"a": {"bb": {}}}),
            ),
        ];
        for (doc, patch, want) in cases {
            assert_eq!(merge_patch(&doc, &patch), want, "{doc} + {patch}");
        }
    }
}

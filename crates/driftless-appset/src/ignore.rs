//! `spec.ignoreApplicationDifferences`: fields of generated Applications that
//! keep their live value when the set updates them.

use serde_json::{Value, json};

use crate::error::AppSetError;
use crate::render::SetView;

/// One `spec.ignoreApplicationDifferences` entry.
pub(crate) struct IgnoreRule {
    name: String,
    pointers: Vec<String>,
}

pub(crate) fn ignore_rules(set: &SetView<'_>) -> Result<Vec<IgnoreRule>, AppSetError> {
    let Some(rules) = set
        .spec
        .get("ignoreApplicationDifferences")
        .and_then(Value::as_array)
    else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        let field = format!("spec.ignoreApplicationDifferences[{i}]");
        if r.get("jqPathExpressions")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
        {
            return Err(AppSetError::InvalidSpec {
                set: set.name.to_string(),
                field: format!("{field}.jqPathExpressions"),
                message: "not supported by driftless (use jsonPointers)".into(),
            });
        }
        out.push(IgnoreRule {
            name: r
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            pointers: r
                .get("jsonPointers")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|p| p.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Fields ignored by `ignoreApplicationDifferences` keep their live value
/// (or stay absent), so they are neither diffed nor written.
pub(crate) fn keep_ignored(found: &Value, updated: &mut Value, name: &str, rules: &[IgnoreRule]) {
    for r in rules.iter().filter(|r| r.name.is_empty() || r.name == name) {
        for p in &r.pointers {
            match found.pointer(p) {
                Some(v) => set_pointer(updated, p, v.clone()),
                None => remove_pointer(updated, p),
            }
        }
    }
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn set_pointer(doc: &mut Value, pointer: &str, v: Value) {
    let tokens: Vec<String> = pointer.split('/').skip(1).map(unescape).collect();
    let Some((last, parents)) = tokens.split_last() else {
        return;
    };
    let mut cur = doc;
    for t in parents {
        cur = match cur {
            Value::Object(m) => m.entry(t.clone()).or_insert_with(|| json!({})),
            Value::Array(a) => match t.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                Some(x) => x,
                None => return,
            },
            _ => return,
        };
    }
    match cur {
        Value::Object(m) => {
            m.insert(last.clone(), v);
        }
        Value::Array(a) => {
            if let Some(x) = last.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                *x = v;
            }
        }
        _ => {}
    }
}

fn remove_pointer(doc: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let last = unescape(last);
    match doc.pointer_mut(parent) {
        Some(Value::Object(m)) => {
            m.remove(&last);
        }
        Some(Value::Array(a)) => {
            if let Some(i) = last.parse::<usize>().ok().filter(|i| *i < a.len()) {
                a.remove(i);
            }
        }
        _ => {}
    }
}

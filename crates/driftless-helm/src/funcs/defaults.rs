//! Sprig's default/empty/coalesce/ternary family and the JSON functions
//! (Helm's `toJson`/`fromJson` variants included).

use driftless_gotmpl::{
    ArgType::Any as A, ArgType::Bool as B, ArgType::String as S, FuncError, FuncMap, Value,
};
use serde_json::Value as J;

use super::conv::{arg_str, from_json_go, is_empty, to_json};
use super::{add, add_var, variadic};
use crate::yaml::gofloat::json_float;

/// Writes a JSON string as Go's `encoding/json` does (`escape_html` for
/// `json.Marshal`; `toRawJson` turns it off).
fn go_json_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's `json.Marshal` / `json.MarshalIndent(v, "", indent)` text.
pub fn go_json(v: &J, indent: Option<&str>, escape_html: bool) -> String {
    let mut out = String::new();
    write_json(&mut out, v, indent, 0, escape_html);
    out
}

fn newline(out: &mut String, indent: Option<&str>, level: usize) {
    if let Some(ind) = indent {
        out.push('\n');
        for _ in 0..level {
            out.push_str(ind);
        }
    }
}

fn write_json(out: &mut String, v: &J, indent: Option<&str>, level: usize, esc: bool) {
    match v {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else {
                out.push_str(&json_float(n.as_f64().unwrap_or(0.0)).unwrap_or_default());
            }
        }
        J::String(s) => go_json_string(out, s, esc),
        J::Array(a) => {
            if a.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                write_json(out, x, indent, level + 1, esc);
            }
            newline(out, indent, level);
            out.push(']');
        }
        J::Object(o) => {
            if o.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                go_json_string(out, k, esc);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(out, &o[k.as_str()], indent, level + 1, esc);
            }
            newline(out, indent, level);
            out.push('}');
        }
    }
}

/// Go's `json.Unmarshal` error text for `text`, given serde_json's error.
fn go_json_error(text: &str, e: &serde_json::Error) -> String {
    if e.is_eof() {
        return "unexpected end of JSON input".into();
    }
    let line = e.line().max(1);
    let col = e.column().max(1);
    let c = text
        .lines()
        .nth(line - 1)
        .and_then(|l| l.chars().nth(col - 1))
        .unwrap_or(' ');
    if e.to_string().starts_with("trailing characters") {
        return format!("invalid character '{c}' after top-level value");
    }
    format!("invalid character '{c}' looking for beginning of value")
}

fn json_kind(v: &J) -> &'static str {
    match v {
        J::Array(_) => "array",
        J::Object(_) => "object",
        J::String(_) => "string",
        J::Number(_) => "number",
        J::Bool(_) => "bool",
        J::Null => "null",
    }
}

/// Parses JSON as Go into `interface{}`.
pub fn parse_json(text: &str) -> Result<Value, String> {
    serde_json::from_str::<J>(text)
        .map(|j| from_json_go(&j))
        .map_err(|e| go_json_error(text, &e))
}

/// Helm's `fromJson`: a map, or a map with `Error` on failure.
pub fn helm_from_json(text: &str) -> Value {
    let m = driftless_gotmpl::Map::new();
    match serde_json::from_str::<J>(text) {
        Ok(J::Object(_)) | Ok(J::Null) => {
            if let Ok(Value::Map(parsed)) = parse_json(text) {
                return Value::Map(parsed);
            }
        }
        Ok(other) => {
            m.insert(
                "Error",
                Value::from(format!(
                    "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    json_kind(&other)
                )),
            );
        }
        Err(e) => {
            m.insert("Error", Value::from(go_json_error(text, &e)));
        }
    }
    Value::Map(m)
}

/// Helm's `fromJsonArray`: a list, or a one-item list holding the error.
pub fn helm_from_json_array(text: &str) -> Value {
    match serde_json::from_str::<J>(text) {
        Ok(J::Array(a)) => Value::list(a.iter().map(from_json_go).collect()),
        Ok(J::Null) => Value::list(Vec::new()),
        Ok(other) => Value::list(vec![Value::from(format!(
            "json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(&other)
        ))]),
        Err(e) => Value::list(vec![Value::from(go_json_error(text, &e))]),
    }
}

pub(super) fn register(m: &mut FuncMap) {
    add_var(m, "default", &[A], A, |a| {
        Ok(match a.get(1) {
            Some(g) if !is_empty(g) => g.clone(),
            _ => a[0].clone(),
        })
    });
    add(m, "empty", &[A], |a| Ok(Value::Bool(is_empty(&a[0]))));
    variadic(m, "coalesce", |a| {
        Ok(a.iter()
            .find(|x| !is_empty(x))
            .cloned()
            .unwrap_or(Value::Nil))
    });
    variadic(m, "all", |a| {
        Ok(Value::Bool(a.iter().all(|x| !is_empty(x))))
    });
    variadic(m, "any", |a| {
        Ok(Value::Bool(a.iter().any(|x| !is_empty(x))))
    });
    add(m, "ternary", &[A, A, B], |a| {
        Ok(if a[2].is_true() {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    // Helm's toJson swallows errors; mustToJson reports them.
    add(m, "toJson", &[A], |a| {
        Ok(Value::from(
            to_json(&a[0])
                .map(|j| go_json(&j, None, true))
                .unwrap_or_default(),
        ))
    });
    add(m, "mustToJson", &[A], |a| {
        Ok(Value::from(go_json(&to_json(&a[0])?, None, true)))
    });
    add(m, "toPrettyJson", &[A], |a| {
        Ok(Value::from(
            to_json(&a[0])
                .map(|j| go_json(&j, Some("  "), true))
                .unwrap_or_default(),
        ))
    });
    add(m, "mustToPrettyJson", &[A], |a| {
        Ok(Value::from(go_json(&to_json(&a[0])?, Some("  "), true)))
    });
    add(m, "toRawJson", &[A], |a| {
        Ok(Value::from(
            to_json(&a[0])
                .map(|j| go_json(&j, None, false))
                .unwrap_or_default(),
        ))
    });
    add(m, "mustToRawJson", &[A], |a| {
        Ok(Value::from(go_json(&to_json(&a[0])?, None, false)))
    });
    add(m, "fromJson", &[S], |a| Ok(helm_from_json(&arg_str(&a[0]))));
    add(m, "fromJsonArray", &[S], |a| {
        Ok(helm_from_json_array(&arg_str(&a[0])))
    });
    add(m, "mustFromJson", &[S], |a| {
        parse_json(&arg_str(&a[0])).map_err(FuncError::msg)
    });
}

#[cfg(test)]
mod tests {
    use super::super::testutil::check;

    #[test]
    fn defaults_and_json() {
        check(&[
            (
                r#"{{ default "d" "" }} {{ default "d" "x" }} {{ default "d" nil }} {{ default 5 0 }} {{ default "d" false }} {{ default "d" (list) }}"#,
                "d x d 5 d d",
            ),
            (
                r#"{{ empty "" }} {{ empty 0 }} {{ empty (dict) }} {{ empty "a" }} {{ empty 0.0 }}"#,
                "true true true false true",
            ),
            (
                r#"{{ coalesce "" nil 0 "x" "y" }} {{ ternary "a" "b" true }} {{ ternary "a" "b" false }}"#,
                "x a b",
            ),
            (
                r#"{{ all 1 "a" }} {{ all 1 "" }} {{ any 0 "" }} {{ any 0 "a" }}"#,
                "true false false true",
            ),
            (
                r#"{{ dict "b" (list 1 2.5 "<x>") "a" nil | toJson }}"#,
                r#"{"a":null,"b":[1,2.5,"\u003cx\u003e"]}"#,
            ),
            (r#"{{ dict "b" "<x>" | toRawJson }}"#, r#"{"b":"<x>"}"#),
            (
                "{{ dict \"a\" (list 1) \"e\" (dict) | toPrettyJson }}",
                "{\n  \"a\": [\n    1\n  ],\n  \"e\": {}\n}",
            ),
            (r#"{{ (fromJson "{\"a\": [1, 2]}").a }}"#, "[1 2]"),
            (
                r#"{{ (fromJson "[1]").Error }}"#,
                "json: cannot unmarshal array into Go value of type map[string]interface {}",
            ),
            (
                r#"{{ (fromJson "{").Error }}"#,
                "unexpected end of JSON input",
            ),
            (
                r#"{{ fromJsonArray "[1, \"a\"]" }} {{ fromJsonArray "{}" }}"#,
                "[1 a] [json: cannot unmarshal object into Go value of type []interface {}]",
            ),
            (r#"{{ float64 1000000 | toJson }}"#, "1000000"),
        ]);
    }
}

//! Helm's own functions: `toYaml`, `fromYaml`, `include`, `tpl`,
//! `required`, `fail`, `lookup`, `toToml`, ...

use std::sync::Arc;

use driftless_gotmpl::{
    ArgType::Any as A, ArgType::String as S, FuncError, FuncMap, Signature, Value,
};

use super::conv::{arg_str, from_json_go, to_json};
use super::{FuncOptions, Lookup, add, add_ctx};
use crate::yaml;

/// Helm's nesting limit for `include`/`tpl` recursion.
const MAX_DEPTH: usize = 1000;

fn to_yaml_text(v: &Value) -> Result<String, FuncError> {
    let j = to_json(v)?;
    yaml::to_yaml(&j).map_err(|e| FuncError::msg(e.to_string()))
}

/// Helm's `toYamlPretty`: like `toYaml` but sequences indented under keys.
fn to_yaml_pretty(v: &Value) -> Result<String, FuncError> {
    let plain = to_yaml_text(v)?;
    // Re-indent block sequences that sit directly under a mapping key.
    let mut out = Vec::new();
    let mut stack: Vec<(usize, usize)> = Vec::new(); // (key indent, extra)
    let mut prev_key_indent: Option<usize> = None;
    for line in plain.split('\n') {
        let ind = line.len() - line.trim_start_matches(' ').len();
        let t = &line[ind..];
        while let Some(&(k, _)) = stack.last() {
            if ind < k || (ind == k && !t.starts_with("- ") && t != "-") {
                stack.pop();
            } else {
                break;
            }
        }
        if (t.starts_with("- ") || t == "-")
            && prev_key_indent == Some(ind)
            && stack.last().is_none_or(|&(k, _)| k != ind)
        {
            stack.push((ind, 2));
        }
        let extra: usize = stack.iter().map(|&(_, e)| e).sum();
        out.push(format!("{}{}", " ".repeat(extra), line));
        prev_key_indent = if t.ends_with(':') { Some(ind) } else { None };
    }
    Ok(out.join("\n"))
}

/// Helm's `fromYaml`: a map, or a map with `Error` on failure.
pub fn from_yaml_map(text: &str) -> Value {
    let m = driftless_gotmpl::Map::new();
    match yaml::from_yaml(text) {
        Ok(serde_json::Value::Object(o)) => return from_json_go(&serde_json::Value::Object(o)),
        Ok(serde_json::Value::Null) => {}
        Ok(other) => {
            let kind = match other {
                serde_json::Value::Array(_) => "array",
                serde_json::Value::String(_) => "string",
                serde_json::Value::Number(_) => "number",
                _ => "bool",
            };
            m.insert(
                "Error",
                Value::from(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
                )),
            );
        }
        Err(e) => {
            m.insert("Error", Value::from(e.to_string()));
        }
    }
    Value::Map(m)
}

/// Helm's `fromYamlArray`: a list, or a one-item list holding the error.
pub fn from_yaml_array(text: &str) -> Value {
    match yaml::from_yaml(text) {
        Ok(serde_json::Value::Array(a)) => from_json_go(&serde_json::Value::Array(a)),
        Ok(serde_json::Value::Null) => Value::list(Vec::new()),
        Ok(other) => {
            let kind = match other {
                serde_json::Value::Object(_) => "object",
                serde_json::Value::String(_) => "string",
                serde_json::Value::Number(_) => "number",
                _ => "bool",
            };
            Value::list(vec![Value::from(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type []interface {{}}"
            ))])
        }
        Err(e) => Value::list(vec![Value::from(e.to_string())]),
    }
}

/// BurntSushi/toml's encoder as Helm's `toToml` uses it.
pub fn to_toml(v: &serde_json::Value) -> Result<String, String> {
    let serde_json::Value::Object(root) = v else {
        return Err("toml: top-level values must be Go maps or structs".into());
    };
    let mut out = String::new();
    toml_table(&mut out, root, &[], 0);
    Ok(out)
}

fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        toml_str(k)
    }
}

fn toml_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                o.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn toml_value(v: &serde_json::Value) -> String {
    use serde_json::Value as J;
    match v {
        J::Null => String::new(),
        J::Bool(b) => b.to_string(),
        J::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (_, Some(f)) if f.fract() == 0.0 && f.abs() < 1e16 => format!("{f:.1}"),
            (_, Some(f)) => crate::yaml::gofloat::format_float(f, 'g'),
            _ => n.to_string(),
        },
        J::String(s) => toml_str(s),
        J::Array(a) => format!(
            "[{}]",
            a.iter().map(toml_value).collect::<Vec<_>>().join(", ")
        ),
        J::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            format!(
                "{{{}}}",
                keys.iter()
                    .map(|k| format!("{} = {}", toml_key(k), toml_value(&o[k.as_str()])))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

fn toml_table(
    out: &mut String,
    t: &serde_json::Map<String, serde_json::Value>,
    path: &[String],
    depth: usize,
) {
    use serde_json::Value as J;
    let mut keys: Vec<&String> = t.keys().collect();
    keys.sort();
    let ind = "  ".repeat(depth);
    for k in &keys {
        let v = &t[k.as_str()];
        let is_table = matches!(v, J::Object(_));
        let is_table_array =
            matches!(v, J::Array(a) if !a.is_empty() && a.iter().all(|x| x.is_object()));
        if is_table || is_table_array || v.is_null() {
            continue;
        }
        out.push_str(&format!("{ind}{} = {}\n", toml_key(k), toml_value(v)));
    }
    for k in &keys {
        let v = &t[k.as_str()];
        let mut p = path.to_vec();
        p.push(toml_key(k));
        match v {
            J::Object(o) => {
                let ind = "  ".repeat(depth);
                out.push_str(&format!("\n{ind}[{}]\n", p.join(".")));
                toml_table(out, o, &p, depth + 1);
            }
            J::Array(a) if !a.is_empty() && a.iter().all(|x| x.is_object()) => {
                for item in a {
                    let ind = "  ".repeat(depth);
                    out.push_str(&format!("\n{ind}[[{}]]\n", p.join(".")));
                    if let J::Object(o) = item {
                        toml_table(out, o, &p, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }
}

pub(super) fn register(m: &mut FuncMap, opts: &FuncOptions) {
    add(m, "toYaml", &[A], |a| {
        Ok(Value::from(to_yaml_text(&a[0]).unwrap_or_default()))
    });
    add(m, "mustToYaml", &[A], |a| {
        Ok(Value::from(to_yaml_text(&a[0])?))
    });
    add(m, "toYamlPretty", &[A], |a| {
        Ok(Value::from(to_yaml_pretty(&a[0]).unwrap_or_default()))
    });
    add(m, "fromYaml", &[S], |a| Ok(from_yaml_map(&arg_str(&a[0]))));
    add(m, "fromYamlArray", &[S], |a| {
        Ok(from_yaml_array(&arg_str(&a[0])))
    });
    // Helm returns the encoder's error text as the result.
    add(m, "toToml", &[A], |a| {
        Ok(Value::from(match to_json(&a[0]) {
            Ok(j) => to_toml(&j).unwrap_or_else(|e| e),
            Err(e) => e.to_string(),
        }))
    });
    add_ctx(m, "include", Signature::fixed(&[S, A]), |ctx, a| {
        if ctx.depth() > MAX_DEPTH {
            return Err(FuncError::msg(
                "rendering template has a nested reference name: recursion: unable to execute template",
            ));
        }
        Ok(Value::from(ctx.execute_template(&arg_str(&a[0]), &a[1])?))
    });
    add_ctx(m, "tpl", Signature::fixed(&[S, A]), |ctx, a| {
        if ctx.depth() > MAX_DEPTH {
            return Err(FuncError::msg(
                "rendering template has a nested reference name: recursion: unable to execute template",
            ));
        }
        let text = arg_str(&a[0]);
        let name = ctx.template_name().to_string();
        Ok(Value::from(ctx.execute_text(&name, &text, &a[1])?))
    });
    let lint = opts.lint_mode;
    add(m, "required", &[S, A], move |a| {
        let v = &a[1];
        let missing = v.is_nil() || matches!(v, Value::String(s) if s.is_empty());
        if missing {
            if lint {
                return Ok(Value::from(""));
            }
            return Err(FuncError::msg(arg_str(&a[0])));
        }
        Ok(v.clone())
    });
    add(m, "fail", &[S], |a| Err(FuncError::msg(arg_str(&a[0]))));
    let lookup: Arc<dyn Lookup> = opts.lookup.clone();
    add(m, "lookup", &[S, S, S, S], move |a| {
        let (api, kind, ns, name) = (
            arg_str(&a[0]),
            arg_str(&a[1]),
            arg_str(&a[2]),
            arg_str(&a[3]),
        );
        match lookup
            .lookup(&api, &kind, &ns, &name)
            .map_err(FuncError::msg)?
        {
            Some(j) => Ok(from_json_go(&j)),
            None => Ok(Value::empty_map()),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{check, check_err, render_with};

    #[test]
    fn helm_functions() {
        check(&[
            (r#"{{ dict "foo" "bar" | toYaml }}"#, "foo: bar"),
            (
                r#"{{ dict "baz" (list 1 2 3) "a" (dict "b" (list "x")) | toYamlPretty }}"#,
                "a:\n  b:\n    - x\nbaz:\n  - 1\n  - 2\n  - 3",
            ),
            (
                r#"{{ (fromYaml "a: yes\nb: [1, 2]").a }} {{ (fromYaml "a: 1").a | typeOf }}"#,
                "true float64",
            ),
            (
                r#"{{ (fromYaml "- 1").Error }}"#,
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}",
            ),
            (
                r#"{{ fromYamlArray "- a\n- b" }} {{ fromYamlArray "a: 1" }}"#,
                "[a b] [error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}]",
            ),
            (r#"{{ dict "foo" "bar" | toToml }}"#, "foo = \"bar\"\n"),
            (
                r#"{{ dict "mast" (dict "sail" "white") | toToml }}"#,
                "\n[mast]\n  sail = \"white\"\n",
            ),
            (
                r#"{{ define "x" }}[{{ . }}]{{ end }}{{ include "x" 5 | upper }}"#,
                "[5]",
            ),
            (
                r#"{{ tpl "{{ .a }}-{{ .b }}" (dict "a" 1 "b" "x") }}"#,
                "1-x",
            ),
            (r#"{{ required "need it" 2 }}"#, "2"),
            (r#"{{ lookup "v1" "Secret" "ns" "x" }}"#, "map[]"),
        ]);
        check_err(&[
            (r#"{{ required "foo is required" "" }}"#, "foo is required"),
            (r#"{{ required "x: y\nz" nil }}"#, "x: y\nz"),
            (r#"{{ fail "This is an error" }}"#, "This is an error"),
        ]);
        assert!(
            render_with(
                r#"{{ define "r" }}{{ include "r" . }}{{ end }}{{ include "r" . }}"#,
                serde_json::Value::Null
            )
            .is_err()
        );
    }
}

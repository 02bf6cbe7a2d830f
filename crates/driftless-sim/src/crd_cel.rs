//! CEL validation rules of CRD schemas (`x-kubernetes-validations`), evaluated with the `cel`
//! crate (cel-rust): `self` is the value at the rule's position. Transition rules (those using
//! `oldSelf`) are not evaluated.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::status::Cause;

/// The CEL form of a JSON value (whole numbers are `int`).
fn to_cel(v: &Value) -> cel::Value {
    match v {
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => cel::Value::Int(i),
            None => match n.as_u64() {
                Some(u) => cel::Value::UInt(u),
                None => cel::Value::Float(n.as_f64().unwrap_or(0.0)),
            },
        },
        Value::String(s) => cel::Value::from(s.as_str()),
        Value::Array(a) => cel::Value::from(a.iter().map(to_cel).collect::<Vec<_>>()),
        Value::Object(m) => cel::Value::from(
            m.iter()
                .map(|(k, v)| (k.clone(), to_cel(v)))
                .collect::<HashMap<String, cel::Value>>(),
        ),
    }
}

/// The causes of the rules of schema node `s` failing for `v` at `path`.
pub fn check(s: &Value, v: &Value, path: &str, out: &mut Vec<Cause>) {
    let Some(rules) = s.get("x-kubernetes-validations").and_then(Value::as_array) else {
        return;
    };
    let ty = s.get("type").and_then(Value::as_str).unwrap_or(match v {
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "boolean",
        Value::Null => "null",
    });
    let env = Arc::new(cel::Env::stdlib());
    for r in rules {
        let Some(rule) = r.get("rule").and_then(Value::as_str) else {
            continue;
        };
        if rule.contains("oldSelf") {
            continue;
        }
        let field = match r.get("fieldPath").and_then(Value::as_str) {
            Some(fp) => format!("{path}{fp}"),
            None => path.to_string(),
        };
        let detail = match env.compile(rule) {
            Err(e) => Some(format!("compilation failed: {e}")),
            Ok(program) => {
                let mut ctx = cel::Context::with_env(env.clone());
                ctx.add_variable_from_value("self", to_cel(v));
                match program.execute(&ctx) {
                    Ok(cel::Value::Bool(true)) => None,
                    Ok(cel::Value::Bool(false)) => Some(
                        r.get("message")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                            .unwrap_or_else(|| format!("failed rule: {rule}")),
                    ),
                    Ok(other) => Some(format!(
                        "rule evaluation error: rule did not return a bool: {other:?}"
                    )),
                    Err(e) => Some(format!("{rule}: {e}")),
                }
            }
        };
        let Some(detail) = detail else { continue };
        let cause = match r.get("reason").and_then(Value::as_str) {
            Some("FieldValueForbidden") => {
                Cause::new("FieldValueForbidden", format!("Forbidden: {detail}"), field)
            }
            Some("FieldValueRequired") => Cause::new(
                "FieldValueRequired",
                format!("Required value: {detail}"),
                field,
            ),
            Some("FieldValueDuplicate") => Cause::new(
                "FieldValueDuplicate",
                format!("Duplicate value: {ty:?}: {detail}"),
                field,
            ),
            _ => Cause::new(
                "FieldValueInvalid",
                format!("Invalid value: {ty:?}: {detail}"),
                field,
            ),
        };
        out.push(cause);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rules_are_evaluated_on_self() {
        let s = json!({"type": "object", "x-kubernetes-validations": [
            {"rule": "self.min <= self.max", "message": "min must not exceed max"},
            {"rule": "self.name.startsWith('app-')"},
            {"rule": "size(self.tags) < 3", "fieldPath": ".tags", "reason": "FieldValueForbidden"},
            {"rule": "self.max == oldSelf.max"}]});
        let mut out = Vec::new();
        check(
            &s,
            &json!({"min": 5, "max": 2, "name": "web", "tags": ["a", "b", "c"]}),
            "spec",
            &mut out,
        );
        let got: Vec<(String, String, String)> = out
            .into_iter()
            .map(|c| (c.reason, c.field, c.message))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "FieldValueInvalid".into(),
                    "spec".into(),
                    "Invalid value: \"object\": min must not exceed max".into()
                ),
                (
                    "FieldValueInvalid".into(),
                    "spec".into(),
                    "Invalid value: \"object\": failed rule: self.name.startsWith('app-')".into()
                ),
                (
                    "FieldValueForbidden".into(),
                    "spec.tags".into(),
                    "Forbidden: failed rule: size(self.tags) < 3".into()
                ),
            ]
        );
        let mut ok = Vec::new();
        check(
            &s,
            &json!({"min": 1, "max": 2, "name": "app-x", "tags": []}),
            "spec",
            &mut ok,
        );
        assert!(ok.is_empty(), "{ok:?}");
    }
}

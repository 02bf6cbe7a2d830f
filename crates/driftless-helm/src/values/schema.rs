//! `values.schema.json` validation of a chart and its subcharts, with
//! Helm's error layout (`chart:\n- at '/path': message`).
//!
//! Uses `boon`, a JSON Schema validator (drafts 4 to 2020-12) by the author
//! of the Go library Helm v4 uses (santhosh-tekuri/jsonschema), so the
//! checks and most messages agree.

use serde_json::Value as Json;

use super::Values;
use crate::chart::Chart;
use crate::error::HelmError;

/// Validates `values` against the schemas of `chart` and its subcharts
/// (each subchart gets its own part of the values).
pub fn validate(chart: &Chart, values: &Values) -> Result<(), HelmError> {
    let mut report = String::new();
    collect(chart, values, &mut report)?;
    if report.is_empty() {
        Ok(())
    } else {
        Err(HelmError::Schema(report))
    }
}

fn collect(chart: &Chart, values: &Values, report: &mut String) -> Result<(), HelmError> {
    if let Some(schema) = &chart.schema {
        let failures = validate_one(schema, values).map_err(|e| {
            HelmError::InvalidChart(format!("{}: invalid values.schema.json: {e}", chart.name()))
        })?;
        if let Some(err) = failures {
            report.push_str(&format!("{}:\n{}", chart.name(), err));
        }
    }
    for sub in &chart.dependencies {
        let empty = Values::new();
        let sv = match values.get(sub.name()) {
            Some(Json::Object(m)) => m,
            _ => &empty,
        };
        collect(sub, sv, report)?;
    }
    Ok(())
}

/// Validates against one schema; `Ok(Some(text))` lists the failures.
fn validate_one(schema: &[u8], values: &Values) -> Result<Option<String>, String> {
    let schema: Json = serde_json::from_slice(schema).map_err(|e| e.to_string())?;
    let url = "file:///values.schema.json";
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource(url, schema)
        .map_err(|e| e.to_string())?;
    let mut schemas = boon::Schemas::new();
    let idx = compiler
        .compile(url, &mut schemas)
        .map_err(|e| e.to_string())?;
    let instance = Json::Object(values.clone());
    match schemas.validate(&instance, idx) {
        Ok(()) => Ok(None),
        Err(e) => {
            let mut out = String::new();
            let wrapper = matches!(
                e.kind,
                boon::ErrorKind::Schema { .. } | boon::ErrorKind::Group
            );
            if wrapper && !e.causes.is_empty() {
                for c in &e.causes {
                    print(c, 0, &mut out);
                }
            } else {
                print(&e, 0, &mut out);
            }
            Ok(Some(out))
        }
    }
}

/// Prints an error tree as santhosh-tekuri/jsonschema v6 does: one
/// `- at '<location>': <message>` line per failure, nested failures of
/// one location under `validation failed`.
fn print(e: &boon::ValidationError, depth: usize, out: &mut String) {
    if e.causes.len() == 1
        && matches!(
            e.kind,
            boon::ErrorKind::Reference { .. } | boon::ErrorKind::Group
        )
    {
        return print(&e.causes[0], depth, out);
    }
    let indent = "  ".repeat(depth);
    out.push_str(&format!(
        "{indent}- at '{}': {}\n",
        e.instance_location,
        message(&e.kind)
    ));
    for c in &e.causes {
        print(c, depth + 1, out);
    }
}

/// A number as jsonschema v6 prints it (Go's message printer: thousands
/// separators, `99,999`).
fn num(n: &serde_json::Number) -> String {
    let plain = match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => i.to_string(),
        (_, Some(u), _) => u.to_string(),
        (_, _, Some(f)) => driftless_gotmpl::Value::Float(f).to_string(),
        _ => n.to_string(),
    };
    if plain.contains(['e', 'E']) {
        return plain;
    }
    let (sign, rest) = plain
        .strip_prefix('-')
        .map_or(("", plain.as_str()), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(a, b)| (a, Some(b)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|p| format!("'{p}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The message of one failure in v6's wording.
fn message(k: &boon::ErrorKind) -> String {
    use boon::ErrorKind as K;
    match k {
        K::Minimum { got, want } => format!("minimum: got {}, want {}", num(got), num(want)),
        K::Maximum { got, want } => format!("maximum: got {}, want {}", num(got), num(want)),
        K::ExclusiveMinimum { got, want } => {
            format!("exclusiveMinimum: got {}, want {}", num(got), num(want))
        }
        K::ExclusiveMaximum { got, want } => {
            format!("exclusiveMaximum: got {}, want {}", num(got), num(want))
        }
        K::MultipleOf { got, want } => format!("multipleOf: got {}, want {}", num(got), num(want)),
        K::MinLength { got, want } => format!("minLength: got {got}, want {want}"),
        K::MaxLength { got, want } => format!("maxLength: got {got}, want {want}"),
        K::MinItems { got, want } => format!("minItems: got {got}, want {want}"),
        K::MaxItems { got, want } => format!("maxItems: got {got}, want {want}"),
        K::MinProperties { got, want } => format!("minProperties: got {got}, want {want}"),
        K::MaxProperties { got, want } => format!("maxProperties: got {got}, want {want}"),
        K::Required { want } if want.len() == 1 => format!("missing property '{}'", want[0]),
        K::Required { want } => format!("missing properties {}", quoted(want)),
        K::AdditionalProperties { got } => {
            let names: Vec<&str> = got.iter().map(|c| c.as_ref()).collect();
            format!("additional properties {} not allowed", quoted(&names))
        }
        K::Group | K::Schema { .. } | K::Reference { .. } => "validation failed".into(),
        other => {
            let text = other.to_string();
            // boon: "want integer, but got string"; v6: "got string, want integer".
            match text
                .strip_prefix("want ")
                .and_then(|r| r.split_once(", but got "))
            {
                Some((want, got)) => format!("got {got}, want {want}"),
                None => text,
            }
        }
    }
}

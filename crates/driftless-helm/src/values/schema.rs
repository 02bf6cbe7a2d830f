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
        if let Some(err) = validate_one(schema, values).map_err(|e| {
            HelmError::InvalidChart(format!("{}: invalid values.schema.json: {e}", chart.name()))
        })? {
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
            let mut lines = Vec::new();
            leaves(&e, &mut lines);
            Ok(Some(lines.join("") + "\n"))
        }
    }
}

fn leaves(e: &boon::ValidationError, out: &mut Vec<String>) {
    if e.causes.is_empty() {
        out.push(format!("- at '{}': {}\n", e.instance_location, e.kind));
        return;
    }
    for c in &e.causes {
        leaves(c, out);
    }
}

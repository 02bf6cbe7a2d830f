//! Dependency processing: `alias`, `condition`, `tags` and
//! `import-values` (Helm's `ProcessDependenciesWithMerge`).

use serde_json::Value as Json;

use super::coalesce::{coalesce_values, merge_tables, merge_values};
use super::{Values, path_to_map, path_value, table};
use crate::chart::{Chart, Dependency, semver};
use crate::error::HelmError;

/// Fails when a dependency listed in the root chart's `Chart.yaml` has no
/// chart of that name under `charts/` (Helm's `CheckDependencies`, done by
/// `helm template` for the root chart only).
pub fn check_dependencies(chart: &Chart) -> Result<(), HelmError> {
    let missing: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|r| !chart.dependencies.iter().any(|d| d.name() == r.name))
        .map(|r| r.name.as_str())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(HelmError::MissingDependencies(missing.join(", ")))
    }
}

/// Resolves aliases, drops subcharts disabled by conditions or tags, then
/// imports values from children into parents (bottom-up).
pub fn process_dependencies(chart: &mut Chart, vals: &Values) {
    process_enabled(chart, vals, "");
    process_import_values(chart);
}

fn compatible(req: &Dependency, chart: &Chart) -> bool {
    semver::satisfies(&req.version, &chart.metadata.version)
}

fn process_enabled(c: &mut Chart, v: &Values, path: &str) {
    if c.metadata.dependencies.is_empty() {
        return;
    }
    let mut deps: Vec<Chart> = Vec::new();
    for existing in &c.dependencies {
        let listed = c
            .metadata
            .dependencies
            .iter()
            .any(|r| existing.name() == r.name && compatible(r, existing));
        if !listed {
            deps.push(existing.clone());
        }
    }
    for req in &mut c.metadata.dependencies {
        if let Some(found) = c
            .dependencies
            .iter()
            .find(|ch| ch.name() == req.name && compatible(req, ch))
        {
            let mut copy = found.clone();
            if !req.alias.is_empty() {
                copy.metadata.name = req.alias.clone();
            }
            deps.push(copy);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    c.dependencies = deps;
    for r in &mut c.metadata.dependencies {
        r.enabled = true;
    }
    let cvals = coalesce_values(c, v);
    apply_tags(&mut c.metadata.dependencies, &cvals);
    apply_conditions(&mut c.metadata.dependencies, &cvals, path);
    let removed: Vec<String> = c
        .metadata
        .dependencies
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    c.dependencies
        .retain(|d| !removed.iter().any(|n| n == d.name()));
    c.metadata
        .dependencies
        .retain(|r| !removed.contains(&r.name));
    for t in &mut c.dependencies {
        let sub = format!("{path}{}.", t.name());
        process_enabled(t, &cvals, &sub);
    }
}

fn apply_tags(reqs: &mut [Dependency], cvals: &Values) {
    let Some(tags) = table(cvals, "tags") else {
        return;
    };
    for r in reqs {
        let (mut has_true, mut has_false) = (false, false);
        for k in &r.tags {
            if let Some(Json::Bool(b)) = tags.get(k) {
                if *b {
                    has_true = true;
                } else {
                    has_false = true;
                }
            }
        }
        r.enabled = has_true || !has_false;
    }
}

fn apply_conditions(reqs: &mut [Dependency], cvals: &Values, path: &str) {
    for r in reqs {
        for c in r.condition.trim().split(',') {
            if c.is_empty() {
                continue;
            }
            if let Some(Json::Bool(b)) = path_value(cvals, &format!("{path}{c}")) {
                r.enabled = *b;
                break;
            }
        }
    }
}

fn process_import_values(c: &mut Chart) {
    for d in &mut c.dependencies {
        process_import_values(d);
    }
    if c.metadata.dependencies.is_empty() {
        return;
    }
    let cvals = merge_values(c, &Values::new());
    let mut b = Values::new();
    for r in &mut c.metadata.dependencies {
        let mut out = Vec::new();
        for riv in &r.import_values {
            match riv {
                Json::Object(iv) => {
                    let child = go_print(iv.get("child"));
                    let parent = go_print(iv.get("parent"));
                    out.push(serde_json::json!({"child": child, "parent": parent}));
                    if let Some(vv) = table(&cvals, &format!("{}.{child}", r.name)) {
                        merge_tables(&mut b, &path_to_map(&parent, vv.clone()));
                    }
                }
                Json::String(iv) => {
                    let child = format!("exports.{iv}");
                    if let Some(vm) = table(&cvals, &format!("{}.{child}", r.name)) {
                        merge_tables(&mut b, vm);
                    }
                    out.push(serde_json::json!({"child": child, "parent": "."}));
                }
                _ => {}
            }
        }
        r.import_values = out;
    }
    let mut vals = cvals;
    merge_tables(&mut vals, &b);
    c.values = vals;
}

/// `fmt.Sprintf("%v", x)` for the scalar values an import-values entry holds.
fn go_print(v: Option<&Json>) -> String {
    match v {
        None | Some(Json::Null) => "<nil>".into(),
        Some(Json::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

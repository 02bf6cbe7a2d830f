//! Kustomize's `helmCharts:` (with `--enable-helm`) inflated by the native
//! Helm engine: each chart found in the repository under the chart home is
//! rendered as `helm template` would for Kustomize, its output written beside
//! the copy of the kustomization and listed in its `resources`. Charts that
//! are not in the repository are left to Kustomize (and its `helm`).

use crate::paths::{join, resolve, resolve_inside};
use crate::{EntryKind, RenderError, RenderOptions, SourceFs};
use driftless_helm::ValuesFile;
use serde_json::{Map, Value};
use std::path::Path;

fn fail(file: &str, message: impl Into<String>) -> RenderError {
    RenderError::KustomizeEdit {
        file: file.to_string(),
        message: message.into(),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Reads a values file named relative to the kustomization directory `dir`.
fn values_file(
    fs: &dyn SourceFs,
    dir: &str,
    file: &str,
    name: &str,
    opts: &RenderOptions,
) -> Result<ValuesFile, RenderError> {
    let escapes = || RenderError::KustomizeEscapes {
        file: file.to_string(),
        reference: name.to_string(),
    };
    let found = resolve_inside(fs, dir, name, opts.limits.max_symlink_hops)?;
    let (real, kind) = found.ok_or_else(escapes)?;
    if kind != Some(EntryKind::File) {
        return Err(fail(
            file,
            format!("helmCharts values file {name} not found"),
        ));
    }
    Ok(ValuesFile::new(
        name,
        fs.read_file(&real, opts.limits.max_file_size)?,
    ))
}

/// Inflates the local charts of kustomization `k` (file `file` in repository
/// directory `dir`) into files in `copy_dir`; true when `k` changed.
pub(crate) fn inflate(
    fs: &dyn SourceFs,
    dir: &str,
    file: &str,
    k: &mut Map<String, Value>,
    copy_dir: &Path,
    opts: &RenderOptions,
) -> Result<bool, RenderError> {
    let Some(Value::Array(charts)) = k.get("helmCharts").cloned() else {
        return Ok(false);
    };
    let home = k
        .get("helmGlobals")
        .and_then(|g| g.get("chartHome"))
        .and_then(Value::as_str)
        .unwrap_or("charts")
        .to_string();
    let mut left = Vec::new();
    let mut generated = Vec::new();
    for (i, chart) in charts.into_iter().enumerate() {
        let name = chart.get("name").and_then(Value::as_str).unwrap_or("");
        let chart_dir = join(dir, &home).and_then(|h| join(&h, name));
        let local = match &chart_dir {
            Some(p) if !name.is_empty() => matches!(
                resolve(fs, p, opts.limits.max_symlink_hops),
                Ok((_, Some(EntryKind::Dir)))
            ),
            _ => false,
        };
        if !local {
            left.push(chart);
            continue;
        }
        let chart_dir = chart_dir.expect("checked above");
        let text = template(fs, dir, file, &chart_dir, &chart, opts)?;
        let out_name = format!(".driftless-helm-{i}-{name}.yaml");
        let out = copy_dir.join(&out_name);
        std::fs::write(&out, text).map_err(|source| RenderError::Io {
            context: format!("writing {}", out.display()),
            source,
        })?;
        generated.push(Value::String(out_name));
    }
    if generated.is_empty() {
        return Ok(false);
    }
    if left.is_empty() {
        k.remove("helmCharts");
        k.remove("helmGlobals");
    } else {
        k.insert("helmCharts".into(), Value::Array(left));
    }
    let resources = k
        .entry("resources")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(r) = resources {
        r.extend(generated);
    }
    Ok(true)
}

/// `helm template` of one `helmCharts` entry, with Kustomize's flags.
fn template(
    fs: &dyn SourceFs,
    dir: &str,
    file: &str,
    chart_dir: &str,
    chart: &Value,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    let field = |f: &str| chart.get(f).and_then(Value::as_str).unwrap_or("");
    let flag = |f: &str| chart.get(f).and_then(Value::as_bool).unwrap_or(false);
    let mut h = driftless_helm::RenderOptions::default();
    for name in [field("releaseName"), field("nameTemplate")] {
        if !name.is_empty() {
            h.release_name = name.to_string();
        }
    }
    if !field("namespace").is_empty() {
        h.namespace = field("namespace").to_string();
    }
    let mut files = Vec::new();
    if !field("valuesFile").is_empty() {
        files.push(values_file(fs, dir, file, field("valuesFile"), opts)?);
    }
    for extra in strings(chart.get("additionalValuesFiles")) {
        files.push(values_file(fs, dir, file, &extra, opts)?);
    }
    if let Some(inline) = chart.get("valuesInline").filter(|v| v.is_object()) {
        let text = serde_json::to_vec(inline).expect("JSON values serialise");
        let inline = ValuesFile::new("valuesInline", text);
        match field("valuesMerge") {
            "replace" => files = vec![inline],
            "merge" => files.insert(0, inline),
            "" | "override" => files.push(inline),
            other => {
                return Err(fail(
                    file,
                    format!("helmCharts valuesMerge {other:?} is not override, merge or replace"),
                ));
            }
        }
    }
    h.value_files = files;
    h.include_crds = flag("includeCRDs");
    h.skip_tests = flag("skipTests");
    h.no_hooks = flag("skipHooks");
    let app = &opts.kustomize.app;
    h.api_versions = strings(chart.get("apiVersions"));
    h.api_versions.extend(app.api_versions.iter().cloned());
    h.kube_version = Some(field("kubeVersion"))
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .or_else(|| app.kube_version.clone());
    h.limits = opts.limits.read();
    Ok(crate::helm::template(fs, chart_dir, &h)?.text)
}

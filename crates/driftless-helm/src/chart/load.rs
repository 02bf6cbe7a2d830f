//! Loading a chart from a directory of a [`SourceFs`] or from a list of files, with the
//! rules of Helm's `pkg/chart/loader`.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::ignore::{HELM_IGNORE, IgnoreRules};
use super::{Chart, ChartDir, ChartFile, Metadata, load_archive};
use crate::error::HelmError;
use crate::values::parse_values;
use driftless_core::fs::{ReadLimits, SourceFs};

/// Loads the chart in directory `dir` of `fs` (`""`: the root) within the default
/// [`ReadLimits`]: every file not excluded by the chart's `.helmignore` (and Helm's default
/// `templates/.?*` rule), with subcharts from `charts/` (directories and `.tgz` archives).
///
/// ```
/// use driftless_helm::{MemFs, load_chart};
/// let mut fs = MemFs::default();
/// fs.insert("demo/Chart.yaml", "apiVersion: v2\nname: demo\nversion: 0.1.0\n");
/// fs.insert("demo/values.yaml", "replicas: 2\n");
/// fs.insert("demo/templates/cm.yaml", "kind: ConfigMap\n");
/// let chart = load_chart(&fs, "demo").unwrap();
/// assert_eq!(chart.name(), "demo");
/// assert_eq!(chart.templates.len(), 1);
/// let err = load_chart(&fs, "missing").unwrap_err();
/// assert_eq!(err.to_string(), "missing: no such file or directory");
/// ```
pub fn load_chart(fs: &dyn SourceFs, dir: &str) -> Result<Chart, HelmError> {
    load_dir(&ChartDir::new(fs, dir, ReadLimits::default())?)
}

/// Loads the chart of `dir` (see [`load_chart`]).
pub fn load_dir(dir: &ChartDir<'_>) -> Result<Chart, HelmError> {
    let mut rules = match dir.read_optional(HELM_IGNORE)? {
        Some(data) => {
            IgnoreRules::parse(&String::from_utf8_lossy(&data)).map_err(HelmError::InvalidChart)?
        }
        None => IgnoreRules::default(),
    };
    rules.add_defaults();
    let mut files = Vec::new();
    walk(dir, "", &rules, &mut files)?;
    load_files(files)
}

fn walk(
    chart: &ChartDir<'_>,
    dir: &str,
    rules: &IgnoreRules,
    out: &mut Vec<ChartFile>,
) -> Result<(), HelmError> {
    for e in chart.list(dir)? {
        let path = if dir.is_empty() {
            e.name.clone()
        } else {
            format!("{dir}/{}", e.name)
        };
        if rules.ignore(&path, e.is_dir) {
            continue;
        }
        if e.is_dir {
            walk(chart, &path, rules, out)?;
        } else {
            let data = chart.read(&path)?;
            let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&data);
            out.push(ChartFile {
                name: path,
                data: Arc::from(data),
            });
        }
    }
    Ok(())
}

/// Builds a chart from its files (paths relative to the chart root), as
/// Helm's `loader.LoadFiles`: `Chart.yaml`, `values.yaml`,
/// `values.schema.json`, `requirements.yaml` (v1 charts), `templates/`,
/// `charts/` (subcharts) and everything else as plain files.
pub fn load_files(files: Vec<ChartFile>) -> Result<Chart, HelmError> {
    let mut metadata: Option<Metadata> = None;
    for f in &files {
        if f.name == "Chart.yaml" {
            metadata = Some(Metadata::parse(&f.data)?);
        }
    }
    let mut values = crate::values::Values::new();
    let mut schema = None;
    let mut templates = Vec::new();
    let mut other = Vec::new();
    let mut subcharts: BTreeMap<String, Vec<ChartFile>> = BTreeMap::new();
    for f in files {
        match f.name.as_str() {
            "Chart.yaml" | "Chart.lock" | "requirements.lock" => {
                if f.name == "requirements.lock"
                    && metadata.as_ref().is_some_and(|m| m.api_version == "v1")
                {
                    other.push(f);
                }
            }
            "values.yaml" => {
                values = parse_values(&f.data).map_err(|e| {
                    HelmError::InvalidChart(format!("cannot load values.yaml: {e}"))
                })?;
            }
            "values.schema.json" => schema = Some(f.data.clone()),
            "requirements.yaml" => {
                let md = metadata.get_or_insert_with(Metadata::default);
                md.merge_requirements(&f.data)?;
                if md.api_version == "v1" {
                    other.push(f);
                }
            }
            n if n.starts_with("templates/") => templates.push(f),
            n if n.starts_with("charts/") => {
                if n.ends_with(".prov") {
                    other.push(f);
                    continue;
                }
                let rest = n["charts/".len()..].to_string();
                let cname = rest.split('/').next().unwrap_or("").to_string();
                subcharts.entry(cname).or_default().push(ChartFile {
                    name: rest,
                    data: f.data,
                });
            }
            _ => other.push(f),
        }
    }
    let Some(metadata) = metadata else {
        return Err(HelmError::MissingChartYaml);
    };
    metadata.validate()?;
    let mut chart = Chart {
        metadata,
        values,
        schema,
        templates,
        files: other,
        dependencies: Vec::new(),
    };
    for (n, files) in subcharts {
        if n.starts_with(['_', '.']) {
            continue;
        }
        let sub = if n.ends_with(".tgz") {
            let file = &files[0];
            if file.name != n {
                return Err(HelmError::InvalidChart(format!(
                    "error unpacking tar in {}: expected {n}, got {}",
                    chart.name(),
                    file.name
                )));
            }
            load_archive(&file.data)
        } else {
            let buff: Vec<ChartFile> = files
                .into_iter()
                .filter_map(|f| {
                    f.name.split_once('/').map(|(_, rest)| ChartFile {
                        name: rest.to_string(),
                        data: f.data,
                    })
                })
                .collect();
            load_files(buff)
        };
        match sub {
            Ok(sc) => chart.dependencies.push(sc),
            Err(e) => {
                return Err(HelmError::InvalidChart(format!(
                    "error unpacking {n} in {}: {e}",
                    chart.name()
                )));
            }
        }
    }
    Ok(chart)
}

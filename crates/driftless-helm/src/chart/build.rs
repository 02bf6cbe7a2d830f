//! `helm dependency build`, natively: a chart whose `Chart.yaml` lists dependencies that are
//! not under `charts/` gets them from their repositories (through a [`ChartFetcher`] the
//! caller supplies) or from local directories (`file://`), at the versions `Chart.lock`
//! pins when it exists (refused when it is out of sync with `Chart.yaml`, as Helm refuses),
//! else at the highest versions satisfying the constraints (as `helm dependency build`
//! without a lock file, which is `helm dependency update`).
//!
//! As Argo CD, the build happens only when some listed dependency is missing from `charts/`;
//! the fetched charts then replace vendored charts of the same name (Helm rewrites `charts/`).

use std::sync::Arc;

use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use super::{Chart, ChartDir, Dependency, load_archive, load_dir, semver};
use crate::error::HelmError;
use driftless_core::url::without_userinfo;

/// Fetches charts from chart repositories and OCI registries for dependency builds.
pub trait ChartFetcher: Send + Sync + std::fmt::Debug {
    /// The archive (`.tgz`) of chart `name` in `repository` (an `http(s)://` chart repository
    /// or an `oci://` registry path) at the highest version satisfying `version` (an exact
    /// version or a constraint), with the version picked.
    fn fetch(
        &self,
        repository: &str,
        name: &str,
        version: &str,
    ) -> Result<FetchedChart, Box<dyn std::error::Error + Send + Sync>>;
}

/// A fetched chart archive.
#[derive(Debug, Clone)]
pub struct FetchedChart {
    /// The version picked.
    pub version: String,
    /// The archive bytes.
    pub archive: Arc<[u8]>,
}

/// Builds the missing dependencies of `chart` (loaded from `dir`) with `fetcher`.
pub fn build_dependencies(
    chart: &mut Chart,
    dir: &ChartDir<'_>,
    fetcher: &dyn ChartFetcher,
) -> Result<(), HelmError> {
    let reqs = chart.metadata.dependencies.clone();
    let missing = reqs
        .iter()
        .any(|r| !chart.dependencies.iter().any(|d| d.name() == r.name));
    if !missing {
        return Ok(());
    }
    let targets = match locked(chart, dir)? {
        Some(lock) => lock,
        None => reqs,
    };
    let mut fetched: Vec<Chart> = Vec::new();
    for d in &targets {
        let repo = d.repository.trim();
        if repo.is_empty() {
            if !chart.dependencies.iter().any(|c| c.name() == d.name) {
                return Err(dep_error(
                    chart,
                    d,
                    "no repository is given and charts/ does not hold it",
                ));
            }
            continue;
        }
        let sub = if let Some(path) = repo.strip_prefix("file://") {
            local(chart, dir, d, path)?
        } else if is_remote(repo) {
            let got = fetcher
                .fetch(repo, &d.name, &d.version)
                .map_err(|e| dep_error(chart, d, &e.to_string()))?;
            let sub =
                load_archive(&got.archive).map_err(|e| dep_error(chart, d, &e.to_string()))?;
            if sub.name() != d.name {
                return Err(dep_error(
                    chart,
                    d,
                    &format!("the fetched archive holds chart {:?}", sub.name()),
                ));
            }
            sub
        } else if repo.starts_with('@') || repo.starts_with("alias:") {
            return Err(dep_error(
                chart,
                d,
                "repository names (helm repo add) are not known here; write the repository URL",
            ));
        } else {
            return Err(dep_error(
                chart,
                d,
                "unsupported repository (use https://, http://, oci:// or file://)",
            ));
        };
        let dup = fetched
            .iter()
            .any(|c| c.name() == sub.name() && c.metadata.version == sub.metadata.version);
        if !dup {
            fetched.push(sub);
        }
    }
    chart
        .dependencies
        .retain(|c| !fetched.iter().any(|f| f.name() == c.name()));
    chart.dependencies.extend(fetched);
    Ok(())
}

fn is_remote(repo: &str) -> bool {
    let lower = repo.to_ascii_lowercase();
    ["https://", "http://", "oci://"]
        .iter()
        .any(|s| lower.starts_with(s))
}

/// The dependencies `Chart.lock` (`requirements.lock` of a v1 chart) pins, when it exists.
fn locked(chart: &Chart, dir: &ChartDir<'_>) -> Result<Option<Vec<Dependency>>, HelmError> {
    let v1 = chart.metadata.api_version == "v1";
    let file = if v1 {
        "requirements.lock"
    } else {
        "Chart.lock"
    };
    let Some(data) = dir.read_optional(file)? else {
        return Ok(None);
    };
    let y: serde_yaml_ng::Value = serde_yaml_ng::from_slice(&data)
        .map_err(|e| HelmError::InvalidChart(format!("cannot load {file}: {e}")))?;
    let deps: Vec<Dependency> = match y.get("dependencies") {
        Some(serde_yaml_ng::Value::Sequence(s)) => {
            let as_str = |v: &serde_yaml_ng::Value, k: &str| match v.get(k) {
                Some(serde_yaml_ng::Value::String(s)) => s.clone(),
                Some(serde_yaml_ng::Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            s.iter()
                .map(|d| Dependency {
                    name: as_str(d, "name"),
                    version: as_str(d, "version"),
                    repository: as_str(d, "repository"),
                    ..Dependency::default()
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let digest = y.get("digest").and_then(|d| d.as_str()).unwrap_or("");
    // Helm 2's requirements.lock digests hash differently; a v1 chart's lock is taken as is.
    if !v1 && hash_req(&chart.metadata.dependencies, &deps) != digest {
        return Err(HelmError::LockOutOfSync {
            chart: chart.name().to_string(),
        });
    }
    Ok(Some(deps))
}

/// Helm's `resolver.HashReq`: `sha256:` and the hex sha256 of Go's JSON of
/// `[requested, locked]` dependencies.
pub fn hash_req(req: &[Dependency], lock: &[Dependency]) -> String {
    let json = format!("[{},{}]", go_deps_json(req), go_deps_json(lock));
    let d = Sha256::digest(json.as_bytes());
    let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Go's `json.Marshal` of `[]*chart.Dependency` (field order and `omitempty` of the struct).
fn go_deps_json(deps: &[Dependency]) -> String {
    if deps.is_empty() {
        return "null".into();
    }
    let items: Vec<String> = deps
        .iter()
        .map(|d| {
            let mut f = vec![format!("\"name\":{}", go_str(&d.name))];
            if !d.version.is_empty() {
                f.push(format!("\"version\":{}", go_str(&d.version)));
            }
            f.push(format!("\"repository\":{}", go_str(&d.repository)));
            if !d.condition.is_empty() {
                f.push(format!("\"condition\":{}", go_str(&d.condition)));
            }
            if !d.tags.is_empty() {
                let tags: Vec<String> = d.tags.iter().map(|t| go_str(t)).collect();
                f.push(format!("\"tags\":[{}]", tags.join(",")));
            }
            if d.enabled {
                f.push("\"enabled\":true".into());
            }
            if !d.import_values.is_empty() {
                let iv: Vec<String> = d.import_values.iter().map(go_json).collect();
                f.push(format!("\"import-values\":[{}]", iv.join(",")));
            }
            if !d.alias.is_empty() {
                f.push(format!("\"alias\":{}", go_str(&d.alias)));
            }
            format!("{{{}}}", f.join(","))
        })
        .collect();
    format!("[{}]", items.join(","))
}

/// Go's JSON of a value: object keys sorted, Go's string escaping.
fn go_json(v: &Json) -> String {
    match v {
        Json::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", go_str(k), go_json(&m[k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Json::Array(a) => format!("[{}]", a.iter().map(go_json).collect::<Vec<_>>().join(",")),
        Json::String(s) => go_str(s),
        other => other.to_string(),
    }
}

/// Go's `encoding/json` string: HTML-safe (`<`, `>`, `&` as `\u003c`…), U+2028/9 escaped.
fn go_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
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
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A `file://` dependency: the chart at `path`, relative to the chart's directory; its
/// version must satisfy the dependency's.
fn local(
    chart: &Chart,
    dir: &ChartDir<'_>,
    d: &Dependency,
    path: &str,
) -> Result<Chart, HelmError> {
    let sub = dir
        .sub(path)
        .and_then(|sub| load_dir(&sub))
        .map_err(|e| dep_error(chart, d, &format!("{path}: {e}")))?;
    if sub.name() != d.name {
        return Err(dep_error(
            chart,
            d,
            &format!("{path} holds chart {:?}", sub.name()),
        ));
    }
    let ok = d.version.trim().is_empty()
        || d.version.trim() == "*"
        || semver::satisfies(&d.version, &sub.metadata.version);
    if !ok {
        return Err(dep_error(
            chart,
            d,
            &format!(
                "can't get a valid version for dependency: {path} holds version {}",
                sub.metadata.version
            ),
        ));
    }
    Ok(sub)
}

fn dep_error(chart: &Chart, d: &Dependency, message: &str) -> HelmError {
    HelmError::Dependency {
        chart: chart.name().to_string(),
        name: d.name.clone(),
        repository: without_userinfo(&d.repository),
        version: d.version.clone(),
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_json_of_dependencies() {
        let d = Dependency {
            name: "common".into(),
            version: ">=1.0.0 <2".into(),
            repository: "https://charts.example.com".into(),
            condition: "common.enabled".into(),
            tags: vec!["a".into()],
            import_values: vec![
                Json::String("data".into()),
                serde_json::json!({"parent": "p", "child": "c"}),
            ],
            alias: "base".into(),
            ..Dependency::default()
        };
        assert_eq!(
            go_deps_json(&[d]),
            r#"[{"name":"common","version":"\u003e=1.0.0 \u003c2","repository":"https://charts.example.com","condition":"common.enabled","tags":["a"],"import-values":["data",{"child":"c","parent":"p"}],"alias":"base"}]"#
        );
        assert_eq!(go_deps_json(&[]), "null");
    }
}

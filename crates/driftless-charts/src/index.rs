//! A chart repository's `index.yaml` (Helm's `repo.IndexFile`): chart versions, their archive
//! URLs and digests.

use crate::ChartError;
use serde::Deserialize;
use std::collections::HashMap;

/// One version of a chart in the index.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IndexEntry {
    pub version: String,
    /// Hex sha256 of the archive (empty when the index gives none).
    pub digest: String,
    pub urls: Vec<String>,
}

/// The parsed index: chart name → versions.
#[derive(Debug, Default)]
pub(crate) struct Index {
    pub entries: HashMap<String, Vec<IndexEntry>>,
}

#[derive(Deserialize)]
struct RawIndex {
    #[serde(rename = "apiVersion", default)]
    api_version: Option<serde_yaml_ng::Value>,
    #[serde(default)]
    entries: HashMap<String, Option<Vec<RawEntry>>>,
}

#[derive(Deserialize)]
struct RawEntry {
    #[serde(default)]
    version: serde_yaml_ng::Value,
    #[serde(default)]
    digest: Option<String>,
    #[serde(default)]
    urls: Option<Vec<String>>,
}

fn scalar(v: &serde_yaml_ng::Value) -> String {
    match v {
        serde_yaml_ng::Value::String(s) => s.clone(),
        serde_yaml_ng::Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

impl Index {
    /// Parses `index.yaml` (or its JSON form) as Helm loads it: an index without `apiVersion`
    /// is refused.
    pub(crate) fn parse(repo: &str, data: &[u8]) -> Result<Index, ChartError> {
        let invalid = |m: String| ChartError::Invalid {
            repo: repo.to_string(),
            message: m,
        };
        let raw: RawIndex = serde_yaml_ng::from_slice(data)
            .map_err(|e| invalid(format!("index.yaml does not parse: {e}")))?;
        if raw
            .api_version
            .as_ref()
            .is_none_or(|v| scalar(v).is_empty())
        {
            return Err(invalid("index.yaml: no API version specified".into()));
        }
        let entries = raw
            .entries
            .into_iter()
            .map(|(name, vs)| {
                let vs = vs
                    .unwrap_or_default()
                    .into_iter()
                    .map(|e| IndexEntry {
                        version: scalar(&e.version),
                        digest: e
                            .digest
                            .unwrap_or_default()
                            .trim_start_matches("sha256:")
                            .to_ascii_lowercase(),
                        urls: e.urls.unwrap_or_default(),
                    })
                    .collect();
                (name, vs)
            })
            .collect();
        Ok(Index { entries })
    }

    /// The version of `chart` that `constraint` picks (Helm's `IndexFile.Get`).
    pub(crate) fn get(
        &self,
        repo: &str,
        chart: &str,
        constraint: &str,
    ) -> Result<&IndexEntry, ChartError> {
        let vs = self
            .entries
            .get(chart)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ChartError::ChartNotFound {
                repo: repo.to_string(),
                chart: chart.to_string(),
            })?;
        let names: Vec<String> = vs.iter().map(|e| e.version.clone()).collect();
        let picked =
            crate::pick_version(&names, constraint).map_err(|_| ChartError::BadConstraint {
                repo: repo.to_string(),
                chart: chart.to_string(),
                constraint: constraint.to_string(),
            })?;
        match picked {
            Some(v) => Ok(vs.iter().find(|e| e.version == v).expect("picked from vs")),
            None => Err(ChartError::NoVersion {
                repo: repo.to_string(),
                chart: chart.to_string(),
                constraint: constraint.to_string(),
                available: newest(&names, 5),
            }),
        }
    }
}

/// The `n` newest parseable versions, newest first.
pub(crate) fn newest(versions: &[String], n: usize) -> Vec<String> {
    use driftless_helm::chart::semver::Version;
    let mut vs: Vec<(Version, &String)> = versions
        .iter()
        .filter_map(|v| Version::parse(v).ok().map(|p| (p, v)))
        .collect();
    vs.sort_by(|a, b| b.0.compare(&a.0));
    vs.into_iter().take(n).map(|(_, v)| v.clone()).collect()
}

/// The absolute URL of an archive: `url` as it is when absolute, else relative to the
/// repository's base URL (Helm's `ResolveReferenceURL`, the base taken as a directory).
pub(crate) fn resolve_url(base: &str, url: &str) -> Result<String, String> {
    if url.contains("://") {
        return Ok(url.to_string());
    }
    let base = reqwest::Url::parse(&format!("{}/", base.trim_end_matches('/')))
        .map_err(|e| format!("repository URL does not parse: {e}"))?;
    base.join(url)
        .map(|u| u.to_string())
        .map_err(|e| format!("chart URL {url:?} does not parse: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "apiVersion: v1\nentries:\n  web:\n  - name: web\n    version: 1.2.0\n    digest: ABC\n    urls: [charts/web-1.2.0.tgz]\n  - name: web\n    version: 1.10.0\n    digest: sha256:def\n    urls: [https://cdn.example.com/web-1.10.0.tgz]\n  - name: web\n    version: 2.0.0-beta.1\n    urls: [web-2.0.0-beta.1.tgz]\n  empty: []\ngenerated: x\n";

    #[test]
    fn picks_versions_as_helm_does() {
        let i = Index::parse("r", INDEX.as_bytes()).unwrap();
        assert_eq!(i.get("r", "web", "").unwrap().version, "1.10.0");
        assert_eq!(i.get("r", "web", "*").unwrap().digest, "def");
        assert_eq!(i.get("r", "web", "~1.2").unwrap().digest, "abc");
        assert_eq!(
            i.get("r", "web", "2.0.0-beta.1").unwrap().version,
            "2.0.0-beta.1"
        );
        let e = i.get("r", "web", "^3").unwrap_err().to_string();
        assert!(
            e.contains("no version matches \"^3\"") && e.contains("1.10.0, 1.2.0"),
            "{e}"
        );
        let e = i.get("r", "empty", "").unwrap_err().to_string();
        assert!(
            e.contains("chart \"empty\" not found in repository r"),
            "{e}"
        );
        assert!(matches!(
            i.get("r", "web", "~~~"),
            Err(ChartError::BadConstraint { .. })
        ));
        let e = Index::parse("r", b"entries: {}\n").unwrap_err().to_string();
        assert!(e.contains("no API version"), "{e}");
    }

    #[test]
    fn archive_urls_relative_to_the_repository() {
        let b = "https://h.example.com/charts/stable";
        assert_eq!(
            resolve_url(b, "web-1.0.0.tgz").unwrap(),
            "https://h.example.com/charts/stable/web-1.0.0.tgz"
        );
        assert_eq!(
            resolve_url(b, "/dl/web-1.0.0.tgz").unwrap(),
            "https://h.example.com/dl/web-1.0.0.tgz"
        );
        assert_eq!(resolve_url(b, "http://x/y.tgz").unwrap(), "http://x/y.tgz");
    }
}

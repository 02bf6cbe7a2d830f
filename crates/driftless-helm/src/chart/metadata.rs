//! `Chart.yaml`: chart metadata and declared dependencies.

use std::collections::BTreeMap;

use serde_yaml_ng::Value as Yaml;

use crate::error::HelmError;

/// A maintainer entry of `Chart.yaml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Maintainer {
    /// `name`.
    pub name: String,
    /// `email`.
    pub email: String,
    /// `url`.
    pub url: String,
}

/// A dependency declared in `Chart.yaml` (or `requirements.yaml` of a v1 chart).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dependency {
    /// `name`: the subchart's chart name.
    pub name: String,
    /// `version`: a semver constraint.
    pub version: String,
    /// `repository`.
    pub repository: String,
    /// `condition`: comma-separated values paths.
    pub condition: String,
    /// `tags`.
    pub tags: Vec<String>,
    /// `enabled` (set while processing conditions and tags).
    pub enabled: bool,
    /// `import-values`: strings or `{child, parent}` maps.
    pub import_values: Vec<serde_json::Value>,
    /// `alias`.
    pub alias: String,
}

/// The contents of `Chart.yaml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    /// `name`.
    pub name: String,
    /// `home`.
    pub home: String,
    /// `sources`.
    pub sources: Vec<String>,
    /// `version`.
    pub version: String,
    /// `description`.
    pub description: String,
    /// `keywords`.
    pub keywords: Vec<String>,
    /// `maintainers`.
    pub maintainers: Vec<Maintainer>,
    /// `icon`.
    pub icon: String,
    /// `apiVersion` (`v1` when absent, as Helm assumes).
    pub api_version: String,
    /// `condition`.
    pub condition: String,
    /// `tags`.
    pub tags: String,
    /// `appVersion`.
    pub app_version: String,
    /// `deprecated`.
    pub deprecated: bool,
    /// `annotations`.
    pub annotations: BTreeMap<String, String>,
    /// `kubeVersion`.
    pub kube_version: String,
    /// `dependencies`.
    pub dependencies: Vec<Dependency>,
    /// `type`: `application`, `library` or empty.
    pub chart_type: String,
}

/// A scalar as the string Go's YAML-to-JSON conversion gives a string field.
fn scalar(v: &Yaml) -> String {
    match v {
        Yaml::String(s) => s.clone(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

fn field<'a>(m: &'a serde_yaml_ng::Mapping, key: &str) -> Option<&'a Yaml> {
    m.get(key).filter(|v| !v.is_null())
}

fn str_field(m: &serde_yaml_ng::Mapping, key: &str) -> String {
    field(m, key).map(scalar).unwrap_or_default()
}

fn list_field(m: &serde_yaml_ng::Mapping, key: &str) -> Vec<String> {
    match field(m, key) {
        Some(Yaml::Sequence(s)) => s.iter().map(scalar).collect(),
        _ => Vec::new(),
    }
}

impl Dependency {
    fn from_yaml(v: &Yaml) -> Dependency {
        let Some(m) = v.as_mapping() else {
            return Dependency::default();
        };
        let import_values = match field(m, "import-values") {
            Some(Yaml::Sequence(s)) => s
                .iter()
                .map(|x| crate::values::yaml_to_json(x.clone()))
                .collect(),
            _ => Vec::new(),
        };
        Dependency {
            name: str_field(m, "name"),
            version: str_field(m, "version"),
            repository: str_field(m, "repository"),
            condition: str_field(m, "condition"),
            tags: list_field(m, "tags"),
            enabled: matches!(field(m, "enabled"), Some(Yaml::Bool(true))),
            import_values,
            alias: str_field(m, "alias"),
        }
    }

    /// The name this dependency goes by: its alias, else its name.
    pub fn effective_name(&self) -> &str {
        if self.alias.is_empty() {
            &self.name
        } else {
            &self.alias
        }
    }
}

impl Metadata {
    /// Parses `Chart.yaml`. An absent `apiVersion` becomes `v1`.
    pub fn parse(data: &[u8]) -> Result<Metadata, HelmError> {
        let y = parse_mapping(data)
            .map_err(|e| HelmError::InvalidChart(format!("cannot load Chart.yaml: {e}")))?;
        let mut md = Metadata {
            name: str_field(&y, "name"),
            home: str_field(&y, "home"),
            sources: list_field(&y, "sources"),
            version: str_field(&y, "version"),
            description: str_field(&y, "description"),
            keywords: list_field(&y, "keywords"),
            icon: str_field(&y, "icon"),
            api_version: str_field(&y, "apiVersion"),
            condition: str_field(&y, "condition"),
            tags: str_field(&y, "tags"),
            app_version: str_field(&y, "appVersion"),
            deprecated: matches!(field(&y, "deprecated"), Some(Yaml::Bool(true))),
            kube_version: str_field(&y, "kubeVersion"),
            chart_type: str_field(&y, "type"),
            ..Metadata::default()
        };
        if let Some(Yaml::Sequence(ms)) = field(&y, "maintainers") {
            md.maintainers = ms
                .iter()
                .filter_map(|m| m.as_mapping())
                .map(|m| Maintainer {
                    name: str_field(m, "name"),
                    email: str_field(m, "email"),
                    url: str_field(m, "url"),
                })
                .collect();
        }
        if let Some(Yaml::Mapping(a)) = field(&y, "annotations") {
            for (k, v) in a {
                md.annotations.insert(scalar(k), scalar(v));
            }
        }
        md.set_dependencies(&y);
        if md.api_version.is_empty() {
            md.api_version = "v1".into();
        }
        Ok(md)
    }

    /// Reads the `dependencies` of a v1 chart's `requirements.yaml`.
    pub fn merge_requirements(&mut self, data: &[u8]) -> Result<(), HelmError> {
        let y = parse_mapping(data)
            .map_err(|e| HelmError::InvalidChart(format!("cannot load requirements.yaml: {e}")))?;
        self.set_dependencies(&y);
        Ok(())
    }

    fn set_dependencies(&mut self, y: &serde_yaml_ng::Mapping) {
        if let Some(Yaml::Sequence(ds)) = field(y, "dependencies") {
            self.dependencies = ds.iter().map(Dependency::from_yaml).collect();
        }
    }

    /// Helm's `Metadata.Validate`.
    pub fn validate(&self) -> Result<(), HelmError> {
        let v = |m: String| Err(HelmError::Validation(m));
        if self.api_version.is_empty() {
            return v("chart.metadata.apiVersion is required".into());
        }
        if self.name.is_empty() {
            return v("chart.metadata.name is required".into());
        }
        if self.name.contains('/') || self.name == "." || self.name == ".." {
            return v(format!("chart.metadata.name {:?} is invalid", self.name));
        }
        if self.version.is_empty() {
            return v("chart.metadata.version is required".into());
        }
        if super::semver::Version::parse(&self.version).is_err() {
            return v(format!(
                "chart.metadata.version {:?} is invalid",
                self.version
            ));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return v("chart.metadata.type must be application or library".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for d in &self.dependencies {
            if !d.alias.is_empty()
                && !d
                    .alias
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return v(format!(
                    "dependency {:?} has disallowed characters in the alias",
                    d.name
                ));
            }
            let key = d.effective_name().to_string();
            if !seen.insert(key.clone()) {
                return v(format!(
                    "more than one dependency with name or alias {key:?}"
                ));
            }
        }
        Ok(())
    }

    /// Whether this is a library chart (`type: library`).
    pub fn is_library(&self) -> bool {
        self.chart_type == "library"
    }
}

fn parse_mapping(data: &[u8]) -> Result<serde_yaml_ng::Mapping, String> {
    let text = String::from_utf8_lossy(data);
    if text.trim().is_empty() {
        return Ok(serde_yaml_ng::Mapping::new());
    }
    match serde_yaml_ng::from_str::<Yaml>(&text).map_err(|e| e.to_string())? {
        Yaml::Mapping(m) => Ok(m),
        Yaml::Null => Ok(serde_yaml_ng::Mapping::new()),
        _ => Err(
            "error unmarshaling JSON: json: cannot unmarshal into Go value of type chart.Metadata"
                .into(),
        ),
    }
}

//! Argo CD `Application` manifests (`argoproj.io/v1alpha1`), the fields Driftless reads.

use serde::{Deserialize, Serialize};

/// An Argo CD `Application`.
///
/// ```
/// let yaml = r#"
/// apiVersion: argoproj.io/v1alpha1
/// kind: Application
/// metadata: {name: guestbook, namespace: argocd}
/// spec:
///   source: {repoURL: "https://example.com/repo.git", targetRevision: HEAD, path: guestbook}
///   destination: {server: "https://kubernetes.default.svc", namespace: default}
///   syncPolicy:
///     automated: {prune: true}
///     syncOptions: [CreateNamespace=true]
/// "#;
/// let app = driftless_runtime::Application::from_yaml(yaml).unwrap();
/// assert_eq!(app.metadata.name, "guestbook");
/// assert!(app.spec.sync_policy.automated.unwrap().prune);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// `argoproj.io/v1alpha1`.
    pub api_version: String,
    /// `Application`.
    pub kind: String,
    /// Name and namespace of the Application.
    pub metadata: AppMetadata,
    /// What to deploy, where, and how.
    pub spec: ApplicationSpec,
}

/// The metadata Driftless reads.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AppMetadata {
    /// Application name (used for tracking).
    pub name: String,
    /// Namespace of the Application object itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// `spec` of an Application.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSpec {
    /// The single source (`spec.source`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ApplicationSource>,
    /// Multiple sources (`spec.sources`); Driftless renders each and concatenates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<ApplicationSource>,
    /// Where to deploy.
    #[serde(default)]
    pub destination: Destination,
    /// Argo CD project (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// How to sync.
    #[serde(default)]
    pub sync_policy: SyncPolicy,
    /// Differences to ignore.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_differences: Vec<serde_json::Value>,
}

/// `spec.source`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSource {
    /// Repository URL or local path.
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    /// Branch, tag, commit or `HEAD` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_revision: Option<String>,
    /// Directory inside the repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Chart name, for Helm repositories (not supported yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    /// Directory options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<DirectorySource>,
    /// Helm options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm: Option<HelmSource>,
    /// Kustomize options (kept as given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kustomize: Option<serde_json::Value>,
}

/// `spec.source.directory`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectorySource {
    /// Recurse into subdirectories.
    #[serde(default)]
    pub recurse: bool,
    /// Glob of files to include (Argo CD allows `{a,b}` alternatives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<String>,
    /// Glob of files to exclude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<String>,
}

/// `spec.source.helm`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmSource {
    /// Value files, relative to the chart directory.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub value_files: Vec<String>,
    /// `--set` style parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<HelmParameter>,
    /// Inline values as a YAML string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<String>,
    /// Inline values as an object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_object: Option<serde_json::Value>,
    /// Release name (default: the application name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
}

/// One Helm parameter.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmParameter {
    /// Key path (`a.b[0]`).
    pub name: String,
    /// Value.
    #[serde(default)]
    pub value: String,
    /// Pass as `--set-string`.
    #[serde(default)]
    pub force_string: bool,
}

/// `spec.destination`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Destination {
    /// API server URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Cluster name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Default namespace of namespaced objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// `spec.syncPolicy`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicy {
    /// Automated sync settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated: Option<Automated>,
    /// `Key=Value` sync options.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sync_options: Vec<String>,
}

/// `spec.syncPolicy.automated`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Automated {
    /// Prune objects that left Git.
    #[serde(default)]
    pub prune: bool,
    /// Revert manual drift.
    #[serde(default)]
    pub self_heal: bool,
    /// Allow a render with zero objects (and so pruning everything).
    #[serde(default)]
    pub allow_empty: bool,
}

/// Why an Application manifest was refused.
#[derive(Debug, thiserror::Error)]
pub enum ApplicationError {
    /// Not valid YAML or not the expected shape.
    #[error("invalid Application manifest: {0}")]
    Parse(#[from] serde_yaml_ng::Error),
    /// Wrong apiVersion/kind.
    #[error(
        "expected kind Application of apiVersion argoproj.io/v1alpha1, found {kind} of {api_version}"
    )]
    WrongKind {
        /// apiVersion found.
        api_version: String,
        /// kind found.
        kind: String,
    },
    /// No source given.
    #[error("Application {0}: spec.source (or spec.sources) is required")]
    NoSource(String),
}

impl Application {
    /// Parses and checks an Application manifest.
    pub fn from_yaml(text: &str) -> Result<Self, ApplicationError> {
        let app: Application = serde_yaml_ng::from_str(text)?;
        if app.kind != "Application" || !app.api_version.starts_with("argoproj.io/") {
            return Err(ApplicationError::WrongKind {
                api_version: app.api_version,
                kind: app.kind,
            });
        }
        if app.spec.source.is_none() && app.spec.sources.is_empty() {
            return Err(ApplicationError::NoSource(app.metadata.name));
        }
        Ok(app)
    }

    /// All sources, single or multiple.
    pub fn sources(&self) -> Vec<&ApplicationSource> {
        self.spec
            .source
            .iter()
            .chain(self.spec.sources.iter())
            .collect()
    }

    /// True when automated prune is on.
    pub fn auto_prune(&self) -> bool {
        self.spec.sync_policy.automated.is_some_and(|a| a.prune)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_kind_is_refused() {
        let err = Application::from_yaml(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nspec: {}\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("found ConfigMap of v1"), "{err}");
    }

    #[test]
    fn missing_source_is_refused() {
        let err = Application::from_yaml(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: x}\nspec: {destination: {namespace: a}}\n",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Application x: spec.source (or spec.sources) is required"
        );
    }

    #[test]
    fn helm_source_fields() {
        let app = Application::from_yaml(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: x}\nspec:\n  source:\n    repoURL: r\n    path: charts/shop\n    helm:\n      valueFiles: [values-prod.yaml]\n      parameters: [{name: image.tag, value: v2, forceString: true}]\n",
        )
        .unwrap();
        let helm = app.sources()[0].helm.clone().unwrap();
        assert_eq!(helm.value_files, vec!["values-prod.yaml"]);
        assert!(helm.parameters[0].force_string);
    }
}

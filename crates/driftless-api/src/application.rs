//! The Argo CD `Application` (`argoproj.io/v1alpha1`): spec, status and the operation field.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

use crate::fields::Extra;
use crate::operation::Operation;
use crate::source::{ApplicationSource, Destination};
use crate::status::ApplicationStatus;
use crate::sync_policy::{Automated, SyncPolicy};

/// The metadata of an Application: Kubernetes' `ObjectMeta` (name, namespace, labels,
/// annotations, finalizers, resourceVersion, …).
pub type AppMetadata = ObjectMeta;

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
/// let app = driftless_api::Application::from_yaml(yaml).unwrap();
/// assert_eq!(app.name(), "guestbook");
/// assert!(app.spec.sync_policy.automated.unwrap().prune);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// `argoproj.io/v1alpha1`.
    #[serde(default)]
    pub api_version: String,
    /// `Application`.
    #[serde(default)]
    pub kind: String,
    /// Name, namespace, labels, annotations, finalizers, resourceVersion, …
    #[serde(default)]
    pub metadata: AppMetadata,
    /// What to deploy, where, and how.
    #[serde(default)]
    pub spec: ApplicationSpec,
    /// What the controller observed and did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ApplicationStatus>,
    /// A requested operation (what `argocd app sync` writes); cleared when it ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec` of an Application.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSpec {
    /// The single source (`spec.source`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ApplicationSource>,
    /// Multiple sources (`spec.sources`); when set, `source` is ignored (as Argo CD).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<ApplicationSource>,
    /// Where to deploy.
    #[serde(default)]
    pub destination: Destination,
    /// Argo CD project (empty means `default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// How to sync.
    #[serde(default, skip_serializing_if = "SyncPolicy::is_empty")]
    pub sync_policy: SyncPolicy,
    /// Differences to ignore (Argo CD's `ResourceIgnoreDifferences` entries, interpreted by
    /// `driftless-diff`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_differences: Vec<serde_json::Value>,
    /// Informational name/value pairs shown with the Application.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub info: Vec<Info>,
    /// How many `status.history` entries to keep (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<i64>,
    /// Argo CD's source hydrator settings (kept as given; not used by Driftless).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_hydrator: Option<serde_json::Value>,
    /// Driftless only (`spec.dependsOn`; Argo CD's CRD prunes it): Applications, `name` or
    /// `namespace/name`, that must be Synced and Healthy before this one syncs — the same as the
    /// `driftless.dev/depends-on` annotation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A name/value pair (`spec.info[]`, `operation.info[]`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Info {
    /// Title.
    #[serde(default)]
    pub name: String,
    /// Content.
    #[serde(default)]
    pub value: String,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
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

/// The default number of `status.history` entries Argo CD keeps.
pub const DEFAULT_REVISION_HISTORY_LIMIT: i64 = 10;

impl Application {
    /// An Application with `apiVersion`/`kind` set, the given name and namespace, and `spec`.
    pub fn new(name: &str, namespace: &str, spec: ApplicationSpec) -> Self {
        Application {
            api_version: crate::API_VERSION.to_string(),
            kind: "Application".to_string(),
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                namespace: Some(namespace.to_string()),
                ..Default::default()
            },
            spec,
            status: None,
            operation: None,
            extra: Extra::new(),
        }
    }

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
            return Err(ApplicationError::NoSource(app.name().to_string()));
        }
        Ok(app)
    }

    /// `metadata.name` (empty when unset).
    pub fn name(&self) -> &str {
        self.metadata.name.as_deref().unwrap_or("")
    }

    /// `metadata.namespace` (empty when unset).
    pub fn namespace(&self) -> &str {
        self.metadata.namespace.as_deref().unwrap_or("")
    }

    /// `spec.project`, or `default` when empty (as Argo CD).
    pub fn project(&self) -> &str {
        self.spec
            .project
            .as_deref()
            .filter(|p| !p.is_empty())
            .unwrap_or("default")
    }

    /// All sources: `spec.sources` when set, else `spec.source` (Argo CD's `GetSources`).
    pub fn sources(&self) -> Vec<&ApplicationSource> {
        if self.spec.sources.is_empty() {
            self.spec.source.iter().collect()
        } else {
            self.spec.sources.iter().collect()
        }
    }

    /// True when `spec.sources` is used.
    pub fn has_multiple_sources(&self) -> bool {
        !self.spec.sources.is_empty()
    }

    /// The automated sync settings when automated sync is on.
    pub fn automated(&self) -> Option<Automated> {
        self.spec.sync_policy.automated_enabled()
    }

    /// True when automated prune is on.
    pub fn auto_prune(&self) -> bool {
        self.automated().is_some_and(|a| a.prune)
    }

    /// True when the Application carries `finalizer` (e.g. [`crate::RESOURCES_FINALIZER`]).
    pub fn has_finalizer(&self, finalizer: &str) -> bool {
        self.metadata
            .finalizers
            .as_ref()
            .is_some_and(|f| f.iter().any(|x| x == finalizer))
    }

    /// The Applications this one depends on, as written (`name` or `namespace/name`): the
    /// comma-separated `driftless.dev/depends-on` annotation, then `spec.dependsOn`; blanks
    /// dropped, duplicates once.
    pub fn dependencies(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let annotated = self
            .annotation(driftless_core::annotations::DEPENDS_ON)
            .unwrap_or("")
            .split(',');
        for d in annotated.chain(self.spec.depends_on.iter().map(String::as_str)) {
            let d = d.trim();
            if !d.is_empty() && !out.iter().any(|o| o == d) {
                out.push(d.to_string());
            }
        }
        out
    }

    /// The value of annotation `key`.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(key))
            .map(String::as_str)
    }

    /// `spec.revisionHistoryLimit`, or 10.
    pub fn revision_history_limit(&self) -> i64 {
        self.spec
            .revision_history_limit
            .unwrap_or(DEFAULT_REVISION_HISTORY_LIMIT)
    }
}

crate::resource::impl_resource!(Application, "Application", "applications");

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
    fn dependencies_from_the_annotation_and_the_spec() {
        let app = Application::from_yaml(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: x\n  annotations: {driftless.dev/depends-on: 'db, ops/dns,'}\nspec:\n  source: {repoURL: r, path: p}\n  dependsOn: [cache, db]\n",
        )
        .unwrap();
        assert_eq!(app.dependencies(), ["db", "ops/dns", "cache"]);
        let back = serde_json::to_value(&app).unwrap();
        assert_eq!(back["spec"]["dependsOn"][0], "cache");
    }

    #[test]
    fn helm_source_fields() {
        let app = Application::from_yaml(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: x}\nspec:\n  source:\n    repoURL: r\n    path: charts/shop\n    helm:\n      valueFiles: [values-prod.yaml]\n      parameters: [{name: image.tag, value: v2, forceString: true}]\n      fileParameters: [{name: cfg, path: files/cfg.txt}]\n      skipCrds: true\n",
        )
        .unwrap();
        let helm = app.sources()[0].helm.clone().unwrap();
        assert_eq!(helm.value_files, vec!["values-prod.yaml"]);
        assert!(helm.parameters[0].force_string);
        assert_eq!(helm.file_parameters[0].path, "files/cfg.txt");
        assert!(helm.skip_crds);
    }

    #[test]
    fn sources_win_over_source_and_project_defaults() {
        let app = Application::from_yaml(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: x}\nspec:\n  source: {repoURL: a}\n  sources: [{repoURL: b}, {repoURL: c, ref: values}]\n",
        )
        .unwrap();
        let urls: Vec<&str> = app.sources().iter().map(|s| s.repo_url.as_str()).collect();
        assert_eq!(urls, ["b", "c"]);
        assert!(app.sources()[1].is_ref_only());
        assert_eq!(app.project(), "default");
    }

    #[test]
    fn automated_enabled_false_turns_automation_off() {
        let app = Application::from_yaml(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: x}\nspec:\n  source: {repoURL: a}\n  syncPolicy: {automated: {prune: true, enabled: false}}\n",
        )
        .unwrap();
        assert!(app.automated().is_none());
        assert!(!app.auto_prune());
    }
}

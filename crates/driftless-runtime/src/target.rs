//! A sync target: what to render and where to put it, from an `Application` or from flags.

use crate::{Application, ApplicationSource};
use std::path::Path;

/// How to render the source (the flags of `driftless render`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RenderSettings {
    /// Recurse into subdirectories (directory sources).
    pub recurse: bool,
    /// Include globs.
    pub include: Vec<String>,
    /// Exclude globs.
    pub exclude: Vec<String>,
    /// Duplicate objects are errors rather than warnings.
    pub strict: bool,
    /// Helm value files, relative to the chart directory.
    pub helm_values: Vec<String>,
    /// Helm `--set` expressions.
    pub helm_set: Vec<String>,
    /// Helm `--set-string` expressions.
    pub helm_set_string: Vec<String>,
    /// Inline Helm values (YAML).
    pub helm_values_inline: Option<String>,
    /// Helm release name.
    pub release_name: Option<String>,
    /// Kubernetes version for `.Capabilities`.
    pub kube_version: Option<String>,
    /// Extra API versions for `.Capabilities.APIVersions`.
    pub api_versions: Vec<String>,
}

/// What to sync: an application's source and destination.
///
/// ```
/// use driftless_runtime::{Application, Target};
/// let app = Application::from_yaml("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n  source: {repoURL: ., path: apps/web, directory: {recurse: true}}\n  destination: {namespace: shop}\n  syncPolicy: {automated: {prune: true}, syncOptions: [CreateNamespace=true]}\n").unwrap();
/// let t = Target::from_application(&app).unwrap();
/// assert_eq!((t.app.as_str(), t.path.as_str(), t.namespace.as_str()), ("web", "apps/web", "shop"));
/// assert!(t.prune && t.render.recurse);
/// assert_eq!(t.sync_options, ["CreateNamespace=true"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Target {
    /// Application name (tracking ids use it).
    pub app: String,
    /// Repository URL or local path.
    pub repo: String,
    /// Revision (`HEAD` by default).
    pub revision: String,
    /// Directory inside the repository.
    pub path: String,
    /// Render settings.
    pub render: RenderSettings,
    /// Destination namespace for namespaced objects without one.
    pub namespace: String,
    /// Application-level sync options (`Key=Value`).
    pub sync_options: Vec<String>,
    /// Prune objects that left Git.
    pub prune: bool,
    /// Allow a render with zero objects.
    pub allow_empty: bool,
    /// Argo CD `ignoreDifferences` entries.
    pub ignore_differences: Vec<serde_json::Value>,
    /// Credentials for the repository (never printed).
    pub credentials: driftless_source::Credentials,
    /// How objects are marked as the application's (Argo CD's
    /// `application.resourceTrackingMethod`; annotation by default).
    pub tracking: driftless_apply::TrackingMethod,
}

/// Why a target cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// Several sources are not supported yet.
    #[error("Application {0}: multiple sources are not supported yet; use spec.source")]
    MultipleSources(String),
    /// Helm repository charts (`chart:`) are not supported yet.
    #[error(
        "Application {0}: spec.source.chart (charts from Helm repositories) is not supported yet; point at a chart directory in Git"
    )]
    HelmRepository(String),
}

impl Target {
    /// The target of an Argo CD Application.
    pub fn from_application(app: &Application) -> Result<Self, TargetError> {
        let name = app.name().to_string();
        let sources = app.sources();
        if sources.len() > 1 {
            return Err(TargetError::MultipleSources(name));
        }
        let src: &ApplicationSource = sources[0];
        if src.chart.is_some() {
            return Err(TargetError::HelmRepository(name));
        }
        let mut render = RenderSettings::default();
        if let Some(d) = &src.directory {
            render.recurse = d.recurse;
            render
                .include
                .extend(d.include.iter().flat_map(|g| split_alternatives(g)));
            render
                .exclude
                .extend(d.exclude.iter().flat_map(|g| split_alternatives(g)));
        }
        if let Some(h) = &src.helm {
            render.helm_values = h.value_files.clone();
            for p in &h.parameters {
                let expr = format!("{}={}", p.name, p.value);
                if p.force_string {
                    render.helm_set_string.push(expr);
                } else {
                    render.helm_set.push(expr);
                }
            }
            render.helm_values_inline = match (&h.values_object, &h.values) {
                (Some(obj), _) => serde_yaml_ng::to_string(obj).ok(),
                (None, Some(text)) => Some(text.clone()),
                _ => None,
            };
            render.release_name = h.release_name.clone().or_else(|| Some(name.clone()));
        }
        let automated = app.automated();
        Ok(Target {
            app: name,
            repo: src.repo_url.clone(),
            revision: src
                .target_revision
                .clone()
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| "HEAD".into()),
            path: src.path.clone().unwrap_or_else(|| ".".into()),
            render,
            namespace: app.spec.destination.namespace.clone().unwrap_or_default(),
            sync_options: app.spec.sync_policy.sync_options.clone(),
            prune: automated.is_some_and(|a| a.prune),
            allow_empty: automated.is_some_and(|a| a.allow_empty),
            ignore_differences: app.spec.ignore_differences.clone(),
            credentials: Default::default(),
            tracking: Default::default(),
        })
    }

    /// The default application name for a path: its last component (`apps/web` → `web`).
    ///
    /// ```
    /// assert_eq!(driftless_runtime::Target::default_app_name("apps/web/"), "web");
    /// assert_eq!(driftless_runtime::Target::default_app_name("."), "app");
    /// ```
    pub fn default_app_name(path: &str) -> String {
        Path::new(path.trim_end_matches('/'))
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty() && *n != ".")
            .unwrap_or("app")
            .to_string()
    }
}

/// Argo CD accepts `{a.yaml,b.yaml}` for several globs in one include/exclude string.
fn split_alternatives(glob: &str) -> Vec<String> {
    match glob.strip_prefix('{').and_then(|g| g.strip_suffix('}')) {
        Some(inner) if !inner.contains('{') => {
            inner.split(',').map(|s| s.trim().to_string()).collect()
        }
        _ => vec![glob.to_string()],
    }
}

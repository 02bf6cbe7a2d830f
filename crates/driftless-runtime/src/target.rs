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
    /// Helm `--set-string` expressions (Argo CD's `forceString` parameters).
    pub helm_set_string: Vec<String>,
    /// Helm `--set-file` parameters `(key, path)`, the path relative to the chart directory
    /// (Argo CD's `fileParameters`).
    pub helm_set_file: Vec<(String, String)>,
    /// Inline Helm values (YAML; Argo CD's `valuesObject`, else `values`).
    pub helm_values_inline: Option<String>,
    /// Helm release name.
    pub release_name: Option<String>,
    /// Kubernetes version for `.Capabilities`.
    pub kube_version: Option<String>,
    /// Extra API versions for `.Capabilities.APIVersions`.
    pub api_versions: Vec<String>,
    /// Jsonnet options of a directory source (`directory.jsonnet`).
    pub jsonnet: JsonnetSettings,
    /// Argo CD's `spec.source.kustomize`, applied to a copy of the kustomization.
    pub kustomize: driftless_render::KustomizeSpec,
    /// Argo CD's `spec.source.plugin` (`None`: a configured plugin may still be discovered).
    pub plugin: Option<driftless_render::PluginSource>,
}

/// Argo CD's `spec.source.directory.jsonnet`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JsonnetSettings {
    /// Top-level arguments (`tlas`).
    pub tlas: Vec<driftless_render::JsonnetVar>,
    /// External variables (`extVars`).
    pub ext_vars: Vec<driftless_render::JsonnetVar>,
    /// Library search paths, relative to the repository root (`libs`).
    pub libs: Vec<String>,
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
    /// Argo CD project (`ARGOCD_APP_PROJECT_NAME` of builds).
    pub project: String,
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
    /// The API server of the destination when it is another cluster than the engine's own
    /// (set by [`crate::Engine::target`] from the cluster Secrets); `None`: the engine's own.
    pub cluster: Option<String>,
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
    /// A Kustomize replica count that is not a number.
    #[error(
        "Application {app}: spec.source.kustomize.replicas[{name}].count {count:?} is not a number"
    )]
    ReplicaCount {
        /// The application.
        app: String,
        /// The workload named by the entry.
        name: String,
        /// The count as written.
        count: String,
    },
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
            if let Some(j) = &d.jsonnet {
                let vars = |v: &[driftless_api::JsonnetVar]| {
                    v.iter()
                        .map(|v| driftless_render::JsonnetVar {
                            name: v.name.clone(),
                            value: v.value.clone(),
                            code: v.code,
                        })
                        .collect()
                };
                render.jsonnet = JsonnetSettings {
                    tlas: vars(&j.tlas),
                    ext_vars: vars(&j.ext_vars),
                    libs: j.libs.clone(),
                };
            }
        }
        if let Some(k) = &src.kustomize {
            render.kustomize = kustomize_spec(&name, k)?;
        }
        if let Some(p) = &src.plugin {
            render.plugin = Some(plugin_source(p));
        }
        if let Some(h) = &src.helm {
            render.helm_values = h.value_files.clone();
            for p in &h.parameters {
                let expr = format!("{}={}", p.name, escape_set_value(&p.value));
                if p.force_string {
                    render.helm_set_string.push(expr);
                } else {
                    render.helm_set.push(expr);
                }
            }
            render.helm_set_file = h
                .file_parameters
                .iter()
                .map(|p| (p.name.clone(), p.path.clone()))
                .collect();
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
            project: app.project().to_string(),
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
            cluster: None,
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

/// Argo CD's `spec.source.kustomize` as the renderer's edits.
fn kustomize_spec(
    app: &str,
    k: &driftless_api::KustomizeSource,
) -> Result<driftless_render::KustomizeSpec, TargetError> {
    let mut replicas = Vec::new();
    for r in &k.replicas {
        // IntOrString: a number, or a string holding one.
        let written = match serde_json::to_value(&r.count) {
            Ok(serde_json::Value::String(s)) => s,
            Ok(v) => v.to_string(),
            Err(_) => String::new(),
        };
        let count = written
            .trim()
            .parse()
            .map_err(|_| TargetError::ReplicaCount {
                app: app.to_string(),
                name: r.name.clone(),
                count: written.clone(),
            })?;
        replicas.push((r.name.clone(), count));
    }
    Ok(driftless_render::KustomizeSpec {
        name_prefix: k.name_prefix.clone().unwrap_or_default(),
        name_suffix: k.name_suffix.clone().unwrap_or_default(),
        images: k.images.clone(),
        replicas,
        common_labels: k.common_labels.clone(),
        force_common_labels: k.force_common_labels,
        label_without_selector: k.label_without_selector,
        label_include_templates: k
            .extra
            .get("labelIncludeTemplates")
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        common_annotations: k.common_annotations.clone(),
        force_common_annotations: k.force_common_annotations,
        common_annotations_envsubst: k.common_annotations_envsubst,
        namespace: k.namespace.clone().unwrap_or_default(),
        patches: k.patches.clone(),
        components: k.components.clone(),
        ignore_missing_components: k.ignore_missing_components,
        version: k.version.clone(),
        kube_version: k.kube_version.clone(),
        api_versions: k.api_versions.clone(),
    })
}

/// Argo CD's `spec.source.plugin` as the renderer's plugin choice.
fn plugin_source(p: &driftless_api::PluginSource) -> driftless_render::PluginSource {
    driftless_render::PluginSource {
        name: p.name.clone().unwrap_or_default(),
        env: p
            .env
            .iter()
            .map(|e| (e.name.clone(), e.value.clone()))
            .collect(),
        parameters: p
            .parameters
            .iter()
            .map(|p| driftless_render::PluginParameter {
                name: p.name.clone(),
                string: p.string.clone(),
                array: p.array.clone(),
                map: p.map.clone(),
            })
            .collect(),
    }
}

/// A parameter value as Argo CD passes it to `--set`: commas escaped (so `a,b` stays one value)
/// unless the value is a `{x,y}` list or the comma is already escaped.
fn escape_set_value(value: &str) -> String {
    if value.starts_with('{') && value.ends_with('}') {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut prev = None;
    for c in value.chars() {
        if c == ',' && prev != Some('\\') {
            out.push('\\');
        }
        out.push(c);
        prev = Some(c);
    }
    out
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

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
    /// Kubernetes version for `.Capabilities`: the destination cluster's (the CLI's
    /// `--kube-version`); the source's own (`helm_kube_version`) wins for Helm.
    pub kube_version: Option<String>,
    /// Extra API versions for `.Capabilities.APIVersions`: the destination cluster's (the
    /// CLI's `--api-versions`); the source's own (`helm_api_versions`) win for Helm.
    pub api_versions: Vec<String>,
    /// Helm's release namespace (`.Release.Namespace`) when the source sets one: Argo CD's
    /// `helm.namespace`, else `kustomize.namespace`; otherwise the destination namespace.
    pub helm_namespace: Option<String>,
    /// The source's Kubernetes version for Helm (`helm.kubeVersion`, else
    /// `kustomize.kubeVersion`), in place of `kube_version`.
    pub helm_kube_version: Option<String>,
    /// The source's API versions for Helm (`helm.apiVersions`, else `kustomize.apiVersions`),
    /// in place of `api_versions` when not empty.
    pub helm_api_versions: Vec<String>,
    /// Leave the charts' `crds/` files out (`helm.skipCrds`; by default they are rendered
    /// first, as Argo CD runs `helm template --include-crds`).
    pub skip_crds: bool,
    /// Leave test hooks out (`helm.skipTests`: `helm template --skip-tests`).
    pub skip_tests: bool,
    /// Skip value files that do not exist (`helm.ignoreMissingValueFiles`), `$name/…` files of
    /// other sources included.
    pub ignore_missing_value_files: bool,
    /// Do not check the values against `values.schema.json` (`helm.skipSchemaValidation`).
    pub skip_schema_validation: bool,
    /// Send chart repository credentials to chart archives on other hosts too
    /// (`helm.passCredentials`, Helm's `--pass-credentials`).
    pub pass_credentials: bool,
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
    /// The chart of a Helm chart repository or OCI registry (`spec.source.chart`): `repo` is
    /// then the chart repository, `revision` the chart version or constraint, and `path` is
    /// not used (see `chart_source`).
    pub chart: Option<String>,
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
    /// The destination cluster's namespaced mode (its Secret's `namespaces` and
    /// `clusterResources`; set by [`crate::Engine::target`]): objects outside it are refused.
    pub namespaced_mode: Option<driftless_api::NamespacedMode>,
    /// Every source, in order, when the Application uses `spec.sources` (empty: the flat
    /// `repo` / `revision` / `path` / `render` fields are the one source).
    pub sources: Vec<SourceTarget>,
}

/// One source of a multi-source target (see [`resolve_source`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceTarget {
    /// Repository URL or local path.
    pub repo: String,
    /// Revision (`HEAD` by default).
    pub revision: String,
    /// Directory inside the repository; `None` for a ref-only source, which renders nothing.
    pub path: Option<String>,
    /// The chart of a Helm chart repository or OCI registry (see [`Target::chart`]).
    pub chart: Option<String>,
    /// Render settings.
    pub render: RenderSettings,
    /// The name other sources use for this one's files (`ref: values` → `$values/…`).
    pub ref_name: Option<String>,
}

impl SourceTarget {
    /// The Helm value files and file parameters of this source that name another source's
    /// files (`$name/path`), in order.
    pub fn referenced_files(&self) -> impl Iterator<Item = &str> {
        self.render
            .helm_values
            .iter()
            .map(String::as_str)
            .chain(self.render.helm_set_file.iter().map(|(_, p)| p.as_str()))
            .filter(|f| f.starts_with('$'))
    }
}

/// Why a target cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// A `$name/…` value file or file parameter names no `ref` source (Argo CD's wording).
    #[error(
        "Application {app}: spec.sources[{index}]: source referenced {name:?}, {}",
        if available.is_empty() { "but no source has a 'ref' field defined".to_string() } else { format!("which is not one of the available sources ({available})") }
    )]
    UnknownRef {
        /// The application.
        app: String,
        /// Index of the referring source in `spec.sources`.
        index: usize,
        /// The name as written (`$values`).
        name: String,
        /// The names the `ref` sources give, comma-separated.
        available: String,
    },
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
    /// The target of an Argo CD Application: its one source in the flat fields, or, for
    /// `spec.sources`, every source in [`Target::sources`] (the flat fields then describe the
    /// first source, for messages).
    pub fn from_application(app: &Application) -> Result<Self, TargetError> {
        let name = app.name().to_string();
        let specs = app.sources();
        let mut sources = Vec::with_capacity(specs.len());
        for (i, src) in specs.iter().enumerate() {
            let position = app.has_multiple_sources().then_some(i + 1);
            sources.push(resolve_source(&name, position, src)?);
        }
        if app.has_multiple_sources() {
            check_references(&name, &sources)?;
        }
        let first = sources[0].clone();
        let automated = app.automated();
        Ok(Target {
            app: name,
            project: app.project().to_string(),
            repo: first.repo,
            revision: first.revision,
            path: first.path.unwrap_or_else(|| ".".into()),
            chart: first.chart,
            render: first.render,
            namespace: app.spec.destination.namespace.clone().unwrap_or_default(),
            sync_options: app.spec.sync_policy.sync_options.clone(),
            prune: automated.is_some_and(|a| a.prune),
            allow_empty: automated.is_some_and(|a| a.allow_empty),
            ignore_differences: app.spec.ignore_differences.clone(),
            credentials: Default::default(),
            tracking: Default::default(),
            sources: if app.has_multiple_sources() {
                sources
            } else {
                Vec::new()
            },
            cluster: None,
            namespaced_mode: None,
        })
    }

    /// True when the target has several sources (`spec.sources`).
    pub fn is_multi_source(&self) -> bool {
        !self.sources.is_empty()
    }

    /// How many sources the target has (one for a single-source target).
    pub fn source_count(&self) -> usize {
        self.sources.len().max(1)
    }

    /// Source `i` of a multi-source target as a single-source target (same application,
    /// destination and options; that source's repository, revision, path and render
    /// settings). A single-source target is its own source 0.
    pub fn source_target(&self, i: usize) -> Target {
        let Some(s) = self.sources.get(i) else {
            return self.clone();
        };
        Target {
            repo: s.repo.clone(),
            revision: s.revision.clone(),
            path: s.path.clone().unwrap_or_else(|| ".".into()),
            chart: s.chart.clone(),
            render: s.render.clone(),
            sources: Vec::new(),
            ..self.clone()
        }
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

/// One source of an Application as the engine renders it: where its files are, how to render
/// them, and the name other sources use for its files. This is the one place an
/// `ApplicationSource` is interpreted; a new kind of source (charts from Helm repositories)
/// slots in here.
///
/// `position` is the source's 1-based place in `spec.sources` (`None` for `spec.source`): a
/// ref-only source (`ref` set, no `path`) renders nothing there.
pub fn resolve_source(
    app: &str,
    position: Option<usize>,
    src: &ApplicationSource,
) -> Result<SourceTarget, TargetError> {
    let chart = src.chart.clone().filter(|c| !c.is_empty());
    let renders = position.is_none() || !src.is_ref_only();
    Ok(SourceTarget {
        repo: src.repo_url.clone(),
        revision: match &chart {
            Some(_) => crate::chart_source::revision(src.target_revision.as_deref()),
            None => src.revision_or_head().to_string(),
        },
        chart,
        path: renders.then(|| {
            src.path
                .clone()
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| ".".into())
        }),
        render: render_settings(app, src)?,
        ref_name: src.ref_name.clone().filter(|r| !r.is_empty()),
    })
}

/// Every `$name/…` that a source's Helm value files or file parameters use must name a
/// `ref` source (Argo CD's check, with its wording).
fn check_references(app: &str, sources: &[SourceTarget]) -> Result<(), TargetError> {
    let mut names: Vec<String> = sources
        .iter()
        .filter_map(|s| s.ref_name.as_ref().map(|r| format!("${r}")))
        .collect();
    names.sort();
    for (i, s) in sources.iter().enumerate() {
        for file in s.referenced_files() {
            let (var, _) = split_reference(file).unwrap_or((file, ""));
            if !names.iter().any(|n| n == var) {
                return Err(TargetError::UnknownRef {
                    app: app.to_string(),
                    index: i,
                    name: var.to_string(),
                    available: names.join(", "),
                });
            }
        }
    }
    Ok(())
}

/// `$name/path/values.yaml` → (`$name`, `path/values.yaml`); `None` for a plain path.
pub fn split_reference(file: &str) -> Option<(&str, &str)> {
    if !file.starts_with('$') {
        return None;
    }
    Some(file.split_once('/').unwrap_or((file, "")))
}

/// The render settings of one Argo CD source.
fn render_settings(name: &str, src: &ApplicationSource) -> Result<RenderSettings, TargetError> {
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
        render.kustomize = kustomize_spec(name, k)?;
    }
    helm_overrides(&mut render, src);
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
        render.release_name = h.release_name.clone().or_else(|| Some(name.to_string()));
        render.skip_crds = h.skip_crds;
        render.skip_tests = h.skip_tests;
        render.ignore_missing_value_files = h.ignore_missing_value_files;
        render.skip_schema_validation = h.skip_schema_validation;
        render.pass_credentials = h.pass_credentials;
    }
    Ok(render)
}

/// The namespace, Kubernetes version and API versions the source gives Helm in place of the
/// destination's: the `helm` field, else the `kustomize` one (Argo CD's
/// `GetNamespaceOrDefault`, `GetKubeVersionOrDefault`, `GetAPIVersionsOrDefault`).
fn helm_overrides(render: &mut RenderSettings, src: &ApplicationSource) {
    let (h, k) = (src.helm.as_ref(), src.kustomize.as_ref());
    let text = |v: Option<&String>| v.filter(|v| !v.is_empty()).cloned();
    render.helm_namespace = text(h.and_then(|h| h.namespace.as_ref()))
        .or_else(|| text(k.and_then(|k| k.namespace.as_ref())));
    render.helm_kube_version = text(h.and_then(|h| h.kube_version.as_ref()))
        .or_else(|| text(k.and_then(|k| k.kube_version.as_ref())));
    render.helm_api_versions = [h.map(|h| &h.api_versions), k.map(|k| &k.api_versions)]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty())
        .cloned()
        .unwrap_or_default();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn app(sources: &str) -> Application {
        Application::from_yaml(&format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: web}}\nspec:\n  destination: {{namespace: shop}}\n  sources:\n{sources}"
        ))
        .unwrap()
    }

    #[test]
    fn each_source_is_resolved_on_its_own() {
        let t = Target::from_application(&app(
            "    - {repoURL: https://a.example/r.git, path: chart, targetRevision: v1, helm: {valueFiles: [$values/prod.yaml]}}\n    - {repoURL: https://b.example/v.git, ref: values}\n    - {repoURL: https://c.example/m.git, path: m, ref: shared}\n",
        ))
        .unwrap();
        assert!(t.is_multi_source());
        assert_eq!(t.source_count(), 3);
        assert_eq!(
            (t.repo.as_str(), t.revision.as_str()),
            ("https://a.example/r.git", "v1")
        );
        let s = &t.sources;
        assert_eq!(s[0].path.as_deref(), Some("chart"));
        assert_eq!(
            s[0].referenced_files().collect::<Vec<_>>(),
            ["$values/prod.yaml"]
        );
        // A ref-only source renders nothing; one with a path renders and is referable too.
        assert_eq!(
            (s[1].path.as_deref(), s[1].ref_name.as_deref()),
            (None, Some("values"))
        );
        assert_eq!(s[1].revision, "HEAD");
        assert_eq!(
            (s[2].path.as_deref(), s[2].ref_name.as_deref()),
            (Some("m"), Some("shared"))
        );
        let third = t.source_target(2);
        assert_eq!(
            (third.repo.as_str(), third.path.as_str()),
            ("https://c.example/m.git", "m")
        );
        assert!(!third.is_multi_source());
        assert_eq!(third.app, "web");
    }

    #[test]
    fn a_chart_source_among_several_is_a_chart_target() {
        let t = Target::from_application(&app(
            "    - {repoURL: https://a.example/r.git, path: m}\n    - {repoURL: https://charts.example, chart: web, targetRevision: 1.0.0}\n",
        ))
        .unwrap();
        let chart = t.source_target(1);
        assert_eq!(chart.chart.as_deref(), Some("web"));
        assert_eq!(
            (chart.repo.as_str(), chart.revision.as_str()),
            ("https://charts.example", "1.0.0")
        );
        assert_eq!(t.source_target(0).chart, None);
    }

    #[test]
    fn references_split_at_the_first_slash() {
        assert_eq!(
            split_reference("$values/env/prod.yaml"),
            Some(("$values", "env/prod.yaml"))
        );
        assert_eq!(split_reference("$values"), Some(("$values", "")));
        assert_eq!(split_reference("values.yaml"), None);
    }
}

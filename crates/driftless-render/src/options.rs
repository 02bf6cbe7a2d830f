//! What to render and how.

use std::path::PathBuf;
use std::time::Duration;

/// Options of [`render`](crate::render).
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Directory sources: descend into subdirectories.
    pub recurse: bool,
    /// Directory sources: only files whose path (relative to the source
    /// directory) matches one of these globs. `*` also matches `/`, as in Argo CD.
    pub include: Vec<String>,
    /// Directory sources: skip files whose relative path matches one of these globs.
    pub exclude: Vec<String>,
    /// Duplicate objects are an error instead of a warning.
    pub strict: bool,
    /// Limits against hostile input.
    pub limits: Limits,
    /// How to run Kustomize.
    pub kustomize: KustomizeOptions,
    /// Helm parameters (used when the source is a chart).
    pub helm: HelmOptions,
    /// Jsonnet options of directory sources (Argo CD's `directory.jsonnet`).
    pub jsonnet: JsonnetOptions,
    /// Config-management plugins and the Application's `spec.source.plugin`.
    pub plugin: crate::PluginOptions,
    /// The application's build environment (`$ARGOCD_APP_NAME`, …), substituted
    /// into Jsonnet arguments and Kustomize options and given to plugins.
    pub env: crate::BuildEnv,
    /// Fetches chart dependencies that a chart's `charts/` lacks from their repositories
    /// (`helm dependency build`); `None`: a missing dependency is an error.
    pub charts: Option<std::sync::Arc<dyn driftless_helm::ChartFetcher>>,
    /// The source type, instead of detecting it (Argo CD: a chart from a Helm repository is
    /// always a Helm source).
    pub source_type: Option<crate::SourceType>,
}

/// Argo CD's `spec.source.directory.jsonnet`, plus the evaluation bounds.
#[derive(Debug, Clone)]
pub struct JsonnetOptions {
    /// Top-level arguments (`tlas`), given when the file evaluates to a function.
    pub tlas: Vec<JsonnetVar>,
    /// External variables (`extVars`), read with `std.extVar`.
    pub ext_vars: Vec<JsonnetVar>,
    /// Library search paths (`libs`), relative to the repository root; the
    /// source directory is searched too, and later paths take precedence.
    pub libs: Vec<String>,
    /// Deepest Jsonnet call stack (default 500, as the `jsonnet` tool).
    pub max_stack: usize,
    /// Time allowed to evaluate one file (default 30 s).
    pub timeout: Duration,
}

impl Default for JsonnetOptions {
    fn default() -> Self {
        JsonnetOptions {
            tlas: Vec::new(),
            ext_vars: Vec::new(),
            libs: Vec::new(),
            max_stack: 500,
            timeout: Duration::from_secs(30),
        }
    }
}

/// One top-level argument or external variable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonnetVar {
    /// Its name.
    pub name: String,
    /// Its value: a string, or Jsonnet code when `code` is set.
    pub value: String,
    /// The value is Jsonnet code (`--tla-code` / `--ext-code`).
    pub code: bool,
}

/// Limits against hostile input.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest manifest file read, in bytes (default 8 MiB).
    pub max_file_size: u64,
    /// Deepest nesting of mappings and lists in one object (default 100).
    pub max_depth: usize,
    /// Most symlinks followed while resolving one path (default 40, as Linux).
    pub max_symlink_hops: usize,
    /// Most YAML nodes one document may expand to, aliases included
    /// (default 2,000,000).
    pub max_nodes: usize,
}

impl Limits {
    /// The limits that bound reading the tree (file size, symlink hops), as the chart
    /// loader of `driftless-helm` takes them.
    pub fn read(&self) -> driftless_core::fs::ReadLimits {
        driftless_core::fs::ReadLimits {
            max_file_size: self.max_file_size,
            max_symlink_hops: self.max_symlink_hops,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        let read = driftless_core::fs::ReadLimits::default();
        Limits {
            max_file_size: read.max_file_size,
            max_depth: 100,
            max_symlink_hops: read.max_symlink_hops,
            max_nodes: 2_000_000,
        }
    }
}

/// How Kustomize runs.
#[derive(Debug, Clone)]
pub struct KustomizeOptions {
    /// The program: `kustomize` (run as `kustomize build DIR`) or `kubectl`
    /// (run as `kubectl kustomize DIR`). Default: `kustomize` when on `PATH`,
    /// else `kubectl`.
    pub binary: Option<PathBuf>,
    /// Time allowed for one build (default 90 s, Argo CD's exec timeout).
    pub timeout: Duration,
    /// Most bytes of output read from one build (default 64 MiB).
    pub max_output: u64,
    /// Extra arguments after `build DIR` (Argo CD's `kustomize.buildOptions`,
    /// e.g. `--enable-helm`, `--load-restrictor LoadRestrictionsNone`).
    pub build_options: Vec<String>,
    /// The Application's `spec.source.kustomize`, applied to a copy of the
    /// kustomization before the build.
    pub app: KustomizeSpec,
}

/// Argo CD's `spec.source.kustomize`: edits made to a copy of the
/// kustomization, as `kustomize edit` does for Argo CD.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KustomizeSpec {
    /// `namePrefix` (`kustomize edit set nameprefix`).
    pub name_prefix: String,
    /// `nameSuffix` (`kustomize edit set namesuffix`).
    pub name_suffix: String,
    /// `images`, as `kustomize edit set image` takes them: `nginx:1.27`,
    /// `nginx=registry/nginx:1.27`, `nginx@sha256:…`. Build variables are substituted.
    pub images: Vec<String>,
    /// `replicas`: `(name, count)`.
    pub replicas: Vec<(String, i64)>,
    /// `commonLabels` (`kustomize edit add label`); build variables are substituted.
    pub common_labels: std::collections::BTreeMap<String, String>,
    /// `forceCommonLabels`: overwrite labels the kustomization already sets.
    pub force_common_labels: bool,
    /// `labelWithoutSelector`: labels go to `labels:` without touching selectors.
    pub label_without_selector: bool,
    /// `labelIncludeTemplates` (with `labelWithoutSelector`): also label pod templates.
    pub label_include_templates: bool,
    /// `commonAnnotations` (`kustomize edit add annotation`).
    pub common_annotations: std::collections::BTreeMap<String, String>,
    /// `forceCommonAnnotations`: overwrite annotations the kustomization already sets.
    pub force_common_annotations: bool,
    /// `commonAnnotationsEnvsubst`: substitute build variables in annotation values.
    pub common_annotations_envsubst: bool,
    /// `namespace` (`kustomize edit set namespace`).
    pub namespace: String,
    /// `patches`: appended to the kustomization's `patches` as they are
    /// (`path` / `patch`, `target`, `options`).
    pub patches: Vec<serde_json::Value>,
    /// `components` (`kustomize edit add component`), relative to the kustomization.
    pub components: Vec<String>,
    /// `ignoreMissingComponents`: skip components that do not exist.
    pub ignore_missing_components: bool,
    /// `version`: accepted and ignored (one Kustomize is used).
    pub version: Option<String>,
    /// `kubeVersion`: `.Capabilities.KubeVersion` for `helmCharts` inflated
    /// natively (an entry's own `kubeVersion` wins).
    pub kube_version: Option<String>,
    /// `apiVersions`: extra `.Capabilities.APIVersions` for `helmCharts`
    /// inflated natively, added to an entry's own.
    pub api_versions: Vec<String>,
}

impl KustomizeSpec {
    /// Whether any edit of the kustomization is asked for (`version`,
    /// `kubeVersion` and `apiVersions` edit nothing).
    pub fn is_empty(&self) -> bool {
        let ignored = KustomizeSpec {
            version: self.version.clone(),
            kube_version: self.kube_version.clone(),
            api_versions: self.api_versions.clone(),
            ..KustomizeSpec::default()
        };
        *self == ignored
    }
}

impl Default for KustomizeOptions {
    fn default() -> Self {
        KustomizeOptions {
            binary: None,
            timeout: Duration::from_secs(90),
            max_output: 64 << 20,
            build_options: Vec::new(),
            app: KustomizeSpec::default(),
        }
    }
}

/// Helm parameters, as Argo CD's `spec.source.helm` and `helm template` flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelmOptions {
    /// Value files, in order, relative to the chart directory in the repository.
    pub value_files: Vec<String>,
    /// Inline values (Argo CD's `valuesObject` / `values`) as YAML text, merged
    /// after the value files, before the `--set` parameters.
    pub values_inline: Option<String>,
    /// `--set` style overrides `key=value`, in order.
    pub set: Vec<String>,
    /// `--set-string` overrides `key=value` (values stay strings), after `set`.
    pub set_string: Vec<String>,
    /// `--set-file` overrides `(key, path)`: the value is the text of the file
    /// at `path`, relative to the chart directory and confined to the
    /// repository (Argo CD's `fileParameters`); applied last.
    pub set_file: Vec<(String, String)>,
    /// Files of other sources, by the path as written in `value_files` or `set_file`
    /// (`$values/env/prod.yaml`, Argo CD's multi-source `ref`): the caller reads them from the
    /// referenced repository (confined to it) and hands their text here.
    pub referenced: std::collections::BTreeMap<String, Vec<u8>>,
    /// Release name (default: the application name, else `release-name`).
    pub release_name: Option<String>,
    /// Release namespace.
    pub namespace: Option<String>,
    /// `.Capabilities.KubeVersion`.
    pub kube_version: Option<String>,
    /// Extra `.Capabilities.APIVersions`.
    pub api_versions: Vec<String>,
    /// The charts' `crds/` files are part of the output, first (`helm template
    /// --include-crds`; Argo CD passes it unless `helm.skipCrds`).
    pub include_crds: bool,
    /// Test hooks (`helm.sh/hook: test`, or Helm 2's `test-success`) are left out
    /// (`--skip-tests`, Argo CD's `helm.skipTests`).
    pub skip_tests: bool,
    /// A value file that does not exist is skipped instead of failing the render (Argo CD's
    /// `helm.ignoreMissingValueFiles`); a path leaving the repository is still refused.
    pub ignore_missing_value_files: bool,
    /// `values.schema.json` is not checked (`--skip-schema-validation`, Argo CD's
    /// `helm.skipSchemaValidation`).
    pub skip_schema_validation: bool,
}

//! Rendering a chart as `helm template` does.
//!
//! ```
//! use driftless_helm::{MemFs, RenderOptions, render};
//! let mut fs = MemFs::default();
//! fs.insert("Chart.yaml", "apiVersion: v2\nname: demo\nversion: 0.1.0\n");
//! fs.insert("values.yaml", "greeting: hello\n");
//! fs.insert("templates/cm.yaml",
//!     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  msg: {{ .Values.greeting }}\n");
//! let opts = RenderOptions { set: vec!["greeting=hi".into()], ..RenderOptions::default() };
//! let out = render(&fs, "", &opts).unwrap();
//! assert_eq!(out.text,
//!     "---\n# Source: demo/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: release-name-cm\ndata:\n  msg: hi\n");
//! let manifests = out.manifests().unwrap();
//! assert_eq!(manifests[0].provenance.file, "demo/templates/cm.yaml");
//! ```

mod binary;
mod capabilities;
mod engine;
mod engine_funcs;
mod files;
mod objects;
mod output;
mod sort;

use std::sync::Arc;

pub use binary::render_dir;
pub use capabilities::{DEFAULT_API_VERSIONS, DEFAULT_KUBE_VERSION, KubeVersion};
pub use files::Files;
pub use output::{Rendered, render_chart};
pub use sort::{Document, INSTALL_ORDER, sort_manifests, split_manifests};

use crate::chart::{ChartDir, load_dir};
use crate::error::HelmError;
use driftless_core::fs::{ReadLimits, SourceFs};

pub use crate::funcs::Lookup;

/// Reads a `--set-file` path into its contents.
pub type FileReader = Arc<dyn Fn(&str) -> std::io::Result<Vec<u8>> + Send + Sync>;

/// A values file given by the caller (`--values`): a name for messages and
/// its contents.
#[derive(Debug, Clone, PartialEq)]
pub struct ValuesFile {
    /// Name shown in errors (usually the path).
    pub name: String,
    /// The YAML text.
    pub data: Vec<u8>,
}

impl ValuesFile {
    /// A values file from memory.
    pub fn new(name: impl Into<String>, data: impl Into<Vec<u8>>) -> ValuesFile {
        ValuesFile {
            name: name.into(),
            data: data.into(),
        }
    }

    /// Reads a values file from disk.
    pub fn read(path: impl AsRef<std::path::Path>) -> Result<ValuesFile, HelmError> {
        let p = path.as_ref();
        let data = std::fs::read(p).map_err(|e| HelmError::io(p.display().to_string(), e))?;
        Ok(ValuesFile::new(p.display().to_string(), data))
    }
}

/// Which engine renders the chart.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Engine {
    /// The native renderer of this crate.
    #[default]
    Native,
    /// The `helm` binary at this path (`helm template`), as Argo CD does.
    Binary(std::path::PathBuf),
}

/// Options of a render: the flags of `helm template` that matter for the
/// output.
#[derive(Clone)]
pub struct RenderOptions {
    /// Release name (`release-name` by default, as `helm template`).
    pub release_name: String,
    /// Release namespace (`default` by default).
    pub namespace: String,
    /// `--values` files, merged in order.
    pub value_files: Vec<ValuesFile>,
    /// `--set` expressions.
    pub set: Vec<String>,
    /// `--set-string` expressions.
    pub set_string: Vec<String>,
    /// `--set-json` expressions.
    pub set_json: Vec<String>,
    /// `--set-file` expressions (`key=path`): the value is the file's text,
    /// read through `file_reader`.
    pub set_file: Vec<String>,
    /// Reads `--set-file` paths; `None` reads them from the local file
    /// system (relative to the working directory), as `helm` does.
    pub file_reader: Option<FileReader>,
    /// `--set-literal` expressions (the value is taken verbatim).
    pub set_literal: Vec<String>,
    /// `--kube-version` (default: helm v4.1.4's v1.35.0).
    pub kube_version: Option<String>,
    /// `--api-versions` (each may hold a comma-separated list).
    pub api_versions: Vec<String>,
    /// `--include-crds`: emit `crds/` files first.
    pub include_crds: bool,
    /// `--skip-tests`: drop test hooks.
    pub skip_tests: bool,
    /// `--no-hooks`: drop all hooks.
    pub no_hooks: bool,
    /// `--show-only` template paths or globs (relative to the chart).
    pub show_only: Vec<String>,
    /// `--skip-schema-validation`.
    pub skip_schema_validation: bool,
    /// Provider for `lookup` (none: empty maps).
    pub lookup: Option<Arc<dyn Lookup>>,
    /// The engine.
    pub engine: Engine,
    /// Fetches dependencies that `charts/` lacks from their repositories (`helm dependency
    /// build`, as Argo CD runs it); `None`: a missing dependency is an error.
    pub charts: Option<Arc<dyn crate::ChartFetcher>>,
    /// Limits on reading the chart's files (largest file, symlinks followed per path).
    pub limits: ReadLimits,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            release_name: "release-name".into(),
            namespace: "default".into(),
            value_files: Vec::new(),
            set: Vec::new(),
            set_string: Vec::new(),
            set_json: Vec::new(),
            set_file: Vec::new(),
            file_reader: None,
            set_literal: Vec::new(),
            kube_version: None,
            api_versions: Vec::new(),
            include_crds: false,
            skip_tests: false,
            no_hooks: false,
            show_only: Vec::new(),
            skip_schema_validation: false,
            lookup: None,
            engine: Engine::Native,
            charts: None,
            limits: ReadLimits::default(),
        }
    }
}

impl std::fmt::Debug for RenderOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values may hold secrets: show only their names and counts.
        f.debug_struct("RenderOptions")
            .field("release_name", &self.release_name)
            .field("namespace", &self.namespace)
            .field(
                "value_files",
                &self.value_files.iter().map(|v| &v.name).collect::<Vec<_>>(),
            )
            .field("set", &self.set.len())
            .field("set_string", &self.set_string.len())
            .field("set_json", &self.set_json.len())
            .field("set_file", &self.set_file)
            .field("set_literal", &self.set_literal.len())
            .field("kube_version", &self.kube_version)
            .field("api_versions", &self.api_versions)
            .field("include_crds", &self.include_crds)
            .field("engine", &self.engine)
            .field("charts", &self.charts)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// Loads the chart in directory `dir` of `fs` (`""`: the root; symlinks followed inside the
/// tree, within `opts.limits`) and renders it with the engine of `opts` (for
/// [`Engine::Binary`], the files are first copied to a temporary directory for `helm
/// template`).
pub fn render(fs: &dyn SourceFs, dir: &str, opts: &RenderOptions) -> Result<Rendered, HelmError> {
    let dir = ChartDir::new(fs, dir, opts.limits)?;
    if let Engine::Binary(helm) = &opts.engine {
        return binary::render_fs_with_binary(helm, &dir, opts);
    }
    let mut chart = load_dir(&dir)?;
    if let Some(fetcher) = &opts.charts {
        crate::chart::build_dependencies(&mut chart, &dir, fetcher.as_ref())?;
    }
    render_chart(chart, opts)
}

/// Renders a `--name-template` (e.g. `{{ randAlpha 5 | lower }}-app`)
/// with the Sprig functions, as `helm template --name-template` does.
///
/// ```
/// let n = driftless_helm::render::render_name_template(r#"foo-{{ b64enc "abc" | lower }}"#).unwrap();
/// assert_eq!(n, "foo-ywjj");
/// ```
pub fn render_name_template(tpl: &str) -> Result<String, HelmError> {
    let mut funcs = driftless_gotmpl::FuncMap::new();
    crate::funcs::register(&mut funcs, &crate::funcs::FuncOptions::default());
    let mut set = driftless_gotmpl::TemplateSet::with_funcs(funcs);
    set.parse("name-template", tpl)
        .map_err(|e| HelmError::Exec(e.to_string()))?;
    set.execute("name-template", &driftless_gotmpl::Value::Nil)
        .map_err(|e| HelmError::Exec(e.to_string()))
}

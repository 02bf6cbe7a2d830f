//! Renders a source (a directory of manifests and Jsonnet files, a
//! Kustomization, a Helm chart or a config-management plugin) into the exact
//! list of Kubernetes objects that would be applied.
//!
//! The renderer knows nothing of Git: it reads through the [`SourceFs`] trait,
//! implemented for a plain directory ([`DirFs`]) here and for a commit's tree
//! by `driftless-source`. The source type is detected as Argo CD does:
//! a `kustomization.yaml`, `kustomization.yml` or `Kustomization` file makes a
//! Kustomize source, else a `Chart.yaml` makes a Helm chart, else the
//! directory's `.yaml`, `.yml`, `.json` and `.jsonnet` files are the
//! manifests; a configured plugin that is named or discovers the source comes first.
//!
//! ```
//! use driftless_render::{render, DirFs, RenderOptions};
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n").unwrap();
//! let out = render(&DirFs::new(dir.path()), ".", &RenderOptions::default()).unwrap();
//! assert_eq!(out.manifests.len(), 1);
//! assert_eq!(out.manifests[0].key().to_string(), "ConfigMap:a");
//! assert_eq!(out.manifests[0].provenance.to_string(), "cm.yaml:1 (document 1)");
//! ```

mod bounded;
mod directory;
pub mod docs;
mod env;
mod error;
mod exec;
mod helm;
mod jsonnet;
mod kustomize;
mod kustomize_edit;
mod kustomize_helm;
mod options;
pub mod paths;
mod plugin;

pub use driftless_core::fs::{DirEntry, DirFs, EntryKind, FsError, SourceFs};
pub use driftless_helm::ChartFetcher;
pub use env::{BuildEnv, envsubst};
pub use error::{RenderError, RenderWarning, Repeated};
pub use helm::render_helm;
pub use kustomize::KUSTOMIZATION_FILES;
pub use options::{
    HelmOptions, JsonnetOptions, JsonnetVar, KustomizeOptions, KustomizeSpec, Limits, RenderOptions,
};
pub use plugin::{
    ConfigManagementPlugin, PluginCommand, PluginDefinitionError, PluginDiscover, PluginFind,
    PluginOptions, PluginParameter, PluginSource, PluginSpec,
};

use driftless_core::{Manifest, ObjectKey};
use std::collections::HashMap;

/// The kind of source found at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceType {
    /// Plain manifests.
    Directory,
    /// A Kustomization.
    Kustomize,
    /// A Helm chart.
    Helm,
    /// A config-management plugin.
    Plugin,
}

impl std::fmt::Display for SourceType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SourceType::Directory => "Directory",
            SourceType::Kustomize => "Kustomize",
            SourceType::Helm => "Helm",
            SourceType::Plugin => "Plugin",
        })
    }
}

/// The result of a render.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// What kind of source it was.
    pub source_type: SourceType,
    /// The objects, in the order their files and documents appear.
    pub manifests: Vec<Manifest>,
    /// Things that did not stop the render (duplicates, skipped files).
    pub warnings: Vec<RenderWarning>,
}

/// Detects the type of the source in directory `path` (as Argo CD does;
/// config-management plugins are not considered here, only by [`render`]).
pub fn detect(fs: &dyn SourceFs, path: &str) -> Result<SourceType, RenderError> {
    let (dir, _) = source_dir(fs, path, &Limits::default())?;
    detect_real(fs, &dir)
}

fn detect_real(fs: &dyn SourceFs, dir: &str) -> Result<SourceType, RenderError> {
    if kustomize::kustomization_file(fs, dir)?.is_some() {
        return Ok(SourceType::Kustomize);
    }
    if fs
        .kind(&paths::join(dir, "Chart.yaml").unwrap_or_default())?
        .is_some()
    {
        return Ok(SourceType::Helm);
    }
    Ok(SourceType::Directory)
}

/// Normalises and resolves the source path; returns (real, logical) paths.
fn source_dir(
    fs: &dyn SourceFs,
    path: &str,
    limits: &Limits,
) -> Result<(String, String), RenderError> {
    let logical = paths::join("", path).ok_or_else(|| FsError::PathEscapes(path.to_string()))?;
    let (real, kind) = paths::resolve(fs, &logical, limits.max_symlink_hops)?;
    if kind != Some(EntryKind::Dir) {
        return Err(RenderError::SourceNotFound {
            path: if path.is_empty() {
                ".".into()
            } else {
                path.to_string()
            },
        });
    }
    Ok((real, logical))
}

/// Renders the source in directory `path` of `fs` (relative to its root;
/// `""` or `"."` is the root).
pub fn render(
    fs: &dyn SourceFs,
    path: &str,
    opts: &RenderOptions,
) -> Result<Rendered, RenderError> {
    let (dir, logical) = source_dir(fs, path, &opts.limits)?;
    let mut copy = plugin::RepoCopy::default();
    let (source_type, chosen) = choose(fs, &dir, &logical, opts, &mut copy)?;
    let (docs, mut warnings) = match (source_type, chosen) {
        (_, Some(p)) => {
            let docs = plugin::render_plugin(fs, &dir, &logical, p, opts, &mut copy)?;
            (docs, std::mem::take(&mut copy.warnings))
        }
        (SourceType::Kustomize, None) => kustomize::render_kustomize(fs, &dir, &logical, opts)?,
        (SourceType::Helm, None) => (render_helm(fs, &logical, opts)?, Vec::new()),
        _ => directory::render_directory(fs, &dir, &logical, opts)?,
    };
    let mut manifests = Vec::with_capacity(docs.len());
    for d in docs::expand_lists(docs) {
        manifests.push(Manifest::new(d.value, d.provenance)?);
    }
    let manifests = dedupe(manifests, opts.strict, &mut warnings)?;
    for w in &warnings {
        tracing::warn!("{w}");
    }
    Ok(Rendered {
        source_type,
        manifests,
        warnings,
    })
}

/// `helm template`'s stdout for the Helm chart in directory `path` of `fs`, byte for byte
/// (`# Source:` lines, Helm's install order, hooks after the manifests, no NOTES), rendered
/// with the same options as [`render`]; `include_crds` prints the charts' `crds/` files first
/// (`helm template --include-crds`). A source that is not a Helm chart (or that a
/// config-management plugin renders) is [`RenderError::NotHelm`].
///
/// ```
/// use driftless_render::{render_helm_output, DirFs, RenderError, RenderOptions};
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::create_dir(dir.path().join("templates")).unwrap();
/// std::fs::write(dir.path().join("Chart.yaml"), "apiVersion: v2\nname: c\nversion: 0.1.0\n").unwrap();
/// std::fs::write(dir.path().join("templates/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n").unwrap();
/// let fs = DirFs::new(dir.path());
/// let text = render_helm_output(&fs, ".", &RenderOptions::default(), false).unwrap();
/// assert_eq!(text, "---\n# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
/// let err = render_helm_output(&fs, "templates", &RenderOptions::default(), false).unwrap_err();
/// assert!(matches!(err, RenderError::NotHelm { .. }), "{err}");
/// ```
pub fn render_helm_output(
    fs: &dyn SourceFs,
    path: &str,
    opts: &RenderOptions,
    include_crds: bool,
) -> Result<String, RenderError> {
    let (dir, logical) = source_dir(fs, path, &opts.limits)?;
    let (found, _) = choose(fs, &dir, &logical, opts, &mut plugin::RepoCopy::default())?;
    if found != SourceType::Helm {
        let path = if logical.is_empty() { "." } else { &logical };
        return Err(RenderError::NotHelm {
            path: path.to_string(),
            found,
        });
    }
    helm::helm_text(fs, &logical, opts, include_crds)
}

/// The type of the source in `dir` and the config-management plugin that renders it, if any
/// (a plugin that is named or discovers the source comes first).
fn choose<'a>(
    fs: &dyn SourceFs,
    dir: &str,
    logical: &str,
    opts: &'a RenderOptions,
    copy: &mut plugin::RepoCopy,
) -> Result<(SourceType, Option<&'a ConfigManagementPlugin>), RenderError> {
    let chosen = if opts.plugin.source.is_some() || !opts.plugin.plugins.is_empty() {
        plugin::select(fs, dir, logical, opts, copy)?
    } else {
        None
    };
    Ok(match (chosen, opts.source_type) {
        (Some(p), _) => (SourceType::Plugin, Some(p)),
        (None, Some(forced)) => (forced, None),
        (None, None) => (detect_real(fs, dir)?, None),
    })
}

/// Drops earlier definitions of repeated objects (the later one wins, as in
/// Argo CD); in strict mode a repeat is an error.
fn dedupe(
    manifests: Vec<Manifest>,
    strict: bool,
    warnings: &mut Vec<RenderWarning>,
) -> Result<Vec<Manifest>, RenderError> {
    let mut last: HashMap<ObjectKey, usize> = HashMap::with_capacity(manifests.len());
    let mut keep = vec![true; manifests.len()];
    for (i, m) in manifests.iter().enumerate() {
        if let Some(prev) = last.insert(m.key().clone(), i) {
            let (first, second) = (manifests[prev].provenance.clone(), m.provenance.clone());
            if strict {
                return Err(RenderError::Duplicate(Box::new(Repeated {
                    key: m.key().clone(),
                    first,
                    second,
                })));
            }
            warnings.push(RenderWarning::Duplicate {
                key: m.key().clone(),
                first,
                second,
            });
            keep[prev] = false;
        }
    }
    Ok(manifests
        .into_iter()
        .zip(keep)
        .filter_map(|(m, k)| k.then_some(m))
        .collect())
}

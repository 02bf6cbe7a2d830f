//! Helm sources, rendered natively by `driftless-helm`. This is the one place
//! the two crates meet: Helm reads the chart directory of the source from the
//! same [`SourceFs`], under the same path rules (no `..` leaving the repository,
//! symlinks resolved and confined, size limit).

use crate::docs::Document;
use crate::paths::{join, resolve};
use crate::{EntryKind, FsError, RenderError, RenderOptions, SourceFs};
use driftless_helm::ValuesFile;
use std::io;

/// Renders the chart in directory `path` (repository-relative) with `opts.helm`:
/// value files (relative to the chart directory, read from the same tree, or
/// given by the caller in `referenced` for another source's `$name/…` files),
/// inline values, `--set`, `--set-string` and `--set-file` values (Helm's own
/// parser and precedence), release name (default `release-name`), namespace (default
/// `default`), Kubernetes version and extra API versions; the charts' `crds/` files first with
/// `include_crds`, test hooks left out with `skip_tests`, value files that do not exist
/// skipped with `ignore_missing_value_files`, `values.schema.json` not checked with
/// `skip_schema_validation`.
pub fn render_helm(
    fs: &dyn SourceFs,
    path: &str,
    opts: &RenderOptions,
) -> Result<Vec<Document>, RenderError> {
    let shown = if path.is_empty() { "." } else { path };
    let rendered = template(fs, path, &helm_options(fs, path, opts)?)?;
    let helm_err = |e: driftless_helm::HelmError| RenderError::Helm {
        path: shown.to_string(),
        source: Box::new(e),
    };
    Ok(rendered
        .manifests()
        .map_err(helm_err)?
        .into_iter()
        .map(|m| Document {
            value: m.object,
            provenance: m.provenance,
        })
        .collect())
}

/// `helm template`'s stdout for the chart in directory `path`, byte for byte (`# Source:`
/// lines, install order, hooks last, no NOTES), with the same options as [`render_helm`];
/// `include_crds` (in place of `opts.helm.include_crds`: the flag of the command that prints
/// it) prints the charts' `crds/` files first, as `--include-crds` does.
pub(crate) fn helm_text(
    fs: &dyn SourceFs,
    path: &str,
    opts: &RenderOptions,
    include_crds: bool,
) -> Result<String, RenderError> {
    let mut hopts = helm_options(fs, path, opts)?;
    hopts.include_crds = include_crds;
    Ok(template(fs, path, &hopts)?.text)
}

/// The options of `driftless-helm` that `opts.helm` stands for, with value and `--set-file`
/// files read from the tree.
fn helm_options(
    fs: &dyn SourceFs,
    path: &str,
    opts: &RenderOptions,
) -> Result<driftless_helm::RenderOptions, RenderError> {
    let shown = if path.is_empty() { "." } else { path };
    let mut hopts = driftless_helm::RenderOptions::default();
    let h = &opts.helm;
    if let Some(n) = &h.release_name {
        hopts.release_name = n.clone();
    }
    if let Some(ns) = &h.namespace {
        hopts.namespace = ns.clone();
    }
    hopts.set = h.set.clone();
    hopts.set_string = h.set_string.clone();
    hopts.kube_version = h.kube_version.clone();
    hopts.api_versions = h.api_versions.clone();
    hopts.charts = opts.charts.clone();
    hopts.include_crds = h.include_crds;
    hopts.skip_tests = h.skip_tests;
    hopts.skip_schema_validation = h.skip_schema_validation;
    hopts.limits = opts.limits.read();
    // `None`: the file does not exist (a path leaving the repository is an error).
    let find = |f: &str| -> Result<Option<Vec<u8>>, RenderError> {
        if let Some(text) = h.referenced.get(f) {
            return Ok(Some(text.clone()));
        }
        let p = join(path, f).ok_or_else(|| FsError::PathEscapes(format!("{shown}/{f}")))?;
        let (real, kind) = resolve(fs, &p, opts.limits.max_symlink_hops)?;
        match kind {
            None => Ok(None),
            Some(EntryKind::File) => Ok(Some(fs.read_file(&real, opts.limits.max_file_size)?)),
            Some(_) => Err(FsError::NotFound(p).into()),
        }
    };
    let read = |f: &str| -> Result<Vec<u8>, RenderError> {
        find(f)?
            .ok_or_else(|| FsError::NotFound(join(path, f).unwrap_or_else(|| f.to_string())).into())
    };
    for f in &h.value_files {
        let data = if h.ignore_missing_value_files {
            // Argo CD leaves a value file that does not exist out of `helm template`.
            match find(f)? {
                Some(data) => data,
                None => continue,
            }
        } else {
            read(f)?
        };
        hopts.value_files.push(ValuesFile::new(f.clone(), data));
    }
    if let Some(inline) = &h.values_inline {
        // After the value files, before the parameters (Argo CD's order).
        let data = inline.clone().into_bytes();
        hopts
            .value_files
            .push(ValuesFile::new("<inline values>", data));
    }
    // `--set-file` paths are read from the tree now; Helm's parser gets them
    // back by path through a reader that serves only these files.
    let mut files = std::collections::HashMap::new();
    for (key, file) in &h.set_file {
        files.insert(file.clone(), read(file)?);
        hopts.set_file.push(format!("{key}={file}"));
    }
    if !files.is_empty() {
        hopts.file_reader = Some(std::sync::Arc::new(move |p: &str| {
            files
                .get(p)
                .cloned()
                .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file or directory"))
        }));
    }
    Ok(hopts)
}

/// `helm template` of the chart in repository directory `path`, natively: Helm reads the
/// chart from the same tree (symlinks resolved and confined to the repository, within
/// `hopts.limits`, which [`helm_options`] sets from the renderer's).
pub(crate) fn template(
    fs: &dyn SourceFs,
    path: &str,
    hopts: &driftless_helm::RenderOptions,
) -> Result<driftless_helm::Rendered, RenderError> {
    driftless_helm::render(fs, path, hopts).map_err(|e| RenderError::Helm {
        path: if path.is_empty() { "." } else { path }.to_string(),
        source: Box::new(e),
    })
}

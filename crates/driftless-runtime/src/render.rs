//! The bridge from a [`Target`]'s render settings to `driftless-render`.

use crate::Target;
use driftless_core::Manifest;
use driftless_render::{HelmOptions, RenderError, RenderOptions, SourceFs};

/// The render options a target asks for.
pub fn options(t: &Target) -> RenderOptions {
    let r = &t.render;
    RenderOptions {
        recurse: r.recurse,
        include: r.include.clone(),
        exclude: r.exclude.clone(),
        strict: r.strict,
        helm: HelmOptions {
            value_files: r.helm_values.clone(),
            set: r.helm_set.clone(),
            release_name: r.release_name.clone().or_else(|| Some(t.app.clone())),
            namespace: Some(t.namespace.clone()).filter(|n| !n.is_empty()),
            kube_version: r.kube_version.clone(),
            api_versions: r.api_versions.clone(),
        },
        ..RenderOptions::default()
    }
}

/// Renders the target's path from `fs`; returns the objects and the warnings as text.
pub fn render_tree(
    fs: &dyn SourceFs,
    t: &Target,
) -> Result<(Vec<Manifest>, Vec<String>), RenderError> {
    let out = driftless_render::render(fs, &t.path, &options(t))?;
    Ok((
        out.manifests,
        out.warnings.iter().map(ToString::to_string).collect(),
    ))
}

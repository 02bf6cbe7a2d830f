//! The bridge from a [`Target`]'s render settings to `driftless-render`.
//!
//! `driftless-render`'s Helm options take value files from the source tree and `--set`
//! expressions. Argo CD's inline values (`helm.values`/`valuesObject`) and `forceString`
//! parameters are given to it as extra value files that exist only in a thin overlay of the
//! tree (never listed in the chart directory, so `.Files` does not see them), after the
//! application's value files — Argo CD's precedence: value files, inline values, parameters.

use crate::{RuntimeError, Target};
use driftless_core::Manifest;
use driftless_render::{DirEntry, EntryKind, FsError, HelmOptions, RenderOptions, SourceFs};

/// Chart-relative name of the overlay file with the inline values.
const INLINE_VALUES: &str = ".driftless-inline-values.yaml";
/// Chart-relative name of the overlay file with the `forceString` parameters.
const STRING_VALUES: &str = ".driftless-set-string-values.yaml";

/// The render options a target asks for.
pub fn options(t: &Target) -> RenderOptions {
    let r = &t.render;
    let mut value_files = r.helm_values.clone();
    if r.helm_values_inline.is_some() {
        value_files.push(INLINE_VALUES.into());
    }
    if !r.helm_set_string.is_empty() {
        value_files.push(STRING_VALUES.into());
    }
    RenderOptions {
        recurse: r.recurse,
        include: r.include.clone(),
        exclude: r.exclude.clone(),
        strict: r.strict,
        helm: HelmOptions {
            value_files,
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
) -> Result<(Vec<Manifest>, Vec<String>), RuntimeError> {
    let mut extra = Vec::new();
    if let Some(inline) = &t.render.helm_values_inline {
        extra.push((
            chart_file(&t.path, INLINE_VALUES),
            inline.clone().into_bytes(),
        ));
    }
    if !t.render.helm_set_string.is_empty() {
        extra.push((
            chart_file(&t.path, STRING_VALUES),
            string_values(&t.render.helm_set_string)?.into_bytes(),
        ));
    }
    let overlay = Overlay { fs, extra };
    let out = driftless_render::render(&overlay, &t.path, &options(t))?;
    Ok((
        out.manifests,
        out.warnings.iter().map(ToString::to_string).collect(),
    ))
}

fn chart_file(path: &str, name: &str) -> String {
    let dir = path.trim_matches('/');
    if dir.is_empty() || dir == "." {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// `--set-string` expressions (`a.b=v`, comma-separated pairs allowed) as a YAML values file
/// whose leaves are strings. Keys with list indexes or escapes are refused with a clear error.
fn string_values(exprs: &[String]) -> Result<String, RuntimeError> {
    let mut root = serde_json::Map::new();
    for expr in exprs {
        for pair in split_unescaped(expr) {
            let (key, value) = pair.split_once('=').ok_or_else(|| bad(expr))?;
            if key.is_empty() || key.contains(['[', ']', '\\']) {
                return Err(bad(expr));
            }
            let mut node = &mut root;
            let parts: Vec<&str> = key.split('.').collect();
            for (i, part) in parts.iter().enumerate() {
                if i + 1 == parts.len() {
                    node.insert(part.to_string(), value.into());
                } else {
                    let next = node
                        .entry(part.to_string())
                        .or_insert_with(|| serde_json::Value::Object(Default::default()));
                    if !next.is_object() {
                        *next = serde_json::Value::Object(Default::default());
                    }
                    node = next.as_object_mut().expect("object");
                }
            }
        }
    }
    serde_yaml_ng::to_string(&root).map_err(|_| bad(&exprs.join(",")))
}

fn split_unescaped(expr: &str) -> Vec<&str> {
    expr.split(',').filter(|p| !p.is_empty()).collect()
}

fn bad(expr: &str) -> RuntimeError {
    RuntimeError::HelmParameter(expr.to_string())
}

/// A source tree plus a few files that exist only here (not listed in directories).
struct Overlay<'a> {
    fs: &'a dyn SourceFs,
    extra: Vec<(String, Vec<u8>)>,
}

impl Overlay<'_> {
    fn extra(&self, path: &str) -> Option<&[u8]> {
        let p = path.trim_start_matches('/');
        self.extra
            .iter()
            .find(|(name, _)| name == p)
            .map(|(_, d)| d.as_slice())
    }
}

impl SourceFs for Overlay<'_> {
    fn kind(&self, path: &str) -> Result<Option<EntryKind>, FsError> {
        if self.extra(path).is_some() {
            return Ok(Some(EntryKind::File));
        }
        self.fs.kind(path)
    }
    fn read_dir(&self, path: &str) -> Result<Vec<DirEntry>, FsError> {
        self.fs.read_dir(path)
    }
    fn read_file(&self, path: &str, limit: u64) -> Result<Vec<u8>, FsError> {
        match self.extra(path) {
            Some(d) => Ok(d.to_vec()),
            None => self.fs.read_file(path, limit),
        }
    }
    fn read_link(&self, path: &str) -> Result<String, FsError> {
        self.fs.read_link(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_string_becomes_a_values_file_of_strings() {
        let y = string_values(&["image.tag=1.10".into(), "a=1,b.c=true".into()]).unwrap();
        let v: serde_json::Value = serde_yaml_ng::from_str(&y).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"image": {"tag": "1.10"}, "a": "1", "b": {"c": "true"}})
        );
        assert!(string_values(&["list[0]=x".into()]).is_err());
    }
}

//! The optional engine that runs the real `helm template` (as Argo CD
//! does) and reads its output into the same [`Rendered`] shape.

use std::path::Path;
use std::process::Command;

use super::output::Rendered;
use super::sort::{Document, document_head, split_manifests};
use super::{Engine, RenderOptions};
use crate::chart::ChartDir;
use crate::error::HelmError;
use driftless_core::fs::DirFs;

/// Renders the chart in directory `chart_dir` with the engine chosen in
/// `opts` (native, or the `helm` binary).
///
/// ```no_run
/// use driftless_helm::{Engine, RenderOptions, render_dir};
/// let opts = RenderOptions { engine: Engine::Binary("helm".into()), ..Default::default() };
/// let out = render_dir("examples/charts/shop".as_ref(), &opts).unwrap();
/// ```
pub fn render_dir(chart_dir: &Path, opts: &RenderOptions) -> Result<Rendered, HelmError> {
    match &opts.engine {
        Engine::Native => super::render(&DirFs::new(chart_dir), "", opts),
        Engine::Binary(helm) => render_with_binary(helm, chart_dir, opts),
    }
}

/// Copies the chart of `chart` to a temporary directory and runs the `helm` binary on it.
pub(crate) fn render_fs_with_binary(
    helm: &Path,
    chart: &ChartDir<'_>,
    opts: &RenderOptions,
) -> Result<Rendered, HelmError> {
    let dir = std::env::temp_dir().join(format!("driftless-helm-chart-{}", uuid::Uuid::new_v4()));
    let result = copy_tree(chart, "", &dir).and_then(|_| render_with_binary(helm, &dir, opts));
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn copy_tree(chart: &ChartDir<'_>, rel: &str, dest: &Path) -> Result<(), HelmError> {
    let target = if rel.is_empty() {
        dest.to_path_buf()
    } else {
        dest.join(rel)
    };
    std::fs::create_dir_all(&target).map_err(|e| HelmError::io(target.display().to_string(), e))?;
    for e in chart.list(rel)? {
        let path = if rel.is_empty() {
            e.name.clone()
        } else {
            format!("{rel}/{}", e.name)
        };
        if e.is_dir {
            copy_tree(chart, &path, dest)?;
        } else {
            let data = chart.read(&path)?;
            let out = dest.join(&path);
            std::fs::write(&out, data)
                .map_err(|err| HelmError::io(out.display().to_string(), err))?;
        }
    }
    Ok(())
}

fn render_with_binary(
    helm: &Path,
    chart_dir: &Path,
    opts: &RenderOptions,
) -> Result<Rendered, HelmError> {
    let tmp = std::env::temp_dir().join(format!(
        "driftless-helm-values-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(&tmp).map_err(|e| HelmError::io(tmp.display().to_string(), e))?;
    let result = run(helm, chart_dir, opts, &tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn run(
    helm: &Path,
    chart_dir: &Path,
    opts: &RenderOptions,
    tmp: &Path,
) -> Result<Rendered, HelmError> {
    let mut cmd = Command::new(helm);
    cmd.arg("template")
        .arg(&opts.release_name)
        .arg(chart_dir)
        .arg("--namespace")
        .arg(&opts.namespace);
    for (i, f) in opts.value_files.iter().enumerate() {
        let p = tmp.join(format!("values-{i}.yaml"));
        std::fs::write(&p, &f.data).map_err(|e| HelmError::io(p.display().to_string(), e))?;
        cmd.arg("--values").arg(p);
    }
    for (i, expr) in opts.set_file.iter().enumerate() {
        // Materialise each file so that the binary reads the same contents.
        let mut parts = Vec::new();
        for (j, pair) in expr.split(',').enumerate() {
            let Some((key, path)) = pair.split_once('=') else {
                parts.push(pair.to_string());
                continue;
            };
            let data = match &opts.file_reader {
                Some(read) => read(path),
                None => std::fs::read(path),
            }
            .map_err(|e| HelmError::io(path, e))?;
            let p = tmp.join(format!("set-file-{i}-{j}"));
            std::fs::write(&p, data).map_err(|e| HelmError::io(p.display().to_string(), e))?;
            parts.push(format!("{key}={}", p.display()));
        }
        cmd.arg("--set-file").arg(parts.join(","));
    }
    for (flag, vals) in [
        ("--set-json", &opts.set_json),
        ("--set", &opts.set),
        ("--set-string", &opts.set_string),
        ("--set-literal", &opts.set_literal),
        ("--api-versions", &opts.api_versions),
        ("--show-only", &opts.show_only),
    ] {
        for v in vals {
            cmd.arg(flag).arg(v);
        }
    }
    if let Some(k) = &opts.kube_version {
        cmd.arg("--kube-version").arg(k);
    }
    for (flag, on) in [
        ("--include-crds", opts.include_crds),
        ("--skip-tests", opts.skip_tests),
        ("--no-hooks", opts.no_hooks),
        ("--skip-schema-validation", opts.skip_schema_validation),
    ] {
        if on {
            cmd.arg(flag);
        }
    }
    let out = cmd
        .output()
        .map_err(|e| HelmError::Binary(format!("cannot run {}: {e}", helm.display())))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let msg: Vec<&str> = stderr
            .lines()
            .skip_while(|l| !l.starts_with("Error: "))
            .collect();
        let msg = msg.join("\n");
        return Err(HelmError::Binary(
            msg.trim_start_matches("Error: ").trim_end().to_string(),
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let documents = parse_output(&text)?;
    Ok(Rendered {
        text,
        documents,
        notes: String::new(),
    })
}

/// Reads `helm template` output back into documents.
fn parse_output(text: &str) -> Result<Vec<Document>, HelmError> {
    let mut docs: Vec<Document> = Vec::new();
    for (doc, _) in split_manifests(text) {
        let Some(rest) = doc.strip_prefix("# Source: ") else {
            continue;
        };
        let (source, content) = rest.split_once('\n').unwrap_or((rest, ""));
        let index = docs.iter().filter(|d| d.source == source).count();
        let head = document_head(source, content)?;
        docs.push(Document {
            source: source.to_string(),
            content: content.to_string(),
            index,
            line: 0,
            kind: head.kind,
            hook: head.hook,
            duplicate_keys: head.duplicate_keys,
        });
    }
    Ok(docs)
}

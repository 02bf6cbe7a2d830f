//! Kustomize sources: `kustomize build` (or `kubectl kustomize`) run on a
//! temporary copy of the repository tree, with references checked first so
//! that nothing outside the repository is read.

use crate::docs::{self, Document};
use crate::exec::ExecError;
use crate::paths::{join, parent, resolve, resolve_inside};
use crate::{EntryKind, FsError, RenderError, RenderOptions, RenderWarning, SourceFs};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// File names that make a directory a kustomization, in Kustomize's order.
pub const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file of directory `dir`, if any.
pub(crate) fn kustomization_file(
    fs: &dyn SourceFs,
    dir: &str,
) -> Result<Option<String>, RenderError> {
    for name in KUSTOMIZATION_FILES {
        let p = join(dir, name).unwrap_or_default();
        if fs.kind(&p)?.is_some() {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// Renders the kustomization in `dir` (a real repository path).
pub(crate) fn render_kustomize(
    fs: &dyn SourceFs,
    dir: &str,
    logical: &str,
    opts: &RenderOptions,
) -> Result<(Vec<Document>, Vec<RenderWarning>), RenderError> {
    let mut warnings = Vec::new();
    check_references(fs, dir, opts, &mut Vec::new())?;
    let tmp = temp_dir("driftless-kustomize-")?;
    let root = tmp.path().join("repo");
    materialize(fs, "", &root, opts, &mut warnings)?;
    let build_dir = if dir.is_empty() {
        root.clone()
    } else {
        root.join(dir)
    };
    let file = kustomization_file(fs, dir)?.unwrap_or_else(|| logical.to_string());
    let enable_helm = opts
        .kustomize
        .build_options
        .iter()
        .any(|o| o == "--enable-helm");
    if !opts.kustomize.app.is_empty() || enable_helm {
        edit_copy(fs, dir, &file, &root.join(&file), enable_helm, opts)?;
    }
    let output = run(&build_dir, logical, opts, &root)?;
    let docs =
        docs::parse_yaml_bounded(&file, &output, opts.limits.max_depth, opts.limits.max_nodes)?;
    Ok((docs, warnings))
}

/// Applies the Application's Kustomize options to the copy `copy` of the
/// kustomization `file` (in repository directory `dir`), and inflates its
/// local Helm charts natively when Helm is enabled.
fn edit_copy(
    fs: &dyn SourceFs,
    dir: &str,
    file: &str,
    copy: &Path,
    enable_helm: bool,
    opts: &RenderOptions,
) -> Result<(), RenderError> {
    let bytes = fs.read_file(file, opts.limits.max_file_size)?;
    let text = String::from_utf8_lossy(&bytes);
    let docs = docs::parse_yaml_bounded(file, &text, opts.limits.max_depth, opts.limits.max_nodes)?;
    let mut k = match docs.into_iter().next().map(|d| d.value) {
        Some(Value::Object(m)) => m,
        None => serde_json::Map::new(),
        Some(_) => {
            return Err(RenderError::KustomizeEdit {
                file: file.to_string(),
                message: "the kustomization is not a map".into(),
            });
        }
    };
    let mut changed = false;
    if !opts.kustomize.app.is_empty() {
        crate::kustomize_edit::apply(fs, dir, file, &mut k, opts)?;
        changed = true;
    }
    if enable_helm {
        let copy_dir = copy.parent().unwrap_or(copy);
        changed |= crate::kustomize_helm::inflate(fs, dir, file, &mut k, copy_dir, opts)?;
    }
    if !changed {
        return Ok(());
    }
    let out = serde_json::to_string(&Value::Object(k)).expect("JSON values serialise");
    std::fs::write(copy, out).map_err(|source| RenderError::Io {
        context: format!("writing {}", copy.display()),
        source,
    })
}

/// A new temporary directory named `prefix…`.
pub(crate) fn temp_dir(prefix: &str) -> Result<tempfile::TempDir, RenderError> {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .map_err(|source| RenderError::Io {
            context: "creating a temporary directory".into(),
            source,
        })
}

/// Writes the whole tree of `fs` under `dest` (symlinks inside the repository
/// become copies of their targets; symlinks leaving it are refused).
pub(crate) fn materialize(
    fs: &dyn SourceFs,
    dir: &str,
    dest: &Path,
    opts: &RenderOptions,
    warnings: &mut Vec<RenderWarning>,
) -> Result<(), RenderError> {
    let io = |p: &Path, source| RenderError::Io {
        context: format!("writing {}", p.display()),
        source,
    };
    std::fs::create_dir_all(dest).map_err(|e| io(dest, e))?;
    for e in fs.read_dir(dir)? {
        if dir.is_empty() && e.name == ".git" {
            continue;
        }
        let path = join(dir, &e.name).ok_or_else(|| FsError::PathEscapes(e.name.clone()))?;
        let out = dest.join(&e.name);
        let (real, kind) = match e.kind {
            EntryKind::Symlink => resolve(fs, &path, opts.limits.max_symlink_hops)?,
            k => (path.clone(), Some(k)),
        };
        match kind {
            Some(EntryKind::Dir) if e.kind == EntryKind::Symlink => {
                // A directory link inside the repository: a relative symlink keeps it cheap.
                let target = relative_link(parent(&path), &real);
                std::os::unix::fs::symlink(&target, &out).map_err(|e| io(&out, e))?;
            }
            Some(EntryKind::Dir) => materialize(fs, &real, &out, opts, warnings)?,
            Some(EntryKind::File) => match fs.read_file(&real, opts.limits.max_file_size) {
                Ok(bytes) => std::fs::write(&out, bytes).map_err(|e| io(&out, e))?,
                Err(crate::FsError::TooLarge { size, limit, .. }) => {
                    warnings.push(RenderWarning::Skipped {
                        file: path,
                        reason: format!(
                            "{size} bytes is over the {limit}-byte limit; not given to kustomize"
                        ),
                    })
                }
                Err(e) => return Err(e.into()),
            },
            _ => {}
        }
    }
    Ok(())
}

/// The relative path from directory `from` to `to` (both repository paths).
fn relative_link(from: &str, to: &str) -> String {
    let f: Vec<&str> = from.split('/').filter(|c| !c.is_empty()).collect();
    let t: Vec<&str> = to.split('/').filter(|c| !c.is_empty()).collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; f.len() - common];
    parts.extend(&t[common..]);
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

fn is_remote(reference: &str) -> bool {
    reference.contains("://")
        || reference.starts_with("git@")
        || reference.starts_with("github.com/")
        || reference.starts_with("gitlab.com/")
        || reference.starts_with("bitbucket.org/")
}

/// Every local path a kustomization file names.
fn references(k: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let strings = |v: Option<&Value>, out: &mut Vec<String>| {
        if let Some(Value::Array(a)) = v {
            out.extend(a.iter().filter_map(Value::as_str).map(str::to_string));
        }
    };
    for field in [
        "resources",
        "bases",
        "components",
        "crds",
        "configurations",
        "generators",
        "transformers",
        "validators",
    ] {
        strings(k.get(field), &mut out);
    }
    if let Some(Value::Array(a)) = k.get("patchesStrategicMerge") {
        // Entries are paths or inline patches; inline ones contain a newline or `:`.
        out.extend(
            a.iter()
                .filter_map(Value::as_str)
                .filter(|s| !s.contains('\n') && !s.contains(": "))
                .map(str::to_string),
        );
    }
    for field in ["patches", "patchesJson6902", "replacements"] {
        if let Some(Value::Array(a)) = k.get(field) {
            out.extend(
                a.iter()
                    .filter_map(|p| p.get("path").and_then(Value::as_str))
                    .map(str::to_string),
            );
        }
    }
    for field in ["configMapGenerator", "secretGenerator"] {
        if let Some(Value::Array(a)) = k.get(field) {
            for g in a {
                for list in ["files", "envs"] {
                    let mut names = Vec::new();
                    strings(g.get(list), &mut names);
                    // `key=path` names a file under a different key.
                    out.extend(names.into_iter().map(|n| match n.split_once('=') {
                        Some((_, p)) => p.to_string(),
                        None => n,
                    }));
                }
                if let Some(e) = g.get("env").and_then(Value::as_str) {
                    out.push(e.to_string());
                }
            }
        }
    }
    if let Some(p) = k.pointer("/openapi/path").and_then(Value::as_str) {
        out.push(p.to_string());
    }
    if let Some(p) = k.pointer("/helmGlobals/chartHome").and_then(Value::as_str) {
        out.push(p.to_string());
    }
    out.retain(|r| !is_remote(r));
    out
}

/// Refuses references (transitively through local bases) that leave the repository.
fn check_references(
    fs: &dyn SourceFs,
    dir: &str,
    opts: &RenderOptions,
    seen: &mut Vec<String>,
) -> Result<(), RenderError> {
    if seen.iter().any(|s| s == dir) {
        return Ok(());
    }
    seen.push(dir.to_string());
    let Some(file) = kustomization_file(fs, dir)? else {
        return Ok(());
    };
    let bytes = fs.read_file(&file, opts.limits.max_file_size)?;
    let text = String::from_utf8_lossy(&bytes);
    let Some(doc) =
        docs::parse_yaml_bounded(&file, &text, opts.limits.max_depth, opts.limits.max_nodes)?
            .into_iter()
            .next()
    else {
        return Ok(());
    };
    for r in references(&doc.value) {
        let escapes = || RenderError::KustomizeEscapes {
            file: file.clone(),
            reference: r.clone(),
        };
        let found = resolve_inside(fs, dir, &r, opts.limits.max_symlink_hops)?;
        let (real, kind) = found.ok_or_else(escapes)?;
        if kind == Some(EntryKind::Dir) {
            check_references(fs, &real, opts, seen)?;
        }
    }
    Ok(())
}

/// `kustomize` when on `PATH`, else `kubectl`.
fn program(opts: &RenderOptions) -> PathBuf {
    if let Some(b) = &opts.kustomize.binary {
        return b.clone();
    }
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
    };
    if on_path("kustomize") {
        PathBuf::from("kustomize")
    } else {
        PathBuf::from("kubectl")
    }
}

fn run(
    dir: &Path,
    logical: &str,
    opts: &RenderOptions,
    root: &Path,
) -> Result<String, RenderError> {
    let prog = program(opts);
    let is_kubectl = prog
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("kubectl"));
    let mut cmd = Command::new(&prog);
    if is_kubectl {
        cmd.arg("kustomize");
    } else {
        cmd.arg("build");
    }
    cmd.arg(dir)
        .args(&opts.kustomize.build_options)
        .current_dir(root);
    let shown = if logical.is_empty() { "." } else { logical };
    let deadline = Instant::now() + opts.kustomize.timeout;
    let ran = match crate::exec::run(&mut cmd, deadline, opts.kustomize.max_output) {
        Ok(ran) => ran,
        Err(ExecError::Spawn(e)) => {
            return Err(RenderError::KustomizeUnavailable {
                path: shown.to_string(),
                program: prog.display().to_string(),
                message: e.to_string(),
            });
        }
        Err(ExecError::Timeout) => {
            return Err(RenderError::KustomizeTimeout {
                path: shown.to_string(),
                seconds: opts.kustomize.timeout.as_secs(),
            });
        }
        Err(ExecError::TooMuchOutput) => {
            return Err(RenderError::Kustomize {
                path: shown.to_string(),
                message: format!("output is over {} bytes", opts.kustomize.max_output),
            });
        }
        Err(ExecError::Wait(e)) => {
            return Err(RenderError::Io {
                context: format!("waiting for {}", prog.display()),
                source: e,
            });
        }
    };
    let (status, out, err) = (ran.status, ran.stdout, ran.stderr);
    if !status.success() {
        let root_text = root.display().to_string();
        let message = String::from_utf8_lossy(&err)
            .replace(&format!("{root_text}/"), "")
            .replace(&root_text, ".")
            .trim()
            .to_string();
        return Err(RenderError::Kustomize {
            path: shown.to_string(),
            message,
        });
    }
    String::from_utf8(out).map_err(|e| RenderError::Kustomize {
        path: shown.to_string(),
        message: format!("output is not UTF-8: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links() {
        assert_eq!(relative_link("a/b", "a/c"), "../c");
        assert_eq!(relative_link("", "x/y"), "x/y");
        assert_eq!(relative_link("a", "a"), ".");
    }

    #[test]
    fn references_cover_fields() {
        let k = serde_json::json!({
            "resources": ["../base", "https://github.com/x/y//z"],
            "patches": [{"path": "p.yaml"}, {"patch": "inline"}],
            "configMapGenerator": [{"files": ["k=../../secret.txt"], "env": "e.env"}],
            "patchesStrategicMerge": ["psm.yaml", "apiVersion: v1\nkind: X\n"],
        });
        assert_eq!(
            references(&k),
            ["../base", "psm.yaml", "p.yaml", "../../secret.txt", "e.env"]
        );
    }
}

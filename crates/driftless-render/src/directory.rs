//! Directory sources: every `.yaml`, `.yml`, `.json` and `.jsonnet` file,
//! optionally recursive (`.libsonnet` files are libraries, not manifests).

use crate::docs::{self, Document};
use crate::paths::{join, resolve};
use crate::{EntryKind, FsError, RenderError, RenderOptions, RenderWarning, SourceFs};
use globset::{Glob, GlobSet, GlobSetBuilder};

fn globs(patterns: &[String]) -> Result<Option<GlobSet>, RenderError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        // Argo CD patterns may be brace lists: `{a.yaml,b/*}`; globset supports them.
        let g = Glob::new(p).map_err(|e| RenderError::Glob {
            pattern: p.clone(),
            message: e.kind().to_string(),
        })?;
        b.add(g);
    }
    b.build().map(Some).map_err(|e| RenderError::Glob {
        pattern: patterns.join(", "),
        message: e.to_string(),
    })
}

struct Walk<'a> {
    fs: &'a dyn SourceFs,
    opts: &'a RenderOptions,
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
    docs: Vec<Document>,
    warnings: Vec<RenderWarning>,
    /// Real directories on the current descent, to stop symlink cycles.
    stack: Vec<String>,
    /// The source directory (real path): a Jsonnet search path.
    root: String,
}

/// Renders the directory `dir` (a resolved, real repository path).
/// `logical` is the path the user named, used in provenance.
pub(crate) fn render_directory(
    fs: &dyn SourceFs,
    dir: &str,
    logical: &str,
    opts: &RenderOptions,
) -> Result<(Vec<Document>, Vec<RenderWarning>), RenderError> {
    let mut w = Walk {
        fs,
        opts,
        include: globs(&opts.include)?,
        exclude: globs(&opts.exclude)?,
        docs: Vec::new(),
        warnings: Vec::new(),
        stack: Vec::new(),
        root: dir.to_string(),
    };
    w.dir(dir, logical, "")?;
    Ok((w.docs, w.warnings))
}

impl Walk<'_> {
    fn dir(&mut self, real: &str, logical: &str, rel: &str) -> Result<(), RenderError> {
        self.stack.push(real.to_string());
        for entry in self.fs.read_dir(real)? {
            let real_child = join(real, &entry.name)
                .ok_or_else(|| FsError::PathEscapes(format!("{real}/{}", entry.name)))?;
            let logical_child = child(logical, &entry.name);
            let rel_child = child(rel, &entry.name);
            match entry.kind {
                EntryKind::Dir => {
                    if self.opts.recurse {
                        self.dir(&real_child, &logical_child, &rel_child)?;
                    }
                }
                EntryKind::File => self.file(&real_child, &logical_child, &rel_child)?,
                EntryKind::Symlink => {
                    let (target, kind) =
                        resolve(self.fs, &real_child, self.opts.limits.max_symlink_hops)?;
                    match kind {
                        Some(EntryKind::File) => self.file(&target, &logical_child, &rel_child)?,
                        Some(EntryKind::Dir) if self.opts.recurse => {
                            if self.stack.contains(&target) {
                                self.warnings.push(RenderWarning::Skipped {
                                    file: logical_child,
                                    reason: "symlink loops back to a parent directory".into(),
                                });
                            } else {
                                self.dir(&target, &logical_child, &rel_child)?;
                            }
                        }
                        Some(_) => {}
                        None => self.warnings.push(RenderWarning::Skipped {
                            file: logical_child,
                            reason: format!("dangling symlink to `{target}`"),
                        }),
                    }
                }
                EntryKind::Other => {}
            }
        }
        self.stack.pop();
        Ok(())
    }

    fn file(&mut self, real: &str, logical: &str, rel: &str) -> Result<(), RenderError> {
        let name = crate::paths::file_name(logical);
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let kind = match ext {
            "yaml" | "yml" => Kind::Yaml,
            "json" => Kind::Json,
            "jsonnet" => Kind::Jsonnet,
            _ => return Ok(()),
        };
        if self.exclude.as_ref().is_some_and(|g| g.is_match(rel)) {
            return Ok(());
        }
        if self.include.as_ref().is_some_and(|g| !g.is_match(rel)) {
            return Ok(());
        }
        if kind == Kind::Jsonnet {
            let docs = crate::jsonnet::render_file(self.fs, real, logical, &self.root, self.opts)?;
            self.docs.extend(docs);
            return Ok(());
        }
        let bytes = self
            .fs
            .read_file(real, self.opts.limits.max_file_size)
            .map_err(|e| match e {
                crate::FsError::TooLarge { size, limit, .. } => crate::FsError::TooLarge {
                    path: logical.to_string(),
                    size,
                    limit,
                },
                other => other,
            })?;
        let text = String::from_utf8(bytes).map_err(|e| RenderError::Parse {
            file: logical.to_string(),
            line: 0,
            message: format!("not UTF-8: {e}"),
        })?;
        let depth = self.opts.limits.max_depth;
        let docs = match kind {
            Kind::Json => docs::parse_json(logical, &text, depth)?,
            _ => docs::parse_yaml_bounded(logical, &text, depth, self.opts.limits.max_nodes)?,
        };
        self.docs.extend(docs);
        Ok(())
    }
}

#[derive(PartialEq)]
enum Kind {
    Yaml,
    Json,
    Jsonnet,
}

fn child(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

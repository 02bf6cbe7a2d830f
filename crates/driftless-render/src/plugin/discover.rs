//! Choosing the plugin for a source: by the Application's name for it, else
//! the first configured plugin whose `discover` rules match the source directory.

use super::ConfigManagementPlugin;
use super::run::{RepoCopy, command, command_env};
use crate::paths::join;
use crate::{EntryKind, RenderError, RenderOptions, SourceFs};
use globset::GlobBuilder;
use std::time::Instant;

/// Most entries listed under a source directory for discovery globs.
const MAX_ENTRIES: usize = 20_000;

/// Paths (files and directories) under `dir`, relative to it; symlinks are
/// listed, not followed.
fn list(fs: &dyn SourceFs, dir: &str) -> Result<Vec<(String, EntryKind)>, RenderError> {
    let mut out = Vec::new();
    let mut todo = vec![String::new()];
    while let Some(rel) = todo.pop() {
        let real = if rel.is_empty() {
            dir.to_string()
        } else {
            join(dir, &rel).unwrap_or_default()
        };
        for e in fs.read_dir(&real)? {
            let child = if rel.is_empty() {
                e.name.clone()
            } else {
                format!("{rel}/{}", e.name)
            };
            if e.kind == EntryKind::Dir {
                todo.push(child.clone());
            }
            out.push((child, e.kind));
            if out.len() > MAX_ENTRIES {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

fn glob_matches(pattern: &str, paths: &[(String, EntryKind)], files_only: bool) -> bool {
    let pattern = pattern.trim_start_matches("./");
    let Ok(glob) = GlobBuilder::new(pattern).literal_separator(true).build() else {
        return false;
    };
    let m = glob.compile_matcher();
    paths
        .iter()
        .any(|(p, k)| (!files_only || *k != EntryKind::Dir) && m.is_match(p))
}

/// The plugin for the source in directory `dir` (shown as `logical`): the
/// one the Application names, else the first whose discovery matches.
/// `None` when no plugin is named and none matches.
pub(crate) fn select<'a>(
    fs: &dyn SourceFs,
    dir: &str,
    logical: &str,
    opts: &'a RenderOptions,
    copy: &mut RepoCopy,
) -> Result<Option<&'a ConfigManagementPlugin>, RenderError> {
    let plugins = &opts.plugin.plugins;
    let source = opts.plugin.source.as_ref();
    if let Some(name) = source.map(|s| s.name.as_str()).filter(|n| !n.is_empty()) {
        return plugins
            .iter()
            .find(|p| p.full_name() == name || p.name == name)
            .map(Some)
            .ok_or_else(|| RenderError::PluginNotFound {
                path: shown(logical),
                name: name.to_string(),
            });
    }
    let mut entries = None;
    for p in plugins {
        let Some(d) = &p.spec.discover else { continue };
        if !d.file_name.is_empty() || d.find.as_ref().is_some_and(|f| !f.glob.is_empty()) {
            if entries.is_none() {
                entries = Some(list(fs, dir)?);
            }
            let entries = entries.as_deref().unwrap_or_default();
            if !d.file_name.is_empty() && glob_matches(&d.file_name, entries, false) {
                return Ok(Some(p));
            }
            let glob = d.find.as_ref().map(|f| f.glob.as_str()).unwrap_or("");
            if !glob.is_empty() && glob_matches(glob, entries, true) {
                return Ok(Some(p));
            }
        }
        if let Some(f) = d.find.as_ref().filter(|f| !f.command.is_empty()) {
            let cwd = copy.source_dir(fs, dir, opts)?;
            let mut cmd = command(&f.command, &f.args, opts);
            cmd.current_dir(&cwd);
            command_env(&mut cmd, copy, logical, opts);
            let deadline = Instant::now() + opts.plugin.timeout;
            let matched = crate::exec::run(&mut cmd, deadline, 1 << 20)
                .is_ok_and(|ran| ran.status.success() && !ran.stdout.trim_ascii().is_empty());
            if matched {
                return Ok(Some(p));
            }
        }
    }
    if source.is_some() {
        return Err(RenderError::PluginNotFound {
            path: shown(logical),
            name: String::new(),
        });
    }
    Ok(None)
}

fn shown(logical: &str) -> String {
    if logical.is_empty() {
        ".".into()
    } else {
        logical.to_string()
    }
}

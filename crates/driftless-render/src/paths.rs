//! Repository-relative paths: normalisation that refuses to leave the root,
//! and symlink resolution that refuses targets outside it.

use crate::{EntryKind, RenderError, SourceFs};

/// Joins `rel` onto the directory `base` (both repository-relative) and
/// normalises `.` and `..`. `None` when the result would leave the root or
/// `rel` is absolute.
///
/// ```
/// use driftless_render::paths::join;
/// assert_eq!(join("apps/web", "../base").as_deref(), Some("apps/base"));
/// assert_eq!(join("apps", "../../etc"), None);
/// assert_eq!(join("apps", "/etc/passwd"), None);
/// assert_eq!(join("", ".").as_deref(), Some(""));
/// ```
pub fn join(base: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') || rel.starts_with('\\') {
        return None;
    }
    let mut parts: Vec<&str> = base
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    for c in rel.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

/// The parent directory of a repository-relative path (`""` for top-level entries).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(p, _)| p).unwrap_or("")
}

/// The last component of a path.
pub fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map(|(_, n)| n).unwrap_or(path)
}

/// Resolves every symlink in `path` (a normalised repository path) and
/// returns the real path and what it names (`None`: does not exist).
///
/// Errors when a link points outside the repository or links loop.
pub fn resolve(
    fs: &dyn SourceFs,
    path: &str,
    max_hops: usize,
) -> Result<(String, Option<EntryKind>), RenderError> {
    let mut pending: Vec<String> = path
        .split('/')
        .filter(|c| !c.is_empty())
        .rev()
        .map(str::to_string)
        .collect();
    let mut real = String::new();
    let mut kind = Some(EntryKind::Dir);
    let mut hops = 0;
    while let Some(c) = pending.pop() {
        let candidate = join(&real, &c).ok_or_else(|| RenderError::PathEscapes {
            path: path.to_string(),
        })?;
        kind = fs.kind(&candidate)?;
        match kind {
            None => {
                let mut rest: Vec<String> = pending.into_iter().rev().collect();
                rest.insert(0, candidate);
                return Ok((rest.join("/"), None));
            }
            Some(EntryKind::Symlink) => {
                hops += 1;
                if hops > max_hops {
                    return Err(RenderError::SymlinkLoop {
                        path: path.to_string(),
                    });
                }
                let target = fs.read_link(&candidate)?;
                let resolved = join(&real, &target).ok_or_else(|| RenderError::SymlinkOutside {
                    link: candidate.clone(),
                    target: target.clone(),
                })?;
                pending.extend(
                    resolved
                        .split('/')
                        .filter(|c| !c.is_empty())
                        .rev()
                        .map(str::to_string),
                );
                real = String::new();
                kind = Some(EntryKind::Dir);
            }
            Some(_) => real = candidate,
        }
    }
    Ok((real, kind))
}

/// Resolves `rel`, written in repository directory `base`; `Ok(None)` when it
/// leaves the repository (absolute, `..` past the root, or through a symlink
/// pointing out of it).
pub(crate) fn resolve_inside(
    fs: &dyn SourceFs,
    base: &str,
    rel: &str,
    max_hops: usize,
) -> Result<Option<(String, Option<EntryKind>)>, RenderError> {
    let Some(joined) = join(base, rel) else {
        return Ok(None);
    };
    match resolve(fs, &joined, max_hops) {
        Err(RenderError::SymlinkOutside { .. } | RenderError::PathEscapes { .. }) => Ok(None),
        other => other.map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_and_name() {
        assert_eq!(parent("a/b/c.yaml"), "a/b");
        assert_eq!(parent("c.yaml"), "");
        assert_eq!(file_name("a/b/c.yaml"), "c.yaml");
    }

    #[test]
    fn dotdot_inside_is_fine() {
        assert_eq!(join("a/b", "../../c").as_deref(), Some("c"));
        assert_eq!(join("a/b", "../../../c"), None);
    }
}

//! Tree-relative paths: normalisation that refuses to leave the root, and symlink resolution
//! that refuses targets outside it. Every reader of a [`SourceFs`] (the renderer, the Helm
//! chart loader) resolves paths through these, so a link or a `..` never reads past the root.

use super::{EntryKind, FsError, SourceFs};

/// Joins `rel` onto the directory `base` (both tree-relative) and normalises `.` and `..`.
/// `None` when the result would leave the root or `rel` is absolute.
///
/// ```
/// use driftless_core::fs::join;
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

/// Resolves every symlink in `path` (a normalised tree path) and returns the real path and
/// what it names (`None`: does not exist; the real path then ends in the missing part).
///
/// Errors with [`FsError::SymlinkOutside`] when a link points outside the tree (absolute, or
/// `..` past the root), [`FsError::SymlinkLoop`] after `max_hops` links, and
/// [`FsError::PathEscapes`] when `path` itself leaves the root.
///
/// ```
/// use driftless_core::fs::{resolve, DirFs, EntryKind, FsError};
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::create_dir(dir.path().join("app")).unwrap();
/// std::fs::write(dir.path().join("app/a.yaml"), "x: 1").unwrap();
/// std::os::unix::fs::symlink("app/a.yaml", dir.path().join("link.yaml")).unwrap();
/// std::os::unix::fs::symlink("../../etc", dir.path().join("app/up")).unwrap();
/// let fs = DirFs::new(dir.path());
/// assert_eq!(resolve(&fs, "link.yaml", 40).unwrap(), ("app/a.yaml".into(), Some(EntryKind::File)));
/// assert_eq!(resolve(&fs, "app/b.yaml", 40).unwrap(), ("app/b.yaml".into(), None));
/// assert!(matches!(resolve(&fs, "app/up/x", 40), Err(FsError::SymlinkOutside { .. })));
/// ```
pub fn resolve(
    fs: &dyn SourceFs,
    path: &str,
    max_hops: usize,
) -> Result<(String, Option<EntryKind>), FsError> {
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
        let candidate = join(&real, &c).ok_or_else(|| FsError::PathEscapes(path.to_string()))?;
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
                    return Err(FsError::SymlinkLoop(path.to_string()));
                }
                let target = fs.read_link(&candidate)?;
                let resolved = join(&real, &target).ok_or_else(|| FsError::SymlinkOutside {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotdot_inside_is_fine() {
        assert_eq!(join("a/b", "../../c").as_deref(), Some("c"));
        assert_eq!(join("a/b", "../../../c"), None);
    }
}

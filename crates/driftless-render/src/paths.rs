//! Repository-relative paths: normalisation and symlink resolution that refuse to leave the
//! root are core's ([`join`], [`resolve`], re-exported), with the renderer's helpers on top.

use crate::{EntryKind, FsError, RenderError, SourceFs};
pub use driftless_core::fs::{join, resolve};

/// The parent directory of a repository-relative path (`""` for top-level entries).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(p, _)| p).unwrap_or("")
}

/// The last component of a path.
pub fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map(|(_, n)| n).unwrap_or(path)
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
        Err(FsError::SymlinkOutside { .. } | FsError::PathEscapes(_)) => Ok(None),
        other => Ok(Some(other?)),
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
}

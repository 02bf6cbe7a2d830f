//! Reading a repository on the local disk directly, with no cache and no copy.

use crate::cache::FetchOutcome;
use crate::{Resolved, SourceError, SourceTree};
use std::path::Path;

/// Opens the Git repository at `path` (a work tree or a bare repository) and
/// resolves `revision` in it: `HEAD` (or empty) is its checked-out commit,
/// then branches (local, then `origin/`), tags, full or short ids.
///
/// Only committed content is seen; the work tree is never read.
pub fn open_local(path: &Path, revision: &str) -> Result<(Resolved, SourceTree), SourceError> {
    let url = path.display().to_string();
    let repo =
        gix::open_opts(path, gix::open::Options::isolated()).map_err(|e| SourceError::Git {
            url: url.clone(),
            revision: Some(revision.to_string()),
            message: e.to_string(),
        })?;
    let rev = revision.trim();
    let spec = if rev.is_empty() { "HEAD" } else { rev };
    let candidates = [
        spec.to_string(),
        format!("refs/heads/{spec}"),
        format!("refs/remotes/origin/{spec}"),
        format!("refs/tags/{spec}"),
    ];
    let mut found = None;
    for c in &candidates {
        if let Ok(id) = repo.rev_parse_single(c.as_str())
            && let Ok(commit) = id.object().and_then(|o| o.peel_to_commit())
        {
            found = Some(commit.id.to_hex().to_string());
            break;
        }
    }
    let commit = found.ok_or_else(|| SourceError::UnknownRevision {
        url: url.clone(),
        revision: spec.to_string(),
    })?;
    let tree = SourceTree::new(repo, url.clone(), &commit)?;
    Ok((
        Resolved {
            url,
            revision: revision.to_string(),
            commit,
            fetch: FetchOutcome::Skipped,
        },
        tree,
    ))
}

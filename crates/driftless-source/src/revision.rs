//! Resolving a revision in a fetched repository.

/// The result of looking a revision up locally.
pub(crate) enum Lookup {
    /// The commit id (hex).
    Found(String),
    /// No such branch, tag or commit.
    Missing,
    /// The name resolved, but its objects could not be read.
    Broken(String),
}

/// The ref a fetch stores the remote's `HEAD` in.
pub(crate) const REMOTE_HEAD: &str = "refs/driftless/HEAD";

/// True for a full 40-digit (SHA-1) or 64-digit (SHA-256) hex id.
pub(crate) fn is_full_id(rev: &str) -> bool {
    (rev.len() == 40 || rev.len() == 64) && rev.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_short_id(rev: &str) -> bool {
    (4..40).contains(&rev.len()) && rev.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Looks `rev` up among the refs mirrored from the remote, then as a commit id.
///
/// Order: `HEAD`/empty → the remote's HEAD; `refs/…` → that ref;
/// `refs/heads/REV`, `refs/tags/REV`; a full id; a unique short id.
pub(crate) fn lookup(repo: &gix::Repository, rev: &str) -> Lookup {
    let rev = rev.trim();
    let names: Vec<String> = if rev.is_empty() || rev == "HEAD" {
        vec![REMOTE_HEAD.to_string()]
    } else if rev.starts_with("refs/") {
        vec![rev.to_string()]
    } else {
        vec![format!("refs/heads/{rev}"), format!("refs/tags/{rev}")]
    };
    for name in &names {
        match repo.try_find_reference(name.as_str()) {
            Ok(Some(mut r)) => {
                // A symbolic ref to a branch that does not exist (an unborn
                // remote HEAD) names nothing.
                if let Some(target) = r.target().try_name()
                    && !matches!(repo.try_find_reference(target), Ok(Some(_)))
                {
                    return Lookup::Missing;
                }
                return match r.peel_to_commit() {
                    Ok(c) => Lookup::Found(c.id.to_hex().to_string()),
                    Err(e) => Lookup::Broken(format!("{name}: {e}")),
                };
            }
            Ok(None) => {}
            // An invalid ref name (e.g. `a..b`) is simply not a ref.
            Err(_) => {}
        }
    }
    if is_full_id(rev) {
        let Ok(oid) = gix::ObjectId::from_hex(rev.as_bytes()) else {
            return Lookup::Missing;
        };
        if !repo.has_object(oid) {
            return Lookup::Missing;
        }
        return peel(repo, oid, rev);
    }
    if is_short_id(rev) {
        return match repo.rev_parse_single(rev) {
            Ok(id) => peel(repo, id.detach(), rev),
            Err(_) => Lookup::Missing,
        };
    }
    Lookup::Missing
}

fn peel(repo: &gix::Repository, oid: gix::ObjectId, rev: &str) -> Lookup {
    match repo.find_object(oid) {
        Ok(obj) => match obj.peel_to_commit() {
            Ok(c) => Lookup::Found(c.id.to_hex().to_string()),
            // A blob or tree id is not a revision.
            Err(_) => Lookup::Missing,
        },
        Err(e) => Lookup::Broken(format!("{rev}: {e}")),
    }
}

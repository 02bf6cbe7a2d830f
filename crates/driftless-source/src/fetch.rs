//! Fetching a remote into a cached bare repository with gix.

use crate::cache::FetchOutcome;
use crate::revision::REMOTE_HEAD;
use crate::url::redact_str;
use crate::{Credentials, RepoUrl, SourceError};
use gix::remote::Direction;
use std::sync::atomic::AtomicBool;

/// The refspecs of a cache: a mirror of branches and tags, plus the remote's HEAD.
fn refspecs() -> [String; 3] {
    [
        "+refs/heads/*:refs/heads/*".to_string(),
        "+refs/tags/*:refs/tags/*".to_string(),
        format!("+HEAD:{REMOTE_HEAD}"),
    ]
}

/// Why a fetch failed, classified for recovery.
#[derive(Debug)]
pub(crate) enum FetchError {
    /// The local object store or refs are damaged.
    Corrupt(String),
    /// The server asked for credentials we do not have, or refused ours.
    Auth,
    /// Network or remote failure.
    Unreachable(String),
    /// Anything else.
    Other(String),
}

impl FetchError {
    pub(crate) fn into_source_error(self, url: &RepoUrl, revision: &str) -> SourceError {
        let url = url.to_string();
        let revision = Some(revision.to_string());
        match self {
            FetchError::Corrupt(message) => SourceError::Git {
                url,
                revision,
                message,
            },
            FetchError::Auth => SourceError::AuthRefused { url, revision },
            FetchError::Unreachable(message) => SourceError::Unreachable {
                url,
                revision,
                message,
            },
            FetchError::Other(message) => SourceError::Git {
                url,
                revision,
                message,
            },
        }
    }
}

/// Fetches all branches, tags and HEAD of `url`. When every remote tip is
/// already present, gix stops after listing refs: nothing is downloaded.
pub(crate) fn fetch(
    repo: &gix::Repository,
    url: &RepoUrl,
    creds: &Credentials,
    ssh_program: Option<&std::path::Path>,
) -> Result<FetchOutcome, FetchError> {
    // reqwest is built without a crypto provider of its own: ring, the only
    // rustls provider in the dependency tree, must be the process default.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut repo = repo.clone();
    if let Some(cmd) = creds.ssh_command(ssh_program) {
        repo.config_snapshot_mut()
            .set_value(&gix::config::tree::Core::SSH_COMMAND, cmd.as_str())
            .map_err(|e| FetchError::Other(e.to_string()))?;
    }
    if url.gix_url().scheme == gix::url::Scheme::Http && creds.http_identity().is_some() {
        tracing::warn!(url = %url, "sending credentials over unencrypted http");
    }
    let asked = std::cell::Cell::new(false);
    let result = (|| -> Result<FetchOutcome, gix::Error> {
        let remote = repo
            .remote_at_without_url_rewrite(url.gix_url().clone())?
            .with_fetch_tags(gix::remote::fetch::Tags::None)
            .with_refspecs(refspecs().iter().map(String::as_str), Direction::Fetch)?;
        let identity = creds.http_identity();
        let conn = remote
            .connect(Direction::Fetch)?
            .with_credentials(|action| {
                use gix::credentials::helper::Action;
                match action {
                    Action::Get(ctx) => {
                        asked.set(true);
                        Ok(identity.clone().map(|(username, password)| {
                            gix::credentials::protocol::Outcome {
                                identity: gix::sec::identity::Account {
                                    username,
                                    password,
                                    oauth_refresh_token: None,
                                },
                                next: ctx.into(),
                            }
                        }))
                    }
                    Action::Store(_) | Action::Erase(_) => Ok(None),
                }
            });
        let outcome = conn
            .prepare_fetch(gix::progress::Discard, Default::default())?
            .receive(gix::progress::Discard, &AtomicBool::new(false))?;
        prune(&repo, &outcome.ref_map.remote_refs)?;
        Ok(match outcome.status {
            gix::remote::fetch::Status::Change { .. } => FetchOutcome::Downloaded,
            gix::remote::fetch::Status::NoPackReceived { .. } => FetchOutcome::UpToDate,
        })
    })();
    result.map_err(|e| classify(&e, asked.get()))
}

/// Deletes mirrored branches and tags (and the remote-HEAD ref) that the
/// remote no longer has, so that a deleted tag stops resolving.
fn prune(
    repo: &gix::Repository,
    remote_refs: &[gix::protocol::handshake::Ref],
) -> Result<(), gix::Error> {
    use gix::refs::transaction::{Change, PreviousValue, RefEdit, RefLog};
    let remote: std::collections::HashSet<String> = remote_refs
        .iter()
        .map(|r| r.unpack().0.to_string())
        .collect();
    let mut stale = Vec::new();
    let platform = repo.references()?;
    for prefix in ["refs/heads/", "refs/tags/"] {
        for r in platform.prefixed(prefix)? {
            let r = r?;
            let name = r.name().as_bstr().to_string();
            if !remote.contains(&name) {
                stale.push(r.name().to_owned());
            }
        }
    }
    if !remote.contains("HEAD")
        && let Ok(Some(r)) = repo.try_find_reference(REMOTE_HEAD)
    {
        stale.push(r.name().to_owned());
    }
    if stale.is_empty() {
        return Ok(());
    }
    repo.edit_references(stale.into_iter().map(|name| RefEdit {
        change: Change::Delete {
            expected: PreviousValue::Any,
            log: RefLog::AndReference,
        },
        name,
        deref: false,
    }))?;
    Ok(())
}

/// True when `text` names the HTTP status `code` as a number of its own: not part of a longer
/// number, nor a port (`127.0.0.1:40387` does not say 403).
fn has_status(text: &str, code: &str) -> bool {
    text.match_indices(code).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + code.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit() || c == ':')
            && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

fn classify(e: &gix::Error, asked_for_credentials: bool) -> FetchError {
    use gix::error::Class;
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let next = c.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        cause = c.source();
    }
    let text = redact_str(&text);
    let lower = text.to_lowercase();
    let class = e.dominant_class();
    if matches!(
        class,
        Some(Class::Unauthenticated | Class::PermissionDenied)
    ) || has_status(&lower, "401")
        || has_status(&lower, "403")
        || lower.contains("authentication")
        || (asked_for_credentials && lower.contains("credential"))
    {
        return FetchError::Auth;
    }
    if matches!(class, Some(Class::Corruption)) {
        return FetchError::Corrupt(text);
    }
    if matches!(class, Some(Class::Retryable | Class::NotFound))
        || lower.contains("connect")
        || lower.contains("resolve")
        || lower.contains("dns")
        || lower.contains("timed out")
        || has_status(&lower, "404")
        || lower.contains("not found")
        || lower.contains("does not exist")
        || lower.contains("does not appear to be a git repository")
        || lower.contains("could not read from remote")
    {
        return FetchError::Unreachable(text);
    }
    FetchError::Other(text)
}

#[cfg(test)]
mod status_tests {
    use super::has_status;

    #[test]
    fn a_port_is_not_a_status() {
        assert!(!has_status("http://127.0.0.1:40387/nope: not found", "403"));
        assert!(!has_status("fetched 14030 bytes", "403"));
        assert!(has_status("http status 403 forbidden", "403"));
        assert!(has_status("(401)", "401"));
    }
}

//! Errors of the Git source, naming URL (without credentials) and revision.

/// Why a source operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The URL could not be parsed or uses a transport that is not allowed.
    #[error("invalid repository URL `{url}`: {message}")]
    InvalidUrl {
        /// The URL, credentials removed.
        url: String,
        /// Why.
        message: String,
    },
    /// The revision is neither a branch, a tag, a commit nor `HEAD` of the repository.
    #[error("{url}: unknown revision `{revision}`")]
    UnknownRevision {
        /// The repository.
        url: String,
        /// The revision asked for.
        revision: String,
    },
    /// The server refused our credentials (or asked for some and we had none).
    #[error("{url}: authentication refused{}", revision_suffix(.revision))]
    AuthRefused {
        /// The repository.
        url: String,
        /// The revision being resolved, if any.
        revision: Option<String>,
    },
    /// The host could not be reached (DNS, refused connection, timeout, no such repository path).
    #[error("{url}: repository unreachable{}: {message}", revision_suffix(.revision))]
    Unreachable {
        /// The repository.
        url: String,
        /// The revision being resolved, if any.
        revision: Option<String>,
        /// Transport detail, credentials removed.
        message: String,
    },
    /// The cached repository is damaged and could not be repaired by re-cloning.
    #[error("{url}: corrupt repository cache at {path}: {message}")]
    CorruptCache {
        /// The repository.
        url: String,
        /// The cache directory.
        path: std::path::PathBuf,
        /// Detail.
        message: String,
    },
    /// Any other Git failure.
    #[error("{url}: git error{}: {message}", revision_suffix(.revision))]
    Git {
        /// The repository.
        url: String,
        /// The revision, if any.
        revision: Option<String>,
        /// Detail, credentials removed.
        message: String,
    },
    /// Reading a path of a commit's tree failed: the path is missing or of the wrong kind, or
    /// the object store is broken (see [`driftless_core::fs::FsError`]'s variants).
    #[error("{url}@{commit}: {source}")]
    Tree {
        /// The repository.
        url: String,
        /// The commit.
        commit: String,
        /// What failed, with the path.
        source: driftless_core::fs::FsError,
    },
    /// Local I/O on the cache directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

fn revision_suffix(rev: &Option<String>) -> String {
    rev.as_ref()
        .map(|r| format!(" (revision `{r}`)"))
        .unwrap_or_default()
}

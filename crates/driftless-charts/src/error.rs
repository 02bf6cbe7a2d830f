//! Why a chart could not be resolved or fetched. Every error names the
//! repository (without credentials), and the chart and version where known.

/// Why a chart could not be resolved or fetched.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The repository URL cannot be used.
    #[error("chart repository {repo:?}: {message}")]
    BadRepository {
        /// The repository as written (credentials removed).
        repo: String,
        /// What is wrong.
        message: String,
    },
    /// The repository has no chart of that name.
    #[error("chart {chart:?} not found in repository {repo}")]
    ChartNotFound {
        /// The repository.
        repo: String,
        /// The chart.
        chart: String,
    },
    /// No version of the chart satisfies the constraint.
    #[error("chart {chart:?} in repository {repo}: no version matches {constraint:?}{}", available_hint(.available))]
    NoVersion {
        /// The repository.
        repo: String,
        /// The chart.
        chart: String,
        /// The version or constraint asked for.
        constraint: String,
        /// A few of the versions that exist (newest first).
        available: Vec<String>,
    },
    /// The constraint does not parse.
    #[error("chart {chart:?} in repository {repo}: invalid version constraint {constraint:?}")]
    BadConstraint {
        /// The repository.
        repo: String,
        /// The chart.
        chart: String,
        /// The constraint as written.
        constraint: String,
    },
    /// The downloaded archive is not what the repository's index or manifest names.
    #[error(
        "chart {chart:?} version {version} from repository {repo}: digest mismatch: expected sha256:{expected}, downloaded sha256:{actual}; refusing it"
    )]
    DigestMismatch {
        /// The repository.
        repo: String,
        /// The chart.
        chart: String,
        /// The version.
        version: String,
        /// The published digest (hex).
        expected: String,
        /// The digest of what was downloaded (hex).
        actual: String,
    },
    /// An HTTP request failed or was answered with an error status.
    #[error("chart repository {repo}: GET {url}: {message}")]
    Http {
        /// The repository.
        repo: String,
        /// The URL requested (credentials removed).
        url: String,
        /// The status or transport error.
        message: String,
    },
    /// The repository's index or a registry's answer does not parse or lacks something.
    #[error("chart repository {repo}: {message}")]
    Invalid {
        /// The repository.
        repo: String,
        /// What is wrong.
        message: String,
    },
    /// The chart cache on disk failed.
    #[error("chart cache {path}: {source}")]
    Cache {
        /// The file or directory.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The archive is not a chart archive.
    #[error("chart {chart:?} version {version} from repository {repo}: {message}")]
    Archive {
        /// The repository.
        repo: String,
        /// The chart.
        chart: String,
        /// The version.
        version: String,
        /// What is wrong.
        message: String,
    },
}

fn available_hint(v: &[String]) -> String {
    if v.is_empty() {
        String::new()
    } else {
        format!(" (available: {})", v.join(", "))
    }
}

//! Errors of chart loading, values processing and rendering.
//!
//! Display texts follow Helm's wording (without the CLI's `Error: ` prefix),
//! so that a message from Driftless and one from `helm template` can be
//! compared.

use std::io;

/// Any error of the Helm renderer.
#[derive(Debug, thiserror::Error)]
pub enum HelmError {
    /// A local file outside the chart tree (a `--values` or `--set-file` path, the helm
    /// binary's temporary files) could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// Reading a chart file from its tree failed (missing, over the size limit, a symlink
    /// leaving the tree, a broken Git object); the path is the tree's.
    #[error(transparent)]
    Fs(#[from] driftless_core::fs::FsError),
    /// `Chart.yaml` is absent.
    #[error("Chart.yaml file is missing")]
    MissingChartYaml,
    /// A chart file is malformed (Chart.yaml, values.yaml, an archive...).
    #[error("{0}")]
    InvalidChart(String),
    /// `Chart.yaml` fails Helm's validation (`validation: ...`).
    #[error("validation: {0}")]
    Validation(String),
    /// A dependency listed in `Chart.yaml` has no chart under `charts/`.
    #[error(
        "an error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {0}"
    )]
    MissingDependencies(String),
    /// A dependency could not be fetched or loaded (`helm dependency build`).
    #[error(
        "chart {chart}: dependency {name:?} (repository {repository:?}, version {version:?}): {message}"
    )]
    Dependency {
        /// The chart that depends on it.
        chart: String,
        /// The dependency's chart name.
        name: String,
        /// Its repository (credentials removed).
        repository: String,
        /// Its version or constraint.
        version: String,
        /// What went wrong.
        message: String,
    },
    /// `Chart.lock` does not match the dependencies of `Chart.yaml` (Helm's wording).
    #[error(
        "chart {chart}: the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the dependencies"
    )]
    LockOutOfSync {
        /// The chart.
        chart: String,
    },
    /// The chart's `kubeVersion` constraint excludes the target Kubernetes.
    #[error(
        "chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {kube}"
    )]
    IncompatibleKube {
        /// The chart's constraint.
        constraint: String,
        /// The target version (`vX.Y.Z`).
        kube: String,
    },
    /// A values file or `--set` expression is invalid.
    #[error("{0}")]
    Values(String),
    /// The values do not satisfy a chart's `values.schema.json`.
    #[error(
        "values don't meet the specifications of the schema(s) in the following chart(s):\n{0}"
    )]
    Schema(String),
    /// A template does not parse (`parse error at (file:line): msg`).
    #[error("parse error at ({location}): {message}")]
    Parse {
        /// `file:line`.
        location: String,
        /// Go's message.
        message: String,
    },
    /// A template failed while executing.
    #[error("{0}")]
    Exec(String),
    /// A rendered document is not valid YAML.
    #[error("YAML parse error on {file}: {message}")]
    Yaml {
        /// Template path, e.g. `chart/templates/x.yaml`.
        file: String,
        /// The parser's message.
        message: String,
        /// What `helm template --debug` prints before the error: every
        /// non-blank rendered file (empty when not applicable).
        rendered: String,
    },
    /// A rendered document is not a Kubernetes object.
    #[error("{0}")]
    Manifest(#[from] driftless_core::ManifestError),
    /// `--show-only` named a template that produced nothing.
    #[error("could not find template {0} in chart")]
    ShowOnly(String),
    /// The `helm` binary engine failed.
    #[error("{0}")]
    Binary(String),
}

impl HelmError {
    pub(crate) fn io(path: impl Into<String>, source: io::Error) -> HelmError {
        HelmError::Io {
            path: path.into(),
            source,
        }
    }
}

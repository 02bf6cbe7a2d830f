//! Render errors and warnings, each naming the file (and line) concerned.

use crate::FsError;
use driftless_core::{ManifestError, ObjectKey, Provenance};

/// Why a render failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Reading the source failed (missing file, file over the size limit, I/O, a path or
    /// symlink leaving the repository, a symlink loop).
    #[error(transparent)]
    Fs(#[from] FsError),
    /// The source path does not exist or is not a directory.
    #[error("{path}: source path not found in the repository")]
    SourceNotFound {
        /// The path.
        path: String,
    },
    /// Invalid YAML or JSON.
    #[error("{file}:{line}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// One-based line (0 when unknown).
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// An object nests deeper than the limit.
    #[error("{file}:{line}: object nests deeper than {limit} levels")]
    TooDeep {
        /// The file.
        file: String,
        /// Line of the document.
        line: usize,
        /// The limit.
        limit: usize,
    },
    /// A document is not a valid Kubernetes object.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// Two objects with the same identity, in strict mode.
    #[error("duplicate object {}: defined at {} and again at {}", .0.key, .0.first, .0.second)]
    Duplicate(Box<Repeated>),
    /// An include or exclude pattern is not a valid glob.
    #[error("invalid glob `{pattern}`: {message}")]
    Glob {
        /// The pattern.
        pattern: String,
        /// Why.
        message: String,
    },
    /// A kustomization refers to a path outside the repository.
    #[error("{file}: `{reference}` leaves the repository")]
    KustomizeEscapes {
        /// The kustomization file.
        file: String,
        /// The reference.
        reference: String,
    },
    /// An option of the Application's `spec.source.kustomize` cannot be applied.
    #[error("{file}: {message}")]
    KustomizeEdit {
        /// The kustomization file.
        file: String,
        /// Why.
        message: String,
    },
    /// Neither `kustomize` nor `kubectl` could be run.
    #[error("{path}: cannot run {program}: {message}")]
    KustomizeUnavailable {
        /// The kustomization directory.
        path: String,
        /// The program tried.
        program: String,
        /// Why.
        message: String,
    },
    /// `kustomize build` failed.
    #[error("{path}: kustomize build failed: {message}")]
    Kustomize {
        /// The kustomization directory.
        path: String,
        /// Its standard error.
        message: String,
    },
    /// `kustomize build` ran longer than the timeout.
    #[error("{path}: kustomize build timed out after {seconds} s")]
    KustomizeTimeout {
        /// The kustomization directory.
        path: String,
        /// The timeout.
        seconds: u64,
    },
    /// Helm's own output (`helm template`'s text) was asked of a source that is not a Helm
    /// chart.
    #[error(
        "{path}: the Helm output format applies to Helm sources only; this is a {found} source"
    )]
    NotHelm {
        /// The source path.
        path: String,
        /// The kind of source found there.
        found: crate::SourceType,
    },
    /// Rendering the Helm chart failed (Helm's own message).
    #[error("{path}: {source}")]
    Helm {
        /// The chart directory.
        path: String,
        /// Helm's error.
        source: Box<driftless_helm::HelmError>,
    },
    /// A Jsonnet file could not be rendered (bad result, time limit).
    #[error("{file}: {message}")]
    Jsonnet {
        /// The file.
        file: String,
        /// Why.
        message: String,
    },
    /// Jsonnet evaluation failed: `file:line:column: message`, where the
    /// evaluator found the error (which may be in an imported file).
    #[error("{message}")]
    JsonnetEval {
        /// The located message.
        message: String,
    },
    /// No configured plugin has the name the Application gives (or, without a
    /// name, none discovers the source).
    #[error("{path}: {}", if name.is_empty() { "no config-management plugin discovers this source".to_string() } else { format!("config-management plugin {name} is not configured") })]
    PluginNotFound {
        /// The source directory.
        path: String,
        /// The name asked for (empty: discovery).
        name: String,
    },
    /// A plugin command failed, ran too long or printed too much.
    #[error("{path}: plugin {plugin}: {message}")]
    Plugin {
        /// The source directory.
        path: String,
        /// The plugin (`<name>-<version>`).
        plugin: String,
        /// Which command and why (its standard error).
        message: String,
    },
    /// Local I/O (temporary directories for Kustomize).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        source: std::io::Error,
    },
}

/// One object defined twice.
#[derive(Debug, Clone, PartialEq)]
pub struct Repeated {
    /// The object.
    pub key: ObjectKey,
    /// The first definition.
    pub first: Provenance,
    /// The second definition.
    pub second: Provenance,
}

/// Something worth telling that did not stop the render.
#[derive(Debug, Clone, PartialEq)]
pub enum RenderWarning {
    /// The same object twice; the later definition wins (Argo CD's `RepeatedResourceWarning`).
    Duplicate {
        /// The object.
        key: ObjectKey,
        /// The definition dropped.
        first: Provenance,
        /// The definition kept.
        second: Provenance,
    },
    /// A file that was not rendered.
    Skipped {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
}

impl std::fmt::Display for RenderWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderWarning::Duplicate { key, first, second } => write!(
                f,
                "RepeatedResourceWarning: {key} is defined at {first} and again at {second}; the later one wins"
            ),
            RenderWarning::Skipped { file, reason } => write!(f, "{file}: skipped: {reason}"),
        }
    }
}

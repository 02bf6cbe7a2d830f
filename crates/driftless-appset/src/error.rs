//! Errors of ApplicationSet generation, each naming where in the set it happened.

use thiserror::Error;

/// Why an ApplicationSet could not produce its Applications.
///
/// `at` is the path of the generator in the set, as written in the manifest
/// (`spec.generators[0].matrix.generators[1].git`), so a message points at the
/// YAML to fix.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AppSetError {
    /// The ApplicationSet itself is malformed (not an object, wrong field type).
    #[error("ApplicationSet {set}: {field}: {message}")]
    InvalidSpec {
        /// Name of the set.
        set: String,
        /// The offending field, e.g. `spec.generators[1]`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A generator failed to produce parameters (Argo CD's
    /// `ApplicationParamsGenerationError`).
    #[error("{at}: {message}")]
    Generator {
        /// Path of the generator, e.g. `spec.generators[0].list`.
        at: String,
        /// What failed.
        message: String,
    },
    /// Rendering the template (or `templatePatch`) with one parameter set
    /// failed (Argo CD's `RenderTemplateParamsError`).
    #[error("{at}: parameter set {index}: {message}")]
    Render {
        /// Path of the top-level generator whose parameters were rendered.
        at: String,
        /// Index of the parameter set within that generator's output.
        index: usize,
        /// What failed, e.g. Go's `map has no entry for key "env"`.
        message: String,
    },
    /// The Git repository could not be read.
    #[error("{at}: repository {repo} at {revision}: {message}")]
    Git {
        /// Path of the git generator.
        at: String,
        /// The repository URL.
        repo: String,
        /// The revision asked for.
        revision: String,
        /// What failed.
        message: String,
    },
}

impl AppSetError {
    /// The Argo CD condition reason this error is reported under
    /// (`ApplicationParamsGenerationError` or `RenderTemplateParamsError`).
    pub fn reason(&self) -> &'static str {
        match self {
            AppSetError::Render { .. } => crate::conditions::REASON_RENDER_TEMPLATE_PARAMS_ERROR,
            _ => crate::conditions::REASON_PARAMS_GENERATION_ERROR,
        }
    }

    /// A generator error with `prefix: ` before its message (Argo CD's
    /// wrapping of child generator errors); other errors unchanged.
    pub(crate) fn prefixed(self, prefix: &str) -> AppSetError {
        match self {
            AppSetError::Generator { at, message } => AppSetError::Generator {
                at,
                message: format!("{prefix}: {message}"),
            },
            other => other,
        }
    }

    pub(crate) fn generator(at: &str, message: impl Into<String>) -> AppSetError {
        AppSetError::Generator {
            at: at.to_string(),
            message: message.into(),
        }
    }
}

/// A failure of a [`crate::GitSource`] implementation.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct SourceError(pub String);

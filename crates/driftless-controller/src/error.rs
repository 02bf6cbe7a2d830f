//! Errors of one reconcile; the error policy requeues with back-off.

/// Why a reconcile could not finish (a failed comparison or sync is status, not an error).
#[derive(Debug, thiserror::Error)]
pub enum ControllerError {
    /// Reading or writing the Application failed.
    #[error("application {name}: {source}")]
    Kube {
        /// The Application.
        name: String,
        /// The API error.
        #[source]
        source: kube::Error,
    },
    /// The Application is not of the expected shape.
    #[error("application {name}: {message}")]
    Invalid {
        /// The Application.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The engine failed where no status can record it.
    #[error(transparent)]
    Runtime(#[from] driftless_runtime::RuntimeError),
}

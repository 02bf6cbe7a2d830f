//! Diff errors.

/// Why a comparer could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    /// A `jqPathExpressions` entry does not parse or compile.
    #[error("ignoreDifferences: invalid jqPathExpression {expression:?}: {reason}")]
    InvalidJq {
        /// The expression.
        expression: String,
        /// What went wrong.
        reason: String,
    },
}

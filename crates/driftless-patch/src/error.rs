//! Errors of the patch engines, with the HTTP status and Status `reason` the API server uses.

use thiserror::Error;

/// A patch that cannot be decoded or applied.
///
/// [`PatchError::http_status`], [`PatchError::reason`] and [`PatchError::status_message`]
/// give the `Status` answer of kube-apiserver for the same failure.
#[derive(Debug, Clone, Error, PartialEq)]
pub enum PatchError {
    /// The patch document has the wrong shape (not a list of operations, unknown `op`,
    /// missing `path`/`value`/`from`, non-object strategic patch, bad directive...).
    /// The API server answers `400 BadRequest` with this message.
    #[error("{0}")]
    BadRequest(String),
    /// A JSON patch operation did not apply (missing path, bad index, failed `test`).
    /// The API server answers `422 Invalid` with a generic message.
    #[error("{0}")]
    NotApplicable(String),
    /// A strategic merge patch is valid JSON but cannot be applied to this object
    /// (e.g. `$retainKeys` that do not match the patch). `422 Invalid`.
    #[error("{0}")]
    Invalid(String),
    /// A strategic merge patch failed with an error the API server does not classify (missing
    /// merge key, unknown `$patch` type, mixed list element types, `$setElementOrder` order
    /// mismatch...): `500 InternalError`, message `Internal error occurred: ...`.
    #[error("{0}")]
    Internal(String),
    /// Strategic merge patch was requested for a type without patch metadata
    /// (custom resources): `415 UnsupportedMediaType`.
    #[error("strategic merge patch is not supported for {0}")]
    Unsupported(String),
}

impl PatchError {
    /// HTTP status code of the API server's answer.
    pub fn http_status(&self) -> u16 {
        match self {
            PatchError::BadRequest(_) => 400,
            PatchError::NotApplicable(_) | PatchError::Invalid(_) => 422,
            PatchError::Unsupported(_) => 415,
            PatchError::Internal(_) => 500,
        }
    }

    /// `reason` of the `Status` object.
    pub fn reason(&self) -> &'static str {
        match self {
            PatchError::BadRequest(_) => "BadRequest",
            PatchError::NotApplicable(_) | PatchError::Invalid(_) => "Invalid",
            PatchError::Unsupported(_) => "UnsupportedMediaType",
            PatchError::Internal(_) => "InternalError",
        }
    }

    /// `message` of the `Status` object, worded as kube-apiserver words it.
    ///
    /// JSON patch failures come back as a generic 422 (the server drops the detail):
    /// ```
    /// use driftless_patch::json_patch;
    /// let doc = serde_json::json!({"spec": {"replicas": 3}});
    /// let patch = serde_json::json!([{"op": "test", "path": "/spec/replicas", "value": 99}]);
    /// let err = json_patch(&doc, &patch).unwrap_err();
    /// assert_eq!(err.http_status(), 422);
    /// assert_eq!(err.status_message(), "the server rejected our request due to an error in our request");
    /// assert_eq!(err.to_string(), "testing value /spec/replicas failed: test failed");
    /// ```
    pub fn status_message(&self) -> String {
        match self {
            PatchError::NotApplicable(_) => {
                "the server rejected our request due to an error in our request".to_string()
            }
            PatchError::Internal(m) => format!("Internal error occurred: {m}"),
            other => other.to_string(),
        }
    }
}

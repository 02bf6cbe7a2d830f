//! The apply and update entry points.

use super::conflict::ApplyConflict;
use super::fieldset::FieldSet;
use super::managed_fields::ManagedFieldsError;
use crate::schema::TypeRef;
use serde_json::Value;
use thiserror::Error;

/// Why a server-side apply failed.
#[derive(Debug, Clone, Error, PartialEq)]
pub enum ApplyError {
    /// Another manager owns fields this apply would change (`409 Conflict`).
    #[error(transparent)]
    Conflict(#[from] ApplyConflict),
    /// The applied configuration is not acceptable (`400 BadRequest` /  `422 Invalid` by the
    /// server; the message names the field).
    #[error("{0}")]
    Invalid(String),
    /// The live object's managedFields cannot be decoded.
    #[error(transparent)]
    ManagedFields(#[from] ManagedFieldsError),
}

impl ApplyError {
    /// HTTP status of the API server's answer.
    pub fn http_status(&self) -> u16 {
        match self {
            ApplyError::Conflict(_) => 409,
            ApplyError::Invalid(_) => 422,
            ApplyError::ManagedFields(_) => 500,
        }
    }
}

/// Parameters of a server-side apply.
#[derive(Debug, Clone)]
pub struct ApplyOptions<'a> {
    /// Field manager (`fieldManager` query parameter).
    pub manager: &'a str,
    /// `force=true`: take ownership of conflicting fields.
    pub force: bool,
    /// Time to record, RFC 3339 (the current time when `None`).
    pub time: Option<&'a str>,
    /// Subresource being written (`status`), if any.
    pub subresource: Option<&'a str>,
}

/// The outcome of a successful apply.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyResult {
    /// The new object, `metadata.managedFields` included. Server-set metadata
    /// (uid, resourceVersion...) is carried over from the live object.
    pub object: Value,
    /// Whether anything but managedFields changed.
    pub changed: bool,
}

/// Parameters of a non-apply write.
#[derive(Debug, Clone)]
pub struct UpdateOptions<'a> {
    /// Field manager (`fieldManager` query parameter, or the server's default derived from
    /// the user agent, e.g. `kubectl-client-side-apply`).
    pub manager: &'a str,
    /// Time to record, RFC 3339 (the current time when `None`).
    pub time: Option<&'a str>,
    /// Subresource being written (`status`, `scale`), if any.
    pub subresource: Option<&'a str>,
}

/// Server-side apply of `applied` by `manager` onto `live` (`None` creates the object).
///
/// See [`apply_with`] for the full set of options.
pub fn apply(
    live: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
    ty: TypeRef<'_>,
) -> Result<ApplyResult, ApplyError> {
    apply_with(live, applied, &ApplyOptions { manager, force, time: None, subresource: None }, ty)
}

/// Server-side apply with explicit options.
pub fn apply_with(
    _live: Option<&Value>,
    _applied: &Value,
    _opts: &ApplyOptions<'_>,
    _ty: TypeRef<'_>,
) -> Result<ApplyResult, ApplyError> {
    Err(ApplyError::Invalid("server-side apply is not implemented yet".into()))
}

/// Records a non-apply write of `new` (replacing `old`; `None` for a create) by a manager:
/// returns `new` with updated `metadata.managedFields`.
pub fn update(
    _old: Option<&Value>,
    new: &Value,
    _opts: &UpdateOptions<'_>,
    _ty: TypeRef<'_>,
) -> Result<Value, ManagedFieldsError> {
    Ok(new.clone())
}

/// The set of fields an object sets (as server-side apply counts them).
pub fn field_set(_obj: &Value, _ty: TypeRef<'_>) -> Result<FieldSet, ApplyError> {
    Ok(FieldSet::new())
}

/// Removes the given fields (and everything below them) from an object.
pub fn remove_fields(obj: &Value, _set: &FieldSet, _ty: TypeRef<'_>) -> Value {
    obj.clone()
}

/// Removes from `obj` the fields that the named managers own according to `managed_fields_of`
/// (usually the live object).
pub fn remove_fields_owned_by(
    obj: &Value,
    _managed_fields_of: &Value,
    _managers: &[&str],
    _ty: TypeRef<'_>,
) -> Result<Value, ManagedFieldsError> {
    Ok(obj.clone())
}

//! Server-side apply and `managedFields` tracking, following `sigs.k8s.io/structured-merge-diff`
//! and the API server's field manager.
//!
//! * [`apply`] / [`apply_with`]: merge an applied configuration into the live object, prune
//!   fields the manager stopped applying (unless someone else owns them), detect conflicts,
//!   and record ownership (operation `Apply`).
//! * [`update`]: record ownership for any other write (create, update, merge/JSON/strategic
//!   patch; operation `Update`) from the old and new object.
//! * [`field_set`], [`remove_fields`], [`remove_fields_owned_by`], [`extract_fields`]: field
//!   sets of objects, for normalising diffs.

mod apply;
mod conflict;
mod fields;
mod fieldset;
mod managed_fields;
mod server_fields;
mod typed;
mod update;

pub use apply::{ApplyError, ApplyOptions, ApplyResult, apply, apply_with};
pub use conflict::{ApplyConflict, Conflict};
pub use fields::{extract_fields, field_set, remove_fields, remove_fields_owned_by};
pub use fieldset::{FieldSet, Path, PathElement};
pub use managed_fields::{
    ManagedFieldsEntry, ManagedFieldsError, Operation, format_rfc3339, now_rfc3339,
    read_managed_fields, sort_managed_fields, write_managed_fields,
};
pub use update::{UpdateOptions, update};

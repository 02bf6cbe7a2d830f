//! Serde helpers that make the types encode like Argo CD's Go structs.
//!
//! Go's `encoding/json` with `omitempty` leaves out `false`, `0`, `""` and empty lists; a field
//! without `omitempty` is always written. The types here follow the same rule field by field, so
//! what Argo CD wrote reads back and writes again unchanged. Fields this version does not know are
//! kept in an [`Extra`] map on every object and written back as they were.

/// Fields of an object that this version of the types does not know, kept as written.
pub type Extra = serde_json::Map<String, serde_json::Value>;

pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

pub(crate) fn is_zero(n: &i64) -> bool {
    *n == 0
}

//! Typed walks over JSON values: field sets, comparison, merge and removal.

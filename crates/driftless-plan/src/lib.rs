//! Sync planning.

//! Controller runtime.

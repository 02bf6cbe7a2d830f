//! Desired-versus-live comparison.

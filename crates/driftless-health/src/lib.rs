//! Health assessment.

//! Cluster I/O: apply plans.

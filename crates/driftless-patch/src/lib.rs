//! Kubernetes patch and apply semantics.

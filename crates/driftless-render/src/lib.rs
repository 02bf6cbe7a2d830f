//! Rendering of sources into manifests.

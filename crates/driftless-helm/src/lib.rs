//! Native Helm rendering.

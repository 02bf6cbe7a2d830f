//! Native Helm rendering: charts, values, Helm's template objects and
//! `helm template`'s output, without the `helm` binary.
//!
//! Charts are read from a directory of any [`SourceFs`] (core's one read-only file tree: a Git
//! commit, a directory ([`DirFs`]), files in memory ([`MemFs`])), with symlinks followed only
//! inside the tree and files within [`ReadLimits`]; see [`ChartDir`].

pub mod chart;
pub mod error;
pub mod funcs;
pub mod render;
pub mod values;
pub mod yaml;

pub use chart::{Chart, ChartDir, ChartFetcher, ChartFile, FetchedChart, MemFs, load_chart};
/// The file tree charts are read through, and its directory implementation (from
/// `driftless-core`, re-exported for callers that depend on this crate alone).
pub use driftless_core::fs::{DirFs, ReadLimits, SourceFs};
pub use error::HelmError;
pub use render::{
    Engine, Lookup, RenderOptions, Rendered, ValuesFile, render, render_chart, render_dir,
};

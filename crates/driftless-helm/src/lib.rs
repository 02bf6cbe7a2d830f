//! Native Helm rendering: charts, values, Helm's template objects and
//! `helm template`'s output, without the `helm` binary.

pub mod chart;
pub mod error;
pub mod funcs;
pub mod render;
pub mod values;
pub mod yaml;

pub use chart::{
    Chart, ChartFetcher, ChartFile, ChartFs, DirEntry, DirFs, FetchedChart, MemFs, load_chart,
};
pub use error::HelmError;
pub use render::{
    Engine, Lookup, RenderOptions, Rendered, ValuesFile, render, render_chart, render_dir,
};

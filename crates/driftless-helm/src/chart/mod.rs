//! Charts: loading from a directory of a [`driftless_core::fs::SourceFs`] or from an archive,
//! `Chart.yaml`, `.helmignore`.

mod archive;
pub mod build;
mod dir;
pub mod ignore;
mod load;
mod mem;
pub mod metadata;
mod pathmatch;
pub mod semver;

use std::sync::Arc;

pub use archive::load_archive;
pub use build::{ChartFetcher, FetchedChart, build_dependencies};
pub use dir::ChartDir;
pub use ignore::IgnoreRules;
pub use load::{load_chart, load_dir, load_files};
pub use mem::MemFs;
pub use metadata::{Dependency, Maintainer, Metadata};
pub use pathmatch::go_path_match;

use crate::values::Values;

/// A file of a chart: its path relative to the chart root and its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartFile {
    /// `/`-separated path relative to the chart root.
    pub name: String,
    /// Contents (a UTF-8 byte order mark removed).
    pub data: Arc<[u8]>,
}

/// A loaded chart with its subcharts.
#[derive(Debug, Clone)]
pub struct Chart {
    /// `Chart.yaml` (the name is replaced by the alias for aliased subcharts).
    pub metadata: Metadata,
    /// `values.yaml`.
    pub values: Values,
    /// `values.schema.json`, if present.
    pub schema: Option<Arc<[u8]>>,
    /// Files under `templates/`.
    pub templates: Vec<ChartFile>,
    /// Every other file (including `crds/`, but not `Chart.yaml`,
    /// `values.yaml`, `values.schema.json` or `charts/`).
    pub files: Vec<ChartFile>,
    /// Subcharts from `charts/`.
    pub dependencies: Vec<Chart>,
}

impl Chart {
    /// The chart's name.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// Files under `crds/` with a manifest extension (`.yaml`, `.yml`,
    /// `.json`), in load order.
    pub fn crd_files(&self) -> impl Iterator<Item = &ChartFile> {
        self.files.iter().filter(|f| {
            f.name.starts_with("crds/")
                && [".yaml", ".yml", ".json"]
                    .iter()
                    .any(|ext| f.name.ends_with(ext))
        })
    }
}

//! Errors of a sync run: each stage's error, kept whole.

/// Why a render, plan, diff or sync failed.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// Fetching the source failed.
    #[error(transparent)]
    Source(#[from] driftless_source::SourceError),
    /// Rendering failed.
    #[error(transparent)]
    Render(#[from] driftless_render::RenderError),
    /// A chart could not be resolved or fetched from its repository.
    #[error(transparent)]
    Chart(#[from] driftless_charts::ChartError),
    /// Planning failed.
    #[error(transparent)]
    Plan(#[from] driftless_plan::PlanError),
    /// Applying failed.
    #[error(transparent)]
    Apply(#[from] driftless_apply::ApplyError),
    /// The sync stopped; the partial result says what was done.
    #[error(transparent)]
    Sync(#[from] driftless_apply::SyncFailure),
    /// An ignoreDifferences rule is wrong.
    #[error("ignoreDifferences: {0}")]
    Diff(#[from] driftless_diff::DiffError),
    /// The Application/flags are wrong.
    #[error(transparent)]
    Target(#[from] crate::TargetError),
    /// A sync option is wrong.
    #[error(transparent)]
    Options(#[from] driftless_apply::OptionError),
    /// A configured config-management plugin cannot be read.
    #[error("config-management plugins: {0}")]
    PluginConfig(String),
    /// A configured config-management plugin definition is wrong.
    #[error(transparent)]
    Plugin(#[from] driftless_render::PluginDefinitionError),
    /// An ignoreDifferences entry is not of the expected shape.
    #[error("ignoreDifferences entry {index}: {message}")]
    IgnoreEntry {
        /// Position in the list.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// The render gave no objects while the application tracks some: nothing is pruned.
    #[error(
        "the render of {path} produced no objects while the application tracks {tracked}; refusing to prune them (set allowEmpty to allow it)"
    )]
    EmptyRender {
        /// Rendered path.
        path: String,
        /// Number of tracked live objects.
        tracked: usize,
    },
    /// A `$name/…` value file of a multi-source Application leaves the referenced repository.
    #[error("value file '{file}' resolved to outside repository root")]
    RefEscapes {
        /// The value file as written.
        file: String,
    },
    /// A `$name/…` value file names a file the referenced source does not have.
    #[error("value file '{file}': no such file in the referenced source")]
    RefMissing {
        /// The value file as written.
        file: String,
    },
    /// A `$name/…` value file names no `ref` source.
    #[error(
        "value file '{file}': source referenced {name:?}, which is not one of the available sources"
    )]
    RefUnknown {
        /// The value file as written.
        file: String,
        /// The name (`$values`).
        name: String,
    },
    /// One source of a multi-source Application failed to render.
    #[error("spec.sources[{index}]: {source}")]
    InSource {
        /// Index of the source in `spec.sources`.
        index: usize,
        /// What failed.
        source: Box<RuntimeError>,
    },
    /// Revisions were given for a different number of sources than the target has.
    #[error("{given} revision(s) given for {sources} source(s)")]
    Revisions {
        /// Sources of the target.
        sources: usize,
        /// Revisions given.
        given: usize,
    },
    /// The Application's destination names no known cluster (Argo CD's message).
    #[error(transparent)]
    Destination(#[from] driftless_api::DestinationError),
    /// An object the destination cluster's Secret does not let Argo CD manage (namespaced mode:
    /// its `namespaces` and `clusterResources`); Argo CD's message.
    #[error("{0}")]
    NotManaged(String),
    /// Connecting to the cluster failed.
    #[error("{0}")]
    Connect(String),
    /// A cluster operation was asked of an engine with no cluster.
    #[error("no cluster: this operation needs a cluster connection")]
    NotConnected,
    /// The watch cache has not listed what the operation needs: nothing is compared or pruned.
    #[error(transparent)]
    NotSynced(#[from] crate::live::NotSynced),
}

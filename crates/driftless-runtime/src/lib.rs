//! The Driftless engine: Argo CD-compatible `Application` types, and the [`Engine`] that composes
//! the stages (source → render → plan → diff → apply) over shared caches — the Git cache, a render
//! cache keyed by commit and settings, cluster connections (its own and one per Argo CD cluster
//! Secret, [`Clusters`]) each with a discovery cache, and
//! watch-backed live state ([`live::LiveCache`]) so that steady-state comparison needs no request.
//!
//! `examples/embed.rs` (`cargo run -p driftless-runtime --example embed`) embeds the engine in a
//! short program: a simulated cluster in process, the bundled guestbook Application rendered,
//! diffed, synced and diffed again.
//!
//! ```
//! let app = driftless_runtime::Application::from_yaml(
//!     "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec: {source: {repoURL: ., path: web}}\n",
//! ).unwrap();
//! assert_eq!(app.sources()[0].path.as_deref(), Some("web"));
//! ```

// Errors carry the stage error whole (with the object or file it names); they are rare.
#![allow(clippy::result_large_err)]

mod chart_source;
mod clusters;
mod compare;
mod connect;
mod engine;
mod error;
pub mod inventory;
mod keys;
pub mod live;
mod multi;
mod oneshot;
pub mod pipeline;
mod refs;
mod render;
mod sources;
mod target;

pub use clusters::Clusters;
pub use connect::{ClusterConfig, client};
pub use driftless_api::{
    AppMetadata, Application, ApplicationError, ApplicationSource, ApplicationSpec, Automated,
    Destination, DirectorySource, HelmParameter, HelmSource, SyncPolicy,
};
pub use engine::{Engine, EngineConfig, SyncRequest};
pub use error::RuntimeError;
pub use oneshot::SyncOutcome;
pub use pipeline::{Comparison, LiveState, Rendered};
pub use render::{HelmOutputFrom, options as render_options};
pub use sources::FetchObserver;
pub use target::{
    JsonnetSettings, RenderSettings, SourceTarget, Target, TargetError, resolve_source,
    split_reference,
};

/// Installs the process-wide rustls crypto provider (ring) once; every TLS client of the
/// process (kube, the Git HTTP transport) uses it.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

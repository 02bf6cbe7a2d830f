//! The Driftless controller: Argo CD `Application`s reconciled continuously on
//! `kube_runtime::Controller`.
//!
//! One reconcile ([`reconcile::reconcile`]) reads an Application, asks the engine for the
//! comparison (Git poll shared per repository, render cached per commit, live state from the
//! watch cache), writes `status` once when something changed, and decides — by Argo CD's rules,
//! in [`policy`] — whether to start a sync: a requested `operation`, an automated sync of a new
//! revision, a self-heal of drift after its back-off, or the next retry of a failed sync. Tracked
//! objects that change requeue their Application (drift is seen in seconds, not at the next
//! poll). Applications may depend on others ([`deps`]): an automated sync waits until they
//! are Synced and Healthy. Progress is recorded in `status.operationState`, so a restarted controller resumes.
//!
//! Applications go to the cluster their `destination` names ([`clusters`]: Argo CD's cluster
//! Secrets, watched), fetch with the credentials of Argo CD's repository Secrets, and with
//! several replicas are sharded by destination cluster ([`shard`], [`scale`]).

// Errors carry the object they concern; they are rare and never on a hot path.
#![allow(clippy::result_large_err)]

pub mod appset;
pub mod clusters;
mod context;
pub mod deps;
mod error;
mod events;
mod finalize;
pub mod http;
mod instrument;
pub mod lease;
pub mod metrics;
mod operation;
pub mod policy;
mod progress;
mod project;
pub mod reconcile;
mod resources;
mod run;
pub mod scale;
pub mod shard;
mod sources;
mod status;
mod triggers;
mod warnings;
pub mod webhook;

pub use context::{Context, ControllerConfig};
pub use error::ControllerError;
pub use run::{application_resource, run};
pub use scale::run_replica;

/// The finalizer that makes deleting an Application delete its resources (Argo CD's).
pub const RESOURCES_FINALIZER: &str = "resources-finalizer.argocd.argoproj.io";
/// Its background-deletion variant.
pub const RESOURCES_FINALIZER_BACKGROUND: &str =
    "resources-finalizer.argocd.argoproj.io/background";
/// The refresh annotation (`normal` or `hard`), removed once the refresh is done.
pub const REFRESH_ANNOTATION: &str = "argocd.argoproj.io/refresh";

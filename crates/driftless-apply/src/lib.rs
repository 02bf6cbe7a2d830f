//! Cluster I/O of Driftless: discovery, server-side apply, wave execution with health waits,
//! hooks, retries and prune, through `kube`.
//!
//! ```
//! use driftless_apply::{SyncOptions, tracking_id};
//! use driftless_core::ObjectKey;
//! let opts = SyncOptions::parse(["CreateNamespace=true"]).unwrap();
//! assert!(opts.server_side_apply && opts.create_namespace);
//! let key = ObjectKey::new("v1", "ConfigMap", Some("web"), "settings");
//! assert_eq!(tracking_id("web", &key), "web:/ConfigMap:web/settings");
//! ```

// Errors carry the object they concern; they are rare and never on a hot path.
#![allow(clippy::result_large_err)]

mod cluster;
mod csa;
mod error;
mod events;
mod executor;
mod explain;
mod inventory;
mod options;
mod preflight;
mod read_cache;
mod retry;
mod step;
mod tracking;
mod wait;

pub use cluster::{Cluster, Resolved, WriteMode};
pub use error::ApplyError;
pub use events::{Action, NoObserver, Observer, SyncEvent};
pub use executor::{Applier, ObjectResult, SyncFailure, SyncResult, SyncSettings};
pub use inventory::{
    default_namespaces, default_namespaces_offline, live_inventory, tracked_objects,
};
pub use options::{OptionError, Propagation, SyncOptions};
pub use read_cache::ReadCache;
pub use retry::{RetryPolicy, transient};
pub use tracking::{TrackingMethod, mark, owner_of, parse_tracking_id, tracking_id};
pub use wait::{WaitLimits, until_gone, until_healthy};

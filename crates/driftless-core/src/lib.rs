//! Shared types of Driftless, the few that every stage needs.
//!
//! This crate does no I/O but read a directory for [`fs::DirFs`]: it names objects ([`ObjectKey`], [`GroupKind`]),
//! carries rendered objects with where they came from ([`Manifest`],
//! [`Provenance`]), lists the well-known annotations ([`annotations`]) and the
//! status vocabularies ([`Health`], [`SyncStatus`]), defines the read-only
//! file tree every source is read through ([`fs::SourceFs`]), and writes YAML that
//! Kubernetes tools read back unchanged ([`yaml`]).
//!
//! ```
//! use driftless_core::{Manifest, Provenance};
//! let obj = serde_json::json!({
//!     "apiVersion": "apps/v1", "kind": "Deployment",
//!     "metadata": {"name": "web", "namespace": "shop"}
//! });
//! let m = Manifest::new(obj, Provenance::file("deploy.yaml", 0, 1)).unwrap();
//! assert_eq!(m.key().to_string(), "apps/Deployment:shop/web");
//! ```

pub mod annotations;
pub mod fs;
mod hook;
mod key;
mod manifest;
mod status;
pub mod url;
pub mod yaml;

pub use hook::{hook_annotations, is_hook};
pub use key::{GroupKind, ObjectKey};
pub use manifest::{Manifest, ManifestError, Provenance};
pub use status::{Health, HealthStatus, SyncStatus};

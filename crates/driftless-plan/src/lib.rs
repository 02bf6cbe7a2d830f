//! Sync planning: which objects to apply, create as hooks or prune, and in
//! which order — phases, waves, kind order, dependencies — with Argo CD's
//! semantics (gitops-engine `pkg/sync`). Pure: no I/O.
//!
//! [`plan`] turns rendered [`driftless_core::Manifest`]s and the inventory of
//! tracked live objects ([`LiveObject`]) into a [`Plan`]: ordered [`Step`]s,
//! grouped for execution by [`Plan::wave_groups`]. A plan prints as a table
//! (`Display`) and serializes to JSON. See `docs/plan.md`.
//!
//! ```
//! use driftless_core::{Manifest, Provenance};
//! use driftless_plan::{plan, PlanOptions, Phase};
//! let m = |v| Manifest::new(v, Provenance::default()).unwrap();
//! let desired = vec![
//!     m(serde_json::json!({"apiVersion": "batch/v1", "kind": "Job",
//!         "metadata": {"generateName": "migrate-", "namespace": "shop",
//!                      "annotations": {"argocd.argoproj.io/hook": "PreSync"}}})),
//!     m(serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
//!         "metadata": {"name": "web", "namespace": "shop",
//!                      "annotations": {"argocd.argoproj.io/sync-wave": "1"}}})),
//!     m(serde_json::json!({"apiVersion": "v1", "kind": "Service",
//!         "metadata": {"name": "web", "namespace": "shop"}})),
//! ];
//! let opts = PlanOptions { revision: "0123456789abcdef".into(), started_at: 1700000000, ..Default::default() };
//! let p = plan(&desired, &[], &opts).unwrap();
//! let groups: Vec<_> = p.wave_groups().map(|g| (g.phase, g.wave, g.steps.len())).collect();
//! assert_eq!(groups, [(Phase::PreSync, 0, 1), (Phase::Sync, 0, 1), (Phase::Sync, 1, 1)]);
//! assert_eq!(p.steps[0].key.name, "migrate-0123456-presync-1700000000");
//! ```

// Plan errors carry the object keys they concern; they are rare and never on a hot path.
#![allow(clippy::result_large_err)]

mod annotations;
mod build;
mod deps;
mod display;
mod error;
mod order;
mod plan;

pub use annotations::{HookDeletePolicy, Phase};
pub use build::{LiveObject, PlanOptions, plan};
pub use error::PlanError;
pub use order::{KIND_ORDER, kind_rank};
pub use plan::{Action, HookInfo, Kept, Plan, Skipped, Step, WaveGroup};

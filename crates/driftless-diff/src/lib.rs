//! Desired-versus-live comparison with Argo CD's semantics. Pure: no I/O.
//!
//! A [`Comparer`] normalises both sides (drops `status`, server-owned
//! metadata, kubectl's last-applied annotation; folds Secret `stringData`
//! into `data`), applies Argo CD `ignoreDifferences` ([`IgnoreDifferences`]:
//! JSON pointers, jq path expressions, managedFields managers), compares,
//! and returns an [`ObjectDiff`] with a [`driftless_core::SyncStatus`], a
//! unified YAML diff ([`ObjectDiff::unified`]) and JSON
//! ([`ObjectDiff::to_json`]). Secret `data`/`stringData` values are masked
//! in every output. See `docs/diff.md`.
//!
//! ```
//! use driftless_diff::{Comparer, IgnoreDifferences};
//! use driftless_core::SyncStatus;
//! let desired = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
//!     "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": 2}});
//! let mut live = desired.clone();
//! live["spec"]["replicas"] = 5.into();
//! let ignore = IgnoreDifferences { group: "apps".into(), kind: "Deployment".into(),
//!     json_pointers: vec!["/spec/replicas".into()], ..Default::default() };
//! let cmp = Comparer::new(&[ignore]).unwrap();
//! assert_eq!(cmp.compare(Some(&desired), Some(&live)).status, SyncStatus::Synced);
//! ```

mod compare;
mod error;
mod ignore;
mod managed;
mod normalize;
mod path;
mod quantity;
mod redact;
mod render;
mod respect;

pub use compare::{Comparer, ObjectDiff, app_status};
pub use error::DiffError;
pub use ignore::IgnoreDifferences;
pub use normalize::{LAST_APPLIED, SERVER_METADATA};
pub use redact::redacted;

/// The trimmed, non-empty items of a comma-separated annotation.
fn annotations_csv<'a>(obj: &'a serde_json::Value, name: &str) -> impl Iterator<Item = &'a str> {
    obj.pointer("/metadata/annotations")
        .and_then(|a| a.get(name))
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn comparer_is_shareable_across_threads() {
        fn check<T: Send + Sync>() {}
        check::<crate::Comparer>();
    }
}

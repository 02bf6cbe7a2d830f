//! `spec.syncPolicy`: automated sync, sync options, retry and the managed namespace's metadata.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::fields::{Extra, is_false, is_zero};

/// `spec.syncPolicy`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicy {
    /// Automated sync settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated: Option<Automated>,
    /// `Key=Value` sync options.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sync_options: Vec<String>,
    /// Retry of failed syncs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryStrategy>,
    /// Labels and annotations of the namespace `CreateNamespace=true` creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_namespace_metadata: Option<ManagedNamespaceMetadata>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

impl SyncPolicy {
    /// True when nothing is set (Argo CD's `IsZero`); an empty policy is not written.
    pub fn is_empty(&self) -> bool {
        self.automated.is_none()
            && self.sync_options.is_empty()
            && self.retry.is_none()
            && self.managed_namespace_metadata.is_none()
            && self.extra.is_empty()
    }

    /// The automated settings when automated sync is on (`automated` set and not `enabled: false`).
    pub fn automated_enabled(&self) -> Option<Automated> {
        self.automated.filter(|a| a.is_enabled())
    }

    /// True when the sync option `option` (`Key=Value`) is set.
    ///
    /// ```
    /// let p = driftless_api::SyncPolicy { sync_options: vec!["CreateNamespace=true".into()], ..Default::default() };
    /// assert!(p.has_option("CreateNamespace=true"));
    /// ```
    pub fn has_option(&self, option: &str) -> bool {
        self.sync_options.iter().any(|o| o == option)
    }

    /// The retry strategy of an automated sync operation: `retry` when set, else Argo CD's implicit
    /// `limit: 5` with the default back-off.
    pub fn retry_for_automated(&self) -> RetryStrategy {
        self.retry.clone().unwrap_or(RetryStrategy {
            limit: 5,
            ..Default::default()
        })
    }
}

/// `spec.syncPolicy.automated`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Automated {
    /// Prune objects that left Git.
    #[serde(default, skip_serializing_if = "is_false")]
    pub prune: bool,
    /// Revert manual drift.
    #[serde(default, skip_serializing_if = "is_false")]
    pub self_heal: bool,
    /// Allow a render with zero objects (and so pruning everything).
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_empty: bool,
    /// `false` turns automated sync off while keeping the settings (Argo CD 3.x); unset means on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

impl Automated {
    /// True unless `enabled: false`.
    pub fn is_enabled(&self) -> bool {
        self.enabled.unwrap_or(true)
    }
}

/// `spec.syncPolicy.retry` (and `operation.retry`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryStrategy {
    /// How many times a failed sync is retried: 0 never, below 0 without end.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub limit: i64,
    /// How long to wait between attempts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<Backoff>,
    /// Retry at the latest revision instead of the one that failed (Argo CD 3.x).
    #[serde(default, skip_serializing_if = "is_false")]
    pub refresh: bool,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `retry.backoff`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Backoff {
    /// The first wait: a Go duration (`5s`, `1m30s`) or a number of seconds (default `5s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// Multiplier applied after each failed retry (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<i64>,
    /// Longest wait (default `3m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_duration: Option<String>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec.syncPolicy.managedNamespaceMetadata`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ManagedNamespaceMetadata {
    /// Labels set on the namespace.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations set on the namespace.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

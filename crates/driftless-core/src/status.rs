//! Health and sync status vocabularies (the same words Argo CD uses).

use serde::{Deserialize, Serialize};
use std::fmt;

/// How healthy an object is.
///
/// Ordered from best to worst for aggregation: the health of a group is the
/// worst of its members.
///
/// ```
/// use driftless_core::HealthStatus;
/// assert!(HealthStatus::Degraded.is_worse_than(HealthStatus::Progressing));
/// assert_eq!(HealthStatus::Healthy.to_string(), "Healthy");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HealthStatus {
    /// Running as desired.
    Healthy,
    /// Paused on purpose (e.g. a suspended CronJob).
    Suspended,
    /// Not yet healthy, still moving.
    Progressing,
    /// Health cannot be told.
    Unknown,
    /// Failed or failing.
    Degraded,
    /// Does not exist.
    Missing,
}

impl HealthStatus {
    fn rank(self) -> u8 {
        // Same order as Argo CD's health.IsWorse.
        match self {
            HealthStatus::Healthy => 0,
            HealthStatus::Suspended => 1,
            HealthStatus::Progressing => 2,
            HealthStatus::Missing => 3,
            HealthStatus::Degraded => 4,
            HealthStatus::Unknown => 5,
        }
    }

    /// True when `self` is worse than `other` (Argo CD's ordering).
    pub fn is_worse_than(self, other: HealthStatus) -> bool {
        self.rank() > other.rank()
    }
}

impl fmt::Display for HealthStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A health status with a human message.
///
/// ```
/// use driftless_core::{Health, HealthStatus};
/// let h = Health::new(HealthStatus::Progressing, "1 of 3 replicas ready");
/// assert_eq!(h.to_string(), "Progressing: 1 of 3 replicas ready");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// The status.
    pub status: HealthStatus,
    /// Why, for people; may be empty.
    pub message: String,
}

impl Health {
    /// A health with a message.
    pub fn new(status: HealthStatus, message: impl Into<String>) -> Self {
        Health {
            status,
            message: message.into(),
        }
    }
    /// Healthy, no message.
    pub fn healthy() -> Self {
        Health::new(HealthStatus::Healthy, "")
    }
}

impl fmt::Display for Health {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.status)
        } else {
            write!(f, "{}: {}", self.status, self.message)
        }
    }
}

/// Whether an object matches Git.
///
/// ```
/// assert_eq!(driftless_core::SyncStatus::RequiresPruning.to_string(), "RequiresPruning");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SyncStatus {
    /// Live equals desired.
    Synced,
    /// Live differs from desired.
    OutOfSync,
    /// Desired but not live.
    Missing,
    /// Live and tracked, but no longer desired.
    RequiresPruning,
}

impl fmt::Display for SyncStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

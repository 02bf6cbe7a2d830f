//! The status words of Argo CD (`Synced`, `Healthy`, `Succeeded`, …) as enums that keep values
//! they do not know, so a newer Argo CD's word survives a read and a write.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A word this version does not know, kept as written.
            Other(String),
        }

        impl $name {
            /// The word as Argo CD writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )+
                    Self::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $text => Self::$variant, )+
                    other => Self::Other(other.to_string()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok(Self::from(s.as_str()))
            }
        }
    };
}

string_enum! {
    /// `status.sync.status` and `status.resources[].status`: how the live state compares with Git.
    ///
    /// ```
    /// use driftless_api::SyncStatusCode;
    /// assert_eq!(SyncStatusCode::from("OutOfSync"), SyncStatusCode::OutOfSync);
    /// assert_eq!(SyncStatusCode::from("Later").as_str(), "Later");
    /// ```
    SyncStatusCode {
        /// Live equals desired.
        Synced => "Synced",
        /// Live differs from desired (or is missing, or should be pruned).
        OutOfSync => "OutOfSync",
        /// The comparison could not be made.
        Unknown => "Unknown",
    }
}

// The enum is macro-made with an `Other(String)` variant; a manual impl is simpler than a derive.
#[allow(clippy::derivable_impls)]
impl Default for SyncStatusCode {
    fn default() -> Self {
        Self::Unknown
    }
}

string_enum! {
    /// `status.health.status`: Argo CD's health words.
    HealthStatusCode {
        /// Running as desired.
        Healthy => "Healthy",
        /// Not yet healthy, still moving.
        Progressing => "Progressing",
        /// Failed or failing.
        Degraded => "Degraded",
        /// Paused on purpose.
        Suspended => "Suspended",
        /// Does not exist.
        Missing => "Missing",
        /// Health cannot be told.
        Unknown => "Unknown",
    }
}

string_enum! {
    /// `status.operationState.phase` (and a hook's `hookPhase`).
    OperationPhase {
        /// In progress.
        Running => "Running",
        /// Asked to stop; the controller stops it at the next step.
        Terminating => "Terminating",
        /// Finished with a failed object or hook.
        Failed => "Failed",
        /// Could not run (an error before or outside the objects).
        Error => "Error",
        /// Finished, everything applied.
        Succeeded => "Succeeded",
    }
}

impl OperationPhase {
    /// True once the operation has ended (Failed, Error or Succeeded).
    pub fn is_completed(&self) -> bool {
        matches!(self, Self::Failed | Self::Error | Self::Succeeded)
    }
}

string_enum! {
    /// `syncResult.resources[].status`: what the sync did to one object.
    ResultCode {
        /// Applied.
        Synced => "Synced",
        /// Could not be applied.
        SyncFailed => "SyncFailed",
        /// Deleted because it left Git.
        Pruned => "Pruned",
        /// Should be deleted but pruning was off.
        PruneSkipped => "PruneSkipped",
    }
}

string_enum! {
    /// `syncResult.resources[].hookType`: the `argocd.argoproj.io/hook` annotation's values.
    HookType {
        /// Before the sync.
        PreSync => "PreSync",
        /// With the sync.
        Sync => "Sync",
        /// After a healthy sync.
        PostSync => "PostSync",
        /// Never applied.
        Skip => "Skip",
        /// When the sync fails.
        SyncFail => "SyncFail",
        /// Before the Application is deleted.
        PreDelete => "PreDelete",
        /// After the Application is deleted.
        PostDelete => "PostDelete",
    }
}

string_enum! {
    /// `syncResult.resources[].syncPhase`: the phase an object or hook ran in.
    SyncPhase {
        /// Before the sync.
        PreSync => "PreSync",
        /// The sync itself.
        Sync => "Sync",
        /// After a healthy sync.
        PostSync => "PostSync",
        /// After a failed sync.
        SyncFail => "SyncFail",
        /// Before deletion.
        PreDelete => "PreDelete",
        /// After deletion.
        PostDelete => "PostDelete",
    }
}

string_enum! {
    /// `status.sourceType`: how the source was rendered.
    ApplicationSourceType {
        /// A Helm chart.
        Helm => "Helm",
        /// A kustomization.
        Kustomize => "Kustomize",
        /// Plain YAML/JSON (or Jsonnet) files.
        Directory => "Directory",
        /// A config management plugin.
        Plugin => "Plugin",
    }
}

string_enum! {
    /// `status.conditions[].type`: Argo CD's condition types.
    ApplicationConditionType {
        /// The controller failed to delete the Application's resources.
        DeletionError => "DeletionError",
        /// The spec is invalid (unknown project, destination not permitted, …).
        InvalidSpecError => "InvalidSpecError",
        /// Rendering or comparing failed.
        ComparisonError => "ComparisonError",
        /// An automated sync failed (or was refused).
        SyncError => "SyncError",
        /// An unexpected controller error.
        UnknownError => "UnknownError",
        /// An object is tracked by more than one Application.
        SharedResourceWarning => "SharedResourceWarning",
        /// The source has the same object more than once.
        RepeatedResourceWarning => "RepeatedResourceWarning",
        /// An object is excluded by the resource exclusions.
        ExcludedResourceWarning => "ExcludedResourceWarning",
        /// The destination namespace has objects no Application tracks.
        OrphanedResourceWarning => "OrphanedResourceWarning",
        /// Driftless: Applications this one depends on are not yet Synced and Healthy, so it
        /// does not sync (the message names them).
        DependencyNotReady => "DependencyNotReady",
        /// Driftless: a dependency between Applications is missing or part of a cycle.
        DependencyError => "DependencyError",
    }
}

impl ApplicationConditionType {
    /// Argo CD's convention: types ending in `Error` are errors, the others warnings or information.
    pub fn is_error(&self) -> bool {
        self.as_str().ends_with("Error")
    }
}

impl From<driftless_core::HealthStatus> for HealthStatusCode {
    fn from(h: driftless_core::HealthStatus) -> Self {
        use driftless_core::HealthStatus as H;
        match h {
            H::Healthy => Self::Healthy,
            H::Suspended => Self::Suspended,
            H::Progressing => Self::Progressing,
            H::Unknown => Self::Unknown,
            H::Degraded => Self::Degraded,
            H::Missing => Self::Missing,
        }
    }
}

impl From<driftless_core::SyncStatus> for SyncStatusCode {
    /// Argo CD reports a missing object and one that should be pruned as `OutOfSync` (the
    /// resource entry then says `health: Missing` or `requiresPruning: true`).
    fn from(s: driftless_core::SyncStatus) -> Self {
        match s {
            driftless_core::SyncStatus::Synced => Self::Synced,
            _ => Self::OutOfSync,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_words_survive_a_round_trip() {
        let v: OperationPhase = serde_json::from_str("\"Paused\"").unwrap();
        assert_eq!(v, OperationPhase::Other("Paused".into()));
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"Paused\"");
        let ok: OperationPhase = serde_json::from_str("\"Succeeded\"").unwrap();
        assert!(ok.is_completed());
        assert!(!OperationPhase::Terminating.is_completed());
    }

    #[test]
    fn core_statuses_map_to_argo_words() {
        assert_eq!(
            SyncStatusCode::from(driftless_core::SyncStatus::RequiresPruning),
            SyncStatusCode::OutOfSync
        );
        assert_eq!(
            HealthStatusCode::from(driftless_core::HealthStatus::Missing).as_str(),
            "Missing"
        );
        assert!(ApplicationConditionType::ComparisonError.is_error());
        assert!(!ApplicationConditionType::SharedResourceWarning.is_error());
    }
}

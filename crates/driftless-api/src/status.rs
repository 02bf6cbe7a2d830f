//! `status` of an Application, field for field as Argo CD writes it.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde::{Deserialize, Serialize};

use crate::codes::{
    ApplicationConditionType, ApplicationSourceType, HealthStatusCode, SyncStatusCode,
};
use crate::fields::{Extra, is_false, is_zero};
use crate::operation::{OperationInitiator, OperationState};
use crate::source::{ApplicationSource, Destination};

/// `status` of an Application.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationStatus {
    /// One entry per object the Application tracks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceStatus>,
    /// The result of the last comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncStatus>,
    /// The aggregated health.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<HealthStatus>,
    /// Past syncs, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<RevisionHistory>,
    /// Errors and warnings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ApplicationCondition>,
    /// When the Application was last compared with Git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciled_at: Option<Time>,
    /// The running or last operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_state: Option<OperationState>,
    /// Deprecated by Argo CD (no longer written); kept when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_at: Option<Time>,
    /// How the (first) source was rendered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<ApplicationSourceType>,
    /// How each source was rendered (multi-source).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_types: Vec<ApplicationSourceType>,
    /// Images and external URLs of the Application's objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<ApplicationSummary>,
    /// Where per-resource health is kept: inline (empty) or `appTree`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resource_health_source: String,
    /// Namespace of the controller that wrote this status.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub controller_namespace: String,
    /// Argo CD's source hydrator state (kept as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_hydrator: Option<serde_json::Value>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ApplicationStatus {
    /// The condition of type `kind`, if any.
    pub fn condition(&self, kind: &ApplicationConditionType) -> Option<&ApplicationCondition> {
        self.conditions.iter().find(|c| &c.kind == kind)
    }

    /// Replaces the conditions whose types are in `managed` with `conditions`, keeping each kept
    /// condition's `lastTransitionTime` when its message did not change (Argo CD's `SetConditions`).
    pub fn set_conditions(
        &mut self,
        conditions: Vec<ApplicationCondition>,
        managed: &[ApplicationConditionType],
        now: &Time,
    ) {
        let old = std::mem::take(&mut self.conditions);
        let mut out: Vec<ApplicationCondition> = old
            .iter()
            .filter(|c| !managed.contains(&c.kind))
            .cloned()
            .collect();
        for mut c in conditions {
            let same = old
                .iter()
                .find(|o| o.kind == c.kind && o.message == c.message);
            c.last_transition_time = match same {
                Some(o) => o.last_transition_time.clone().or(Some(now.clone())),
                None => c.last_transition_time.or(Some(now.clone())),
            };
            out.push(c);
        }
        self.conditions = out;
    }

    /// Revisions compared (`sync.revisions`, or `sync.revision` alone), as Argo CD's `GetRevisions`.
    pub fn revisions(&self) -> Vec<&str> {
        match &self.sync {
            Some(s) if !s.revisions.is_empty() => s.revisions.iter().map(String::as_str).collect(),
            Some(s) if !s.revision.is_empty() => vec![s.revision.as_str()],
            _ => Vec::new(),
        }
    }
}

/// `status.sync`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// Synced, OutOfSync or Unknown.
    #[serde(default)]
    pub status: SyncStatusCode,
    /// What the comparison was made against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compared_to: Option<ComparedTo>,
    /// The revision compared (single source).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub revision: String,
    /// The revisions compared, one per source (multi-source).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<String>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `status.sync.comparedTo`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComparedTo {
    /// The source compared (single source; Argo CD writes `{repoURL: ""}` for multi-source).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ApplicationSource>,
    /// The destination compared.
    #[serde(default)]
    pub destination: Destination,
    /// The sources compared (multi-source).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<ApplicationSource>,
    /// The `ignoreDifferences` in force.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_differences: Vec<serde_json::Value>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `status.health` and `status.resources[].health`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthStatus {
    /// Healthy, Progressing, Degraded, Suspended, Missing or Unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<HealthStatusCode>,
    /// Why, for people.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// When the status last changed (Application level, Argo CD 2.11+).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

impl HealthStatus {
    /// A health with a status and message.
    pub fn new(status: HealthStatusCode, message: impl Into<String>) -> Self {
        HealthStatus {
            status: Some(status),
            message: message.into(),
            ..Default::default()
        }
    }
}

/// `status.resources[]`: one tracked object.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceStatus {
    /// API group (empty for the core group).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub group: String,
    /// API version.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// Kind.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// Namespace (empty for cluster-scoped objects).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Synced or OutOfSync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SyncStatusCode>,
    /// Health of the object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<HealthStatus>,
    /// The object is a hook.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hook: bool,
    /// The object left Git and waits to be pruned.
    #[serde(default, skip_serializing_if = "is_false")]
    pub requires_pruning: bool,
    /// Sync wave of the object.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub sync_wave: i64,
    /// The object is deleted only after confirmation (Argo CD 3.x).
    #[serde(default, skip_serializing_if = "is_false")]
    pub requires_deletion_confirmation: bool,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `status.conditions[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationCondition {
    /// Condition type.
    #[serde(rename = "type")]
    pub kind: ApplicationConditionType,
    /// What happened, for people.
    #[serde(default)]
    pub message: String,
    /// When the condition was first observed with this message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ApplicationCondition {
    /// A condition with no transition time yet ([`ApplicationStatus::set_conditions`] sets it).
    pub fn new(kind: ApplicationConditionType, message: impl Into<String>) -> Self {
        ApplicationCondition {
            kind,
            message: message.into(),
            last_transition_time: None,
            extra: Extra::new(),
        }
    }
}

/// `status.history[]`: one past sync.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionHistory {
    /// The revision synced (single source).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub revision: String,
    /// When the sync finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployed_at: Option<Time>,
    /// Increasing identifier (what `argocd app rollback ID` takes).
    #[serde(default)]
    pub id: i64,
    /// The source synced (single source).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ApplicationSource>,
    /// When the sync started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy_started_at: Option<Time>,
    /// The sources synced (multi-source).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<ApplicationSource>,
    /// The revisions synced (multi-source).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<String>,
    /// Who started the sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiated_by: Option<OperationInitiator>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `status.summary`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ApplicationSummary {
    /// External URLs of the Application's objects (Ingress hosts, link annotations).
    #[serde(
        rename = "externalURLs",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub external_urls: Vec<String>,
    /// Container images of the Application's objects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Keeps the newest `limit` history entries (Argo CD's `Trunc`); `limit` ≤ 0 keeps none.
pub fn truncate_history(history: &mut Vec<RevisionHistory>, limit: i64) {
    let limit = usize::try_from(limit.max(0)).unwrap_or(usize::MAX);
    if history.len() > limit {
        history.drain(..history.len() - limit);
    }
}

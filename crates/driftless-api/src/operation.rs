//! The `operation` field (a requested sync) and `status.operationState` (its progress and result).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde::{Deserialize, Serialize};

use crate::application::Info;
use crate::codes::{HookType, OperationPhase, ResultCode, SyncPhase};
use crate::fields::{Extra, is_false, is_zero};
use crate::source::ApplicationSource;
use crate::sync_policy::{ManagedNamespaceMetadata, RetryStrategy};

/// `operation` (and `status.operationState.operation`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// A sync and its options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncOperation>,
    /// Who asked for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiated_by: Option<OperationInitiator>,
    /// Informational items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub info: Vec<Info>,
    /// Retry of a failed operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryStrategy>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Operation {
    /// True for a dry run.
    pub fn dry_run(&self) -> bool {
        self.sync.as_ref().is_some_and(|s| s.dry_run)
    }

    /// `retry`, or no retries when unset.
    pub fn retry_strategy(&self) -> RetryStrategy {
        self.retry.clone().unwrap_or_default()
    }
}

/// `operation.initiatedBy`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationInitiator {
    /// The user who started it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub username: String,
    /// Started by the controller (automated sync or self-heal).
    #[serde(default, skip_serializing_if = "is_false")]
    pub automated: bool,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `operation.sync`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncOperation {
    /// Revision to sync to (default: the spec's).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub revision: String,
    /// Delete objects that left Git.
    #[serde(default, skip_serializing_if = "is_false")]
    pub prune: bool,
    /// Dry run only.
    #[serde(default, skip_serializing_if = "is_false")]
    pub dry_run: bool,
    /// Apply or hook strategy, with `force`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_strategy: Option<SyncStrategy>,
    /// Only these objects (a partial sync).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<SyncOperationResource>,
    /// Source override (rollback).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ApplicationSource>,
    /// Local manifests overriding the source (`argocd app sync --local`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub manifests: Vec<String>,
    /// Sync options for this sync.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sync_options: Vec<String>,
    /// Source overrides (multi-source rollback).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<ApplicationSource>,
    /// Revisions per source (multi-source).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<String>,
    /// Self-heal attempts so far (Argo CD's `autoHealAttemptsCount`), the input of the self-heal back-off.
    #[serde(
        rename = "autoHealAttemptsCount",
        default,
        skip_serializing_if = "is_zero"
    )]
    pub self_heal_attempts_count: i64,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `operation.sync.syncStrategy`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SyncStrategy {
    /// Apply every object, ignoring hooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apply: Option<SyncStrategyApply>,
    /// Run hooks (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook: Option<SyncStrategyApply>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

impl SyncStrategy {
    /// True when `force` is set on the strategy in use.
    pub fn force(&self) -> bool {
        self.apply
            .as_ref()
            .or(self.hook.as_ref())
            .is_some_and(|a| a.force)
    }
}

/// `syncStrategy.apply` / `syncStrategy.hook`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SyncStrategyApply {
    /// Delete and recreate objects that cannot be patched.
    #[serde(default, skip_serializing_if = "is_false")]
    pub force: bool,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `operation.sync.resources[]`: one object of a partial sync (`*` matches anything).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SyncOperationResource {
    /// API group.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub group: String,
    /// Kind.
    #[serde(default)]
    pub kind: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Namespace (empty matches any).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

impl SyncOperationResource {
    /// Argo CD's `Compare`: whether this filter selects the object.
    pub fn matches(&self, group: &str, kind: &str, namespace: &str, name: &str) -> bool {
        (self.group == "*" || self.group == group)
            && (self.kind == "*" || self.kind == kind)
            && (self.name == "*" || self.name == name)
            && (self.namespace == "*" || self.namespace.is_empty() || self.namespace == namespace)
    }
}

/// `status.operationState`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationState {
    /// The operation as requested.
    #[serde(default)]
    pub operation: Operation,
    /// Running, Terminating, Failed, Error or Succeeded.
    pub phase: OperationPhase,
    /// What happened, for people.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// Per-object results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_result: Option<SyncOperationResult>,
    /// When the operation started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
    /// When it finished (or, while a retry waits, when the failed attempt ended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Time>,
    /// Retries made so far.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retry_count: i64,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

impl OperationState {
    /// A Running state for `operation`, started at `now`.
    pub fn running(operation: Operation, now: Time) -> Self {
        OperationState {
            operation,
            phase: OperationPhase::Running,
            message: String::new(),
            sync_result: None,
            started_at: Some(now),
            finished_at: None,
            retry_count: 0,
            extra: Extra::new(),
        }
    }
}

/// The message of a failed attempt that will be retried, as Argo CD writes it:
/// `"<message>. Retrying attempt #<attempt> at <3:04PM>."` (Go's `time.Kitchen`, in UTC).
///
/// ```
/// let at = driftless_api::Time("2026-01-01T15:04:05Z".parse().unwrap());
/// assert_eq!(
///     driftless_api::retrying_message("one or more objects failed to apply", 2, &at),
///     "one or more objects failed to apply. Retrying attempt #2 at 3:04PM."
/// );
/// ```
pub fn retrying_message(message: &str, attempt: i64, at: &Time) -> String {
    let kitchen = k8s_openapi::jiff::fmt::strtime::format("%-I:%M%p", at.0)
        .unwrap_or_else(|_| at.0.to_string());
    format!("{message}. Retrying attempt #{attempt} at {kitchen}.")
}

/// The message of a failed operation whose retries ran out, as Argo CD writes it:
/// `"<message> (retried <n> times)."`; the message alone when there were none.
///
/// ```
/// assert_eq!(driftless_api::retried_message("boom", 5), "boom (retried 5 times).");
/// assert_eq!(driftless_api::retried_message("boom", 0), "boom");
/// let midnight = driftless_api::Time("2026-01-01T00:07:00Z".parse().unwrap());
/// assert!(driftless_api::retrying_message("boom", 1, &midnight).ends_with("at 12:07AM."));
/// ```
pub fn retried_message(message: &str, retries: i64) -> String {
    if retries > 0 {
        format!("{message} (retried {retries} times).")
    } else {
        message.to_string()
    }
}

/// `status.operationState.syncResult`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncOperationResult {
    /// Per-object results.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceResult>,
    /// The revision synced (Argo CD always writes it; `None` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// The source synced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ApplicationSource>,
    /// The sources synced (multi-source).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<ApplicationSource>,
    /// The revisions synced (multi-source).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<String>,
    /// The managed namespace metadata applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_namespace_metadata: Option<ManagedNamespaceMetadata>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `syncResult.resources[]`: what the sync did to one object or hook.
///
/// Argo CD always writes the five identity fields (an empty `group: ""` for the core group);
/// they are `Option` so that an entry written without them reads back and writes unchanged.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceResult {
    /// API group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// API version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Synced, SyncFailed, Pruned or PruneSkipped (empty for hooks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ResultCode>,
    /// What kubectl-style message the apply gave (`deployment.apps/web created`) or the error.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// Hook type, for hooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook_type: Option<HookType>,
    /// Phase of the object or hook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook_phase: Option<OperationPhase>,
    /// The sync phase it ran in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_phase: Option<SyncPhase>,
    /// Fields this version does not know, kept as written.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ResourceResult {
    /// A result for one object, with all five identity fields set as Argo CD writes them.
    pub fn new(group: &str, version: &str, kind: &str, namespace: &str, name: &str) -> Self {
        ResourceResult {
            group: Some(group.to_string()),
            version: Some(version.to_string()),
            kind: Some(kind.to_string()),
            namespace: Some(namespace.to_string()),
            name: Some(name.to_string()),
            ..Default::default()
        }
    }
}

//! Well-known annotation and label names (Argo CD compatible, plus Driftless' own).
//!
//! ```
//! assert_eq!(driftless_core::annotations::SYNC_WAVE, "argocd.argoproj.io/sync-wave");
//! ```

/// Sync wave of an object (any integer, default 0).
pub const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
/// Hook phases of an object: comma list of PreSync, Sync, PostSync, SyncFail, Skip.
pub const HOOK: &str = "argocd.argoproj.io/hook";
/// When a hook is deleted: HookSucceeded, HookFailed, BeforeHookCreation.
pub const HOOK_DELETE_POLICY: &str = "argocd.argoproj.io/hook-delete-policy";
/// Per-object sync options, comma separated `Key=Value`.
pub const SYNC_OPTIONS: &str = "argocd.argoproj.io/sync-options";
/// Compare options, e.g. `IgnoreExtraneous`.
pub const COMPARE_OPTIONS: &str = "argocd.argoproj.io/compare-options";
/// Tracking id: `<app>:<group>/<kind>:<namespace>/<name>`.
pub const TRACKING_ID: &str = "argocd.argoproj.io/tracking-id";
/// Label used for label-based tracking.
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
/// Helm hook kinds (pre-install, post-upgrade, …).
pub const HELM_HOOK: &str = "helm.sh/hook";
/// Helm hook weight, the fallback for a missing sync wave.
pub const HELM_HOOK_WEIGHT: &str = "helm.sh/hook-weight";
/// Helm hook delete policy.
pub const HELM_HOOK_DELETE_POLICY: &str = "helm.sh/hook-delete-policy";
/// `keep` keeps the object when it leaves the chart.
pub const HELM_RESOURCE_POLICY: &str = "helm.sh/resource-policy";
/// Driftless: explicit dependencies, `<kind>/<name>[,…]`.
pub const DEPENDS_ON: &str = "driftless.dev/depends-on";
/// Field manager Driftless applies with.
pub const FIELD_MANAGER: &str = "driftless";

//! The one answer to "is this object a hook?", shared by plan, diff, health and the engine.

use serde_json::Value;

/// Whether annotations make an object a hook: Argo CD's `argocd.argoproj.io/hook` (any value), or
/// Helm's `helm.sh/hook` unless it is exactly `crd-install` (Helm 2's CRD marker, which Argo CD
/// applies as a normal object).
///
/// ```
/// assert!(driftless_core::hook_annotations(Some("PreSync"), None));
/// assert!(driftless_core::hook_annotations(None, Some("post-install")));
/// assert!(!driftless_core::hook_annotations(None, Some(" crd-install ")));
/// assert!(!driftless_core::hook_annotations(None, None));
/// ```
pub fn hook_annotations(argo: Option<&str>, helm: Option<&str>) -> bool {
    argo.is_some() || helm.is_some_and(|h| h.trim() != "crd-install")
}

/// Whether `obj` (a Kubernetes object as JSON) is a hook; see [`hook_annotations`].
///
/// ```
/// let job = serde_json::json!({"metadata": {"annotations": {"helm.sh/hook": "pre-install"}}});
/// assert!(driftless_core::is_hook(&job));
/// ```
pub fn is_hook(obj: &Value) -> bool {
    let ann = obj.pointer("/metadata/annotations");
    let get = |k: &str| ann.and_then(|a| a.get(k)).and_then(Value::as_str);
    hook_annotations(
        get(crate::annotations::HOOK),
        get(crate::annotations::HELM_HOOK),
    )
}

//! Which application an object belongs to: Argo CD's tracking id annotation and instance label.

use driftless_core::{ObjectKey, annotations};
use serde_json::Value;

/// How objects are marked as belonging to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrackingMethod {
    /// `argocd.argoproj.io/tracking-id` annotation (Argo CD 3's default, and Driftless').
    #[default]
    Annotation,
    /// `app.kubernetes.io/instance` label.
    Label,
    /// Both.
    AnnotationAndLabel,
}

/// The tracking id of an object: `<app>:<group>/<kind>:<namespace>/<name>`.
///
/// ```
/// use driftless_apply::tracking_id;
/// use driftless_core::ObjectKey;
/// let key = ObjectKey::new("apps/v1", "Deployment", Some("shop"), "web");
/// assert_eq!(tracking_id("shop-app", &key), "shop-app:apps/Deployment:shop/web");
/// let cm = ObjectKey::new("v1", "Namespace", None, "shop");
/// assert_eq!(tracking_id("shop-app", &cm), "shop-app:/Namespace:/shop");
/// ```
pub fn tracking_id(app: &str, key: &ObjectKey) -> String {
    format!(
        "{app}:{}/{}:{}/{}",
        key.group,
        key.kind,
        key.namespace.as_deref().unwrap_or(""),
        key.name
    )
}

/// Parses a tracking id into the application name and the tracked identity (without version).
///
/// ```
/// let (app, group, kind, ns, name) = driftless_apply::parse_tracking_id("a:apps/Deployment:shop/web").unwrap();
/// assert_eq!((app, group, kind, ns, name), ("a", "apps", "Deployment", "shop", "web"));
/// ```
pub fn parse_tracking_id(id: &str) -> Option<(&str, &str, &str, &str, &str)> {
    let (app, rest) = id.split_once(':')?;
    let (gk, nsn) = rest.split_once(':')?;
    let (group, kind) = gk.split_once('/')?;
    let (ns, name) = nsn.split_once('/')?;
    Some((app, group, kind, ns, name))
}

/// The application that tracks `obj`, if any, and whether the tracking id names this very object
/// (an object copied by another tool keeps a stale id that must not count).
pub fn owner_of(obj: &Value, method: TrackingMethod) -> Option<String> {
    let annotation = obj
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(annotations::TRACKING_ID))
        .and_then(Value::as_str);
    let label = obj
        .pointer("/metadata/labels")
        .and_then(|l| l.get(annotations::INSTANCE_LABEL))
        .and_then(Value::as_str);
    let from_annotation = || {
        let (app, group, kind, ns, name) = parse_tracking_id(annotation?)?;
        let key = ObjectKey::from_object(obj)?;
        let same = key.group == group
            && key.kind == kind
            && key.namespace.as_deref().unwrap_or("") == ns
            && key.name == name;
        same.then(|| app.to_string())
    };
    match method {
        TrackingMethod::Annotation => from_annotation(),
        TrackingMethod::Label => label.map(str::to_string),
        TrackingMethod::AnnotationAndLabel => {
            from_annotation().or_else(|| label.map(str::to_string))
        }
    }
}

/// Marks `obj` as belonging to `app`.
pub fn mark(obj: &mut Value, app: &str, key: &ObjectKey, method: TrackingMethod) {
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    if matches!(
        method,
        TrackingMethod::Annotation | TrackingMethod::AnnotationAndLabel
    ) {
        let ann = meta
            .entry("annotations")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Some(ann) = ann.as_object_mut() {
            ann.insert(
                annotations::TRACKING_ID.into(),
                tracking_id(app, key).into(),
            );
        }
    }
    if matches!(
        method,
        TrackingMethod::Label | TrackingMethod::AnnotationAndLabel
    ) {
        let labels = meta
            .entry("labels")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Some(labels) = labels.as_object_mut() {
            labels.insert(annotations::INSTANCE_LABEL.into(), app.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mark_then_owner_round_trips() {
        let mut obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}});
        let key = ObjectKey::from_object(&obj).unwrap();
        mark(&mut obj, "app1", &key, TrackingMethod::Annotation);
        assert_eq!(
            owner_of(&obj, TrackingMethod::Annotation).as_deref(),
            Some("app1")
        );
        assert_eq!(owner_of(&obj, TrackingMethod::Label), None);
    }

    #[test]
    fn copied_object_with_stale_id_is_not_tracked() {
        let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "copy", "namespace": "n",
            "annotations": {annotations::TRACKING_ID: "app1:/ConfigMap:n/original"}}});
        assert_eq!(owner_of(&obj, TrackingMethod::Annotation), None);
    }
}

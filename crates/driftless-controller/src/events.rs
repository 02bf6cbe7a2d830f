//! Kubernetes Events on the Application (sync start, success, failure, self-heal).

use crate::Context;
use driftless_api::Application;
use k8s_openapi::api::core::v1::ObjectReference;
use kube::runtime::events::{Event, EventType};

/// Publishes an event; a failure is logged, never fatal.
pub(crate) async fn publish(ctx: &Context, app: &Application, reason: &str, note: &str) {
    let reference = ObjectReference {
        api_version: Some("argoproj.io/v1alpha1".into()),
        kind: Some("Application".into()),
        name: app.metadata.name.clone(),
        namespace: app.metadata.namespace.clone(),
        uid: app.metadata.uid.clone(),
        resource_version: app.metadata.resource_version.clone(),
        ..ObjectReference::default()
    };
    let failed = reason == "OperationCompleted" && note.contains("failed");
    let ev = Event {
        type_: if failed || reason == "OperationFailed" {
            EventType::Warning
        } else {
            EventType::Normal
        },
        reason: reason.into(),
        note: Some(note.chars().take(1000).collect()),
        action: "Sync".into(),
        secondary: None,
    };
    if let Err(e) = ctx.recorder.publish(&ev, &reference).await {
        tracing::warn!(app = app.name(), error = %e, "cannot record an event");
    }
}

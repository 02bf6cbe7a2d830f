//! Kubernetes Events on the Application (sync start, success, failure, self-heal), written as
//! core/v1 Events as Argo CD's controller writes them (client-go's event recorder), so
//! `kubectl describe application` and `kubectl get events` show them.

use crate::Context;
use driftless_api::Application;
use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use kube::api::{ObjectMeta, PostParams};

/// Publishes an event; a failure is logged, never fatal.
pub(crate) async fn publish(ctx: &Context, app: &Application, reason: &str, note: &str) {
    let involved = ObjectReference {
        api_version: Some("argoproj.io/v1alpha1".into()),
        kind: Some("Application".into()),
        name: app.metadata.name.clone(),
        namespace: app.metadata.namespace.clone(),
        uid: app.metadata.uid.clone(),
        resource_version: app.metadata.resource_version.clone(),
        ..ObjectReference::default()
    };
    let failed =
        reason == "OperationFailed" || (reason == "OperationCompleted" && note.contains("failed"));
    let now =
        k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(k8s_openapi::jiff::Timestamp::now());
    let ev = Event {
        metadata: ObjectMeta {
            generate_name: Some(format!("{}.", app.name())),
            namespace: Some(ctx.config.namespace.clone()),
            ..ObjectMeta::default()
        },
        involved_object: involved,
        reason: Some(reason.into()),
        message: Some(note.chars().take(1024).collect()),
        type_: Some(if failed { "Warning" } else { "Normal" }.into()),
        // Which replica wrote it: its identity (the pod name), as client-go's recorder writes
        // the host and reporting instance.
        source: Some(EventSource {
            component: Some("driftless-controller".into()),
            host: Some(ctx.config.scale.identity.clone()),
        }),
        first_timestamp: Some(now.clone()),
        last_timestamp: Some(now),
        count: Some(1),
        reporting_component: Some("driftless-controller".into()),
        reporting_instance: Some(ctx.config.scale.identity.clone()),
        ..Event::default()
    };
    if let Err(e) = ctx.events.create(&PostParams::default(), &ev).await {
        tracing::warn!(app = app.name(), error = %e, "cannot record an event");
    }
}

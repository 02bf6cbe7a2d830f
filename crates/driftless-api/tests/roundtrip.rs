//! Argo CD's objects read into the types and written back unchanged (as JSON values).

mod common;

use driftless_api::{AppProject, Application, ApplicationSet};
use serde_json::Value;

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(v: &Value) -> Value {
    let typed: T = serde_json::from_value(v.clone()).unwrap();
    serde_json::to_value(&typed).unwrap()
}

/// Drops `false` booleans: what Go's `omitempty` does, so Argo CD itself writes a user's
/// `allowEmpty: false` back without it.
fn without_false(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| **v != Value::Bool(false))
                .map(|(k, v)| (k.clone(), without_false(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_false).collect()),
        other => other.clone(),
    }
}

#[test]
fn applications_round_trip_unchanged() {
    for (name, input) in common::fixtures("Application") {
        let output = round_trip::<Application>(&input);
        // The operator manual's example is written by a person, with explicit `false`s that
        // Argo CD (and Driftless) leave out when they write the object.
        let expected = if name.ends_with("docs-operator-manual.yaml") {
            without_false(&input)
        } else {
            input.clone()
        };
        assert_eq!(output, expected, "{name} changed in a round trip");
    }
}

#[test]
fn application_sets_round_trip_unchanged() {
    for (name, input) in common::fixtures("ApplicationSet") {
        assert_eq!(round_trip::<ApplicationSet>(&input), input, "{name}");
    }
}

#[test]
fn typed_status_fields_are_read() {
    let (_, v) = common::fixtures("Application")
        .into_iter()
        .find(|(n, _)| n.ends_with("full-status.yaml"))
        .unwrap();
    let app: Application = serde_json::from_value(v).unwrap();
    let status = app.status.as_ref().unwrap();
    let sync = status.sync.as_ref().unwrap();
    assert_eq!(sync.status.as_str(), "OutOfSync");
    assert_eq!(
        sync.compared_to
            .as_ref()
            .unwrap()
            .destination
            .namespace
            .as_deref(),
        Some("shop")
    );
    assert_eq!(status.resources.len(), 4);
    assert!(status.resources[3].requires_pruning);
    assert!(status.resources[2].hook);
    assert_eq!(status.resources[1].sync_wave, 1);
    let op = status.operation_state.as_ref().unwrap();
    assert_eq!(op.phase.as_str(), "Running");
    assert_eq!(op.retry_count, 2);
    assert_eq!(
        op.operation.sync.as_ref().unwrap().self_heal_attempts_count,
        2
    );
    let results = &op.sync_result.as_ref().unwrap().resources;
    assert_eq!(results[1].hook_type.as_ref().unwrap().as_str(), "PreSync");
    assert_eq!(results[2].status.as_ref().unwrap().as_str(), "SyncFailed");
    assert_eq!(results[0].group.as_deref(), Some(""));
    assert_eq!(
        results[2].extra.get("x-future-result-field"),
        Some(&Value::Bool(true))
    );
    assert_eq!(status.history[1].id, 8);
    assert_eq!(
        status.history[0]
            .deployed_at
            .as_ref()
            .unwrap()
            .0
            .to_string(),
        "2025-03-01T09:00:12Z"
    );
    assert_eq!(status.summary.as_ref().unwrap().images.len(), 1);
    assert_eq!(status.source_type.as_ref().unwrap().as_str(), "Helm");
    assert_eq!(status.conditions[0].kind.as_str(), "SharedResourceWarning");
    assert!(app.has_finalizer(driftless_api::RESOURCES_FINALIZER));
    assert_eq!(
        app.annotation(driftless_api::REFRESH_ANNOTATION),
        Some("normal")
    );
    assert_eq!(app.revision_history_limit(), 5);
    let operation = app.operation.as_ref().unwrap();
    assert!(operation.sync.as_ref().unwrap().resources[0].matches(
        "apps",
        "Deployment",
        "shop",
        "web"
    ));
    assert!(operation.sync.as_ref().unwrap().sync_strategy.is_some());
    assert_eq!(
        app.spec.extra.get("x-future-spec-field").unwrap()["nested"][2],
        3
    );
}

#[test]
fn written_status_uses_kubernetes_timestamps_and_argo_field_names() {
    use driftless_api::*;
    let now: Time = Time("2026-01-02T03:04:05.678Z".parse().unwrap());
    let mut status = ApplicationStatus {
        sync: Some(SyncStatus {
            status: SyncStatusCode::Synced,
            revision: "abc".into(),
            ..Default::default()
        }),
        health: Some(HealthStatus::new(HealthStatusCode::Healthy, "")),
        reconciled_at: Some(now.clone()),
        ..Default::default()
    };
    status.set_conditions(
        vec![ApplicationCondition::new(
            ApplicationConditionType::ComparisonError,
            "rendering failed",
        )],
        &[ApplicationConditionType::ComparisonError],
        &now,
    );
    let mut state = OperationState::running(Operation::default(), now.clone());
    let mut result = ResourceResult::new("", "v1", "ConfigMap", "shop", "settings");
    result.status = Some(ResultCode::Synced);
    result.sync_phase = Some(SyncPhase::Sync);
    state.sync_result = Some(SyncOperationResult {
        resources: vec![result],
        revision: Some("abc".into()),
        ..Default::default()
    });
    status.operation_state = Some(state);
    let json = serde_json::to_value(&status).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "sync": {"status": "Synced", "revision": "abc"},
            "health": {"status": "Healthy"},
            "conditions": [{"type": "ComparisonError", "message": "rendering failed",
                            "lastTransitionTime": "2026-01-02T03:04:05Z"}],
            "reconciledAt": "2026-01-02T03:04:05Z",
            "operationState": {
                "operation": {}, "phase": "Running", "startedAt": "2026-01-02T03:04:05Z",
                "syncResult": {"resources": [{"group": "", "version": "v1", "kind": "ConfigMap",
                    "namespace": "shop", "name": "settings", "status": "Synced", "syncPhase": "Sync"}],
                    "revision": "abc"}
            }
        })
    );
    // A condition that stays keeps its first transition time; one that goes is removed.
    let later = Time("2026-01-02T04:00:00Z".parse().unwrap());
    let kept = status.conditions.clone();
    status.set_conditions(kept, &[ApplicationConditionType::ComparisonError], &later);
    assert_eq!(
        serde_json::to_value(&status.conditions[0]).unwrap()["lastTransitionTime"],
        "2026-01-02T03:04:05Z"
    );
    status.set_conditions(vec![], &[ApplicationConditionType::ComparisonError], &later);
    assert!(status.conditions.is_empty());
}

#[test]
fn history_is_truncated_to_the_newest() {
    use driftless_api::{RevisionHistory, truncate_history};
    let mut h: Vec<RevisionHistory> = (0..12)
        .map(|id| RevisionHistory {
            id,
            ..Default::default()
        })
        .collect();
    truncate_history(&mut h, 10);
    assert_eq!(h.first().unwrap().id, 2);
    assert_eq!(h.len(), 10);
    truncate_history(&mut h, 0);
    assert!(h.is_empty());
}

#[test]
fn default_project_round_trips_and_parses() {
    let p = AppProject::default_project("argocd");
    let v = serde_json::to_value(&p).unwrap();
    assert_eq!(
        v["spec"]["destinations"][0],
        serde_json::json!({"server": "*", "namespace": "*"})
    );
    assert_eq!(round_trip::<AppProject>(&v), v);
}

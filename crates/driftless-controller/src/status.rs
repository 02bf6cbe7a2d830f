//! Writing `status` through the status subresource, only when it changed.

use crate::{Context, ControllerError};
use driftless_api::{ApplicationCondition, ApplicationConditionType, ApplicationStatus};
use kube::api::{Patch, PatchParams};
use serde_json::{Value, json};

/// Writes `new` when it differs from `old` in anything but `reconciledAt`/`observedAt`.
/// Returns whether a write was made.
pub(crate) async fn write(
    ctx: &Context,
    name: &str,
    old: Option<&ApplicationStatus>,
    new: &ApplicationStatus,
) -> Result<bool, ControllerError> {
    let strip = |s: &ApplicationStatus| {
        let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
        if let Some(m) = v.as_object_mut() {
            m.remove("reconciledAt");
            m.remove("observedAt");
        }
        v
    };
    if old.is_some_and(|o| strip(o) == strip(new)) {
        return Ok(false);
    }
    patch(ctx, name, old, new).await?;
    Ok(true)
}

/// Writes `new` as the Application's status (merge patch of the status subresource).
pub(crate) async fn put(
    ctx: &Context,
    name: &str,
    new: &ApplicationStatus,
) -> Result<(), ControllerError> {
    patch(ctx, name, None, new).await
}

/// Merge-patches the status subresource from `old` to `new`.
async fn patch(
    ctx: &Context,
    name: &str,
    old: Option<&ApplicationStatus>,
    new: &ApplicationStatus,
) -> Result<(), ControllerError> {
    // A merge patch keeps what it does not mention: lists that became empty (the last
    // condition cleared) are written as empty, and any other field gone from the status
    // (skipped when serialised) as null, or the old values would stay.
    let mut body = serde_json::to_value(new).unwrap_or(Value::Null);
    if let Some(m) = body.as_object_mut() {
        for list in ["conditions", "resources"] {
            m.entry(list).or_insert_with(|| json!([]));
        }
        if let Some(Value::Object(old)) =
            old.map(|o| serde_json::to_value(o).unwrap_or(Value::Null))
        {
            for key in old.keys() {
                m.entry(key.clone()).or_insert(Value::Null);
            }
        }
    }
    let patch = json!({"status": body});
    ctx.apps
        .patch_status(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|source| ControllerError::Kube {
            name: name.to_string(),
            source,
        })?;
    ctx.metrics
        .status_writes
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

/// Sets condition `kind` to `message`, keeping its lastTransitionTime when the message is the
/// same; `None` removes it.
pub(crate) fn set_condition(
    conditions: &mut Vec<ApplicationCondition>,
    kind: ApplicationConditionType,
    message: Option<String>,
) {
    let existing = conditions.iter().position(|c| c.kind == kind);
    match (existing, message) {
        (Some(i), None) => {
            conditions.remove(i);
        }
        (Some(i), Some(m)) => {
            if conditions[i].message != m {
                conditions[i].message = m;
                conditions[i].last_transition_time = Some(crate::operation::now());
            }
        }
        (None, Some(m)) => {
            let mut c = ApplicationCondition::new(kind, m);
            c.last_transition_time = Some(crate::operation::now());
            conditions.push(c);
        }
        (None, None) => {}
    }
}

/// Sets the conditions of `kind` to one per message (Argo CD writes a `SharedResourceWarning`
/// per shared object), keeping the lastTransitionTime of those already there.
pub(crate) fn set_conditions(
    conditions: &mut Vec<ApplicationCondition>,
    kind: ApplicationConditionType,
    messages: Vec<String>,
) {
    conditions.retain(|c| c.kind != kind || messages.contains(&c.message));
    for m in messages {
        if !conditions.iter().any(|c| c.kind == kind && c.message == m) {
            let mut c = ApplicationCondition::new(kind.clone(), m);
            c.last_transition_time = Some(crate::operation::now());
            conditions.push(c);
        }
    }
}

//! `status.conditions` of an ApplicationSet as a function of what the last
//! reconcile did, as Argo CD's `setApplicationSetStatusCondition` writes them:
//! always the three conditions `ErrorOccurred`, `ParametersGenerated` and
//! `ResourcesUpToDate`.

use serde_json::{Value, json};

use crate::error::AppSetError;
use crate::validate::{ValidationError, validation_message};

/// Reason: a generator failed.
pub const REASON_PARAMS_GENERATION_ERROR: &str = "ApplicationParamsGenerationError";
/// Reason: rendering the template failed.
pub const REASON_RENDER_TEMPLATE_PARAMS_ERROR: &str = "RenderTemplateParamsError";
/// Reason: a generated Application is invalid (e.g. a duplicate name).
pub const REASON_VALIDATION_ERROR: &str = "ApplicationValidationError";
/// Reason: creating an Application failed.
pub const REASON_CREATE_ERROR: &str = "CreateApplicationError";
/// Reason: updating an Application failed.
pub const REASON_UPDATE_ERROR: &str = "UpdateApplicationError";
/// Reason: deleting an Application failed.
pub const REASON_DELETE_ERROR: &str = "DeleteApplicationError";
/// Reason: all is well.
pub const REASON_UP_TO_DATE: &str = "ApplicationSetUpToDate";
/// Reason: parameters were generated.
pub const REASON_PARAMETERS_GENERATED: &str = "ParametersGenerated";
/// Reason of `ParametersGenerated=False`.
pub const REASON_ERROR_OCCURRED: &str = "ErrorOccurred";

/// What the reconcile of a set came to.
#[derive(Debug, Clone)]
pub enum Outcome<'a> {
    /// Generation failed: no parameters, nothing written.
    GenerationFailed(&'a AppSetError),
    /// Some generated Applications were invalid (the others were written).
    Invalid(&'a [ValidationError]),
    /// Writing to the cluster failed; `reason` is one of the `REASON_*_ERROR`
    /// constants for create, update or delete.
    WriteFailed {
        /// Why.
        reason: &'a str,
        /// The error.
        message: &'a str,
    },
    /// Every Application is as generated.
    UpToDate,
}

/// The conditions after `outcome`, given the `previous` ones (their
/// `lastTransitionTime` is kept when type, status, reason and message are
/// unchanged; conditions of other types are kept). `now` is an RFC 3339 time.
///
/// ```
/// use driftless_appset::{conditions, Outcome};
/// let c = conditions(&Outcome::UpToDate, &[], "2026-01-01T00:00:00Z");
/// assert_eq!(c[2]["type"], "ResourcesUpToDate");
/// assert_eq!(c[2]["status"], "True");
/// ```
pub fn conditions(outcome: &Outcome<'_>, previous: &[Value], now: &str) -> Vec<Value> {
    let cond = |t: &str, status: bool, reason: &str, message: &str| {
        json!({"type": t, "status": if status { "True" } else { "False" },
               "reason": reason, "message": message, "lastTransitionTime": now})
    };
    let ok_params = "Successfully generated parameters for all Applications";
    let (error, params_generated): (Option<(String, String)>, bool) = match outcome {
        Outcome::GenerationFailed(e) => (Some((e.reason().to_string(), e.to_string())), false),
        Outcome::Invalid(errs) => (
            validation_message(errs).map(|m| (REASON_VALIDATION_ERROR.to_string(), m)),
            true,
        ),
        Outcome::WriteFailed { reason, message } => {
            (Some((reason.to_string(), message.to_string())), true)
        }
        Outcome::UpToDate => (None, true),
    };
    let mut new = match &error {
        Some((reason, message)) => vec![
            cond("ErrorOccurred", true, reason, message),
            if params_generated {
                cond(
                    "ParametersGenerated",
                    true,
                    REASON_PARAMETERS_GENERATED,
                    ok_params,
                )
            } else {
                cond("ParametersGenerated", false, REASON_ERROR_OCCURRED, message)
            },
            cond("ResourcesUpToDate", false, reason, message),
        ],
        None => vec![
            cond("ErrorOccurred", false, REASON_UP_TO_DATE, ok_params),
            cond(
                "ParametersGenerated",
                true,
                REASON_PARAMETERS_GENERATED,
                ok_params,
            ),
            cond(
                "ResourcesUpToDate",
                true,
                REASON_UP_TO_DATE,
                "ApplicationSet up to date",
            ),
        ],
    };
    let same = |a: &Value, b: &Value| {
        ["type", "status", "reason", "message"]
            .iter()
            .all(|k| a.get(*k) == b.get(*k))
    };
    for c in &mut new {
        if let Some(p) = previous.iter().find(|p| same(p, c)) {
            c["lastTransitionTime"] = p.get("lastTransitionTime").cloned().unwrap_or(Value::Null);
        }
    }
    for p in previous {
        let t = p.get("type").and_then(Value::as_str).unwrap_or_default();
        if !matches!(
            t,
            "ErrorOccurred" | "ParametersGenerated" | "ResourcesUpToDate"
        ) {
            new.push(p.clone());
        }
    }
    new
}

/// `status.resources` of a set from its current Applications (Argo CD's
/// `BuildResourceStatus`): one entry per Application, sorted by name, with
/// its sync status and health.
///
/// ```
/// use serde_json::json;
/// let app = json!({"metadata": {"name": "dev", "namespace": "argocd"},
///                  "status": {"sync": {"status": "Synced"}, "health": {"status": "Healthy"}}});
/// let r = driftless_appset::resources_status(&[app]);
/// assert_eq!(r[0], json!({"group": "argoproj.io", "version": "v1alpha1", "kind": "Application",
///     "name": "dev", "namespace": "argocd", "status": "Synced", "health": {"status": "Healthy"}}));
/// ```
pub fn resources_status(apps: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = apps
        .iter()
        .map(|a| {
            let s = |p: &str| a.pointer(p).and_then(Value::as_str).unwrap_or_default();
            let mut health = serde_json::Map::new();
            health.insert("status".into(), s("/status/health/status").into());
            if !s("/status/health/message").is_empty() {
                health.insert("message".into(), s("/status/health/message").into());
            }
            json!({"group": "argoproj.io", "version": "v1alpha1", "kind": "Application",
                   "name": s("/metadata/name"), "namespace": s("/metadata/namespace"),
                   "status": s("/status/sync/status"), "health": health})
        })
        .collect();
    out.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    out
}

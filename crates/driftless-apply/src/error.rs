//! Errors of the apply stage; each names the object it concerns.

use driftless_core::{Health, ObjectKey};
use std::time::Duration;

/// Why a sync (or one of its steps) failed.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The API server refused a request about an object.
    #[error("{action} {key}: {}", api_message(.source))]
    Api {
        /// What was being done (`apply`, `delete`, `get`, …).
        action: &'static str,
        /// The object.
        key: ObjectKey,
        /// The client error.
        #[source]
        source: kube::Error,
    },
    /// The cluster does not serve this kind.
    #[error(
        "{key}: the server does not serve kind {kind} in {api_version} (is its CRD installed?)"
    )]
    UnknownKind {
        /// The object.
        key: ObjectKey,
        /// Its apiVersion.
        api_version: String,
        /// Its kind.
        kind: String,
    },
    /// Discovery or a listing failed.
    #[error("{what}: {}", api_message(.source))]
    Cluster {
        /// What was being done.
        what: String,
        /// The client error.
        #[source]
        source: kube::Error,
    },
    /// The object belongs to another application.
    #[error("{key} is already tracked by application {other_app:?}; refusing to take it over")]
    SharedResource {
        /// The object.
        key: ObjectKey,
        /// The application that tracks it.
        other_app: String,
    },
    /// A sync option is wrong.
    #[error(transparent)]
    Options(#[from] crate::OptionError),
    /// The server-side dry run refused objects; nothing was applied.
    #[error("dry run refused {} object(s), nothing was applied:\n{}", .0.len(), list(.0))]
    DryRunRejected(Vec<(ObjectKey, String)>),
    /// An object became Degraded.
    #[error("{key} is {health}{}", detail_text(.detail))]
    Degraded {
        /// The object.
        key: ObjectKey,
        /// Its health.
        health: Health,
        /// What its pods say (waiting reasons, exit codes), when known.
        detail: Vec<String>,
    },
    /// A hook failed.
    #[error("hook {key} failed: {message}")]
    HookFailed {
        /// The hook object.
        key: ObjectKey,
        /// Why.
        message: String,
    },
    /// Objects were still not healthy when time ran out.
    #[error("timed out after {:.1}s ({scope}) waiting for:\n{}", .after.as_secs_f64(), waiting_list(.waiting))]
    Timeout {
        /// `wave N` or `sync`.
        scope: String,
        /// How long was waited.
        after: Duration,
        /// What was still not healthy.
        waiting: Vec<(ObjectKey, Health)>,
    },
    /// The observer asked the sync to stop (see [`crate::Observer::stop`]).
    #[error("sync stopped at {at}: {reason}")]
    Stopped {
        /// Where: `PreSync wave 0`, `Sync wave 2`, …
        at: String,
        /// Why (the observer's answer).
        reason: String,
    },
    /// The render gave no objects and the application does not allow that.
    #[error(
        "the render produced no objects; refusing to prune everything (set allowEmpty to allow it)"
    )]
    EmptyRender,
}

fn detail_text(detail: &[String]) -> String {
    detail.iter().map(|d| format!("\n  {d}")).collect()
}

fn api_message(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) if !s.message.is_empty() => format!("{} ({})", s.message, s.code),
        other => other.to_string(),
    }
}

fn list(items: &[(ObjectKey, String)]) -> String {
    items
        .iter()
        .map(|(k, m)| format!("  {k}: {m}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn waiting_list(items: &[(ObjectKey, Health)]) -> String {
    items
        .iter()
        .map(|(k, h)| format!("  {k}: {h}"))
        .collect::<Vec<_>>()
        .join("\n")
}

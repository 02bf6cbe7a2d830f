//! The controller's HTTP endpoints: `/metrics`, `/healthz`, `/readyz` and `POST /api/webhook`.

use crate::Context;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use kube::api::{ListParams, Patch, PatchParams};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Shared state of the endpoints.
#[derive(Clone)]
pub struct HttpState {
    /// The controller's context.
    pub ctx: Arc<Context>,
    /// Set once the controller is running.
    pub ready: Arc<AtomicBool>,
}

/// The router of the endpoints.
pub fn router(state: HttpState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/api/webhook", post(webhook))
        .with_state(state)
}

async fn metrics(State(s): State<HttpState>) -> String {
    let sizes = s
        .ctx
        .engine
        .live_cache()
        .map(|c| c.sizes())
        .unwrap_or_default();
    s.ctx.metrics.render(&sizes)
}

async fn readyz(State(s): State<HttpState>) -> (StatusCode, &'static str) {
    if s.ready.load(Ordering::Acquire) {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "starting")
    }
}

async fn webhook(
    State(s): State<HttpState>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let hs: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let push = match crate::webhook::parse(&hs, &body, s.ctx.config.webhook_secret.as_deref()) {
        Ok(p) => p,
        Err(e @ crate::webhook::WebhookError::Unauthorized) => {
            return (StatusCode::UNAUTHORIZED, e.to_string());
        }
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()),
    };
    let apps = match s.ctx.apps.list(&ListParams::default()).await {
        Ok(l) => l.items,
        Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    };
    let mut refreshed = Vec::new();
    for obj in apps {
        let Ok(app) = serde_json::from_value::<driftless_api::Application>(
            serde_json::to_value(&obj).unwrap_or_default(),
        ) else {
            continue;
        };
        let follows = app.sources().iter().any(|src| {
            crate::webhook::matches(
                &push,
                &src.repo_url,
                src.target_revision.as_deref().unwrap_or("HEAD"),
                true,
            )
        });
        if follows {
            s.ctx.force_fetch(app.name());
            let patch = serde_json::json!({"metadata": {"annotations": {crate::REFRESH_ANNOTATION: "normal"}}});
            if s.ctx
                .apps
                .patch(app.name(), &PatchParams::default(), &Patch::Merge(&patch))
                .await
                .is_ok()
            {
                refreshed.push(app.name().to_string());
            }
        }
    }
    (
        StatusCode::OK,
        format!("refreshed: {}", refreshed.join(", ")),
    )
}

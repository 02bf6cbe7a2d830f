//! The HTTP(S) server speaking the Kubernetes REST API on top of the [`Store`].

pub mod discovery;
mod handlers;
pub mod kubeconfig;
mod logs;
pub mod metrics;
mod openapi;
mod patch;
mod protobuf;
mod protobuf_encode;
mod request;
pub mod table;
pub mod tls;
mod watch;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::controllers::faults::{Fault, FaultInjector, RequestInfo};
use crate::status::ApiError;
use crate::store::Store;

/// Shared state of the HTTP handlers.
pub(crate) struct App {
    pub(crate) store: Store,
    pub(crate) token: String,
    pub(crate) server_address: String,
    pub(crate) bookmark_interval: Duration,
    pub(crate) openapi_v2: std::sync::OnceLock<bytes::Bytes>,
    pub(crate) faults: FaultInjector,
    pub(crate) metrics: Arc<metrics::RequestMetrics>,
}

/// Builds the axum router of the API server.
pub(crate) fn router(
    store: Store,
    token: String,
    server_address: String,
    bookmark_interval: Duration,
    faults: FaultInjector,
    metrics: Arc<metrics::RequestMetrics>,
) -> Router {
    let app = Arc::new(App {
        store,
        token,
        server_address,
        bookmark_interval,
        openapi_v2: std::sync::OnceLock::new(),
        faults,
        metrics,
    });
    Router::new().fallback(entry).with_state(app)
}

async fn entry(State(app): State<Arc<App>>, req: Request) -> Response {
    let labels = metrics::labels_of(&req);
    let response = serve(app.clone(), req).await;
    app.metrics.record(labels, response.status().as_u16());
    response
}

async fn serve(app: Arc<App>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let public = matches!(
        path.as_str(),
        "/version" | "/healthz" | "/livez" | "/readyz"
    );
    if !public {
        let ok = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|t| t.trim() == app.token);
        if !ok {
            return error_response(&ApiError::unauthorized());
        }
    }
    if path == "/metrics" {
        let text = app.metrics.render().into_bytes();
        return json_bytes(200, text, "text/plain; version=0.0.4; charset=utf-8");
    }
    let latency = app.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let watch = path.contains("/watch/")
        || req
            .uri()
            .query()
            .is_some_and(|q| q.split('&').any(|p| p == "watch=true" || p == "watch=1"));
    let method = req.method().to_string();
    let mut drop_watch = None;
    match app.faults.fault_for(&RequestInfo {
        method: &method,
        path: &path,
        watch,
    }) {
        None => {}
        Some(Fault::InternalError) => {
            return error_response(&ApiError::internal("injected fault"));
        }
        Some(Fault::TooManyRequests { retry_after_secs }) => {
            return error_response(&ApiError::too_many_requests(retry_after_secs));
        }
        Some(Fault::Timeout(d)) => {
            tokio::time::sleep(d).await;
            return error_response(&ApiError::new(
                504,
                "Timeout",
                "the server was unable to return a response in the time allotted, but may still be processing the request",
            ));
        }
        Some(Fault::DropWatch(d)) => drop_watch = Some(d),
    }
    match request::Ctx::from_request(app, req).await {
        Ok(mut ctx) => {
            ctx.drop_watch_after = drop_watch;
            match handlers::dispatch(ctx).await {
                Ok(r) => r,
                Err(e) => error_response(&e),
            }
        }
        Err(e) => error_response(&e),
    }
}

/// A JSON response.
pub(crate) fn json_response(code: u16, body: &Value) -> Response {
    json_bytes(
        code,
        serde_json::to_vec(body).unwrap_or_default(),
        "application/json",
    )
}

pub(crate) fn json_bytes(code: u16, body: Vec<u8>, content_type: &str) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}

/// A `Status` error response.
pub(crate) fn error_response(e: &ApiError) -> Response {
    let mut r = json_response(e.code, &e.to_status());
    if let Some(s) = e.retry_after
        && let Ok(v) = HeaderValue::from_str(&s.to_string())
    {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(&self)
    }
}

//! Counting Kubernetes API requests by verb and response code (`driftless_k8s_request_total`):
//! the client is wrapped in a service that records every response before handing it on, so the
//! engine's reads, watches and writes and the controller's status writes are all counted.

use crate::metrics::Metrics;
use axum::http::{Method, Request};
use kube::client::Body;
use std::sync::Arc;

impl Metrics {
    /// `client`, with every request it sends counted in these metrics. Give the result to the
    /// engine and to the controller's [`crate::Context`].
    pub fn instrument(self: &Arc<Self>, client: kube::Client) -> kube::Client {
        let namespace = client.default_namespace().to_string();
        let metrics = self.clone();
        let service = tower::service_fn(move |req: Request<Body>| {
            let (client, metrics) = (client.clone(), metrics.clone());
            async move {
                let verb = verb(&req);
                let out = client.send(req).await;
                match &out {
                    Ok(resp) => metrics.record_api_request(verb, resp.status().as_str()),
                    Err(_) => metrics.record_api_request(verb, "error"),
                }
                out
            }
        });
        kube::Client::new(service, namespace)
    }
}

/// The Kubernetes verb of a request, from its method and query (`watch=true` on a GET).
fn verb(req: &Request<Body>) -> &'static str {
    let watch = req
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "watch=true" || p == "watch=1"));
    match *req.method() {
        Method::GET if watch => "watch",
        Method::GET => "get",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE => "delete",
        _ => "other",
    }
}

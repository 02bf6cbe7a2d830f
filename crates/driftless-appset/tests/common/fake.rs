//! A fake network (a server answering fixed routes, in the providers' real JSON
//! shapes, and recording what it was sent) and the objects of a fake cluster.

use std::cell::RefCell;

use base64::Engine;
use driftless_appset::{HttpClient, HttpRequest, HttpResponse, SourceError};
use serde_json::{Value, json};

/// Answers `method url` with a fixed response; anything else is a 404 with
/// GitHub's `{"message": "Not Found"}`.
#[derive(Default)]
pub struct FakeHttp {
    routes: Vec<(String, String, HttpResponse)>,
    seen: RefCell<Vec<HttpRequest>>,
}

impl FakeHttp {
    pub fn on(mut self, method: &str, url: &str, resp: HttpResponse) -> Self {
        self.routes.push((method.into(), url.into(), resp));
        self
    }

    pub fn get(self, url: &str, body: Value) -> Self {
        self.on("GET", url, HttpResponse::json(200, &body))
    }

    pub fn requests(&self) -> Vec<HttpRequest> {
        self.seen.borrow().clone()
    }
}

impl HttpClient for FakeHttp {
    fn send(&self, req: &HttpRequest) -> Result<HttpResponse, SourceError> {
        self.seen.borrow_mut().push(req.clone());
        Ok(self
            .routes
            .iter()
            .find(|(m, u, _)| m == req.method && *u == req.url)
            .map(|(_, _, r)| r.clone())
            .unwrap_or_else(|| HttpResponse::json(404, &json!({"message": "Not Found"}))))
    }
}

pub fn config_map(name: &str, data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": name, "namespace": "argocd"}, "data": data})
}

/// A Secret with `data` base64-encoded, as the API returns it.
pub fn secret(name: &str, data: &[(&str, &str)]) -> Value {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let data: serde_json::Map<String, Value> = data
        .iter()
        .map(|(k, v)| (k.to_string(), Value::String(b64(v))))
        .collect();
    json!({"apiVersion": "v1", "kind": "Secret",
           "metadata": {"name": name, "namespace": "argocd"}, "data": data})
}

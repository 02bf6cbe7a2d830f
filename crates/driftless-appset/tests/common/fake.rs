//! Fakes of the network and the cluster: a server answering fixed routes (in
//! the providers' real JSON shapes) and recording what it was sent, and a
//! cluster with ConfigMaps, Secrets and listable resources.

use std::cell::RefCell;

use base64::Engine;
use driftless_appset::{
    ClusterReader, HttpClient, HttpRequest, HttpResponse, ResourceQuery, SourceError,
};
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

/// A cluster holding objects of the `argocd` namespace.
#[derive(Default)]
pub struct FakeCluster {
    pub config_maps: Vec<Value>,
    pub secrets: Vec<Value>,
    /// `(apiVersion, resource, objects)` listable resources.
    pub resources: Vec<(String, String, Vec<Value>)>,
    pub queries: RefCell<Vec<ResourceQuery>>,
}

fn named<'a>(objs: &'a [Value], ns: &str, name: &str) -> Option<&'a Value> {
    objs.iter()
        .find(|o| o["metadata"]["name"] == name && o["metadata"]["namespace"] == ns)
}

impl ClusterReader for FakeCluster {
    fn argocd_namespace(&self) -> String {
        "argocd".into()
    }
    fn config_map(&self, ns: &str, name: &str) -> Result<Option<Value>, SourceError> {
        Ok(named(&self.config_maps, ns, name).cloned())
    }
    fn secret(&self, ns: &str, name: &str) -> Result<Option<Value>, SourceError> {
        Ok(named(&self.secrets, ns, name).cloned())
    }
    fn list(&self, q: &ResourceQuery) -> Result<Vec<Value>, SourceError> {
        self.queries.borrow_mut().push(q.clone());
        let Some((_, _, objs)) = self
            .resources
            .iter()
            .find(|(a, r, _)| *a == q.api_version && *r == q.resource)
        else {
            return Err(SourceError(format!(
                "the server could not find the requested resource ({})",
                q.resource
            )));
        };
        Ok(objs
            .iter()
            .filter(|o| q.name.as_ref().is_none_or(|n| o["metadata"]["name"] == *n))
            .cloned()
            .collect())
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

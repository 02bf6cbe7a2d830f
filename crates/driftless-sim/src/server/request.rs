//! Parsing a request: path (group, version, namespace, resource, name, subresource),
//! query parameters, content negotiation and the body.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, Request};
use axum::http::{HeaderMap, Method, header};
use serde_json::Value;

use super::App;
use crate::status::ApiError;

/// One request, read fully.
pub(crate) struct Ctx {
    pub(crate) app: Arc<App>,
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: HashMap<String, String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// Fault injection: cut a watch stream after this long.
    pub(crate) drop_watch_after: Option<std::time::Duration>,
}

/// A resource path: `/api/v1/namespaces/{ns}/{resource}/{name}/{sub}` and friends.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) group: String,
    pub(crate) version: String,
    pub(crate) namespace: Option<String>,
    pub(crate) resource: String,
    pub(crate) name: Option<String>,
    pub(crate) sub: Option<String>,
    pub(crate) watch_path: bool,
}

impl Ctx {
    pub(crate) async fn from_request(app: Arc<App>, req: Request) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let query: HashMap<String, String> = Query::try_from_uri(&parts.uri)
            .map(|q: Query<HashMap<String, String>>| q.0)
            .unwrap_or_default();
        let body = axum::body::to_bytes(body, 64 * 1024 * 1024)
            .await
            .map_err(|e| ApiError::bad_request(format!("cannot read the request body: {e}")))?;
        Ok(Self {
            app,
            method: parts.method,
            path: parts.uri.path().to_string(),
            query,
            headers: parts.headers,
            body,
            drop_watch_after: None,
        })
    }

    pub(crate) fn q(&self, k: &str) -> Option<&str> {
        self.query
            .get(k)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    pub(crate) fn flag(&self, k: &str) -> bool {
        matches!(self.q(k), Some("true" | "1"))
    }

    pub(crate) fn accept(&self) -> &str {
        self.headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub(crate) fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json")
    }

    /// Whether the client asked for a `Table` (`as=Table`).
    pub(crate) fn wants_table(&self) -> bool {
        self.accept()
            .split(',')
            .next()
            .is_some_and(|a| a.contains("as=Table"))
    }

    /// Whether the client prefers protobuf (`application/vnd.kubernetes.protobuf` first), as
    /// kubectl's and client-go's typed clients do; watch streams and Tables stay JSON.
    pub(crate) fn wants_protobuf(&self) -> bool {
        self.accept().split(',').next().is_some_and(|a| {
            a.trim().starts_with("application/vnd.kubernetes.protobuf")
                && !a.contains("stream=watch")
        })
    }

    /// Whether the client asked for `PartialObjectMetadata(List)`.
    pub(crate) fn wants_metadata(&self) -> bool {
        self.accept()
            .split(',')
            .next()
            .is_some_and(|a| a.contains("as=PartialObjectMetadata"))
    }

    /// `dryRun=All`.
    pub(crate) fn dry_run(&self) -> Result<bool, ApiError> {
        match self.q("dryRun") {
            None => Ok(false),
            Some("All") => Ok(true),
            Some(other) => Err(ApiError::bad_request(format!(
                "Invalid dry run value: {other:?}: supported values: \"All\""
            ))),
        }
    }

    /// The field manager: `fieldManager`, else the user agent's first word (as the server does).
    pub(crate) fn manager(&self) -> String {
        if let Some(m) = self.q("fieldManager") {
            return m.to_string();
        }
        let ua = self
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("unknown");
        ua.split('/')
            .next()
            .unwrap_or("unknown")
            .chars()
            .take(128)
            .collect()
    }

    /// Decodes the body as JSON, or YAML when the content type says so.
    pub(crate) fn body_value(&self) -> Result<Value, ApiError> {
        if self.body.is_empty() {
            return Ok(Value::Null);
        }
        if self.content_type().contains("protobuf") {
            return super::protobuf::decode(&self.body);
        }
        if self.content_type().contains("yaml") {
            let v: Value = serde_yaml_ng::from_slice(&self.body)
                .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?;
            return Ok(v);
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| ApiError::bad_request(format!("error decoding request body: {e}")))
    }
}

/// Parses the part of a resource path after `/api/v1` or `/apis/{g}/{v}`.
pub(crate) fn parse_target(group: &str, version: &str, rest: &[&str]) -> Option<Target> {
    let mut rest = rest;
    let mut watch_path = false;
    if rest.first() == Some(&"watch") {
        watch_path = true;
        rest = &rest[1..];
    }
    let mut namespace = None;
    let ns_sub =
        rest.len() == 3 && rest[0] == "namespaces" && matches!(rest[2], "status" | "finalize");
    if rest.first() == Some(&"namespaces") && rest.len() >= 3 && !ns_sub {
        namespace = Some(rest[1].to_string());
        rest = &rest[2..];
    }
    if rest.is_empty() || rest.len() > 3 {
        return None;
    }
    Some(Target {
        group: group.to_string(),
        version: version.to_string(),
        namespace,
        resource: rest[0].to_string(),
        name: rest.get(1).map(|s| s.to_string()),
        sub: rest.get(2).map(|s| s.to_string()),
        watch_path,
    })
}

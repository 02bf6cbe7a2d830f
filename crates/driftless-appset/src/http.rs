//! What the plugin, `pullRequest` and `scmProvider` generators send over HTTP,
//! behind a trait: the controller and the CLI back it with a real client, tests
//! with fake servers' answers.

use std::time::Duration;

use serde_json::Value;

use crate::error::SourceError;

/// One HTTP request. Its `Debug` output hides every header value (they carry tokens).
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The absolute URL, query included.
    pub url: String,
    /// Request headers, e.g. `Authorization`.
    pub headers: Vec<(String, String)>,
    /// A JSON body (sent with `Content-Type: application/json`).
    pub body: Option<Value>,
    /// How long the whole exchange may take; `None` is the client's default.
    pub timeout: Option<Duration>,
    /// Skip TLS certificate verification (a provider's `insecure: true`).
    pub insecure: bool,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &names)
            .field("has_body", &self.body.is_some())
            .field("timeout", &self.timeout)
            .field("insecure", &self.insecure)
            .finish()
    }
}

impl HttpRequest {
    /// A `GET` of `url` with no header.
    pub fn get(url: impl Into<String>) -> HttpRequest {
        HttpRequest {
            method: "GET",
            url: url.into(),
            headers: Vec::new(),
            body: None,
            timeout: None,
            insecure: false,
        }
    }

    /// A `POST` of `body` as JSON to `url`.
    pub fn post(url: impl Into<String>, body: Value) -> HttpRequest {
        HttpRequest {
            method: "POST",
            body: Some(body),
            ..HttpRequest::get(url)
        }
    }

    /// The request with one more header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> HttpRequest {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The value of header `name` (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP answer: status, headers (names as sent) and the whole body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Response headers; pagination reads `Link`, `X-Next-Page`, `X-Total-Pages`.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A `200` answer with a JSON body.
    pub fn json(status: u16, body: &Value) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// The answer with one more header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> HttpResponse {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The URL of the `rel="next"` entry of the `Link` header (GitHub, Gitea, GitLab).
    pub fn next_link(&self) -> Option<String> {
        self.header("link")?.split(',').find_map(|part| {
            let (url, params) = part.split_once(';')?;
            params
                .split(';')
                .any(|p| {
                    let p = p.trim();
                    p == "rel=\"next\"" || p == "rel=next"
                })
                .then(|| {
                    url.trim()
                        .trim_start_matches('<')
                        .trim_end_matches('>')
                        .to_string()
                })
        })
    }
}

/// Sends HTTP requests. Implementations return any status as an answer; only a
/// transport failure (no connection, timeout, TLS) is an error, and its message
/// must not contain header values.
pub trait HttpClient {
    /// Sends `req` and reads the whole answer.
    fn send(&self, req: &HttpRequest) -> Result<HttpResponse, SourceError>;
}

/// No network: every request fails with a clear error. For sets without plugin,
/// `pullRequest` or `scmProvider` generators.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHttp;

impl HttpClient for NoHttp {
    fn send(&self, req: &HttpRequest) -> Result<HttpResponse, SourceError> {
        Err(SourceError(format!(
            "no HTTP access was given to {} {}",
            req.method, req.url
        )))
    }
}

/// Sends `req` and returns its JSON body when the status is 2xx; otherwise an
/// error naming the method, URL, status and the server's message. `secrets`
/// are masked in anything the server echoes back.
pub(crate) fn send_json(
    http: &dyn HttpClient,
    req: &HttpRequest,
    secrets: &[&str],
) -> Result<(Value, HttpResponse), HttpError> {
    let resp = http.send(req).map_err(|e| HttpError {
        status: None,
        message: format!("{} {}: {}", req.method, req.url, mask(&e.0, secrets)),
    })?;
    if !(200..300).contains(&resp.status) {
        return Err(HttpError {
            status: Some(resp.status),
            message: format!(
                "{} {}: status {}{}",
                req.method,
                req.url,
                resp.status,
                server_message(&resp.body, secrets)
            ),
        });
    }
    let value = if resp.body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(&resp.body).map_err(|e| HttpError {
            status: Some(resp.status),
            message: format!("{} {}: the answer is not JSON: {e}", req.method, req.url),
        })?
    };
    Ok((value, resp))
}

/// A failed exchange: the status when the server answered.
#[derive(Debug, Clone)]
pub(crate) struct HttpError {
    pub status: Option<u16>,
    pub message: String,
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// `: <message>` from an error body (`message` of a JSON body, else the text,
/// at most 200 characters), secrets masked.
fn server_message(body: &[u8], secrets: &[&str]) -> String {
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(v) => match v.get("message").or_else(|| v.get("error")) {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => v.to_string(),
        },
        Err(_) => String::from_utf8_lossy(body).trim().to_string(),
    };
    if text.is_empty() {
        return String::new();
    }
    let short: String = text.chars().take(200).collect();
    format!(": {}", mask(&short, secrets))
}

/// `text` with every non-empty secret replaced by `***`.
pub(crate) fn mask(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s, "***");
    }
    out
}

/// Percent-encodes one path segment or query value (RFC 3986 unreserved kept).
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_link_and_masking() {
        let r = HttpResponse::default().with_header(
            "Link",
            "<https://api.github.com/x?page=1>; rel=\"prev\", <https://api.github.com/x?page=3>; rel=\"next\"",
        );
        assert_eq!(r.next_link().unwrap(), "https://api.github.com/x?page=3");
        assert_eq!(HttpResponse::default().next_link(), None);
        assert_eq!(mask("bad token s3cr3t", &["s3cr3t", ""]), "bad token ***");
        assert_eq!(encode("group/sub proj"), "group%2Fsub%20proj");
        let req = HttpRequest::get("http://x").header("Authorization", "Bearer s3cr3t");
        assert!(!format!("{req:?}").contains("s3cr3t"));
    }

    #[test]
    fn errors_name_the_status_and_hide_tokens() {
        struct Echo;
        impl HttpClient for Echo {
            fn send(&self, req: &HttpRequest) -> Result<HttpResponse, SourceError> {
                let tok = req.header_value("Authorization").unwrap_or_default();
                Ok(HttpResponse::json(
                    401,
                    &serde_json::json!({"message": format!("bad credentials {tok}")}),
                ))
            }
        }
        let req = HttpRequest::get("http://scm/api").header("Authorization", "Bearer s3cr3t");
        let e = send_json(&Echo, &req, &["s3cr3t"]).unwrap_err();
        assert_eq!(e.status, Some(401));
        assert_eq!(
            e.message,
            "GET http://scm/api: status 401: bad credentials Bearer ***"
        );
    }
}

//! The generators' HTTP ([`HttpClient`]) over reqwest's blocking client: the plugin service
//! and the SCM APIs. Must be used from a blocking thread (generation runs on one).

use driftless_appset::{HttpClient, HttpRequest, HttpResponse, SourceError};
use std::io::Read;
use std::sync::OnceLock;
use std::time::Duration;

/// Largest answer read (a page of an SCM listing is well below).
const MAX_BODY: u64 = 64 << 20;
/// Timeout of a request that sets none.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A blocking HTTP client, built on first use (reqwest's blocking client may not be built on an
/// async executor thread). One verifying TLS, one for `insecure: true` providers.
#[derive(Default)]
pub struct ReqwestHttp {
    verified: OnceLock<Result<reqwest::blocking::Client, String>>,
    insecure: OnceLock<Result<reqwest::blocking::Client, String>>,
}

impl std::fmt::Debug for ReqwestHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReqwestHttp")
    }
}

fn build(insecure: bool) -> Result<reqwest::blocking::Client, String> {
    // reqwest has no crypto provider of its own: ring is the process default.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(30))
        .timeout(DEFAULT_TIMEOUT)
        .danger_accept_invalid_certs(insecure)
        .user_agent(concat!("driftless/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {}", cause(&e)))
}

impl ReqwestHttp {
    fn client(&self, insecure: bool) -> Result<&reqwest::blocking::Client, SourceError> {
        let cell = if insecure {
            &self.insecure
        } else {
            &self.verified
        };
        cell.get_or_init(|| build(insecure))
            .as_ref()
            .map_err(|e| SourceError(e.clone()))
    }
}

impl HttpClient for ReqwestHttp {
    fn send(&self, req: &HttpRequest) -> Result<HttpResponse, SourceError> {
        let client = self.client(req.insecure)?;
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|e| SourceError(format!("bad method {}: {e}", req.method)))?;
        let mut b = client.request(method, &req.url);
        for (k, v) in &req.headers {
            b = b.header(k, v);
        }
        if let Some(body) = &req.body {
            b = b.json(body);
        }
        if let Some(t) = req.timeout {
            b = b.timeout(t);
        }
        let resp = b.send().map_err(|e| SourceError(cause(&e)))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let mut body = Vec::new();
        resp.take(MAX_BODY + 1)
            .read_to_end(&mut body)
            .map_err(|e| SourceError(format!("reading the answer: {e}")))?;
        if body.len() as u64 > MAX_BODY {
            return Err(SourceError(format!("answer larger than {MAX_BODY} bytes")));
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// The cause chain of a reqwest error without the URL it carries (the caller names it).
fn cause(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        parts.push(s.to_string());
        src = s.source();
    }
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    if parts.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {}", parts.join(": "))
    }
}

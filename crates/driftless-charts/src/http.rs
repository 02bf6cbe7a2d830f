//! The blocking HTTP client (rustls with the process-wide ring provider) and bounded reads.

use crate::Auth;
use std::io::Read;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Largest body read (an index of a big public repository is tens of MiB).
pub(crate) const MAX_BODY: u64 = 256 << 20;

/// One answer: status, headers and the whole body.
pub(crate) struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A blocking HTTP client, built on first use: reqwest's blocking client may be neither built
/// nor used on an async executor thread, and a cache is often created on one (an engine) and
/// used on the blocking pool.
#[derive(Clone, Default)]
pub(crate) struct Http {
    client: Arc<OnceLock<Result<reqwest::blocking::Client, String>>>,
}

impl Http {
    fn client(&self) -> Result<&reqwest::blocking::Client, String> {
        self.client
            .get_or_init(|| {
                // reqwest is built without a crypto provider of its own: ring, the one provider
                // of the whole tree (as kube and the Git transport use), is the process default.
                let _ = rustls::crypto::ring::default_provider().install_default();
                reqwest::blocking::Client::builder()
                    .connect_timeout(Duration::from_secs(30))
                    .timeout(Duration::from_secs(300))
                    .user_agent(concat!("driftless/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .map_err(|e| format!("cannot build the HTTP client: {}", cause(&e)))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// GETs `url` with `auth` and the `accept` media types; the body is read whole (at most
    /// [`MAX_BODY`] bytes). Transport failures come back as their message, without the URL's
    /// credentials (reqwest's errors name the URL, so only the cause chain is kept).
    pub(crate) fn get(&self, url: &str, auth: &Auth, accept: &[&str]) -> Result<Reply, String> {
        let mut req = auth.apply(self.client()?.get(url));
        if !accept.is_empty() {
            req = req.header(reqwest::header::ACCEPT, accept.join(", "));
        }
        let resp = req.send().map_err(|e| cause(&e))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let mut body = Vec::new();
        resp.take(MAX_BODY + 1)
            .read_to_end(&mut body)
            .map_err(|e| format!("reading the body: {e}"))?;
        if body.len() as u64 > MAX_BODY {
            return Err(format!("body larger than {MAX_BODY} bytes"));
        }
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

/// The cause chain of a reqwest error, without the URL it carries.
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

//! The blocking HTTP client (rustls with the process-wide ring provider) and bounded reads.

use crate::Auth;
use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex, OnceLock};
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
    /// Clients with TLS settings of their own, by a hash of those settings.
    tls_clients: Arc<Mutex<HashMap<String, reqwest::blocking::Client>>>,
}

impl Http {
    /// The client for `auth`'s TLS settings (the shared one when there are none).
    fn client(&self, auth: &Auth) -> Result<reqwest::blocking::Client, String> {
        if !auth.insecure_skip_verify && auth.client_cert.is_none() {
            return self
                .client
                .get_or_init(|| build(builder()))
                .clone()
                .map_err(|e| e.to_string());
        }
        let key = tls_key(auth);
        if let Some(c) = self.tls_clients.lock().expect("tls clients").get(&key) {
            return Ok(c.clone());
        }
        let mut b = builder().tls_danger_accept_invalid_certs(auth.insecure_skip_verify);
        if let Some((cert, key)) = &auth.client_cert {
            let pem = format!("{}\n{}", cert.trim_end(), key.trim_end());
            // The parser's message could quote the PEM: only say which setting is wrong.
            let id = reqwest::Identity::from_pem(pem.as_bytes()).map_err(|_| {
                "the TLS client certificate or key (tlsClientCertData / tlsClientCertKey) does not parse"
                    .to_string()
            })?;
            b = b.identity(id);
        }
        let c = build(b)?;
        self.tls_clients
            .lock()
            .expect("tls clients")
            .insert(key, c.clone());
        Ok(c)
    }

    /// GETs `url` with `auth` and the `accept` media types; the body is read whole (at most
    /// [`MAX_BODY`] bytes). Transport failures come back as their message, without the URL's
    /// credentials (reqwest's errors name the URL, so only the cause chain is kept).
    pub(crate) fn get(&self, url: &str, auth: &Auth, accept: &[&str]) -> Result<Reply, String> {
        let mut req = auth.apply(self.client(auth)?.get(url));
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

/// A client builder with the timeouts and user agent of every request.
fn builder() -> reqwest::blocking::ClientBuilder {
    // reqwest is built without a crypto provider of its own: ring, the one provider of the
    // whole tree (as kube and the Git transport use), is the process default.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(30))
        .timeout(Duration::from_secs(300))
        .user_agent(concat!("driftless/", env!("CARGO_PKG_VERSION")))
}

fn build(b: reqwest::blocking::ClientBuilder) -> Result<reqwest::blocking::Client, String> {
    b.build()
        .map_err(|e| format!("cannot build the HTTP client: {}", cause(&e)))
}

/// A key for a set of TLS settings that does not hold the private key.
fn tls_key(auth: &Auth) -> String {
    let (cert, key) = auth.client_cert.clone().unwrap_or_default();
    crate::cache::hex_sha256(format!("{}\0{cert}\0{key}", auth.insecure_skip_verify).as_bytes())
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

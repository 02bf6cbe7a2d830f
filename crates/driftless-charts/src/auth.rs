//! Credentials for a chart repository or registry (never printed).

/// Credentials for one repository: basic auth (username and password) or a
/// bearer token. `Debug` shows only which are set.
///
/// ```
/// let a = driftless_charts::Auth::basic("bob", "s3cret");
/// assert!(!format!("{a:?}").contains("s3cret"));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Auth {
    /// User name (basic auth; also sent to a registry's token service).
    pub username: Option<String>,
    /// Password (basic auth).
    pub password: Option<String>,
    /// A bearer token sent as `Authorization: Bearer`.
    pub bearer_token: Option<String>,
    /// Send the credentials with a chart archive download from another host than the
    /// repository's too (Helm's `--pass-credentials`, Argo CD's `helm.passCredentials`);
    /// otherwise only the repository's own scheme, host and port get them.
    pub pass_credentials: bool,
    /// Accept any server certificate (Argo CD's `insecure`, Helm's
    /// `--insecure-skip-tls-verify`).
    pub insecure_skip_verify: bool,
    /// A TLS client certificate (PEM) with its key (`tlsClientCertData` / `tlsClientCertKey`),
    /// presented to every host of the repository.
    pub client_cert: Option<(String, String)>,
}

impl Auth {
    /// Basic-auth credentials.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Auth {
        Auth {
            username: Some(username.into()),
            password: Some(password.into()),
            ..Auth::default()
        }
    }

    /// No credentials at all.
    pub fn is_empty(&self) -> bool {
        self.username.is_none() && self.password.is_none() && self.bearer_token.is_none()
    }

    /// The TLS settings and flags without the username, password and token (what a host that
    /// gets no credentials still uses).
    pub(crate) fn without_credentials(&self) -> Auth {
        Auth {
            username: None,
            password: None,
            bearer_token: None,
            ..self.clone()
        }
    }

    /// Applies the credentials to a request (bearer first).
    pub(crate) fn apply(
        &self,
        req: reqwest::blocking::RequestBuilder,
    ) -> reqwest::blocking::RequestBuilder {
        if let Some(t) = &self.bearer_token {
            return req.bearer_auth(t);
        }
        match (&self.username, &self.password) {
            (Some(u), p) => req.basic_auth(u, p.as_deref()),
            (None, Some(p)) => req.basic_auth("", Some(p)),
            (None, None) => req,
        }
    }
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("username", &self.username.as_ref().map(|_| "<set>"))
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "<redacted>"),
            )
            .field("pass_credentials", &self.pass_credentials)
            .field("insecure_skip_verify", &self.insecure_skip_verify)
            .field(
                "client_cert",
                &self.client_cert.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

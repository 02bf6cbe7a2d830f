//! Helm charts in OCI registries (the registry v2 API, as `helm pull oci://…` uses it): tags
//! as versions, the chart layer of the manifest, and the registry's authentication
//! (anonymous, basic, or a bearer token from the `WWW-Authenticate` challenge's realm).

use crate::http::{Http, Reply};
use crate::{Auth, ChartError};
use std::cell::RefCell;

/// The media type of a Helm chart's content layer.
pub(crate) const CHART_LAYER: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
const MANIFEST_TYPES: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

/// One session with a registry for one chart repository: the token obtained for the first
/// request is reused for the next.
pub(crate) struct Session<'a> {
    pub http: &'a Http,
    /// The repository as shown in errors (`oci://host/path`).
    pub repo: String,
    /// `http://host` or `https://host`.
    pub base: String,
    /// `path/chart`.
    pub name: String,
    pub auth: &'a Auth,
    token: RefCell<Option<String>>,
}

/// The chart layer a manifest names.
pub(crate) struct Layer {
    /// Hex sha256.
    pub digest: String,
}

impl<'a> Session<'a> {
    pub(crate) fn new(
        http: &'a Http,
        repo: String,
        registry: &str,
        path: &str,
        chart: &str,
        plain_http: bool,
        auth: &'a Auth,
    ) -> Self {
        let scheme = if plain_http { "http" } else { "https" };
        let name = if path.is_empty() {
            chart.to_string()
        } else {
            format!("{path}/{chart}")
        };
        Session {
            http,
            repo,
            base: format!("{scheme}://{registry}"),
            name,
            auth,
            token: RefCell::new(auth.bearer_token.clone()),
        }
    }

    /// Every tag of the chart's repository (following `Link` pagination).
    pub(crate) fn tags(&self) -> Result<Vec<String>, ChartError> {
        let mut url = format!("{}/v2/{}/tags/list", self.base, self.name);
        let mut tags = Vec::new();
        for _ in 0..1000 {
            let r = self.get(&url, &["application/json"])?;
            if r.status == 404 {
                return Err(ChartError::ChartNotFound {
                    repo: self.repo.clone(),
                    chart: self.chart().to_string(),
                });
            }
            self.ok(&url, &r)?;
            let v: serde_json::Value = serde_json::from_slice(&r.body)
                .map_err(|e| self.invalid(format!("tag list does not parse: {e}")))?;
            if let Some(list) = v.get("tags").and_then(|t| t.as_array()) {
                tags.extend(list.iter().filter_map(|t| t.as_str().map(String::from)));
            }
            match r.header("link").and_then(next_link) {
                Some(next) => url = format!("{}{next}", self.base),
                None => return Ok(tags),
            }
        }
        Err(self.invalid("tag list does not end".into()))
    }

    /// The chart layer of the manifest tagged `tag` (`None` when the tag does not exist).
    pub(crate) fn chart_layer(&self, tag: &str) -> Result<Option<Layer>, ChartError> {
        let url = format!("{}/v2/{}/manifests/{tag}", self.base, self.name);
        let r = self.get(&url, MANIFEST_TYPES)?;
        if r.status == 404 {
            return Ok(None);
        }
        self.ok(&url, &r)?;
        let m: serde_json::Value = serde_json::from_slice(&r.body)
            .map_err(|e| self.invalid(format!("manifest of tag {tag} does not parse: {e}")))?;
        let layer = m
            .get("layers")
            .and_then(|l| l.as_array())
            .into_iter()
            .flatten()
            .find(|l| l.get("mediaType").and_then(|t| t.as_str()) == Some(CHART_LAYER))
            .ok_or_else(|| {
                self.invalid(format!(
                    "the manifest of {}:{tag} has no layer of media type {CHART_LAYER}: not a Helm chart",
                    self.name
                ))
            })?;
        let digest = layer
            .get("digest")
            .and_then(|d| d.as_str())
            .and_then(|d| d.strip_prefix("sha256:"))
            .filter(|d| d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| {
                self.invalid(format!("the chart layer of tag {tag} has no sha256 digest"))
            })?;
        Ok(Some(Layer {
            digest: digest.to_ascii_lowercase(),
        }))
    }

    /// The bytes of blob `sha256:<digest>` (not verified here).
    pub(crate) fn blob(&self, digest: &str) -> Result<Vec<u8>, ChartError> {
        let url = format!("{}/v2/{}/blobs/sha256:{digest}", self.base, self.name);
        let r = self.get(&url, &[])?;
        self.ok(&url, &r)?;
        Ok(r.body)
    }

    fn chart(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }

    fn invalid(&self, message: String) -> ChartError {
        ChartError::Invalid {
            repo: self.repo.clone(),
            message,
        }
    }

    fn ok(&self, url: &str, r: &Reply) -> Result<(), ChartError> {
        if (200..300).contains(&r.status) {
            return Ok(());
        }
        Err(ChartError::Http {
            repo: self.repo.clone(),
            url: url.to_string(),
            message: refusal(r, self.auth).unwrap_or_else(|| status_message(r)),
        })
    }

    /// GET with the session's authentication: a 401 with a `Bearer` challenge gets a token
    /// from its realm (with the basic credentials, if any) and retries; a `Basic` challenge
    /// retries with the basic credentials.
    fn get(&self, url: &str, accept: &[&str]) -> Result<Reply, ChartError> {
        let http_err = |message: String| ChartError::Http {
            repo: self.repo.clone(),
            url: url.to_string(),
            message,
        };
        let current = self.current_auth();
        let r = self.http.get(url, &current, accept).map_err(http_err)?;
        if r.status != 401 {
            return Ok(r);
        }
        let Some(challenge) = r.header("www-authenticate").map(Challenge::parse) else {
            return Ok(r);
        };
        let retry = if challenge.scheme.eq_ignore_ascii_case("bearer") {
            let token = self.token_for(&challenge)?;
            *self.token.borrow_mut() = Some(token.clone());
            Auth {
                bearer_token: Some(token),
                ..self.auth.without_credentials()
            }
        } else if challenge.scheme.eq_ignore_ascii_case("basic") && self.has_basic() {
            Auth {
                bearer_token: None,
                ..self.auth.clone()
            }
        } else {
            return Ok(r);
        };
        if retry == current {
            return Ok(r);
        }
        self.http.get(url, &retry, accept).map_err(http_err)
    }

    fn has_basic(&self) -> bool {
        self.auth.username.is_some() || self.auth.password.is_some()
    }

    fn current_auth(&self) -> Auth {
        match self.token.borrow().clone() {
            Some(t) => Auth {
                bearer_token: Some(t),
                ..self.auth.without_credentials()
            },
            None => self.auth.without_credentials(),
        }
    }

    /// A token from the challenge's realm for its scope (default: pull of this repository).
    fn token_for(&self, c: &Challenge) -> Result<String, ChartError> {
        let realm = c
            .param("realm")
            .ok_or_else(|| self.invalid("bearer challenge without a realm".into()))?;
        let mut url = reqwest::Url::parse(realm)
            .map_err(|e| self.invalid(format!("token realm does not parse: {e}")))?;
        {
            let mut q = url.query_pairs_mut();
            if let Some(s) = c.param("service") {
                q.append_pair("service", s);
            }
            let scope = c
                .param("scope")
                .map(String::from)
                .unwrap_or_else(|| format!("repository:{}:pull", self.name));
            q.append_pair("scope", &scope);
        }
        let basic = Auth {
            bearer_token: None,
            ..self.auth.clone()
        };
        let shown = crate::reference::strip_userinfo(realm);
        let r = self
            .http
            .get(url.as_str(), &basic, &["application/json"])
            .map_err(|message| ChartError::Http {
                repo: self.repo.clone(),
                url: shown.clone(),
                message,
            })?;
        if !(200..300).contains(&r.status) {
            return Err(ChartError::Http {
                repo: self.repo.clone(),
                url: shown,
                message: format!("token request refused: {}", status_message(&r)),
            });
        }
        let v: serde_json::Value = serde_json::from_slice(&r.body)
            .map_err(|e| self.invalid(format!("token answer does not parse: {e}")))?;
        v.get("token")
            .or_else(|| v.get("access_token"))
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .map(String::from)
            .ok_or_else(|| self.invalid("token answer holds no token".into()))
    }
}

/// `401 Unauthorized` and the like, with a short excerpt of the body when it is text.
pub(crate) fn status_message(r: &Reply) -> String {
    let reason = reqwest::StatusCode::from_u16(r.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!("{} {reason}", r.status).trim_end().to_string()
}

/// For a `401` or `403` answer: the status and whether credentials were sent (`auth`), so
/// that a private repository without credentials says so. `None` for any other status.
pub(crate) fn refusal(r: &Reply, auth: &Auth) -> Option<String> {
    let why = match (r.status, auth.is_empty()) {
        (401, true) => "the repository requires credentials and none are configured for it",
        (401, false) => "the repository refused the credentials configured for it",
        (403, true) => "access denied without credentials; none are configured for it",
        (403, false) => "access denied with the credentials configured for it",
        _ => return None,
    };
    Some(format!("{}: {why}", status_message(r)))
}

/// `<path?query>; rel="next"` → the path.
fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        if !params.replace(' ', "").contains("rel=\"next\"") {
            return None;
        }
        let t = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        // Absolute links keep only their path and query (same registry).
        Some(match t.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("/".into(), |i| rest[i..].to_string()),
            None => t.to_string(),
        })
    })
}

/// A `WWW-Authenticate` challenge: its scheme and `key="value"` parameters.
struct Challenge {
    scheme: String,
    params: Vec<(String, String)>,
}

impl Challenge {
    fn parse(h: &str) -> Challenge {
        let h = h.trim();
        let (scheme, rest) = h.split_once(' ').unwrap_or((h, ""));
        let mut params = Vec::new();
        let mut chars = rest.chars().peekable();
        loop {
            while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
                chars.next();
            }
            let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
            if key.is_empty() {
                break;
            }
            let mut value = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => value.extend(chars.next()),
                        '"' => break,
                        c => value.push(c),
                    }
                }
            } else {
                value = chars.by_ref().take_while(|c| *c != ',').collect();
            }
            params.push((key.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
        Challenge {
            scheme: scheme.to_string(),
            params,
        }
    }

    fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A version as an OCI tag (`+` is not allowed in tags: Helm writes `_`).
pub(crate) fn tag_of(version: &str) -> String {
    version.replace('+', "_")
}

/// A tag as a version.
pub(crate) fn version_of(tag: &str) -> String {
    tag.replace('_', "+")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_and_links() {
        let c = Challenge::parse(
            r#"Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(c.scheme, "Bearer");
        assert_eq!(c.param("realm"), Some("https://auth.example.com/token"));
        assert_eq!(c.param("scope"), Some("repository:a/b:pull,push"));
        let c = Challenge::parse(r#"Basic realm="basic-realm""#);
        assert_eq!(
            (c.scheme.as_str(), c.param("realm")),
            ("Basic", Some("basic-realm"))
        );
        assert_eq!(
            next_link(r#"</v2/c/tags/list?last=b&n=2>; rel="next""#).as_deref(),
            Some("/v2/c/tags/list?last=b&n=2")
        );
        assert_eq!(
            next_link(r#"<https://r.example.com/v2/c/tags/list?last=b>; rel="next""#).as_deref(),
            Some("/v2/c/tags/list?last=b")
        );
        assert_eq!(next_link(r#"</x>; rel="prev""#), None);
        assert_eq!(tag_of("1.0.0+build.1"), "1.0.0_build.1");
        assert_eq!(version_of("1.0.0_build.1"), "1.0.0+build.1");
    }
}

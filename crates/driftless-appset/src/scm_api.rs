//! The REST APIs of GitHub, GitLab and Gitea as the `pullRequest` and
//! `scmProvider` generators call them: base URLs as the Go clients Argo CD uses
//! derive them from `api`, authentication headers, and pagination.

use serde_json::Value;

use crate::http::{HttpClient, HttpError, HttpRequest, HttpResponse, send_json};

/// Which API a client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    GitHub,
    GitLab,
    Gitea,
}

/// Most pages read from one listing (a runaway `next` link stops here).
const MAX_PAGES: usize = 1000;

/// A client of one SCM API.
pub(crate) struct ScmApi<'a> {
    http: &'a dyn HttpClient,
    flavor: Flavor,
    /// Ends with `/`; paths are appended.
    base: String,
    token: String,
    insecure: bool,
}

/// `(scheme://authority, path)` of a URL.
fn split_url(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => url.split_at(after_scheme + i),
        None => (url, ""),
    }
}

impl<'a> ScmApi<'a> {
    /// GitHub at `api` (empty: `https://api.github.com/`); an enterprise URL
    /// gets `/api/v3/` appended unless it has it or its host is an `api.` host
    /// (go-github's `WithEnterpriseURLs`).
    pub(crate) fn github(http: &'a dyn HttpClient, api: &str, token: String) -> ScmApi<'a> {
        let base = if api.is_empty() {
            "https://api.github.com/".to_string()
        } else {
            let (origin, path) = split_url(api);
            let host = origin.rsplit("://").next().unwrap_or_default();
            let mut path = path.to_string();
            if !path.ends_with('/') {
                path.push('/');
            }
            if !path.ends_with("/api/v3/") && !host.starts_with("api.") && !host.contains(".api.") {
                path.push_str("api/v3/");
            }
            format!("{origin}{path}")
        };
        ScmApi {
            http,
            flavor: Flavor::GitHub,
            base,
            token,
            insecure: false,
        }
    }

    /// GitLab at `api` (empty: `https://gitlab.com/`), with `api/v4/` appended
    /// unless present (go-gitlab's `WithBaseURL`).
    pub(crate) fn gitlab(
        http: &'a dyn HttpClient,
        api: &str,
        token: String,
        insecure: bool,
    ) -> ScmApi<'a> {
        let mut base = if api.is_empty() {
            "https://gitlab.com/".to_string()
        } else {
            api.to_string()
        };
        if !base.ends_with('/') {
            base.push('/');
        }
        if !base.ends_with("api/v4/") {
            base.push_str("api/v4/");
        }
        ScmApi {
            http,
            flavor: Flavor::GitLab,
            base,
            token,
            insecure,
        }
    }

    /// Gitea at `api` (required), under `/api/v1/`.
    pub(crate) fn gitea(
        http: &'a dyn HttpClient,
        api: &str,
        token: String,
        insecure: bool,
    ) -> Result<ScmApi<'a>, String> {
        if api.is_empty() {
            return Err("api: the Gitea API URL is required".into());
        }
        Ok(ScmApi {
            http,
            flavor: Flavor::Gitea,
            base: format!("{}/api/v1/", api.trim_end_matches('/')),
            token,
            insecure,
        })
    }

    fn request(&self, url: String) -> HttpRequest {
        let mut req = HttpRequest::get(url);
        req.insecure = self.insecure;
        let accept = match self.flavor {
            Flavor::GitHub => "application/vnd.github.v3+json",
            _ => "application/json",
        };
        req = req.header("Accept", accept);
        if self.token.is_empty() {
            return req;
        }
        match self.flavor {
            Flavor::GitHub => req.header("Authorization", format!("Bearer {}", self.token)),
            Flavor::GitLab => req.header("PRIVATE-TOKEN", self.token.clone()),
            Flavor::Gitea => req.header("Authorization", format!("token {}", self.token)),
        }
    }

    /// GETs `path` (relative to the API root, query included): its JSON.
    pub(crate) fn get(&self, path: &str) -> Result<(Value, HttpResponse), HttpError> {
        let req = self.request(format!("{}{path}", self.base));
        send_json(self.http, &req, &[&self.token])
    }

    /// GETs every page of the list at `path` (which has a query): the `Link`
    /// header's `next` (GitHub, Gitea) or `X-Next-Page` (GitLab).
    pub(crate) fn get_all(&self, path: &str) -> Result<Vec<Value>, HttpError> {
        let mut url = format!("{}{path}", self.base);
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let req = self.request(url.clone());
            let (page, resp) = send_json(self.http, &req, &[&self.token])?;
            match page {
                Value::Array(items) => out.extend(items),
                Value::Null => {}
                other => {
                    return Err(HttpError {
                        status: Some(resp.status),
                        message: format!("GET {url}: expected a list, got {}", kind(&other)),
                    });
                }
            }
            let next = match self.flavor {
                Flavor::GitLab => resp
                    .header("x-next-page")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| format!("{}{path}&page={p}", self.base))
                    .or_else(|| resp.next_link()),
                _ => resp.next_link(),
            };
            match next {
                Some(n) if n != url => url = n,
                _ => return Ok(out),
            }
        }
        Ok(out)
    }
}

/// The string at JSON pointer `ptr` of `v`, empty when absent.
pub(crate) fn str_at(v: &Value, ptr: &str) -> String {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The `name` of every object of the list `v[key]` (GitHub and Gitea labels).
pub(crate) fn names(v: &Value, key: &str) -> Vec<String> {
    names_in(
        v.get(key)
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice),
    )
}

/// The `name` of every object of `list`.
pub(crate) fn names_in(list: &[Value]) -> Vec<String> {
    list.iter()
        .filter_map(|l| l.get("name").and_then(Value::as_str).map(String::from))
        .collect()
}

/// The string field `key` of an object, empty when absent.
pub(crate) fn string_field(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The strings of the list `v[key]` (a provider's `labels`, GitHub topics).
pub(crate) fn string_list(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(String::from))
        .collect()
}

/// A repository path with each segment percent-encoded and `/` kept.
pub(crate) fn path_segments(path: &str) -> String {
    path.split('/')
        .map(crate::http::encode)
        .collect::<Vec<_>>()
        .join("/")
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "an object",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        _ => "something else",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::NoHttp;

    #[test]
    fn base_urls_as_the_go_clients() {
        let gh = |api: &str| ScmApi::github(&NoHttp, api, String::new()).base;
        assert_eq!(gh(""), "https://api.github.com/");
        assert_eq!(gh("https://ghe.corp"), "https://ghe.corp/api/v3/");
        assert_eq!(gh("https://ghe.corp/api/v3"), "https://ghe.corp/api/v3/");
        assert_eq!(gh("https://api.ghe.corp/"), "https://api.ghe.corp/");
        assert_eq!(gh("http://127.0.0.1:8080"), "http://127.0.0.1:8080/api/v3/");
        let gl = |api: &str| ScmApi::gitlab(&NoHttp, api, String::new(), false).base;
        assert_eq!(gl(""), "https://gitlab.com/api/v4/");
        assert_eq!(
            gl("https://git.corp/gitlab"),
            "https://git.corp/gitlab/api/v4/"
        );
        assert_eq!(gl("https://git.corp/api/v4/"), "https://git.corp/api/v4/");
        let gt = ScmApi::gitea(&NoHttp, "https://gitea.corp/", String::new(), false).unwrap();
        assert_eq!(gt.base, "https://gitea.corp/api/v1/");
        assert!(ScmApi::gitea(&NoHttp, "", String::new(), false).is_err());
    }
}

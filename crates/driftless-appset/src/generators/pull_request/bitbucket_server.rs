//! Pull requests of a Bitbucket Server (Data Center) repository:
//! `GET {api}/rest/api/1.0/projects/{project}/repos/{repo}/pull-requests`
//! (open ones, 100 a page, `isLastPage` / `nextPageStart`), with `basicAuth`
//! (`username`, `passwordRef`), `bearerToken` (`tokenRef`) or no
//! authentication. Bitbucket Server reports no labels.

use base64::Engine;
use serde_json::Value;

use super::{ListError, PullRequest, secret_namespace};
use crate::cluster::{SecretRef, secret_ref};
use crate::generators::Ctx;
use crate::http::{HttpRequest, encode, send_json};
use crate::scm_api::{str_at, string_field};

/// Most pages read from one listing.
const MAX_PAGES: usize = 1000;

/// Argo CD's `NormalizeBitbucketBasePath`: the API root ends with `/rest`.
fn rest_base(api: &str) -> String {
    let api = api.trim_end_matches('/');
    if api.ends_with("/rest") {
        api.to_string()
    } else {
        format!("{api}/rest")
    }
}

/// The `Authorization` header value and the secret to mask, from a Bitbucket
/// provider's `bearerToken` or `basicAuth` (Server and Cloud alike).
pub(super) fn authorization(ctx: &Ctx<'_>, p: &Value) -> Result<Option<(String, String)>, String> {
    let ns = secret_namespace(ctx);
    let reference = |v: &Value, what: &str| -> Result<Option<SecretRef>, String> {
        v.get(what)
            .filter(|r| !r.is_null())
            .map(|r| serde_json::from_value(r.clone()).map_err(|e| format!("invalid {what}: {e}")))
            .transpose()
    };
    if let Some(bearer) = p.get("bearerToken").filter(|v| !v.is_null()) {
        let token = secret_ref(
            ctx.inputs.cluster,
            &ns,
            reference(bearer, "tokenRef")?.as_ref(),
        )
        .map_err(|e| format!("error fetching Secret Bearer token: {e}"))?;
        return Ok(Some((format!("Bearer {token}"), token)));
    }
    if let Some(basic) = p.get("basicAuth").filter(|v| !v.is_null()) {
        let password = secret_ref(
            ctx.inputs.cluster,
            &ns,
            reference(basic, "passwordRef")?.as_ref(),
        )
        .map_err(|e| format!("error fetching Secret token: {e}"))?;
        let user = string_field(basic, "username");
        let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        return Ok(Some((format!("Basic {b64}"), password)));
    }
    Ok(None)
}

pub(super) fn list(ctx: &Ctx<'_>, p: &Value) -> Result<Vec<PullRequest>, ListError> {
    let auth = authorization(ctx, p).map_err(ListError::Other)?;
    let (project, repo) = (string_field(p, "project"), string_field(p, "repo"));
    let base = format!(
        "{}/api/1.0/projects/{}/repos/{}/pull-requests?limit=100",
        rest_base(&string_field(p, "api")),
        encode(&project),
        encode(&repo)
    );
    let context = format!("error listing pull requests for {project}/{repo}");
    let insecure = p.get("insecure").and_then(Value::as_bool).unwrap_or(false);
    let mut out = Vec::new();
    let mut start = 0u64;
    for _ in 0..MAX_PAGES {
        let url = format!("{base}&start={start}");
        let page = fetch(ctx, &url, auth.as_ref(), insecure, &context)?;
        out.extend(pulls(
            &page,
            [
                "/fromRef/displayId",
                "/toRef/displayId",
                "/fromRef/latestCommit",
                "/author/user/name",
            ],
        ));
        let last = page
            .get("isLastPage")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        match page.get("nextPageStart").and_then(Value::as_u64) {
            Some(next) if !last && next > start => start = next,
            _ => break,
        }
    }
    Ok(out)
}

/// One page of a Bitbucket listing with the provider's authorization.
pub(super) fn fetch(
    ctx: &Ctx<'_>,
    url: &str,
    auth: Option<&(String, String)>,
    insecure: bool,
    context: &str,
) -> Result<Value, ListError> {
    let mut req = HttpRequest::get(url).header("Accept", "application/json");
    req.insecure = insecure;
    let mut secrets = Vec::new();
    if let Some((header, secret)) = auth {
        req = req.header("Authorization", header.clone());
        secrets = vec![header.as_str(), secret.as_str()];
    }
    send_json(ctx.inputs.http, &req, &secrets)
        .map(|(page, _)| page)
        .map_err(|e| ListError::from_http(context, e))
}

/// The pull requests of a Bitbucket page's `values`: `id`, `title`, and the
/// branch, target branch, head SHA and author at the given JSON pointers.
pub(super) fn pulls(page: &Value, at: [&str; 4]) -> Vec<PullRequest> {
    let [branch, target, sha, author] = at;
    page.get("values")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|pull| PullRequest {
            number: pull.get("id").and_then(Value::as_i64).unwrap_or_default(),
            title: str_at(pull, "/title"),
            branch: str_at(pull, branch),
            target_branch: str_at(pull, target),
            head_sha: str_at(pull, sha),
            labels: Vec::new(),
            author: str_at(pull, author),
        })
        .collect()
}

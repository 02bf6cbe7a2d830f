//! Pull requests of a Bitbucket Cloud repository:
//! `GET {api}/repositories/{owner}/{repo}/pullrequests` (open ones, 50 a page,
//! the body's `next` URL), `api` defaulting to `https://api.bitbucket.org/2.0`;
//! `basicAuth` or `bearerToken` as Bitbucket Server. No labels.

use serde_json::Value;

use super::bitbucket_server::{authorization, fetch, pulls};
use super::{ListError, PullRequest};
use crate::generators::Ctx;
use crate::http::encode;
use crate::scm_api::string_field;

/// Most pages read from one listing.
const MAX_PAGES: usize = 1000;

pub(super) fn list(ctx: &Ctx<'_>, p: &Value) -> Result<Vec<PullRequest>, ListError> {
    let auth = authorization(ctx, p).map_err(ListError::Other)?;
    let (owner, repo) = (string_field(p, "owner"), string_field(p, "repo"));
    let api = match string_field(p, "api") {
        a if a.is_empty() => "https://api.bitbucket.org/2.0".to_string(),
        a => a.trim_end_matches('/').to_string(),
    };
    let context = format!("error listing pull requests for {owner}/{repo}");
    let mut url = format!(
        "{api}/repositories/{}/{}/pullrequests?pagelen=50",
        encode(&owner),
        encode(&repo)
    );
    let mut out = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = fetch(ctx, &url, auth.as_ref(), false, &context)?;
        out.extend(pulls(
            &page,
            [
                "/source/branch/name",
                "/destination/branch/name",
                "/source/commit/hash",
                "/author/nickname",
            ],
        ));
        match page.get("next").and_then(Value::as_str) {
            Some(next) if !next.is_empty() && next != url => url = next.to_string(),
            _ => break,
        }
    }
    Ok(out)
}

//! Pull requests of a Gitea repository:
//! `GET /api/v1/repos/{owner}/{repo}/pulls?state=open`, every page, kept when
//! they carry every label of `labels`.

use serde_json::Value;

use super::{ListError, PullRequest, string_field, string_list, token};
use crate::generators::Ctx;
use crate::http::encode;
use crate::scm_api::ScmApi;

pub(super) fn list(ctx: &Ctx<'_>, p: &Value) -> Result<Vec<PullRequest>, ListError> {
    let token = token(ctx, p).map_err(ListError::Other)?;
    let (owner, repo) = (string_field(p, "owner"), string_field(p, "repo"));
    let insecure = p.get("insecure").and_then(Value::as_bool).unwrap_or(false);
    let api = ScmApi::gitea(ctx.inputs.http, &string_field(p, "api"), token, insecure)
        .map_err(ListError::Other)?;
    let path = format!(
        "repos/{}/{}/pulls?state=open&limit=50",
        encode(&owner),
        encode(&repo)
    );
    let context = format!("error listing pull requests for {owner}/{repo}");
    let pulls = api
        .get_all(&path)
        .map_err(|e| ListError::from_http(&context, e))?;
    let wanted = string_list(p, "labels");
    Ok(super::github::github_shaped(&pulls, &wanted, &[]))
}

//! Pull requests of a GitHub repository: `GET /repos/{owner}/{repo}/pulls`
//! (open ones, 100 a page), kept when they carry every label of `labels`.

use serde_json::Value;

use super::{ListError, PullRequest, labels_match, string_field, string_list, token};
use crate::generators::Ctx;
use crate::http::encode;
use crate::scm_api::{ScmApi, names, str_at};

pub(super) fn list(ctx: &Ctx<'_>, p: &Value) -> Result<Vec<PullRequest>, ListError> {
    if !string_field(p, "appSecretName").is_empty() {
        return Err(ListError::Other(
            "github.appSecretName: GitHub App authentication is not supported by driftless; use tokenRef".into(),
        ));
    }
    let token = token(ctx, p).map_err(ListError::Other)?;
    let (owner, repo) = (string_field(p, "owner"), string_field(p, "repo"));
    let api = ScmApi::github(ctx.inputs.http, &string_field(p, "api"), token);
    let path = format!(
        "repos/{}/{}/pulls?per_page=100",
        encode(&owner),
        encode(&repo)
    );
    let context = format!("error listing pull requests for {owner}/{repo}");
    let pulls = api
        .get_all(&path)
        .map_err(|e| ListError::from_http(&context, e))?;
    let (wanted, excluded) = (string_list(p, "labels"), string_list(p, "excludedLabels"));
    Ok(github_shaped(&pulls, &wanted, &excluded))
}

/// The pull requests of a GitHub-shaped listing (GitHub's REST answer; Gitea answers in the
/// same shape) that carry every label of `wanted` and none of `excluded`.
pub(super) fn github_shaped(
    pulls: &[Value],
    wanted: &[String],
    excluded: &[String],
) -> Vec<PullRequest> {
    let mut out = Vec::new();
    for pull in pulls {
        let s = |ptr: &str| str_at(pull, ptr);
        let labels = names(pull, "labels");
        if !labels_match(wanted, excluded, &labels) {
            continue;
        }
        out.push(PullRequest {
            number: pull
                .get("number")
                .and_then(Value::as_i64)
                .unwrap_or_default(),
            title: s("/title"),
            branch: s("/head/ref"),
            target_branch: s("/base/ref"),
            head_sha: s("/head/sha"),
            labels,
            author: s("/user/login"),
        });
    }
    out
}

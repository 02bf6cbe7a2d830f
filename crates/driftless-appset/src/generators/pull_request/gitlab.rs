//! Merge requests of a GitLab project:
//! `GET /projects/{project}/merge_requests` (100 a page), GitLab filtering by
//! `labels` and by `pullRequestState` (`opened`, `closed`, `merged`, `locked`;
//! none: every state, as GitLab answers).

use serde_json::Value;

use super::{ListError, PullRequest, labels_match, string_field, string_list, token};
use crate::generators::Ctx;
use crate::http::encode;
use crate::scm_api::{ScmApi, str_at};

pub(super) fn list(ctx: &Ctx<'_>, p: &Value) -> Result<Vec<PullRequest>, ListError> {
    let token = token(ctx, p).map_err(ListError::Other)?;
    let project = string_field(p, "project");
    let insecure = p.get("insecure").and_then(Value::as_bool).unwrap_or(false);
    let api = ScmApi::gitlab(ctx.inputs.http, &string_field(p, "api"), token, insecure);
    let labels = string_list(p, "labels");
    let mut path = format!("projects/{}/merge_requests?per_page=100", encode(&project));
    if !labels.is_empty() {
        path.push_str(&format!("&labels={}", encode(&labels.join(","))));
    }
    let state = string_field(p, "pullRequestState");
    if !state.is_empty() {
        path.push_str(&format!("&state={}", encode(&state)));
    }
    let context = format!("error listing merge requests for project '{project}'");
    let mrs = api
        .get_all(&path)
        .map_err(|e| ListError::from_http(&context, e))?;
    let excluded = string_list(p, "excludedLabels");
    let mut out = Vec::new();
    for mr in &mrs {
        let s = |ptr: &str| str_at(mr, ptr);
        let mr_labels = string_list(mr, "labels");
        if !labels_match(&[], &excluded, &mr_labels) {
            continue;
        }
        out.push(PullRequest {
            number: mr.get("iid").and_then(Value::as_i64).unwrap_or_default(),
            title: s("/title"),
            branch: s("/source_branch"),
            target_branch: s("/target_branch"),
            head_sha: s("/sha"),
            labels: mr_labels,
            author: s("/author/username"),
        });
    }
    Ok(out)
}

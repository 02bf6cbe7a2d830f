//! The `pullRequest` generator: one parameter set per open pull (merge)
//! request of a repository on GitHub, GitLab, Gitea, Bitbucket Server or
//! Bitbucket Cloud, filtered by the
//! provider's `labels` and the generator's `filters` (`branchMatch`,
//! `targetBranchMatch`, `titleMatch`: regular expressions; a pull request is
//! kept when it satisfies every condition of at least one filter). Parameters
//! as Argo CD 2.13+: `number`, `title`, `branch`, `branch_slug`,
//! `target_branch`, `target_branch_slug`, `head_sha`, `head_short_sha`,
//! `head_short_sha_7`, `author`, `labels` (Go templates only) and `values`.

mod bitbucket_cloud;
mod bitbucket_server;
mod gitea;
mod github;
mod gitlab;

use regex::Regex;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Ctx, append_values, compile_regex, parse};
use crate::cluster::{SecretRef, secret_ref};
use crate::error::AppSetError;
use crate::http::HttpError;
pub(crate) use crate::scm_api::{string_field, string_list};
use crate::template::{Params, gosimple_slug};

/// One pull request as every provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PullRequest {
    pub number: i64,
    pub title: String,
    pub branch: String,
    pub target_branch: String,
    pub head_sha: String,
    pub labels: Vec<String>,
    pub author: String,
}

#[derive(Deserialize)]
struct PullRequestSpec {
    github: Option<Value>,
    gitlab: Option<Value>,
    gitea: Option<Value>,
    #[serde(rename = "bitbucketServer")]
    bitbucket_server: Option<Value>,
    bitbucket: Option<Value>,
    #[serde(rename = "azuredevops")]
    azure_devops: Option<Value>,
    #[serde(default)]
    filters: Vec<FilterSpec>,
    #[serde(default)]
    values: Map<String, Value>,
    #[serde(rename = "continueOnRepoNotFoundError", default)]
    continue_on_repo_not_found: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FilterSpec {
    branch_match: Option<String>,
    target_branch_match: Option<String>,
    title_match: Option<String>,
}

/// One compiled filter: every present expression must match.
struct Filter {
    branch: Option<Regex>,
    target_branch: Option<Regex>,
    title: Option<Regex>,
}

fn compile_filters(filters: &[FilterSpec]) -> Result<Vec<Filter>, String> {
    filters
        .iter()
        .map(|f| {
            Ok(Filter {
                branch: compile_regex("BranchMatch", f.branch_match.as_ref())?,
                target_branch: compile_regex("TargetBranchMatch", f.target_branch_match.as_ref())?,
                title: compile_regex("TitleMatch", f.title_match.as_ref())?,
            })
        })
        .collect()
}

impl Filter {
    fn matches(&self, pr: &PullRequest) -> bool {
        let ok = |re: &Option<Regex>, s: &str| re.as_ref().is_none_or(|r| r.is_match(s));
        ok(&self.branch, &pr.branch)
            && ok(&self.target_branch, &pr.target_branch)
            && ok(&self.title, &pr.title)
    }
}

/// Why a provider could not list.
pub(crate) enum ListError {
    /// The repository does not exist (`continueOnRepoNotFoundError` skips it).
    RepoNotFound(String),
    Other(String),
}

impl ListError {
    /// A failed exchange, a 404 meaning the repository is missing.
    pub(crate) fn from_http(context: &str, e: HttpError) -> ListError {
        if e.status == Some(404) {
            ListError::RepoNotFound(format!("{context}: repository not found: {e}"))
        } else {
            ListError::Other(format!("{context}: {e}"))
        }
    }
}

/// Where `tokenRef`-style Secrets are read: the set's namespace, Argo CD's for
/// a set without one (a file given to the CLI).
pub(crate) fn secret_namespace(ctx: &Ctx<'_>) -> String {
    match ctx.set_namespace {
        "" => ctx.inputs.cluster.argocd_namespace(),
        ns => ns.to_string(),
    }
}

/// The provider's token from its `tokenRef` (a Secret of the set's namespace,
/// Argo CD's when the set has none).
pub(crate) fn token(ctx: &Ctx<'_>, provider: &Value) -> Result<String, String> {
    let r: Option<SecretRef> = match provider.get("tokenRef") {
        None | Some(Value::Null) => None,
        Some(v) => {
            Some(serde_json::from_value(v.clone()).map_err(|e| format!("invalid tokenRef: {e}"))?)
        }
    };
    secret_ref(ctx.inputs.cluster, &secret_namespace(ctx), r.as_ref())
        .map_err(|e| format!("error fetching Secret token: {e}"))
}

/// Whether `got` holds every label of `wanted` and none of `excluded`.
pub(crate) fn labels_match(wanted: &[String], excluded: &[String], got: &[String]) -> bool {
    wanted.iter().all(|w| got.contains(w)) && !excluded.iter().any(|x| got.contains(x))
}

fn list(ctx: &Ctx<'_>, spec: &PullRequestSpec) -> Result<Vec<PullRequest>, ListError> {
    let other = |m: String| ListError::Other(m);
    let unsupported = |name: &str| {
        other(format!(
            "failed to select pull request service provider: the {name} provider is not supported by driftless (supported: github, gitlab, gitea, bitbucketServer, bitbucket)"
        ))
    };
    if let Some(p) = &spec.github {
        github::list(ctx, p)
    } else if let Some(p) = &spec.gitlab {
        gitlab::list(ctx, p)
    } else if let Some(p) = &spec.gitea {
        gitea::list(ctx, p)
    } else if let Some(p) = &spec.bitbucket_server {
        bitbucket_server::list(ctx, p)
    } else if let Some(p) = &spec.bitbucket {
        bitbucket_cloud::list(ctx, p)
    } else if spec.azure_devops.is_some() {
        Err(unsupported("azuredevops"))
    } else {
        Err(other(
            "failed to select pull request service provider: no Pull Request provider implementation configured".into(),
        ))
    }
}

fn to_params(ctx: &Ctx<'_>, pr: &PullRequest) -> Params {
    let short = |n: usize| pr.head_sha.chars().take(n).collect::<String>();
    let mut p = Params::new();
    p.insert("number".into(), pr.number.to_string().into());
    p.insert("title".into(), pr.title.clone().into());
    p.insert("branch".into(), pr.branch.clone().into());
    p.insert("branch_slug".into(), gosimple_slug(&pr.branch).into());
    p.insert("target_branch".into(), pr.target_branch.clone().into());
    p.insert(
        "target_branch_slug".into(),
        gosimple_slug(&pr.target_branch).into(),
    );
    p.insert("head_sha".into(), pr.head_sha.clone().into());
    p.insert("head_short_sha".into(), short(8).into());
    p.insert("head_short_sha_7".into(), short(7).into());
    p.insert("author".into(), pr.author.clone().into());
    // Labels are a list: Argo CD offers them to Go templates only.
    if ctx.renderer.is_go() {
        p.insert(
            "labels".into(),
            Value::Array(pr.labels.iter().cloned().map(Value::String).collect()),
        );
    }
    p
}

pub(super) fn params(ctx: &Ctx<'_>, spec: &Value, at: &str) -> Result<Vec<Params>, AppSetError> {
    let spec: PullRequestSpec = parse(spec, at)?;
    let err = |m: String| AppSetError::generator(at, m);
    let filters = compile_filters(&spec.filters).map_err(err)?;
    let pulls = match list(ctx, &spec) {
        Ok(p) => p,
        Err(ListError::RepoNotFound(_)) if spec.continue_on_repo_not_found => Vec::new(),
        Err(ListError::RepoNotFound(m) | ListError::Other(m)) => {
            return Err(err(format!("error listing repos: {m}")));
        }
    };
    let mut out = Vec::with_capacity(pulls.len());
    for pr in pulls
        .iter()
        .filter(|pr| filters.is_empty() || filters.iter().any(|f| f.matches(pr)))
    {
        let mut p = to_params(ctx, pr);
        append_values(ctx, &spec.values, &mut p, at)?;
        out.push(p);
    }
    Ok(out)
}

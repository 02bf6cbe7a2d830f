//! The `scmProvider` generator: one parameter set per repository (or per
//! branch with `allBranches`) of a GitHub organization, a GitLab group or a
//! Gitea owner, filtered by `filters` (`repositoryMatch`, `labelMatch` on the
//! repository; `branchMatch`, `pathsExist`, `pathsDoNotExist` on each branch;
//! one filter's conditions must all hold, any one filter suffices). Parameters
//! as Argo CD: `organization`, `repository`, `repository_id`, `url` (by
//! `cloneProtocol`, default `ssh`), `branch`, `branchNormalized`, `sha`,
//! `short_sha`, `short_sha_7`, `labels` (comma-separated) and `values`.

mod gitea;
mod github;
mod gitlab;

use regex::Regex;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::pull_request::token;
use super::{Ctx, append_values, compile_regex, parse};
use crate::error::AppSetError;
use crate::scm_api::string_field;
use crate::template::{Params, sanitize_name};

/// One repository at one branch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Repo {
    pub organization: String,
    pub repository: String,
    pub url: String,
    pub branch: String,
    pub sha: String,
    pub labels: Vec<String>,
    pub id: i64,
}

/// What each SCM answers.
pub(crate) trait Provider {
    /// Every repository with its default branch (no SHA yet).
    fn list_repos(&self, clone_protocol: &str) -> Result<Vec<Repo>, String>;
    /// The repository at each branch to generate for (its default branch, or
    /// all with `allBranches`), with SHAs.
    fn branches(&self, repo: &Repo) -> Result<Vec<Repo>, String>;
    /// Whether `path` exists in the repository at its branch.
    fn has_path(&self, repo: &Repo, path: &str) -> Result<bool, String>;
}

#[derive(Deserialize)]
struct ScmSpec {
    github: Option<Value>,
    gitlab: Option<Value>,
    gitea: Option<Value>,
    #[serde(rename = "bitbucketServer")]
    bitbucket_server: Option<Value>,
    bitbucket: Option<Value>,
    #[serde(rename = "azureDevOps")]
    azure_devops: Option<Value>,
    #[serde(rename = "awsCodeCommit")]
    aws_code_commit: Option<Value>,
    #[serde(rename = "cloneProtocol", default)]
    clone_protocol: String,
    #[serde(default)]
    filters: Vec<FilterSpec>,
    #[serde(default)]
    values: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FilterSpec {
    repository_match: Option<String>,
    label_match: Option<String>,
    branch_match: Option<String>,
    paths_exist: Option<Vec<String>>,
    paths_do_not_exist: Option<Vec<String>>,
}

struct Filter {
    repository: Option<Regex>,
    label: Option<Regex>,
    branch: Option<Regex>,
    paths_exist: Vec<String>,
    paths_do_not_exist: Vec<String>,
}

impl Filter {
    fn has_repo_conditions(&self) -> bool {
        self.repository.is_some() || self.label.is_some()
    }

    fn has_branch_conditions(&self) -> bool {
        self.branch.is_some() || !self.paths_exist.is_empty() || !self.paths_do_not_exist.is_empty()
    }

    fn repo_matches(&self, r: &Repo) -> bool {
        self.repository
            .as_ref()
            .is_none_or(|re| re.is_match(&r.repository))
            && self
                .label
                .as_ref()
                .is_none_or(|re| r.labels.iter().any(|l| re.is_match(l)))
    }

    fn branch_matches(&self, p: &dyn Provider, r: &Repo) -> Result<bool, String> {
        if self
            .branch
            .as_ref()
            .is_some_and(|re| !re.is_match(&r.branch))
        {
            return Ok(false);
        }
        for path in &self.paths_exist {
            if !p.has_path(r, path.trim_end_matches('/'))? {
                return Ok(false);
            }
        }
        for path in &self.paths_do_not_exist {
            if p.has_path(r, path.trim_end_matches('/'))? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn compile_filters(filters: &[FilterSpec]) -> Result<Vec<Filter>, String> {
    filters
        .iter()
        .map(|f| {
            Ok(Filter {
                repository: compile_regex("RepositoryMatch", f.repository_match.as_ref())?,
                label: compile_regex("LabelMatch", f.label_match.as_ref())?,
                branch: compile_regex("BranchMatch", f.branch_match.as_ref())?,
                paths_exist: f.paths_exist.clone().unwrap_or_default(),
                paths_do_not_exist: f.paths_do_not_exist.clone().unwrap_or_default(),
            })
        })
        .collect()
}

/// Argo CD's `ListRepos`: repositories, the repository filters, branches,
/// then the branch filters.
fn list_repos(
    p: &dyn Provider,
    filters: &[Filter],
    clone_protocol: &str,
) -> Result<Vec<Repo>, String> {
    let repo_filters: Vec<&Filter> = filters.iter().filter(|f| f.has_repo_conditions()).collect();
    let branch_filters: Vec<&Filter> = filters
        .iter()
        .filter(|f| f.has_branch_conditions())
        .collect();
    let repos: Vec<Repo> = p
        .list_repos(clone_protocol)?
        .into_iter()
        .filter(|r| repo_filters.is_empty() || repo_filters.iter().any(|f| f.repo_matches(r)))
        .collect();
    let mut out = Vec::new();
    for repo in &repos {
        for branch in p.branches(repo)? {
            let mut keep = branch_filters.is_empty();
            for f in &branch_filters {
                if f.branch_matches(p, &branch)? {
                    keep = true;
                    break;
                }
            }
            if keep {
                out.push(branch);
            }
        }
    }
    Ok(out)
}

fn provider<'a>(ctx: &Ctx<'a>, spec: &ScmSpec) -> Result<Box<dyn Provider + 'a>, String> {
    let unsupported = |name: &str| {
        Err(format!(
            "scm provider: the {name} provider is not supported by driftless (supported: github, gitlab, gitea)"
        ))
    };
    let tok = |p: &Value, what: &str| {
        token(ctx, p).map_err(|e| e.replace("error fetching Secret token", what))
    };
    if let Some(p) = &spec.github {
        if !string_field(p, "appSecretName").is_empty() {
            return Err(
                "github.appSecretName: GitHub App authentication is not supported by driftless; use tokenRef"
                    .into(),
            );
        }
        let token = tok(p, "error fetching Github token")?;
        Ok(Box::new(github::GitHub::new(ctx.inputs.http, p, token)))
    } else if let Some(p) = &spec.gitlab {
        let token = tok(p, "error fetching Gitlab token")?;
        Ok(Box::new(gitlab::GitLab::new(ctx.inputs.http, p, token)))
    } else if let Some(p) = &spec.gitea {
        let token = tok(p, "error fetching Gitea token")?;
        Ok(Box::new(gitea::Gitea::new(ctx.inputs.http, p, token)?))
    } else if spec.bitbucket_server.is_some() {
        unsupported("bitbucketServer")
    } else if spec.bitbucket.is_some() {
        unsupported("bitbucket")
    } else if spec.azure_devops.is_some() {
        unsupported("azureDevOps")
    } else if spec.aws_code_commit.is_some() {
        unsupported("awsCodeCommit")
    } else {
        Err("no SCM provider implementation configured".into())
    }
}

/// The URL of a repository for `clone_protocol` (`""`/`ssh` or `https`).
pub(crate) fn clone_url(
    scm: &str,
    clone_protocol: &str,
    ssh: String,
    https: String,
) -> Result<String, String> {
    match clone_protocol {
        "" | "ssh" => Ok(ssh),
        "https" => Ok(https),
        other => Err(format!("unknown clone protocol for {scm} {other}")),
    }
}

fn to_params(r: &Repo) -> Params {
    let short = |n: usize| r.sha.chars().take(n).collect::<String>();
    let mut p = Params::new();
    p.insert("organization".into(), r.organization.clone().into());
    p.insert("repository".into(), r.repository.clone().into());
    p.insert("repository_id".into(), r.id.into());
    p.insert("url".into(), r.url.clone().into());
    p.insert("branch".into(), r.branch.clone().into());
    p.insert("sha".into(), r.sha.clone().into());
    p.insert("short_sha".into(), short(8).into());
    p.insert("short_sha_7".into(), short(7).into());
    p.insert("labels".into(), r.labels.join(",").into());
    p.insert("branchNormalized".into(), sanitize_name(&r.branch).into());
    p
}

pub(super) fn params(ctx: &Ctx<'_>, spec: &Value, at: &str) -> Result<Vec<Params>, AppSetError> {
    let spec: ScmSpec = parse(spec, at)?;
    let err = |m: String| AppSetError::generator(at, m);
    let filters =
        compile_filters(&spec.filters).map_err(|e| err(format!("error listing repos: {e}")))?;
    let p = provider(ctx, &spec).map_err(err)?;
    let repos = list_repos(p.as_ref(), &filters, &spec.clone_protocol)
        .map_err(|e| err(format!("error listing repos: {e}")))?;
    let mut out = Vec::with_capacity(repos.len());
    for r in &repos {
        let mut params = to_params(r);
        append_values(ctx, &spec.values, &mut params, at)?;
        out.push(params);
    }
    Ok(out)
}

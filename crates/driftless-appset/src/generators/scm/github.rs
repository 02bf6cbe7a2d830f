//! Repositories of a GitHub organization (`GET /orgs/{org}/repos`), their
//! default branch (`/branches/{branch}`) or all branches, and paths
//! (`/contents/{path}?ref=`).

use serde_json::Value;

use super::{Provider, Repo, clone_url};
use crate::http::{HttpClient, encode};
use crate::scm_api::{ScmApi, path_segments, str_at, string_field, string_list};

pub(super) struct GitHub<'a> {
    api: ScmApi<'a>,
    organization: String,
    all_branches: bool,
}

impl<'a> GitHub<'a> {
    pub(super) fn new(http: &'a dyn HttpClient, p: &Value, token: String) -> GitHub<'a> {
        GitHub {
            api: ScmApi::github(http, &string_field(p, "api"), token),
            organization: string_field(p, "organization"),
            all_branches: p
                .get("allBranches")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }
    }

    fn repo_path(r: &Repo) -> String {
        format!(
            "repos/{}/{}",
            encode(&r.organization),
            encode(&r.repository)
        )
    }
}

impl Provider for GitHub<'_> {
    fn list_repos(&self, clone_protocol: &str) -> Result<Vec<Repo>, String> {
        let org = &self.organization;
        let repos = self
            .api
            .get_all(&format!("orgs/{}/repos?per_page=100", encode(org)))
            .map_err(|e| format!("error listing repositories for {org}: {e}"))?;
        repos
            .iter()
            .map(|r| {
                Ok(Repo {
                    organization: str_at(r, "/owner/login"),
                    repository: str_at(r, "/name"),
                    branch: str_at(r, "/default_branch"),
                    url: clone_url(
                        "GitHub",
                        clone_protocol,
                        str_at(r, "/ssh_url"),
                        str_at(r, "/clone_url"),
                    )?,
                    labels: string_list(r, "topics"),
                    id: r.get("id").and_then(Value::as_i64).unwrap_or_default(),
                    sha: String::new(),
                })
            })
            .collect()
    }

    fn branches(&self, repo: &Repo) -> Result<Vec<Repo>, String> {
        let context = |e: String| {
            format!(
                "error listing branches for {}/{}: {e}",
                repo.organization, repo.repository
            )
        };
        let branches = if self.all_branches {
            self.api
                .get_all(&format!("{}/branches?per_page=100", Self::repo_path(repo)))
                .map_err(|e| context(e.to_string()))?
        } else {
            let path = format!(
                "{}/branches/{}",
                Self::repo_path(repo),
                encode(&repo.branch)
            );
            match self.api.get(&path) {
                Ok((b, _)) => vec![b],
                // The default branch does not exist: the repository is empty.
                Err(e) if e.status == Some(404) => Vec::new(),
                Err(e) => return Err(context(e.to_string())),
            }
        };
        Ok(branches
            .iter()
            .map(|b| Repo {
                branch: str_at(b, "/name"),
                sha: str_at(b, "/commit/sha"),
                ..repo.clone()
            })
            .collect())
    }

    fn has_path(&self, repo: &Repo, path: &str) -> Result<bool, String> {
        let url = format!(
            "{}/contents/{}?ref={}",
            Self::repo_path(repo),
            path_segments(path),
            encode(&repo.branch)
        );
        match self.api.get(&url) {
            Ok(_) => Ok(true),
            Err(e) if e.status == Some(404) => Ok(false),
            Err(e) => Err(e.to_string()),
        }
    }
}

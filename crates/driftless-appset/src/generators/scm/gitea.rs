//! Repositories of a Gitea owner (`GET /orgs/{owner}/repos`, every page), their
//! labels (`/labels`), default branch or all branches, and paths
//! (`/contents/{path}?ref=`).

use serde_json::Value;

use super::{Provider, Repo, clone_url};
use crate::http::{HttpClient, encode};
use crate::scm_api::{ScmApi, names_in, path_segments, str_at, string_field};

pub(super) struct Gitea<'a> {
    api: ScmApi<'a>,
    owner: String,
    all_branches: bool,
}

impl<'a> Gitea<'a> {
    pub(super) fn new(
        http: &'a dyn HttpClient,
        p: &Value,
        token: String,
    ) -> Result<Gitea<'a>, String> {
        let insecure = p.get("insecure").and_then(Value::as_bool).unwrap_or(false);
        Ok(Gitea {
            api: ScmApi::gitea(http, &string_field(p, "api"), token, insecure)
                .map_err(|e| format!("error initializing Gitea service: {e}"))?,
            owner: string_field(p, "owner"),
            all_branches: p
                .get("allBranches")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }

    fn repo_path(&self, repo: &str) -> String {
        format!("repos/{}/{}", encode(&self.owner), encode(repo))
    }
}

impl Provider for Gitea<'_> {
    fn list_repos(&self, clone_protocol: &str) -> Result<Vec<Repo>, String> {
        let repos = self
            .api
            .get_all(&format!("orgs/{}/repos?limit=50", encode(&self.owner)))
            .map_err(|e| e.to_string())?;
        let mut out = Vec::with_capacity(repos.len());
        for r in &repos {
            let name = str_at(r, "/name");
            let labels = self
                .api
                .get_all(&format!("{}/labels?limit=50", self.repo_path(&name)))
                .map_err(|e| e.to_string())?;
            let labels = names_in(&labels);
            out.push(Repo {
                organization: self.owner.clone(),
                repository: name,
                branch: str_at(r, "/default_branch"),
                // Argo CD takes the web page URL for https.
                url: clone_url(
                    "Gitea",
                    clone_protocol,
                    str_at(r, "/ssh_url"),
                    str_at(r, "/html_url"),
                )?,
                labels,
                id: r.get("id").and_then(Value::as_i64).unwrap_or_default(),
                sha: String::new(),
            });
        }
        Ok(out)
    }

    fn branches(&self, repo: &Repo) -> Result<Vec<Repo>, String> {
        let base = format!("{}/branches", self.repo_path(&repo.repository));
        let branches = if self.all_branches {
            self.api
                .get_all(&format!("{base}?limit=50"))
                .map_err(|e| e.to_string())?
        } else {
            match self.api.get(&format!("{base}/{}", encode(&repo.branch))) {
                Ok((b, _)) => vec![b],
                Err(e) if e.status == Some(404) => {
                    return Err(format!(
                        "got 404 while getting default branch {:?} for repo {:?} - check your repo config: {e}",
                        repo.branch, repo.repository
                    ));
                }
                Err(e) => return Err(e.to_string()),
            }
        };
        Ok(branches
            .iter()
            .map(|b| Repo {
                branch: str_at(b, "/name"),
                sha: str_at(b, "/commit/id"),
                ..repo.clone()
            })
            .collect())
    }

    fn has_path(&self, repo: &Repo, path: &str) -> Result<bool, String> {
        let url = format!(
            "repos/{}/{}/contents/{}?ref={}",
            encode(&repo.organization),
            encode(&repo.repository),
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

//! Projects of a GitLab group (`GET /groups/{group}/projects`, with
//! `includeSubgroups`, `includeSharedProjects` (default true) and `topic`), their
//! default branch or all branches, and paths (the parent's repository tree).

use serde_json::Value;

use super::{Provider, Repo, clone_url};
use crate::http::{HttpClient, encode};
use crate::scm_api::{ScmApi, str_at, string_field, string_list};

pub(super) struct GitLab<'a> {
    api: ScmApi<'a>,
    group: String,
    all_branches: bool,
    include_subgroups: bool,
    include_shared: bool,
    topic: String,
}

impl<'a> GitLab<'a> {
    pub(super) fn new(http: &'a dyn HttpClient, p: &Value, token: String) -> GitLab<'a> {
        let flag = |k: &str, default: bool| p.get(k).and_then(Value::as_bool).unwrap_or(default);
        GitLab {
            api: ScmApi::gitlab(
                http,
                &string_field(p, "api"),
                token,
                flag("insecure", false),
            ),
            group: string_field(p, "group"),
            all_branches: flag("allBranches", false),
            include_subgroups: flag("includeSubgroups", false),
            include_shared: flag("includeSharedProjects", true),
            topic: string_field(p, "topic"),
        }
    }
}

/// Go's `path.Dir`: the parent directory, `.` for a top-level name.
fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => ".",
    }
}

impl Provider for GitLab<'_> {
    fn list_repos(&self, clone_protocol: &str) -> Result<Vec<Repo>, String> {
        let mut path = format!(
            "groups/{}/projects?per_page=100&include_subgroups={}&with_shared={}",
            encode(&self.group),
            self.include_subgroups,
            self.include_shared
        );
        if !self.topic.is_empty() {
            path.push_str(&format!("&topic={}", encode(&self.topic)));
        }
        let projects = self
            .api
            .get_all(&path)
            .map_err(|e| format!("error listing projects for {}: {e}", self.group))?;
        projects
            .iter()
            .map(|r| {
                // `topics` since GitLab 14.5, `tag_list` before.
                let mut labels = string_list(r, "topics");
                if labels.is_empty() {
                    labels = string_list(r, "tag_list");
                }
                Ok(Repo {
                    organization: str_at(r, "/namespace/full_path"),
                    repository: str_at(r, "/path"),
                    branch: str_at(r, "/default_branch"),
                    url: clone_url(
                        "Gitlab",
                        clone_protocol,
                        str_at(r, "/ssh_url_to_repo"),
                        str_at(r, "/http_url_to_repo"),
                    )?,
                    labels,
                    id: r.get("id").and_then(Value::as_i64).unwrap_or_default(),
                    sha: String::new(),
                })
            })
            .collect()
    }

    fn branches(&self, repo: &Repo) -> Result<Vec<Repo>, String> {
        let base = format!("projects/{}/repository/branches", repo.id);
        let got = if self.all_branches {
            self.api.get_all(&format!("{base}?per_page=100"))
        } else {
            self.api
                .get(&format!("{base}/{}", encode(&repo.branch)))
                .map(|(b, _)| vec![b])
        };
        let branches = match got {
            Ok(b) => b,
            Err(e) if e.status == Some(404) => Vec::new(),
            Err(e) => {
                return Err(format!(
                    "error listing branches for {}/{}: {e}",
                    repo.organization, repo.repository
                ));
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
        let full = format!("{}/{}", repo.organization, repo.repository);
        let (project, _) = self
            .api
            .get(&format!("projects/{}", encode(&full)))
            .map_err(|e| e.to_string())?;
        let id = project
            .get("id")
            .and_then(Value::as_i64)
            .unwrap_or_default();
        let tree = self
            .api
            .get_all(&format!(
                "projects/{id}/repository/tree?per_page=100&path={}&ref={}",
                encode(parent(path)),
                encode(&repo.branch)
            ))
            .map_err(|e| e.to_string())?;
        Ok(tree.iter().any(|n| str_at(n, "/path") == path))
    }
}

//! Repository Secrets (`repository`: one repository, matched by its normalised URL) and
//! credential templates (`repo-creds`: every repository whose normalised URL starts with theirs,
//! the longest prefix winning), as Argo CD matches them. A repository Secret without credentials
//! takes them from the matching template.

use super::{SecretError, secret_type, text};
use k8s_openapi::api::core::v1::Secret;
use std::fmt;

/// Which kind of repository Secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoSecretKind {
    /// `argocd.argoproj.io/secret-type: repository`.
    Repository,
    /// `argocd.argoproj.io/secret-type: repo-creds`.
    RepoCreds,
}

/// What authenticates to a repository.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct RepoCredentials {
    /// HTTPS user (any non-empty name with a token as password).
    pub username: String,
    /// HTTPS password or access token.
    pub password: String,
    /// HTTPS bearer token (`bearerToken`).
    pub bearer_token: String,
    /// SSH private key (PEM / OpenSSH).
    pub ssh_private_key: String,
    /// TLS client certificate, PEM (`tlsClientCertData`).
    pub tls_client_cert_data: String,
    /// Its private key, PEM (`tlsClientCertKey`).
    pub tls_client_cert_key: String,
}

impl RepoCredentials {
    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self.username.is_empty()
            && self.password.is_empty()
            && self.bearer_token.is_empty()
            && self.ssh_private_key.is_empty()
            && self.tls_client_cert_data.is_empty()
    }
}

impl fmt::Debug for RepoCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |s: &str| if s.is_empty() { "-" } else { "<redacted>" };
        f.debug_struct("RepoCredentials")
            .field("username", &self.username)
            .field("password", &set(&self.password))
            .field("bearer_token", &set(&self.bearer_token))
            .field("ssh_private_key", &set(&self.ssh_private_key))
            .field("tls_client_cert_data", &set(&self.tls_client_cert_data))
            .field("tls_client_cert_key", &set(&self.tls_client_cert_key))
            .finish()
    }
}

/// One repository Secret, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoSecret {
    /// The Secret's name.
    pub secret: String,
    /// Repository or credential template.
    pub kind: RepoSecretKind,
    /// `url`: the repository (or, for a template, the URL prefix).
    pub url: String,
    /// `type`: `git` (also when missing) or `helm` (a Helm chart repository, or an OCI
    /// registry of charts when its `url` has no scheme or `enableOCI` is set).
    pub repo_type: String,
    /// `insecure: "true"`: accept any server certificate.
    pub insecure: bool,
    /// The credentials it holds.
    pub credentials: RepoCredentials,
}

impl RepoSecret {
    /// A Helm repository (`type: helm`): its credentials also serve `Chart.yaml` dependencies
    /// of any chart, as Argo CD passes every Helm repository to `helm dependency build`.
    pub fn is_helm(&self) -> bool {
        self.repo_type.eq_ignore_ascii_case("helm")
    }
}

impl RepoSecret {
    /// Decodes a `repository` or `repo-creds` Secret; `None` for any other Secret.
    pub fn from_secret(secret: &Secret) -> Option<Result<Self, SecretError>> {
        let (kind, label) = match secret_type(secret)? {
            "repository" => (RepoSecretKind::Repository, "repository"),
            "repo-creds" => (RepoSecretKind::RepoCreds, "repo-creds"),
            _ => return None,
        };
        let read = || -> Result<Self, SecretError> {
            let field = |k| text(secret, label, k);
            let url = field("url")?.trim().to_string();
            if url.is_empty() {
                return Err(SecretError {
                    kind: label.into(),
                    secret: secret.metadata.name.clone().unwrap_or_default(),
                    message: "data.url is missing".into(),
                });
            }
            Ok(RepoSecret {
                secret: secret.metadata.name.clone().unwrap_or_default(),
                kind,
                url,
                repo_type: field("type")?.trim().to_string(),
                insecure: field("insecure")?.trim().eq_ignore_ascii_case("true"),
                credentials: RepoCredentials {
                    username: field("username")?,
                    password: field("password")?,
                    bearer_token: field("bearerToken")?,
                    ssh_private_key: field("sshPrivateKey")?,
                    tls_client_cert_data: field("tlsClientCertData")?,
                    tls_client_cert_key: field("tlsClientCertKey")?,
                },
            })
        };
        Some(read())
    }
}

/// Argo CD's `NormalizeGitURL`: lower case, `git@host:path` as `git@host/path`, no `.git`
/// suffix, no `ssh://` prefix.
///
/// ```
/// use driftless_api::normalize_git_url;
/// assert_eq!(normalize_git_url("git@GitHub.com:Org/App.git"), "git@github.com/org/app");
/// assert_eq!(normalize_git_url(" https://Git.example/team/app.git "), "https://git.example/team/app");
/// ```
pub fn normalize_git_url(url: &str) -> String {
    let mut u = url.trim().to_lowercase();
    if let Some(rest) = u.strip_prefix("ssh://") {
        u = rest.to_string();
    } else if is_scp_like(&u) {
        u = u.replacen(':', "/", 1);
    }
    u.strip_suffix(".git").map(str::to_string).unwrap_or(u)
}

/// `user@host:path` (an SSH URL without a scheme).
fn is_scp_like(u: &str) -> bool {
    !u.contains("://")
        && u.split_once('@').is_some_and(|(user, rest)| {
            !user.contains('/') && !user.contains(':') && !rest.contains('@')
        })
}

/// The credentials for `repo_url`: its `repository` Secret's, else (or when that has none) the
/// longest-prefix `repo-creds` template's. `None` when nothing matches.
///
/// ```
/// use driftless_api::{RepoCredentials, RepoSecret, RepoSecretKind, repo_credentials};
/// let creds = |u: &str| RepoCredentials { username: u.into(), password: "p".into(), ..Default::default() };
/// let secrets = [
///     RepoSecret { secret: "org".into(), kind: RepoSecretKind::RepoCreds, url: "https://git.example/org".into(), repo_type: String::new(), insecure: false, credentials: creds("org") },
///     RepoSecret { secret: "team".into(), kind: RepoSecretKind::RepoCreds, url: "https://git.example/org/team".into(), repo_type: String::new(), insecure: false, credentials: creds("team") },
/// ];
/// let c = repo_credentials("https://git.example/org/team/app.git", &secrets).unwrap();
/// assert_eq!(c.username, "team");
/// assert!(repo_credentials("https://elsewhere/app", &secrets).is_none());
/// ```
pub fn repo_credentials(repo_url: &str, secrets: &[RepoSecret]) -> Option<RepoCredentials> {
    matching_credentials(repo_url, secrets, normalize_git_url)
}

/// The credentials for the chart repository or OCI registry `repo_url` (a `spec.source.chart`
/// source's own): as [`repo_credentials`], with URLs compared without an `oci://` scheme and a
/// trailing `/`, since Argo CD stores OCI repositories as `registry.example.com/charts`.
///
/// ```
/// use driftless_api::{RepoCredentials, RepoSecret, RepoSecretKind, chart_repo_credentials};
/// let s = RepoSecret { secret: "regcred".into(), kind: RepoSecretKind::Repository,
///     url: "registry.example.com/charts".into(), repo_type: "helm".into(), insecure: false,
///     credentials: RepoCredentials { username: "u".into(), password: "p".into(), ..Default::default() } };
/// let c = chart_repo_credentials("oci://registry.example.com/charts/", &[s]).unwrap();
/// assert_eq!(c.username, "u");
/// ```
pub fn chart_repo_credentials(repo_url: &str, secrets: &[RepoSecret]) -> Option<RepoCredentials> {
    matching_credentials(repo_url, secrets, normalize_chart_url)
}

/// The `repository` Secret for the chart repository or OCI registry `repo_url` (URLs compared
/// as by [`chart_repo_credentials`]), for its settings (`insecure`); `None` when none matches.
pub fn chart_repository<'a>(repo_url: &str, secrets: &'a [RepoSecret]) -> Option<&'a RepoSecret> {
    let wanted = normalize_chart_url(repo_url);
    secrets
        .iter()
        .filter(|s| s.kind == RepoSecretKind::Repository)
        .find(|s| normalize_chart_url(&s.url) == wanted)
}

/// A chart repository URL as matched: no `oci://`, no trailing `/`, then Argo CD's
/// normalisation.
fn normalize_chart_url(url: &str) -> String {
    let u = url.trim();
    let u = match u.get(..6) {
        Some(scheme) if scheme.eq_ignore_ascii_case("oci://") => &u[6..],
        _ => u,
    };
    normalize_git_url(u.trim_end_matches('/'))
}

fn matching_credentials(
    repo_url: &str,
    secrets: &[RepoSecret],
    normalize: fn(&str) -> String,
) -> Option<RepoCredentials> {
    let wanted = normalize(repo_url);
    let repository = secrets
        .iter()
        .filter(|s| s.kind == RepoSecretKind::Repository)
        .find(|s| normalize(&s.url) == wanted);
    if let Some(r) = repository
        && !r.credentials.is_empty()
    {
        return Some(r.credentials.clone());
    }
    let mut best: Option<(usize, &RepoSecret)> = None;
    for s in secrets
        .iter()
        .filter(|s| s.kind == RepoSecretKind::RepoCreds)
    {
        let prefix = normalize(&s.url);
        if wanted.starts_with(&prefix) && best.is_none_or(|(len, _)| prefix.len() > len) {
            best = Some((prefix.len(), s));
        }
    }
    best.map(|(_, s)| s.credentials.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(kind: RepoSecretKind, url: &str, user: &str) -> RepoSecret {
        RepoSecret {
            secret: user.into(),
            kind,
            url: url.into(),
            repo_type: String::new(),
            insecure: false,
            credentials: RepoCredentials {
                username: user.into(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn repository_wins_exactly_and_falls_back_to_the_template_when_empty() {
        let secrets = [
            secret(
                RepoSecretKind::RepoCreds,
                "https://git.example/",
                "template",
            ),
            secret(RepoSecretKind::Repository, "https://git.example/a.git", "a"),
            secret(RepoSecretKind::Repository, "https://git.example/b", ""),
        ];
        let user = |u| repo_credentials(u, &secrets).map(|c| c.username);
        assert_eq!(user("https://GIT.example/a").as_deref(), Some("a"));
        assert_eq!(
            user("https://git.example/b.git").as_deref(),
            Some("template")
        );
        // A repository Secret matches exactly, never as a prefix.
        assert_eq!(
            user("https://git.example/a/more").as_deref(),
            Some("template")
        );
        assert_eq!(user("ssh://other/x"), None);
    }

    #[test]
    fn debug_never_shows_secrets() {
        let c = RepoCredentials {
            username: "bob".into(),
            password: "hunter2".into(),
            ssh_private_key: "-----BEGIN".into(),
            ..Default::default()
        };
        let d = format!("{c:?}");
        assert!(
            d.contains("bob") && !d.contains("hunter2") && !d.contains("BEGIN"),
            "{d}"
        );
    }
}

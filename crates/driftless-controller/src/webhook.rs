//! Git webhooks: a push to a repository and branch refreshes (with a fetch) the Applications
//! that follow it. GitHub payloads are verified with `X-Hub-Signature-256` (HMAC-SHA256),
//! GitLab ones with `X-Gitlab-Token`.

use hmac::{Hmac, Mac};
use serde_json::Value;

/// A push: repository URLs it may be known by, and the branch or tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Push {
    /// Clone URLs, HTML URL, SSH URL of the repository.
    pub urls: Vec<String>,
    /// The branch or tag name (`refs/heads/` stripped).
    pub revision: String,
}

/// Why a webhook was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WebhookError {
    /// The signature or token is missing or wrong.
    #[error("webhook signature or token does not match")]
    Unauthorized,
    /// Not a push event we understand.
    #[error("not a push event: {0}")]
    Unsupported(String),
}

/// Verifies and parses a webhook request.
pub fn parse(
    headers: &[(String, String)],
    body: &[u8],
    secret: Option<&str>,
) -> Result<Push, WebhookError> {
    let header = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.as_str())
    };
    if let Some(secret) = secret {
        if let Some(sig) = header("X-Hub-Signature-256") {
            let hex = sig
                .strip_prefix("sha256=")
                .ok_or(WebhookError::Unauthorized)?;
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
                .map_err(|_| WebhookError::Unauthorized)?;
            mac.update(body);
            let want = decode_hex(hex).ok_or(WebhookError::Unauthorized)?;
            mac.verify_slice(&want)
                .map_err(|_| WebhookError::Unauthorized)?;
        } else if let Some(token) = header("X-Gitlab-Token") {
            if !constant_time_eq(token.as_bytes(), secret.as_bytes()) {
                return Err(WebhookError::Unauthorized);
            }
        } else {
            return Err(WebhookError::Unauthorized);
        }
    }
    let v: Value =
        serde_json::from_slice(body).map_err(|e| WebhookError::Unsupported(e.to_string()))?;
    let git_ref = v
        .get("ref")
        .and_then(Value::as_str)
        .ok_or_else(|| WebhookError::Unsupported("no ref".into()))?;
    let revision = git_ref
        .strip_prefix("refs/heads/")
        .or_else(|| git_ref.strip_prefix("refs/tags/"))
        .unwrap_or(git_ref)
        .to_string();
    let mut urls = Vec::new();
    for p in [
        "/repository/clone_url",
        "/repository/html_url",
        "/repository/ssh_url",
        "/repository/git_http_url",
        "/repository/git_ssh_url",
        "/project/git_http_url",
        "/project/git_ssh_url",
        "/project/web_url",
    ] {
        if let Some(u) = v.pointer(p).and_then(Value::as_str) {
            urls.push(u.to_string());
        }
    }
    if urls.is_empty() {
        return Err(WebhookError::Unsupported("no repository URL".into()));
    }
    Ok(Push { urls, revision })
}

/// Whether an Application source (`repoURL`, `targetRevision`) follows this push.
pub fn matches(
    push: &Push,
    repo_url: &str,
    target_revision: &str,
    default_branch_head: bool,
) -> bool {
    let want = normalize(repo_url);
    if !push.urls.iter().any(|u| normalize(u) == want) {
        return false;
    }
    let rev = target_revision.trim();
    rev == push.revision
        || rev.strip_prefix("refs/heads/") == Some(push.revision.as_str())
        || ((rev.is_empty() || rev == "HEAD") && default_branch_head)
}

/// `https://Host/Org/Repo.git/` and `git@host:org/repo` compare equal to `https://host/org/repo`.
fn normalize(url: &str) -> String {
    let u = url
        .trim()
        .trim_end_matches('/')
        .trim_end_matches(".git")
        .to_ascii_lowercase();
    let u = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .or_else(|| u.strip_prefix("ssh://"))
        .unwrap_or(&u)
        .to_string();
    let u = u
        .strip_prefix("git@")
        .map(|r| r.replacen(':', "/", 1))
        .unwrap_or(u);
    // Credentials in the URL never decide a match.
    match u.split_once('@') {
        Some((_, host)) if !host.contains('@') => host.to_string(),
        _ => u,
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        let bytes = mac.finalize().into_bytes();
        format!(
            "sha256={}",
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        )
    }

    #[test]
    fn github_push_is_verified_and_matched() {
        let body = br#"{"ref":"refs/heads/main","repository":{"clone_url":"https://git.example/Org/Shop.git","html_url":"https://git.example/Org/Shop"}}"#;
        let h = vec![("X-Hub-Signature-256".to_string(), sign("s3cret", body))];
        let push = parse(&h, body, Some("s3cret")).unwrap();
        assert_eq!(push.revision, "main");
        assert!(matches(
            &push,
            "https://git.example/org/shop",
            "main",
            false
        ));
        assert!(matches(
            &push,
            "https://user:pw@git.example/org/shop.git",
            "refs/heads/main",
            false
        ));
        assert!(!matches(
            &push,
            "https://git.example/org/shop",
            "release",
            false
        ));
        assert!(!matches(
            &push,
            "https://git.example/org/other",
            "main",
            false
        ));
        let bad = vec![("X-Hub-Signature-256".to_string(), sign("wrong", body))];
        assert_eq!(
            parse(&bad, body, Some("s3cret")),
            Err(WebhookError::Unauthorized)
        );
        assert_eq!(
            parse(&[], body, Some("s3cret")),
            Err(WebhookError::Unauthorized)
        );
    }

    #[test]
    fn gitlab_push_uses_the_token() {
        let body = br#"{"ref":"refs/heads/release","project":{"git_http_url":"http://gl.example/g/app.git"}}"#;
        let h = vec![("X-Gitlab-Token".to_string(), "tok".to_string())];
        let push = parse(&h, body, Some("tok")).unwrap();
        assert!(matches(
            &push,
            "http://gl.example/g/app.git",
            "release",
            false
        ));
        let bad = vec![("X-Gitlab-Token".to_string(), "nope".to_string())];
        assert_eq!(
            parse(&bad, body, Some("tok")),
            Err(WebhookError::Unauthorized)
        );
    }
}

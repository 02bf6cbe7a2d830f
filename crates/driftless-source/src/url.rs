//! Repository URLs, printed without credentials.

use crate::{Credentials, SourceError};
use std::fmt;

/// A Git repository location: an `https://`, `http://`, `ssh://` (or scp-like
/// `user@host:path`), `git://` or `file://` URL, or a local path.
///
/// Any userinfo in the URL is split off into [`Credentials`]; `Display` and
/// `Debug` never show it.
///
/// ```
/// use driftless_source::RepoUrl;
/// let (url, creds) = RepoUrl::parse_with_credentials("https://bob:s3cret@git.example.com/team/app.git").unwrap();
/// assert_eq!(url.to_string(), "https://git.example.com/team/app.git");
/// assert!(!format!("{url:?} {creds:?}").contains("s3cret"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RepoUrl {
    url: gix::Url,
    display: String,
}

impl RepoUrl {
    /// Parses a URL or path; credentials in it are dropped (see
    /// [`RepoUrl::parse_with_credentials`] to keep them).
    pub fn parse(input: &str) -> Result<Self, SourceError> {
        Self::parse_with_credentials(input).map(|(u, _)| u)
    }

    /// Parses a URL or path and returns the credentials found in its userinfo
    /// (`https://user:password@host/…` gives basic auth).
    pub fn parse_with_credentials(input: &str) -> Result<(Self, Credentials), SourceError> {
        let mut url = gix::url::parse(input).map_err(|e| SourceError::InvalidUrl {
            url: redact_str(input),
            message: redact_str(&e.to_string()),
        })?;
        use gix::url::Scheme;
        match url.scheme {
            Scheme::File | Scheme::Git | Scheme::Ssh | Scheme::Http | Scheme::Https => {}
            ref other => {
                return Err(SourceError::InvalidUrl {
                    url: redact_str(input),
                    message: format!("unsupported transport `{other}`"),
                });
            }
        }
        let creds = match (&url.scheme, url.password.take()) {
            (Scheme::Http | Scheme::Https, Some(password)) => Credentials::Basic {
                username: url.user.take().unwrap_or_default(),
                password,
            },
            (Scheme::Http | Scheme::Https, None) => {
                // A lone user name is not a credential worth keeping for HTTP.
                url.user = None;
                Credentials::None
            }
            _ => Credentials::None,
        };
        let display = display_of(&url);
        Ok((RepoUrl { url, display }, creds))
    }

    /// The parsed URL without password (an SSH user name is kept: it is not a secret).
    pub fn gix_url(&self) -> &gix::Url {
        &self.url
    }

    /// True for `file://` URLs and plain paths.
    pub fn is_local(&self) -> bool {
        self.url.scheme == gix::url::Scheme::File
    }

    /// True for HTTP(S) URLs.
    pub fn is_http(&self) -> bool {
        matches!(
            self.url.scheme,
            gix::url::Scheme::Http | gix::url::Scheme::Https
        )
    }

    /// True for SSH URLs (including scp-like `git@host:path`).
    pub fn is_ssh(&self) -> bool {
        self.url.scheme == gix::url::Scheme::Ssh
    }

    /// A short, filesystem-safe name for the cache directory: readable host
    /// and path, plus a hash of the whole URL so that distinct URLs never share.
    pub fn cache_dir_name(&self) -> String {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(self.display.as_bytes());
        let hash: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
        let mut readable = String::new();
        let raw = format!(
            "{}-{}",
            self.url.host().unwrap_or("local"),
            String::from_utf8_lossy(&self.url.path)
        );
        for c in raw.chars() {
            let c = if c.is_ascii_alphanumeric() { c } else { '-' };
            if !(c == '-' && (readable.is_empty() || readable.ends_with('-'))) {
                readable.push(c);
            }
        }
        let readable = readable.trim_end_matches('-');
        let readable = &readable[readable.len().saturating_sub(40)..];
        format!("{readable}-{hash}")
    }
}

fn display_of(url: &gix::Url) -> String {
    let mut u = url.clone();
    u.password = None;
    u.to_bstring().to_string()
}

/// Removes `user:password@` from anything that looks like a URL in `text`.
pub(crate) fn redact_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        out.push_str(&rest[..pos + 3]);
        rest = &rest[pos + 3..];
        let end = rest
            .find(|c: char| c == '/' || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(rest.len());
        if let Some(at) = rest[..end].rfind('@') {
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}

impl fmt::Display for RepoUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

impl fmt::Debug for RepoUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RepoUrl({})", self.display)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_userinfo_in_text() {
        assert_eq!(
            redact_str("failed https://u:p@h/x and http://tok@h2:8080/y"),
            "failed https://h/x and http://h2:8080/y"
        );
    }

    #[test]
    fn ext_transport_is_refused() {
        let err = RepoUrl::parse("ext::sh -c touch% /tmp/pwned").unwrap_err();
        assert!(err.to_string().contains("unsupported transport"), "{err}");
    }

    #[test]
    fn distinct_urls_have_distinct_cache_dirs() {
        let a = RepoUrl::parse("https://h/a/repo.git").unwrap();
        let b = RepoUrl::parse("https://h/b/repo.git").unwrap();
        assert_ne!(a.cache_dir_name(), b.cache_dir_name());
        assert!(a.cache_dir_name().starts_with("h-a-repo-git-"));
    }

    #[test]
    fn scp_like_ssh_keeps_user() {
        let u = RepoUrl::parse("git@github.com:org/repo.git").unwrap();
        assert!(u.is_ssh());
        assert!(u.to_string().contains("git@github.com"), "{u}");
    }
}

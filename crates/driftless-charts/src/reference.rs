//! Repository URLs and version selection.

use crate::{Auth, ChartError};
use driftless_helm::chart::semver::{Version, satisfies};

/// A chart repository, parsed from a `repoURL` (Argo CD) or a dependency's
/// `repository` (`Chart.yaml`).
///
/// ```
/// use driftless_charts::Repository;
/// let (r, auth) = Repository::parse("https://u:p@charts.example.com/stable/").unwrap();
/// assert_eq!(r.to_string(), "https://charts.example.com/stable");
/// assert_eq!(auth.username.as_deref(), Some("u"));
/// let (r, _) = Repository::parse("oci://127.0.0.1:5000/charts").unwrap();
/// assert!(matches!(&r, Repository::Oci { plain_http: true, .. }));
/// let (r, _) = Repository::parse("ghcr.io/acme/charts").unwrap();
/// assert_eq!(r.to_string(), "oci://ghcr.io/acme/charts");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Repository {
    /// A chart repository served over HTTP(S) with an `index.yaml`.
    Http {
        /// The base URL, without credentials or a trailing `/`.
        base: String,
    },
    /// An OCI registry.
    Oci {
        /// `host[:port]`.
        registry: String,
        /// The repository path under which charts live (may be empty).
        path: String,
        /// Talk plain HTTP (loopback registries, as Helm's `--plain-http`).
        plain_http: bool,
    },
}

impl std::fmt::Display for Repository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Repository::Http { base } => f.write_str(base),
            Repository::Oci { registry, path, .. } if path.is_empty() => {
                write!(f, "oci://{registry}")
            }
            Repository::Oci { registry, path, .. } => write!(f, "oci://{registry}/{path}"),
        }
    }
}

impl Repository {
    /// Parses a repository URL: `http(s)://…` is a chart repository; `oci://host/path` and a
    /// bare `host/path` (Argo CD's OCI `repoURL`) are OCI registries. User information in the
    /// URL is returned as credentials and removed from the repository.
    pub fn parse(url: &str) -> Result<(Repository, Auth), ChartError> {
        let bad = |m: &str| ChartError::BadRepository {
            repo: strip_userinfo(url),
            message: m.to_string(),
        };
        let url = url.trim();
        let (scheme, rest) = match url.split_once("://") {
            Some((s, r)) => (s.to_ascii_lowercase(), r),
            None => ("oci".to_string(), url),
        };
        let (auth, rest) = split_userinfo(rest);
        let rest = rest.trim_end_matches('/');
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        if host.is_empty() {
            return Err(bad("no host"));
        }
        match scheme.as_str() {
            "http" | "https" => Ok((
                Repository::Http {
                    base: format!("{scheme}://{rest}"),
                },
                auth,
            )),
            "oci" => {
                if path.contains("//") || path.contains(['?', '#', ' ']) {
                    return Err(bad("not an OCI repository path"));
                }
                Ok((
                    Repository::Oci {
                        registry: host.to_string(),
                        path: path.to_string(),
                        plain_http: is_loopback(host),
                    },
                    auth,
                ))
            }
            other => Err(bad(&format!(
                "unsupported scheme {other}:// (use https://, http:// or oci://)"
            ))),
        }
    }

    /// A stable key for the cache (no credentials).
    pub(crate) fn key(&self) -> String {
        self.to_string()
    }
}

/// `user:pass@rest` → (credentials, `rest`); the `@` must come before the first `/`.
fn split_userinfo(rest: &str) -> (Auth, &str) {
    let host_end = rest.find('/').unwrap_or(rest.len());
    match rest[..host_end].rfind('@') {
        Some(at) => {
            let info = &rest[..at];
            let (u, p) = info.split_once(':').unwrap_or((info, ""));
            let auth = Auth {
                username: Some(percent_decode(u)).filter(|u| !u.is_empty()),
                password: Some(percent_decode(p)).filter(|p| !p.is_empty()),
                ..Auth::default()
            };
            (auth, &rest[at + 1..])
        }
        None => (Auth::default(), rest),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A URL with any `user:password@` removed (for errors and logs).
pub(crate) fn strip_userinfo(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", split_userinfo(rest).1),
        None => split_userinfo(url).1.to_string(),
    }
}

fn is_loopback(host: &str) -> bool {
    let name = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name == "localhost"
        || name == "::1"
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|a| a.is_loopback())
}

/// Whether `v` names one exact version (`1.2.3`, `v1.2.3-rc.1+b`) rather than a constraint
/// (`^1.2`, `1.2`, `1.x`, `>=1`, empty or `*`): an exact version is used as it is, with no
/// index or tag list read (as Argo CD does for a chart's `targetRevision`).
///
/// ```
/// use driftless_charts::is_exact_version;
/// assert!(is_exact_version("1.2.3") && is_exact_version("0.1.0-rc.1+build.5"));
/// assert!(!is_exact_version("1.2") && !is_exact_version("^1.2.3") && !is_exact_version(""));
/// assert!(!is_exact_version("1.2.x") && !is_exact_version("*"));
/// ```
pub fn is_exact_version(v: &str) -> bool {
    let v = v.trim();
    let core = v.strip_prefix('v').unwrap_or(v);
    let nums = core.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = nums.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && Version::parse(v).is_ok()
}

/// The version Helm picks among `versions` for `constraint` (`helm pull --version`,
/// `IndexFile.Get`): an exact string match first, else the highest version satisfying the
/// constraint, where an empty constraint is `*` (the latest stable: pre-releases only match a
/// constraint that names one). `Ok(None)` when nothing matches; `Err` (the parser's message)
/// when the constraint does not parse.
///
/// ```
/// use driftless_charts::pick_version;
/// let vs = ["1.0.0", "1.2.0", "2.0.0-rc.1", "1.10.1"].map(String::from);
/// assert_eq!(pick_version(&vs, "").unwrap().as_deref(), Some("1.10.1"));
/// assert_eq!(pick_version(&vs, "~1.2").unwrap().as_deref(), Some("1.2.0"));
/// assert_eq!(pick_version(&vs, ">=2.0.0-0").unwrap().as_deref(), Some("2.0.0-rc.1"));
/// assert_eq!(pick_version(&vs, "3.x").unwrap(), None);
/// assert!(pick_version(&vs, "not a constraint").is_err());
/// ```
pub fn pick_version(versions: &[String], constraint: &str) -> Result<Option<String>, String> {
    let c = constraint.trim();
    if !c.is_empty()
        && let Some(v) = versions.iter().find(|v| v.as_str() == c)
    {
        return Ok(Some(v.clone()));
    }
    let c = if c.is_empty() { "*" } else { c };
    // A constraint that never parses is an error, not "no match".
    driftless_helm::funcs::semver::semver_compare(c, "0.0.0")?;
    let mut best: Option<(Version, &String)> = None;
    for v in versions {
        let Ok(parsed) = Version::parse(v) else {
            continue;
        };
        if !satisfies(c, v) {
            continue;
        }
        if best
            .as_ref()
            .is_none_or(|(b, _)| parsed.compare(b) == std::cmp::Ordering::Greater)
        {
            best = Some((parsed, v));
        }
    }
    Ok(best.map(|(_, v)| v.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_urls() {
        let (r, a) = Repository::parse("oci://bob:p%40ss@ghcr.io/acme/charts/").unwrap();
        assert_eq!(
            r,
            Repository::Oci {
                registry: "ghcr.io".into(),
                path: "acme/charts".into(),
                plain_http: false
            }
        );
        assert_eq!(a.password.as_deref(), Some("p@ss"));
        let (r, _) = Repository::parse("oci://localhost:5000").unwrap();
        assert_eq!(r.to_string(), "oci://localhost:5000");
        assert!(matches!(
            r,
            Repository::Oci {
                plain_http: true,
                ..
            }
        ));
        let (r, _) = Repository::parse("oci://[::1]:5000/x").unwrap();
        assert!(matches!(
            r,
            Repository::Oci {
                plain_http: true,
                ..
            }
        ));
        let e = Repository::parse("ftp://u:secret@host/x")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unsupported scheme") && !e.contains("secret"),
            "{e}"
        );
        assert_eq!(strip_userinfo("https://u:secret@h/x@y"), "https://h/x@y");
    }
}

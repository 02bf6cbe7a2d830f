//! The cache as `driftless-helm`'s [`ChartFetcher`]: dependencies of a chart (`Chart.yaml`)
//! fetched through the same cache, with credentials chosen by repository URL.

use crate::{Auth, ChartCache, Pin};
use driftless_helm::{ChartFetcher, FetchedChart};
use std::sync::{Arc, Mutex};

/// Credentials by repository URL, as Argo CD matches its repository Secrets and credential
/// templates: a repository entry ([`RepoCredentials::add_repository`]) matches its URL
/// exactly and wins; otherwise the template ([`RepoCredentials::add`]) with the longest
/// matching URL prefix. URLs are compared without an `oci://` scheme (Argo CD stores OCI
/// repositories without one), a trailing `/` or letter case.
///
/// ```
/// use driftless_charts::{Auth, RepoCredentials};
/// let mut c = RepoCredentials::default();
/// c.add("https://charts.example.com", Auth::basic("a", "x"));
/// c.add("https://charts.example.com/private", Auth::basic("b", "y"));
/// c.add_repository("registry.example.com/charts", Auth::basic("oci", "z"));
/// assert_eq!(c.for_url("https://charts.example.com/private/x").username.as_deref(), Some("b"));
/// assert_eq!(c.for_url("oci://registry.example.com/charts/").username.as_deref(), Some("oci"));
/// assert!(c.for_url("oci://registry.example.com/charts/more").is_empty());
/// assert!(c.for_url("oci://elsewhere.example.com").is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct RepoCredentials {
    repositories: Vec<(String, Auth)>,
    prefixes: Vec<(String, Auth)>,
}

impl RepoCredentials {
    /// Uses `auth` for every repository whose URL starts with `prefix` (a credential
    /// template).
    pub fn add(&mut self, prefix: impl AsRef<str>, auth: Auth) {
        self.prefixes.push((comparable(prefix.as_ref()), auth));
    }

    /// Uses `auth` for the repository `url` exactly (a repository Secret).
    pub fn add_repository(&mut self, url: impl AsRef<str>, auth: Auth) {
        self.repositories.push((comparable(url.as_ref()), auth));
    }

    /// The credentials for `url` (none when nothing matches).
    pub fn for_url(&self, url: &str) -> Auth {
        let wanted = comparable(url);
        if let Some((_, a)) = self.repositories.iter().find(|(u, _)| *u == wanted) {
            return a.clone();
        }
        self.prefixes
            .iter()
            .filter(|(p, _)| wanted.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, a)| a.clone())
            .unwrap_or_default()
    }
}

/// A URL as repositories are matched: no `oci://`, no trailing `/`, lower case.
fn comparable(url: &str) -> String {
    let u = url.trim().to_lowercase();
    let u = u.strip_prefix("oci://").unwrap_or(&u);
    u.trim_end_matches('/').to_string()
}

/// Fetches a chart's dependencies through a [`ChartCache`]. The archives it fetched stay in
/// the cache (pinned) while the fetcher lives: one fetcher per render.
#[derive(Debug)]
pub struct DependencyFetcher {
    cache: Arc<ChartCache>,
    credentials: RepoCredentials,
    pins: Mutex<Vec<Pin>>,
}

impl DependencyFetcher {
    /// A fetcher through `cache` with `credentials`.
    pub fn new(cache: Arc<ChartCache>, credentials: RepoCredentials) -> Self {
        DependencyFetcher {
            cache,
            credentials,
            pins: Mutex::default(),
        }
    }
}

impl ChartFetcher for DependencyFetcher {
    fn fetch(
        &self,
        repository: &str,
        name: &str,
        version: &str,
    ) -> Result<FetchedChart, Box<dyn std::error::Error + Send + Sync>> {
        let auth = self.credentials.for_url(repository);
        let f = self.cache.fetch(repository, name, version, &auth)?;
        self.pins.lock().expect("pins").push(f.pin);
        Ok(FetchedChart {
            version: f.version,
            archive: f.archive,
        })
    }
}

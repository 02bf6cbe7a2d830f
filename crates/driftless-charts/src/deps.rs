//! The cache as `driftless-helm`'s [`ChartFetcher`]: dependencies of a chart (`Chart.yaml`)
//! fetched through the same cache, with credentials chosen by repository URL.

use crate::{Auth, ChartCache};
use driftless_helm::{ChartFetcher, FetchedChart};
use std::sync::Arc;

/// Credentials by repository URL prefix (the longest matching prefix wins), as Argo CD's
/// repository credentials and credential templates.
///
/// ```
/// use driftless_charts::{Auth, RepoCredentials};
/// let mut c = RepoCredentials::default();
/// c.add("https://charts.example.com", Auth::basic("a", "x"));
/// c.add("https://charts.example.com/private", Auth::basic("b", "y"));
/// assert_eq!(c.for_url("https://charts.example.com/private/x").username.as_deref(), Some("b"));
/// assert!(c.for_url("oci://elsewhere.example.com").is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct RepoCredentials {
    entries: Vec<(String, Auth)>,
}

impl RepoCredentials {
    /// Uses `auth` for every repository whose URL starts with `prefix`.
    pub fn add(&mut self, prefix: impl Into<String>, auth: Auth) {
        self.entries.push((prefix.into(), auth));
    }

    /// The credentials for `url` (none when no prefix matches).
    pub fn for_url(&self, url: &str) -> Auth {
        self.entries
            .iter()
            .filter(|(p, _)| url.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, a)| a.clone())
            .unwrap_or_default()
    }
}

/// Fetches a chart's dependencies through a [`ChartCache`].
#[derive(Debug, Clone)]
pub struct DependencyFetcher {
    cache: Arc<ChartCache>,
    credentials: RepoCredentials,
}

impl DependencyFetcher {
    /// A fetcher through `cache` with `credentials`.
    pub fn new(cache: Arc<ChartCache>, credentials: RepoCredentials) -> Self {
        DependencyFetcher { cache, credentials }
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
        Ok(FetchedChart {
            version: f.version,
            archive: f.archive,
        })
    }
}

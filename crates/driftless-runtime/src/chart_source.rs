//! Applications whose source is a chart of a Helm chart repository or an OCI registry
//! (`spec.source.chart`), and the chart cache that chart dependencies of every Helm render
//! (Git-hosted charts too) are fetched through.
//!
//! The "revision" of such a source is the chart version: `targetRevision` (an exact version
//! or a constraint; empty is the latest stable version) resolves to a version, as Argo CD
//! reports it, and a version is downloaded once (`<cache_dir>/charts`, see
//! `driftless-charts`). All of it blocks and runs on the blocking pool.

use crate::refs::Referenced;
use crate::render::{Plugins, render_tree};
use crate::{Rendered, RuntimeError, Target};
use driftless_charts::{Auth, ChartCache, ChartTree, DependencyFetcher, RepoCredentials};
use driftless_render::SourceType;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The engine's chart cache.
#[derive(Debug, Clone)]
pub(crate) struct Charts {
    cache: Arc<ChartCache>,
}

impl Charts {
    /// The cache under `<cache_dir>/charts`; an index is reused for the poll interval.
    pub(crate) fn new(cache_dir: &Path, poll_interval: Duration) -> Result<Self, RuntimeError> {
        let cache = ChartCache::new(cache_dir.join("charts"))?.with_index_ttl(poll_interval);
        Ok(Charts {
            cache: Arc::new(cache),
        })
    }

    /// The fetcher of chart dependencies for a render of `t` (the target's credentials go to
    /// its own repository only).
    pub(crate) fn fetcher(&self, t: &Target) -> Arc<DependencyFetcher> {
        let mut creds = RepoCredentials::default();
        let auth = auth(&t.credentials);
        if !auth.is_empty() && t.repo.contains("://") {
            creds.add(t.repo.clone(), auth);
        }
        Arc::new(DependencyFetcher::new(self.cache.clone(), creds))
    }

    /// The version `revision` names for the target's chart (blocking).
    pub(crate) fn resolve(
        &self,
        t: &Target,
        chart: &str,
        revision: &str,
    ) -> Result<String, RuntimeError> {
        Ok(self
            .cache
            .resolve(&t.repo, chart, revision, &auth(&t.credentials))?)
    }

    /// Fetches `version` of the target's chart and renders it with the target's Helm
    /// settings (value files and `--set-file` paths inside the chart, or `$name/…` files of
    /// other sources given in `referenced`), as a Helm source whatever files the chart holds
    /// (blocking).
    pub(crate) fn render(
        &self,
        t: &Target,
        chart: &str,
        version: &str,
        plugins: &Plugins,
        referenced: Referenced,
    ) -> Result<Rendered, RuntimeError> {
        let fetched = self
            .cache
            .fetch(&t.repo, chart, version, &auth(&t.credentials))?;
        let tree = ChartTree::from_archive(&fetched.archive).map_err(|message| {
            RuntimeError::Chart(driftless_charts::ChartError::Archive {
                repo: fetched.repo.clone(),
                chart: chart.to_string(),
                version: fetched.version.clone(),
                message,
            })
        })?;
        let mut at_root = t.clone();
        at_root.path = tree.root().to_string();
        let out = render_tree(
            &tree,
            &at_root,
            &fetched.version,
            plugins,
            referenced,
            Some(self.fetcher(t)),
            Some(SourceType::Helm),
        )?;
        Ok(Rendered {
            revisions: vec![fetched.version.clone()],
            commit: fetched.version,
            manifests: out.manifests,
            warnings: out.warnings,
            source_types: vec![out.source_type],
        })
    }
}

/// The chart repository credentials of a target's repository credentials: basic as basic, a
/// token as the password of basic authentication (as for Git; registries exchange it for a
/// bearer token).
fn auth(c: &driftless_source::Credentials) -> Auth {
    match c {
        driftless_source::Credentials::Basic { username, password } => {
            Auth::basic(username.clone(), password.clone())
        }
        driftless_source::Credentials::Token(t) => {
            Auth::basic(driftless_source::TOKEN_USERNAME, t.clone())
        }
        _ => Auth::default(),
    }
}

/// The revision of a chart source: its `targetRevision` (empty: the latest stable version).
pub(crate) fn revision(target_revision: Option<&str>) -> String {
    target_revision.unwrap_or("").trim().to_string()
}

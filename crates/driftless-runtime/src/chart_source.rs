//! Applications whose source is a chart of a Helm chart repository or an OCI registry
//! (`spec.source.chart`), and the chart cache that chart dependencies of every Helm render
//! (Git-hosted charts too) are fetched through.
//!
//! The "revision" of such a source is the chart version: `targetRevision` (an exact version
//! or a constraint; empty is the latest stable version) resolves to a version, as Argo CD
//! reports it, and a version is downloaded once (`<cache_dir>/charts`, see
//! `driftless-charts`). All of it blocks and runs on the blocking pool.
//!
//! Credentials, as Argo CD gives them: the chart source's own repository takes the target's
//! credentials (the CLI's), else those of the repository Secret matching its URL (any `type`;
//! `oci://` or not), else of the longest matching `repo-creds` template. Dependencies take
//! those of the `type: helm` repository Secrets and templates (Argo CD adds every Helm
//! repository it knows before `helm dependency build`), and the source's own repository's.
//! `helm.passCredentials` sends them to archives on other hosts too.

use crate::refs::Referenced;
use crate::render::{Plugins, render_tree};
use crate::{Rendered, RuntimeError, Target};
use driftless_api::RepoSecret;
use driftless_charts::{
    Auth, CacheLimits, ChartCache, ChartTree, DependencyFetcher, RepoCredentials,
};
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
    /// The cache under `<cache_dir>/charts`, bounded by `limits`; an index is reused for the
    /// poll interval.
    pub(crate) fn new(
        cache_dir: &Path,
        poll_interval: Duration,
        limits: CacheLimits,
    ) -> Result<Self, RuntimeError> {
        let cache = ChartCache::new(cache_dir.join("charts"))?
            .with_index_ttl(poll_interval)
            .with_limits(limits);
        Ok(Charts {
            cache: Arc::new(cache),
        })
    }

    /// The fetcher of chart dependencies for a render of `t`: the `type: helm` repository
    /// Secrets and templates among `secrets`, and the target's own credentials for its own
    /// repository.
    pub(crate) fn fetcher(&self, t: &Target, secrets: &[RepoSecret]) -> Arc<DependencyFetcher> {
        Arc::new(DependencyFetcher::new(
            self.cache.clone(),
            dependency_credentials(t, secrets),
        ))
    }

    /// The version `revision` names for the target's chart (blocking).
    pub(crate) fn resolve(
        &self,
        t: &Target,
        chart: &str,
        revision: &str,
        secrets: &[RepoSecret],
    ) -> Result<String, RuntimeError> {
        Ok(self
            .cache
            .resolve(&t.repo, chart, revision, &source_auth(t, secrets))?)
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
        secrets: &[RepoSecret],
    ) -> Result<Rendered, RuntimeError> {
        // `fetched` holds the archive's pin until the render is done.
        let fetched = self
            .cache
            .fetch(&t.repo, chart, version, &source_auth(t, secrets))?;
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
            Some(self.fetcher(t, secrets)),
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

/// The credentials for the target's own chart repository: the target's, else the matching
/// repository Secret's or template's; `helm.passCredentials` applied.
fn source_auth(t: &Target, secrets: &[RepoSecret]) -> Auth {
    let mut a = if t.credentials == driftless_source::Credentials::None {
        driftless_api::chart_repo_credentials(&t.repo, secrets)
            .map(|c| secret_auth(&c))
            .unwrap_or_default()
    } else {
        auth(&t.credentials)
    };
    a.insecure_skip_verify =
        driftless_api::chart_repository(&t.repo, secrets).is_some_and(|s| s.insecure);
    a.pass_credentials = t.render.pass_credentials;
    a
}

/// The credentials for dependency repositories: `type: helm` repository Secrets with
/// credentials (by exact URL) and `repo-creds` templates (by prefix), and the chart source's
/// own credentials for its own repository (by prefix); `helm.passCredentials` applied to all.
fn dependency_credentials(t: &Target, secrets: &[RepoSecret]) -> RepoCredentials {
    let pass = |mut a: Auth| {
        a.pass_credentials = t.render.pass_credentials;
        a
    };
    let mut creds = RepoCredentials::default();
    let helm: Vec<RepoSecret> = secrets.iter().filter(|s| s.is_helm()).cloned().collect();
    for s in &helm {
        match s.kind {
            driftless_api::RepoSecretKind::Repository => {
                // Its own credentials, else its template's; its own TLS settings.
                let mut a = driftless_api::chart_repo_credentials(&s.url, &helm)
                    .map(|c| secret_auth(&c))
                    .unwrap_or_default();
                a.insecure_skip_verify = s.insecure;
                if !a.is_empty() || a.insecure_skip_verify || a.client_cert.is_some() {
                    creds.add_repository(&s.url, pass(a));
                }
            }
            driftless_api::RepoSecretKind::RepoCreds if !s.credentials.is_empty() => {
                creds.add(&s.url, pass(secret_auth(&s.credentials)))
            }
            driftless_api::RepoSecretKind::RepoCreds => {}
        }
    }
    // A chart source's own repository (its Secret's credentials or the CLI's); a Git source's
    // own credentials only when given explicitly (the CLI's), never its Git Secret's.
    let own = if t.chart.is_some() {
        source_auth(t, secrets)
    } else {
        pass(auth(&t.credentials))
    };
    if !own.is_empty() && (t.chart.is_some() || t.repo.contains("://")) {
        creds.add(&t.repo, own);
    }
    creds
}

/// A repository Secret's credentials for a chart repository: `username` / `password` as basic
/// authentication, a `bearerToken` alone as a bearer token, and the TLS client certificate.
fn secret_auth(c: &driftless_api::RepoCredentials) -> Auth {
    let mut a = if c.password.is_empty() && !c.bearer_token.is_empty() {
        Auth {
            bearer_token: Some(c.bearer_token.clone()),
            ..Auth::default()
        }
    } else if c.username.is_empty() && c.password.is_empty() {
        Auth::default()
    } else {
        Auth::basic(c.username.clone(), c.password.clone())
    };
    if !c.tls_client_cert_data.is_empty() {
        a.client_cert = Some((
            c.tls_client_cert_data.clone(),
            c.tls_client_cert_key.clone(),
        ));
    }
    a
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

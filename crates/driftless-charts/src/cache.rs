//! The chart cache: resolves a chart version, downloads its archive once, verifies it, and
//! keeps it on disk by (repository, chart, version) → digest → archive.
//!
//! Layout under the cache directory:
//! - `blobs/<sha256>.tgz`: archives, named by the sha256 of their bytes (checked on every read;
//!   a corrupt file is dropped and downloaded again);
//! - `refs/<sha256 of repository, chart, version>`: the digest of that version's archive, then
//!   the repository, chart and version for people reading the cache.
//!
//! The archives are bounded by [`CacheLimits`] (least recently used pruned first, never one a
//! caller holds through [`Fetched::pin`]); indexes are kept in memory for the index TTL only.

use crate::http::Http;
use crate::index::{Index, resolve_url};
use crate::oci::{self, Session};
use crate::prune::{CacheLimits, Pin, Pins};
use crate::reference::{Repository, is_exact_version};
use crate::{Auth, ChartError};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A chart archive, resolved and verified.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The repository (credentials removed; OCI as `oci://host/path`).
    pub repo: String,
    /// The chart name.
    pub chart: String,
    /// The resolved version.
    pub version: String,
    /// The sha256 of the archive (hex).
    pub digest: String,
    /// The archive (`.tgz`).
    pub archive: Arc<[u8]>,
    /// Keeps the archive in the cache while held (a render in progress holds it).
    pub pin: Pin,
}

/// Resolves, downloads, verifies and caches charts. Blocking: run it off the async executor.
pub struct ChartCache {
    dir: PathBuf,
    http: Http,
    index_ttl: Duration,
    indexes: Mutex<HashMap<String, (Instant, Arc<Index>)>>,
    downloads: AtomicUsize,
    limits: CacheLimits,
    pins: Pins,
    pruning: Mutex<()>,
}

impl std::fmt::Debug for ChartCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChartCache")
            .field("dir", &self.dir)
            .field("index_ttl", &self.index_ttl)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl ChartCache {
    /// A cache in directory `dir` (created when missing), bounded by the default
    /// [`CacheLimits`]. A repository's index is read again on every resolution of a constraint
    /// unless [`ChartCache::with_index_ttl`] says otherwise.
    pub fn new(dir: impl Into<PathBuf>) -> Result<ChartCache, ChartError> {
        let dir = dir.into();
        for sub in ["blobs", "refs"] {
            let p = dir.join(sub);
            std::fs::create_dir_all(&p).map_err(|source| cache_err(&p, source))?;
        }
        Ok(ChartCache {
            dir,
            http: Http::default(),
            index_ttl: Duration::ZERO,
            indexes: Mutex::default(),
            downloads: AtomicUsize::new(0),
            limits: CacheLimits::default(),
            pins: Pins::default(),
            pruning: Mutex::default(),
        })
    }

    /// Bounds the archives kept on disk to `limits`, pruning at once what is beyond them (and
    /// after every download).
    pub fn with_limits(mut self, limits: CacheLimits) -> ChartCache {
        self.limits = limits;
        self.prune();
        self
    }

    /// Removes the least recently used archives beyond the limits, except those held by a
    /// [`Pin`]; returns how many were removed.
    pub fn prune(&self) -> usize {
        let _one_at_a_time = self.pruning.lock().expect("pruning");
        crate::prune::prune(
            &self.dir.join("blobs"),
            &self.dir.join("refs"),
            self.limits,
            &self.pins,
        )
    }

    /// Reuses a repository's `index.yaml` (and nothing else) for `ttl` (a poll interval).
    pub fn with_index_ttl(mut self, ttl: Duration) -> ChartCache {
        self.index_ttl = ttl;
        self
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many archives this cache has downloaded (not counting those read from disk).
    pub fn downloads(&self) -> usize {
        self.downloads.load(Ordering::Relaxed)
    }

    /// The version `constraint` picks for `chart` in repository `repo`: an exact version as it
    /// is (no request), else the highest matching version of the index or tag list (an empty
    /// constraint or `*`: the latest stable version). `auth` is used when not empty, else the
    /// URL's user information.
    pub fn resolve(
        &self,
        repo: &str,
        chart: &str,
        constraint: &str,
        auth: &Auth,
    ) -> Result<String, ChartError> {
        if is_exact_version(constraint) {
            return Ok(constraint.trim().to_string());
        }
        let (r, auth) = parse(repo, auth)?;
        match &r {
            Repository::Http { .. } => Ok(self
                .index(&r, &auth)?
                .get(&r.to_string(), chart, constraint)?
                .version
                .clone()),
            Repository::Oci {
                registry,
                path,
                plain_http,
            } => {
                let s = Session::new(
                    &self.http,
                    r.to_string(),
                    registry,
                    path,
                    chart,
                    *plain_http,
                    &auth,
                );
                pick_tag(&r, chart, constraint, &s.tags()?)
            }
        }
    }

    /// The archive of `chart` at the version `constraint` picks (see [`ChartCache::resolve`]),
    /// from the cache when that version was fetched before, else downloaded and verified:
    /// against the index's `digest` (chart repositories) or the manifest's layer digest (OCI).
    /// A mismatch is refused and nothing is cached.
    pub fn fetch(
        &self,
        repo: &str,
        chart: &str,
        constraint: &str,
        auth: &Auth,
    ) -> Result<Fetched, ChartError> {
        let (r, auth) = parse(repo, auth)?;
        let shown = r.to_string();
        let done = |version: String, (digest, archive, pin): (String, Arc<[u8]>, Pin)| Fetched {
            repo: shown.clone(),
            chart: chart.to_string(),
            version,
            digest,
            archive,
            pin,
        };
        if is_exact_version(constraint) {
            let version = constraint.trim();
            if let Some(found) = self.cached(&r, chart, version) {
                return Ok(done(version.to_string(), found));
            }
        }
        match &r {
            Repository::Http { base } => {
                let index = self.index(&r, &auth)?;
                let entry = index.get(&shown, chart, constraint)?;
                let version = entry.version.clone();
                if !entry.digest.is_empty()
                    && let Some(found) = self.pinned_blob(&entry.digest)
                {
                    self.write_ref(&r, chart, &version, &entry.digest)?;
                    return Ok(done(version, found));
                }
                let url = entry.urls.first().ok_or_else(|| ChartError::Invalid {
                    repo: shown.clone(),
                    message: format!("index.yaml lists no URL for {chart} {version}"),
                })?;
                let url = resolve_url(base, url).map_err(|message| ChartError::Invalid {
                    repo: shown.clone(),
                    message,
                })?;
                // Credentials go to the repository's own host only, unless passed on (Helm's
                // --pass-credentials).
                let creds = if auth.pass_credentials || same_origin(base, &url) {
                    auth.clone()
                } else {
                    auth.without_credentials()
                };
                let shown_url = crate::reference::strip_userinfo(&url);
                let reply =
                    self.http
                        .get(&url, &creds, &[])
                        .map_err(|message| ChartError::Http {
                            repo: shown.clone(),
                            url: shown_url.clone(),
                            message,
                        })?;
                if !(200..300).contains(&reply.status) {
                    return Err(ChartError::Http {
                        repo: shown.clone(),
                        url: shown_url,
                        message: archive_refusal(&reply, &auth, &creds),
                    });
                }
                let kept = self.keep(&r, chart, &version, &entry.digest, reply.body.into())?;
                Ok(done(version, kept))
            }
            Repository::Oci {
                registry,
                path,
                plain_http,
            } => {
                let s = Session::new(
                    &self.http,
                    shown.clone(),
                    registry,
                    path,
                    chart,
                    *plain_http,
                    &auth,
                );
                let version = if is_exact_version(constraint) {
                    constraint.trim().to_string()
                } else {
                    pick_tag(&r, chart, constraint, &s.tags()?)?
                };
                let layer = s.chart_layer(&oci::tag_of(&version))?.ok_or_else(|| {
                    ChartError::NoVersion {
                        repo: shown.clone(),
                        chart: chart.to_string(),
                        constraint: constraint.to_string(),
                        available: Vec::new(),
                    }
                })?;
                if let Some(found) = self.pinned_blob(&layer.digest) {
                    self.write_ref(&r, chart, &version, &layer.digest)?;
                    return Ok(done(version, found));
                }
                let body = s.blob(&layer.digest)?;
                let kept = self.keep(&r, chart, &version, &layer.digest, body.into())?;
                Ok(done(version, kept))
            }
        }
    }

    /// The repository's index, reused within the index TTL.
    fn index(&self, r: &Repository, auth: &Auth) -> Result<Arc<Index>, ChartError> {
        let key = r.key();
        if let Some((at, idx)) = self.indexes.lock().expect("indexes").get(&key)
            && at.elapsed() < self.index_ttl
        {
            return Ok(idx.clone());
        }
        let Repository::Http { base } = r else {
            unreachable!("indexes are read for chart repositories only")
        };
        let url = format!("{base}/index.yaml");
        let shown = r.to_string();
        let reply = self
            .http
            .get(&url, auth, &[])
            .map_err(|message| ChartError::Http {
                repo: shown.clone(),
                url: url.clone(),
                message,
            })?;
        if !(200..300).contains(&reply.status) {
            return Err(ChartError::Http {
                repo: shown.clone(),
                url,
                message: match oci::refusal(&reply, auth) {
                    Some(refused) => refused,
                    None => format!(
                        "{} (is this a Helm chart repository?)",
                        oci::status_message(&reply)
                    ),
                },
            });
        }
        let idx = Arc::new(Index::parse(&shown, &reply.body)?);
        let mut indexes = self.indexes.lock().expect("indexes");
        // Only indexes within their TTL are worth keeping.
        indexes.retain(|_, (at, _)| at.elapsed() < self.index_ttl);
        if !self.index_ttl.is_zero() {
            indexes.insert(key, (Instant::now(), idx.clone()));
        }
        Ok(idx)
    }

    /// Verifies a download against `expected` (hex sha256; empty: nothing to verify against)
    /// and keeps it (pinned, then pruning the cache to its limits); returns its digest, the
    /// archive and the pin.
    fn keep(
        &self,
        r: &Repository,
        chart: &str,
        version: &str,
        expected: &str,
        data: Arc<[u8]>,
    ) -> Result<(String, Arc<[u8]>, Pin), ChartError> {
        let actual = hex_sha256(&data);
        if !expected.is_empty() && actual != expected {
            return Err(ChartError::DigestMismatch {
                repo: r.to_string(),
                chart: chart.to_string(),
                version: version.to_string(),
                expected: expected.to_string(),
                actual,
            });
        }
        self.downloads.fetch_add(1, Ordering::Relaxed);
        tracing::info!(repo = %r, chart, version, digest = %actual, "downloaded chart");
        let pin = self.pins.pin(&actual);
        write_atomic(&self.blob_path(&actual), &data)?;
        self.write_ref(r, chart, version, &actual)?;
        self.prune();
        Ok((actual, data, pin))
    }

    /// A cached version: its digest, archive (verified against the digest) and pin.
    fn cached(
        &self,
        r: &Repository,
        chart: &str,
        version: &str,
    ) -> Option<(String, Arc<[u8]>, Pin)> {
        let text = std::fs::read_to_string(self.ref_path(r, chart, version)).ok()?;
        let digest = text.lines().next()?.trim().to_string();
        self.pinned_blob(&digest)
    }

    /// The archive with sha256 `digest`, pinned before it is read so that no prune removes it
    /// meanwhile; `None` when not cached or corrupt (a corrupt file is removed). A read is a
    /// use: the file's modification time is set to now.
    fn pinned_blob(&self, digest: &str) -> Option<(String, Arc<[u8]>, Pin)> {
        let pin = self.pins.pin(digest);
        let p = self.blob_path(digest);
        let data = std::fs::read(&p).ok()?;
        if hex_sha256(&data) != digest {
            tracing::warn!(path = %p.display(), "cached chart archive is corrupt; dropping it");
            let _ = std::fs::remove_file(&p);
            return None;
        }
        crate::prune::touch(&p);
        Some((digest.to_string(), data.into(), pin))
    }

    fn write_ref(
        &self,
        r: &Repository,
        chart: &str,
        version: &str,
        digest: &str,
    ) -> Result<(), ChartError> {
        write_atomic(
            &self.ref_path(r, chart, version),
            format!("{digest}\n{r}\n{chart}\n{version}\n").as_bytes(),
        )
    }

    fn blob_path(&self, digest: &str) -> PathBuf {
        self.dir.join("blobs").join(format!("{digest}.tgz"))
    }

    fn ref_path(&self, r: &Repository, chart: &str, version: &str) -> PathBuf {
        let key = hex_sha256(format!("{}\0{chart}\0{version}", r.key()).as_bytes());
        self.dir.join("refs").join(&key[..40])
    }
}

fn parse(repo: &str, auth: &Auth) -> Result<(Repository, Auth), ChartError> {
    let (r, from_url) = Repository::parse(repo)?;
    let mut auth = auth.clone();
    if auth.is_empty() {
        auth.username = from_url.username;
        auth.password = from_url.password;
    }
    Ok((r, auth))
}

/// The version a constraint picks among a registry's tags.
fn pick_tag(
    r: &Repository,
    chart: &str,
    constraint: &str,
    tags: &[String],
) -> Result<String, ChartError> {
    let versions: Vec<String> = tags.iter().map(|t| oci::version_of(t)).collect();
    match crate::pick_version(&versions, constraint) {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(ChartError::NoVersion {
            repo: r.to_string(),
            chart: chart.to_string(),
            constraint: constraint.to_string(),
            available: crate::index::newest(&versions, 5),
        }),
        Err(_) => Err(ChartError::BadConstraint {
            repo: r.to_string(),
            chart: chart.to_string(),
            constraint: constraint.to_string(),
        }),
    }
}

/// Why an archive download was refused: a `401` / `403` from another host, to which the
/// repository's credentials were not passed, says so.
fn archive_refusal(reply: &crate::http::Reply, auth: &Auth, sent: &Auth) -> String {
    match oci::refusal(reply, sent) {
        Some(_) if sent.is_empty() && !auth.is_empty() => format!(
            "{}: the archive is on another host than the repository, and the repository's \
             credentials are sent there only with passCredentials (Helm's --pass-credentials)",
            oci::status_message(reply)
        ),
        Some(m) => m,
        None => oci::status_message(reply),
    }
}

/// Same scheme, host and port.
fn same_origin(a: &str, b: &str) -> bool {
    match (reqwest::Url::parse(a), reqwest::Url::parse(b)) {
        (Ok(a), Ok(b)) => {
            a.scheme() == b.scheme()
                && a.host_str() == b.host_str()
                && a.port_or_known_default() == b.port_or_known_default()
        }
        _ => false,
    }
}

pub(crate) fn hex_sha256(data: &[u8]) -> String {
    let d = Sha256::digest(data);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn cache_err(p: &Path, source: std::io::Error) -> ChartError {
    ChartError::Cache {
        path: p.display().to_string(),
        source,
    }
}

/// Writes through a temporary file and a rename, so a reader never sees half a file.
fn write_atomic(p: &Path, data: &[u8]) -> Result<(), ChartError> {
    static SEQ: AtomicUsize = AtomicUsize::new(0);
    let tmp = p.with_extension(format!(
        "tmp.{}.{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&tmp, data).map_err(|e| cache_err(&tmp, e))?;
    std::fs::rename(&tmp, p).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        cache_err(p, e)
    })
}

//! Helm charts from chart repositories and OCI registries, as `helm pull` and
//! `helm dependency build` fetch them: version resolution (Helm's semver
//! constraints; an empty version or `*` is the latest stable version), the
//! archive verified against the digest its repository publishes, and an
//! on-disk cache so that a version is downloaded once.
//!
//! - **Chart repositories** (`https://charts.example.com/stable`): the
//!   repository's `index.yaml` names each version's archive (`urls`, relative
//!   to the repository or absolute) and its `digest` (sha256 of the archive).
//! - **OCI registries** (`oci://registry.example.com/charts`): the chart is the
//!   repository `<path>/<chart>`, a version is a tag (`+` written as `_`), the
//!   archive is the manifest's layer of media type
//!   `application/vnd.cncf.helm.chart.content.v1.tar+gzip`, verified against
//!   its digest. Anonymous, basic and bearer-token (`WWW-Authenticate`)
//!   authentication; plain HTTP for loopback registries (Helm's `--plain-http`).
//!
//! Everything here blocks (HTTP and files): async callers run it on a blocking
//! thread. Credentials are passed in by the caller ([`Auth`]) and never appear
//! in errors or logs; user information in a repository URL is moved into the
//! credentials.
//!
//! ```no_run
//! use driftless_charts::{Auth, ChartCache};
//! let cache = ChartCache::new("/var/cache/driftless/charts").unwrap();
//! let chart = cache
//!     .fetch("https://charts.example.com/stable", "web", "^1.2.0", &Auth::default())
//!     .unwrap();
//! println!("{} {} ({})", chart.chart, chart.version, chart.digest);
//! ```

mod archive;
mod auth;
mod cache;
mod deps;
mod error;
mod http;
mod index;
mod oci;
mod prune;
mod reference;

pub use archive::ChartTree;
pub use auth::Auth;
pub use cache::{ChartCache, Fetched};
pub use deps::{DependencyFetcher, RepoCredentials};
pub use error::ChartError;
pub use prune::{CacheLimits, Pin};
pub use reference::{Repository, is_exact_version, pick_version};

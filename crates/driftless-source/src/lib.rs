//! Git sources for Driftless, with [`gix`] (pure Rust, no `git` binary for
//! HTTP(S) and `git://`; SSH runs the system `ssh`, `file://` runs `git-upload-pack`).
//!
//! - [`RepoCache`]: one bare repository per URL under a cache directory, locked
//!   per repository across threads and processes; [`RepoCache::resolve`] turns
//!   a branch, tag, full or short commit id or `HEAD` into a commit. A poll of
//!   an unchanged remote only lists refs: nothing is downloaded.
//! - [`SourceTree`]: the files of one commit, read from the object store with no
//!   work tree; it implements [`driftless_core::fs::SourceFs`] so any revision
//!   renders without a checkout.
//! - [`open_local`]: the same view of a repository already on disk.
//! - [`Credentials`] and [`RepoUrl`] never print secrets.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! # let git = |args: &[&str]| std::process::Command::new("git").args(args).current_dir(dir.path())
//! #     .env("GIT_CONFIG_GLOBAL", "/dev/null").env("GIT_AUTHOR_NAME", "a").env("GIT_AUTHOR_EMAIL", "a@b")
//! #     .env("GIT_COMMITTER_NAME", "a").env("GIT_COMMITTER_EMAIL", "a@b").output().unwrap();
//! # git(&["init", "-q", "-b", "main"]);
//! # std::fs::write(dir.path().join("cm.yaml"), "kind: ConfigMap")?;
//! # git(&["add", "."]); git(&["commit", "-q", "-m", "c"]);
//! use driftless_source::{open_local, Credentials, RepoCache, RepoUrl};
//! let url = RepoUrl::parse(&format!("file://{}", dir.path().display()))?;
//! let cache = RepoCache::new(dir.path().join(".cache"))?;
//! let (resolved, tree) = cache.checkout(&url, &Credentials::None, "main")?;
//! assert_eq!(tree.read_file("cm.yaml")?, b"kind: ConfigMap");
//! let (local, _) = open_local(dir.path(), "HEAD")?;
//! assert_eq!(local.commit, resolved.commit);
//! # Ok(()) }
//! ```

mod cache;
mod credentials;
mod error;
mod fetch;
mod local;
mod lock;
mod revision;
mod tree;
mod url;

pub use cache::{FetchOutcome, RepoCache, Resolved};
pub use credentials::{Credentials, TOKEN_USERNAME};
pub use error::SourceError;
pub use local::open_local;
pub use tree::{SourceTree, TreeEntry, TreeEntryKind};
pub use url::RepoUrl;

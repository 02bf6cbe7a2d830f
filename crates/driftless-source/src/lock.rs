//! One lock per cached repository: a set of held paths (with a condition
//! variable) inside the process, and an exclusive `flock` on a lock file
//! across processes.

use crate::SourceError;
use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, OnceLock};

struct Held {
    paths: Mutex<HashSet<PathBuf>>,
    released: Condvar,
}

fn held() -> &'static Held {
    static HELD: OnceLock<Held> = OnceLock::new();
    HELD.get_or_init(|| Held {
        paths: Mutex::new(HashSet::new()),
        released: Condvar::new(),
    })
}

/// Held while a repository is fetched or repaired; released on drop.
pub(crate) struct RepoLock {
    path: PathBuf,
    file: Option<File>,
}

impl Drop for RepoLock {
    fn drop(&mut self) {
        drop(self.file.take()); // closing the file releases the flock
        let h = held();
        let mut paths = h.paths.lock().unwrap_or_else(|e| e.into_inner());
        paths.remove(&self.path);
        h.released.notify_all();
    }
}

/// Takes the lock for the repository whose lock file is `lock_path`, blocking
/// until other threads and processes release it.
pub(crate) fn lock(lock_path: &Path) -> Result<RepoLock, SourceError> {
    let h = held();
    {
        let mut paths = h.paths.lock().unwrap_or_else(|e| e.into_inner());
        while paths.contains(lock_path) {
            paths = h.released.wait(paths).unwrap_or_else(|e| e.into_inner());
        }
        paths.insert(lock_path.to_path_buf());
    }
    let mut guard = RepoLock {
        path: lock_path.to_path_buf(),
        file: None,
    };
    let io = |source| SourceError::Io {
        path: lock_path.to_path_buf(),
        source,
    };
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path)
        .map_err(io)?;
    file.lock().map_err(io)?;
    guard.file = Some(file);
    Ok(guard)
}

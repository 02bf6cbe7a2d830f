//! SSH private keys from repository Secrets, written where `ssh -i` can read them: one file per
//! key (named by a hash of it), readable by this user only, written once.

use crate::RuntimeError;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// The file holding `key` under `dir`, written if it is not there yet.
pub(crate) fn write_key(dir: &Path, key: &str) -> Result<PathBuf, RuntimeError> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    let name = format!("id-{:016x}", h.finish());
    let path = dir.join(&name);
    if path.exists() {
        return Ok(path);
    }
    let err = |e: std::io::Error| {
        RuntimeError::Connect(format!(
            "cannot write an SSH key under {}: {e}",
            dir.display()
        ))
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    let tmp = dir.join(format!(".{name}.{}", std::process::id()));
    {
        use std::io::Write;
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        let mut f = o.open(&tmp).map_err(err)?;
        // OpenSSH refuses a key without its final newline.
        let text = if key.ends_with('\n') {
            key.to_string()
        } else {
            format!("{key}\n")
        };
        f.write_all(text.as_bytes()).map_err(err)?;
    }
    std::fs::rename(&tmp, &path).map_err(err)?;
    Ok(path)
}

//! Argo CD's `ref` sources: a Helm source of a multi-source Application names another source's
//! files as `$name/path/values.yaml` in its value files and file parameters. They are read here,
//! from the referenced source's repository at the commit it resolved to, confined to that
//! repository (a path or symlink leaving it is refused), and handed to the renderer by the path
//! as written.

use crate::sources::RefAt;
use crate::target::split_reference;
use crate::{RuntimeError, Target};
use driftless_render::paths::{join, resolve};
use driftless_render::{EntryKind, FsError, Limits, SourceFs};
use std::collections::{BTreeMap, HashMap};

/// The files of other sources that a render uses.
#[derive(Debug, Default)]
pub(crate) struct Referenced {
    /// The text of each file, by the path as written (`$values/env/prod.yaml`).
    pub(crate) files: BTreeMap<String, Vec<u8>>,
    /// Value files that do not exist, left out of the render (`ignoreMissingValueFiles`).
    pub(crate) missing: Vec<String>,
}

/// The text of every `$name/…` file the target's Helm options name, read from the trees `open`
/// gives for the referenced sources (each repository and commit opened once). A value file
/// that does not exist is an error naming it, or with `ignoreMissingValueFiles` is left out
/// (file parameters are always required, as in Argo CD).
pub(crate) fn read_referenced<T: SourceFs>(
    t: &Target,
    refs: &[RefAt],
    open: impl Fn(&str, &str) -> Result<T, RuntimeError>,
) -> Result<Referenced, RuntimeError> {
    let mut out = Referenced::default();
    if refs.is_empty() {
        return Ok(out);
    }
    let mut trees: HashMap<(String, String), T> = HashMap::new();
    let ignore_missing = t.render.ignore_missing_value_files;
    let value_files = t.render.helm_values.iter().map(|f| (f, ignore_missing));
    let set_files = t.render.helm_set_file.iter().map(|(_, p)| (p, false));
    for (file, may_be_missing) in value_files.chain(set_files) {
        let Some((name, rel)) = split_reference(file) else {
            continue;
        };
        let r = refs
            .iter()
            .find(|r| r.name == name)
            .ok_or_else(|| RuntimeError::RefUnknown {
                file: file.clone(),
                name: name.to_string(),
            })?;
        let key = (r.repo.clone(), r.commit.clone());
        if !trees.contains_key(&key) {
            let tree = open(&r.repo, &r.commit)?;
            trees.insert(key.clone(), tree);
        }
        match read_confined(&trees[&key], file, rel)? {
            Some(text) => {
                out.files.insert(file.clone(), text);
            }
            None if may_be_missing => out.missing.push(file.clone()),
            None => {
                return Err(RuntimeError::RefMissing {
                    file: file.to_string(),
                });
            }
        }
    }
    Ok(out)
}

/// The file at `rel` (relative to the repository root) of `fs`, `None` when nothing is there;
/// refused when it resolves outside the repository or is not a file.
fn read_confined(
    fs: &dyn SourceFs,
    file: &str,
    rel: &str,
) -> Result<Option<Vec<u8>>, RuntimeError> {
    let limits = Limits::default();
    let outside = || RuntimeError::RefEscapes {
        file: file.to_string(),
    };
    let path = join("", rel)
        .filter(|p| !p.is_empty())
        .ok_or_else(outside)?;
    let (real, kind) = resolve(fs, &path, limits.max_symlink_hops).map_err(|e| match e {
        FsError::PathEscapes(_) => outside(),
        e => RuntimeError::Render(e.into()),
    })?;
    match kind {
        None => Ok(None),
        Some(EntryKind::File) => fs
            .read_file(&real, limits.max_file_size)
            .map(Some)
            .map_err(|e| RuntimeError::Render(e.into())),
        Some(_) => Err(RuntimeError::RefMissing {
            file: file.to_string(),
        }),
    }
}

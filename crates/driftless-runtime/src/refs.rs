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

/// The text of every `$name/…` file the target's Helm options name, read from the trees `open`
/// gives for the referenced sources (each repository and commit opened once).
pub(crate) fn read_referenced<T: SourceFs>(
    t: &Target,
    refs: &[RefAt],
    open: impl Fn(&str, &str) -> Result<T, RuntimeError>,
) -> Result<BTreeMap<String, Vec<u8>>, RuntimeError> {
    let mut out = BTreeMap::new();
    if refs.is_empty() {
        return Ok(out);
    }
    let mut trees: HashMap<(String, String), T> = HashMap::new();
    let set_files = t.render.helm_set_file.iter().map(|(_, p)| p);
    for file in t.render.helm_values.iter().chain(set_files) {
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
        out.insert(file.clone(), read_confined(&trees[&key], file, rel)?);
    }
    Ok(out)
}

/// The file at `rel` (relative to the repository root) of `fs`, refused when it resolves
/// outside the repository.
fn read_confined(fs: &dyn SourceFs, file: &str, rel: &str) -> Result<Vec<u8>, RuntimeError> {
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
    if kind != Some(EntryKind::File) {
        return Err(RuntimeError::RefMissing {
            file: file.to_string(),
        });
    }
    fs.read_file(&real, limits.max_file_size)
        .map_err(|e| RuntimeError::Render(e.into()))
}

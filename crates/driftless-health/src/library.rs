//! Argo CD's library of resource customizations, embedded in the binary.
//!
//! The scripts live in `resource_customizations/<group>/<kind>/` (Apache-2.0,
//! from argoproj/argo-cd; see that folder's README for the commit). A `_`
//! in a folder name is a wildcard segment (`_.crossplane.io/_` covers every
//! kind of every `*.crossplane.io` group), tried after the exact folders.

use crate::glob::Glob;
use crate::script::LuaScript;
use std::collections::HashMap;
use std::sync::OnceLock;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/library.rs"));
}

/// The built-in scripts of one `<group>/<kind>` folder.
#[derive(Debug, Clone, Default)]
pub struct KindScripts {
    /// `health.lua`.
    pub health: Option<LuaScript>,
    /// `actions/discovery.lua`.
    pub discovery: Option<LuaScript>,
    /// `actions/<name>/action.lua`, by action name.
    pub actions: HashMap<String, LuaScript>,
}

/// The embedded library, indexed by `group/kind` key.
#[derive(Debug)]
pub struct Library {
    exact: HashMap<String, KindScripts>,
    wildcard: Vec<(Glob, KindScripts)>,
}

impl Library {
    /// The library built into Driftless (parsed once per process).
    pub fn builtin() -> &'static Library {
        static LIB: OnceLock<Library> = OnceLock::new();
        LIB.get_or_init(|| Library::from_files(embedded::SCRIPTS.iter().copied()))
    }

    /// A library from `(path, source)` pairs laid out like Argo CD's folder.
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Library {
        let mut by_dir: HashMap<String, KindScripts> = HashMap::new();
        for (path, source) in files {
            let parts: Vec<&str> = path.split('/').collect();
            let (dir, rest) = match parts.as_slice() {
                [g, k, rest @ ..] => (format!("{g}/{k}"), rest),
                _ => continue,
            };
            let entry = by_dir.entry(dir).or_default();
            // Built-in health and discovery scripts have the open libraries,
            // as in Argo CD's tests of them; actions run without them, as
            // Argo CD's API server runs them.
            let script = |open| LuaScript::new(path, source, open);
            match rest {
                ["health.lua"] => entry.health = Some(script(true)),
                ["actions", "discovery.lua"] => entry.discovery = Some(script(true)),
                ["actions", name, "action.lua"] => {
                    entry.actions.insert((*name).to_string(), script(false));
                }
                _ => {}
            }
        }
        let mut exact = HashMap::new();
        let mut wildcard = Vec::new();
        for (dir, scripts) in by_dir {
            if dir.contains('_') {
                wildcard.push((Glob::new(&dir.replace('_', "*")), scripts));
            } else {
                exact.insert(dir, scripts);
            }
        }
        // Most specific (longest) pattern first, for a stable choice.
        wildcard.sort_by(|a, b| {
            b.0.pattern()
                .len()
                .cmp(&a.0.pattern().len())
                .then_with(|| a.0.pattern().cmp(b.0.pattern()))
        });
        Library { exact, wildcard }
    }

    /// The scripts for `group` (empty for core) and `kind`: the exact folder,
    /// else the first wildcard folder that matches.
    pub fn get(&self, group: &str, kind: &str) -> Option<&KindScripts> {
        self.find(group, kind, |_| true)
    }

    /// The health script for `group` and `kind`, if the library has one.
    pub fn health(&self, group: &str, kind: &str) -> Option<&LuaScript> {
        self.find(group, kind, |s| s.health.is_some())?
            .health
            .as_ref()
    }

    fn find(
        &self,
        group: &str,
        kind: &str,
        want: impl Fn(&KindScripts) -> bool,
    ) -> Option<&KindScripts> {
        let key = crate::customizations::override_key(group, kind);
        if let Some(s) = self.exact.get(&key).filter(|s| want(s)) {
            return Some(s);
        }
        self.wildcard
            .iter()
            .find(|(g, s)| want(s) && g.matches(&key))
            .map(|(_, s)| s)
    }

    /// Every health script with its `group/kind` folder, sorted by folder.
    pub fn health_scripts(&self) -> Vec<(String, &LuaScript)> {
        let mut all: Vec<(String, &LuaScript)> = self
            .exact
            .iter()
            .filter_map(|(k, s)| Some((k.clone(), s.health.as_ref()?)))
            .chain(
                self.wildcard
                    .iter()
                    .filter_map(|(g, s)| Some((g.pattern().replace('*', "_"), s.health.as_ref()?))),
            )
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }
}

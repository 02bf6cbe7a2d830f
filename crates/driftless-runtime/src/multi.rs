//! Applications with several sources (`spec.sources`, Argo CD 2.6+): each source resolves and
//! renders on its own, at its own repository and revision, through the same Git poll and render
//! cache as a single source; the Application's objects are the union, source by source. A
//! repeated object keeps the last source's definition and says so (Argo CD's
//! `RepeatedResourceWarning`). A ref-only source renders nothing: its commit is still resolved
//! and recorded, and the Helm sources that name its files are rendered with them.

use crate::pipeline::Rendered;
use crate::sources::RefAt;
use crate::target::split_reference;
use crate::{Engine, RuntimeError, Target};
use driftless_core::{Manifest, ObjectKey};
use driftless_render::RenderWarning;
use std::collections::HashMap;
use std::sync::Arc;

impl Engine {
    /// The commit each source's revision names now, in source order (one entry for a single
    /// source). Sources on the same repository and revision share one resolution; across
    /// Applications the poll interval applies as for a single source. `force` always fetches.
    pub async fn resolve_all(&self, t: &Target, force: bool) -> Result<Vec<String>, RuntimeError> {
        let revisions: Vec<String> = (0..t.source_count())
            .map(|i| t.source_target(i).revision)
            .collect();
        self.resolve_revisions(t, &revisions, force).await
    }

    /// As [`Engine::resolve_all`], with `revisions` (one per source) instead of the spec's
    /// (a sync to chosen revisions, `argocd app sync --revisions`).
    pub async fn resolve_revisions(
        &self,
        t: &Target,
        revisions: &[String],
        force: bool,
    ) -> Result<Vec<String>, RuntimeError> {
        let mut seen: HashMap<(String, String), String> = HashMap::new();
        let mut out = Vec::with_capacity(revisions.len());
        for (i, revision) in revisions.iter().enumerate() {
            let s = t.source_target(i);
            let key = (s.repo.clone(), revision.clone());
            let commit = match seen.get(&key) {
                Some(c) => c.clone(),
                None => {
                    let c = self.sources.resolve(&s, revision, force).await?;
                    seen.insert(key, c.clone());
                    c
                }
            };
            out.push(commit);
        }
        Ok(out)
    }

    /// Renders the target with source `i` at `commits[i]` (from [`Engine::resolve_all`]); each
    /// source's render is cached by its repository, commit, path, settings and the commits of
    /// the sources it refers to.
    pub async fn render_revisions(
        &self,
        t: &Target,
        commits: &[String],
    ) -> Result<Arc<Rendered>, RuntimeError> {
        if commits.len() != t.source_count() {
            return Err(RuntimeError::Revisions {
                sources: t.source_count(),
                given: commits.len(),
            });
        }
        if !t.is_multi_source() {
            return self.sources.render(t, &commits[0], &[]).await;
        }
        let mut parts = Vec::with_capacity(t.sources.len());
        for (i, s) in t.sources.iter().enumerate() {
            if s.path.is_none() {
                parts.push(None);
                continue;
            }
            let refs = refs_of(t, i, commits);
            let r = self
                .sources
                .render(&t.source_target(i), &commits[i], &refs)
                .await
                .map_err(|e| RuntimeError::InSource {
                    index: i,
                    source: Box::new(e),
                })?;
            parts.push(Some(r));
        }
        Ok(Arc::new(union(commits, &parts)))
    }
}

/// The `ref` sources that source `i` names in its Helm options, at their commits.
fn refs_of(t: &Target, i: usize, commits: &[String]) -> Vec<RefAt> {
    let mut refs: Vec<RefAt> = Vec::new();
    for file in t.sources[i].referenced_files() {
        let Some((name, _)) = split_reference(file) else {
            continue;
        };
        let found = t
            .sources
            .iter()
            .position(|s| s.ref_name.as_deref() == name.strip_prefix('$'));
        if let Some(j) = found
            && !refs.iter().any(|r| r.name == name)
        {
            refs.push(RefAt {
                name: name.to_string(),
                repo: t.sources[j].repo.clone(),
                commit: commits[j].clone(),
            });
        }
    }
    refs
}

/// The union of the sources' renders: objects source by source, a repeated object kept at the
/// last source that defines it (Argo CD's rule), with a RepeatedResourceWarning.
fn union(commits: &[String], parts: &[Option<Arc<Rendered>>]) -> Rendered {
    let mut all: Vec<(usize, Manifest)> = Vec::new();
    let mut warnings = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let Some(r) = part else { continue };
        all.extend(r.manifests.iter().cloned().map(|m| (i, m)));
        warnings.extend(r.warnings.iter().map(|w| format!("spec.sources[{i}]: {w}")));
    }
    let mut last: HashMap<ObjectKey, usize> = HashMap::new();
    let mut keep = vec![true; all.len()];
    for (n, (i, m)) in all.iter().enumerate() {
        if let Some(prev) = last.insert(m.key().clone(), n) {
            keep[prev] = false;
            let (j, earlier) = &all[prev];
            let mut first = earlier.provenance.clone();
            first.file = format!("spec.sources[{j}]:{}", first.file);
            let mut second = m.provenance.clone();
            second.file = format!("spec.sources[{i}]:{}", second.file);
            let key = m.key().clone();
            warnings.push(RenderWarning::Duplicate { key, first, second }.to_string());
        }
    }
    let manifests = all
        .into_iter()
        .zip(keep)
        .filter_map(|((_, m), k)| k.then_some(m))
        .collect();
    Rendered {
        commit: commits.first().cloned().unwrap_or_default(),
        revisions: commits.to_vec(),
        manifests,
        warnings,
        source_types: parts
            .iter()
            .map(|p| {
                p.as_ref()
                    .and_then(|r| r.source_types.first().cloned())
                    .unwrap_or_default()
            })
            .collect(),
    }
}

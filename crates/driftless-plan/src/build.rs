//! Building a [`Plan`] from desired manifests and the live inventory.

use crate::annotations::{self as a, HookKind};
use crate::plan::{Action, HookInfo, Kept, Plan, Skipped, Step};
use crate::{Phase, PlanError, kind_rank};
use driftless_core::{Manifest, ObjectKey, annotations as ann};
use petgraph::graph::{DiGraph, NodeIndex};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A live object tracked as the application's: its key and annotations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveObject {
    /// The object's identity.
    pub key: ObjectKey,
    /// Its annotations (sync wave, sync options, hook markers…).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

impl LiveObject {
    /// A live object without annotations.
    pub fn new(key: ObjectKey) -> Self {
        LiveObject {
            key,
            annotations: BTreeMap::new(),
        }
    }

    /// Adds an annotation.
    pub fn with_annotation(mut self, name: &str, value: &str) -> Self {
        self.annotations.insert(name.into(), value.into());
        self
    }

    /// Reads key and annotations of a live object; `None` without identity.
    pub fn from_object(obj: &serde_json::Value) -> Option<Self> {
        let key = ObjectKey::from_object(obj)?;
        let annotations = obj
            .pointer("/metadata/annotations")
            .and_then(|a| a.as_object())
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        Some(LiveObject { key, annotations })
    }
}

/// How to plan.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PlanOptions {
    /// Prune tracked live objects that left the render (Argo CD's `prune`).
    pub prune: bool,
    /// Prune after every other wave of the Sync phase (`PruneLast=true`).
    pub prune_last: bool,
    /// Application-level sync options, overridden per object by its annotation.
    pub sync_options: BTreeMap<String, String>,
    /// Revision being synced; its first 7 characters go into generated hook names.
    pub revision: String,
    /// Sync start, Unix seconds; also part of generated hook names.
    pub started_at: i64,
}

struct Draft {
    phase: Phase,
    wave: i64,
    action: Action,
    key: ObjectKey,
    hook: Option<HookInfo>,
    sync_options: BTreeMap<String, String>,
    source: Option<String>,
    object: Option<serde_json::Value>,
    depends: Option<String>,
    /// For a CRD: the (group, kind) it defines.
    defines: Option<(String, String)>,
    level: usize,
    deps: Vec<usize>,
}

impl Draft {
    fn sort_key(&self) -> (Phase, i64, i32, &str, &str, &str) {
        (
            self.phase,
            self.wave,
            kind_rank(&self.key.kind),
            &self.key.name,
            self.key.namespace.as_deref().unwrap_or(""),
            &self.key.group,
        )
    }
    fn is_prune(&self) -> bool {
        self.action == Action::Prune
    }
}

/// Plans a sync of `desired` against the tracked `live` inventory.
///
/// ```
/// use driftless_core::{Manifest, Provenance, ObjectKey};
/// use driftless_plan::{plan, Action, LiveObject, PlanOptions};
/// let m = |v| Manifest::new(v, Provenance::default()).unwrap();
/// let desired = vec![
///     m(serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
///         "metadata": {"name": "web", "namespace": "shop"}})),
///     m(serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})),
/// ];
/// let live = vec![LiveObject::new(ObjectKey::new("v1", "ConfigMap", Some("shop"), "old"))];
/// let p = plan(&desired, &live, &PlanOptions { prune: true, ..Default::default() }).unwrap();
/// let order: Vec<_> = p.steps.iter().map(|s| (s.key.kind.as_str(), s.action)).collect();
/// assert_eq!(order, [("ConfigMap", Action::Prune), ("Namespace", Action::Create), ("Deployment", Action::Create)]);
/// ```
pub fn plan(
    desired: &[Manifest],
    live: &[LiveObject],
    opts: &PlanOptions,
) -> Result<Plan, PlanError> {
    let live_keys: HashSet<&ObjectKey> = live.iter().map(|l| &l.key).collect();
    let mut drafts: Vec<Draft> = Vec::with_capacity(desired.len());
    let mut skipped = Vec::new();
    let mut regular: HashSet<ObjectKey> = HashSet::new();
    let mut seen: HashMap<(ObjectKey, Phase), String> = HashMap::new();
    let mut taken_names: HashSet<ObjectKey> = HashSet::new();

    for m in desired {
        let get = |k: &str| m.annotation(k);
        let wave = a::wave(&get);
        let mut sync_options = opts.sync_options.clone();
        sync_options.extend(a::sync_options(&get));
        let source = Some(m.provenance.to_string());
        let defines = crd_defines(m);
        let phases = match a::hook_kind(&get) {
            HookKind::Skip => {
                regular.insert(m.key().clone());
                skipped.push(Skipped {
                    key: m.key().clone(),
                    reason: "argocd.argoproj.io/hook: Skip".into(),
                });
                continue;
            }
            HookKind::Phases(p) if p.is_empty() => {
                let value = get(ann::HOOK).or(get(ann::HELM_HOOK)).unwrap_or("");
                skipped.push(Skipped {
                    key: m.key().clone(),
                    reason: format!("hook {value:?} runs in no sync phase"),
                });
                continue;
            }
            HookKind::Phases(p) => Some(p),
            HookKind::None => None,
        };
        // On an Argo CD Application the annotation names Applications the controller waits
        // for (driftless-controller's `deps`), not objects of this sync.
        let depends = if m.key().group == "argoproj.io" && m.key().kind == "Application" {
            None
        } else {
            get(ann::DEPENDS_ON).map(str::to_string)
        };
        let Some(phases) = phases else {
            let key = m.key().clone();
            check_duplicate(&mut seen, &key, Phase::Sync, m)?;
            regular.insert(key.clone());
            let action = if live_keys.contains(&key) {
                Action::Update
            } else {
                Action::Create
            };
            drafts.push(Draft {
                phase: Phase::Sync,
                wave,
                action,
                key,
                hook: None,
                sync_options,
                source,
                object: Some(m.object.clone()),
                depends,
                defines,
                level: 0,
                deps: Vec::new(),
            });
            continue;
        };
        let delete_policies = a::delete_policies(&get);
        let generated = m
            .object
            .pointer("/metadata/name")
            .and_then(|n| n.as_str())
            .is_none_or(str::is_empty);
        for phase in phases {
            let mut object = m.object.clone();
            let mut key = m.key().clone();
            if generated {
                key.name = unique_name(&mut taken_names, &key, phase, opts);
                object["metadata"]["name"] = key.name.clone().into();
            } else {
                check_duplicate(&mut seen, &key, phase, m)?;
            }
            drafts.push(Draft {
                phase,
                wave,
                action: Action::Hook,
                key,
                hook: Some(HookInfo {
                    delete_policies: delete_policies.clone(),
                    generated_name: generated,
                }),
                sync_options: sync_options.clone(),
                source: source.clone(),
                object: Some(object),
                depends: depends.clone(),
                defines: defines.clone(),
                level: 0,
                deps: Vec::new(),
            });
        }
    }

    let kept = add_prunes(&mut drafts, live, &regular, opts);
    move_dependencies(&mut drafts);
    add_edges(&mut drafts)?;
    assign_levels(&mut drafts)?;
    Ok(finish(drafts, kept, skipped))
}

fn check_duplicate(
    seen: &mut HashMap<(ObjectKey, Phase), String>,
    key: &ObjectKey,
    phase: Phase,
    m: &Manifest,
) -> Result<(), PlanError> {
    let here = m.provenance.to_string();
    if let Some(first) = seen.insert((key.clone(), phase), here.clone()) {
        return Err(PlanError::Duplicate {
            key: key.clone(),
            first,
            second: here,
        });
    }
    Ok(())
}

/// Argo CD's generated hook name: `generateName` + `<rev[0..7]>-<phase>-<unix>`,
/// lower-cased, with `-2`, `-3`… added if two hooks would collide.
fn unique_name(
    taken: &mut HashSet<ObjectKey>,
    key: &ObjectKey,
    phase: Phase,
    opts: &PlanOptions,
) -> String {
    let rev: String = opts.revision.chars().take(7).collect();
    let base = format!("{}{}-{}-{}", key.name, rev, phase, opts.started_at).to_lowercase();
    let mut candidate = key.clone();
    candidate.name = base.clone();
    let mut n = 1;
    while !taken.insert(candidate.clone()) {
        n += 1;
        candidate.name = format!("{base}-{n}");
    }
    candidate.name
}

fn crd_defines(m: &Manifest) -> Option<(String, String)> {
    let k = m.key();
    if k.kind != "CustomResourceDefinition" || k.group != "apiextensions.k8s.io" {
        return None;
    }
    let group = m.object.pointer("/spec/group")?.as_str()?;
    let kind = m.object.pointer("/spec/names/kind")?.as_str()?;
    Some((group.to_string(), kind.to_string()))
}

/// Adds prune steps for tracked live objects absent from the render, in
/// reverse wave order (gitops-engine's symmetric swap of prune waves), or
/// after the last Sync wave with PruneLast.
fn add_prunes(
    drafts: &mut Vec<Draft>,
    live: &[LiveObject],
    regular: &HashSet<ObjectKey>,
    opts: &PlanOptions,
) -> Vec<Kept> {
    let mut kept = Vec::new();
    let first_prune = drafts.len();
    for l in live {
        if regular.contains(&l.key) {
            continue;
        }
        let get = |k: &str| l.annotations.get(k).map(String::as_str);
        if a::hook_kind(&get) != HookKind::None && a::hook_kind(&get) != HookKind::Skip {
            continue; // hooks are never pruned
        }
        let mut sync_options = opts.sync_options.clone();
        sync_options.extend(a::sync_options(&get));
        let reason = match () {
            _ if sync_options.get("Prune").map(String::as_str) == Some("false") => {
                Some("Prune=false".to_string())
            }
            _ if sync_options.get("Prune").map(String::as_str) == Some("confirm") => {
                Some("Prune=confirm: pruning needs confirmation".to_string())
            }
            _ if get(ann::HELM_RESOURCE_POLICY).map(str::trim) == Some("keep") => {
                Some("helm.sh/resource-policy: keep".to_string())
            }
            _ if sync_options.get("Delete").map(String::as_str) == Some("false") => {
                Some("Delete=false".to_string())
            }
            _ if !opts.prune => Some("requires pruning (pruning not enabled)".to_string()),
            _ => None,
        };
        if let Some(reason) = reason {
            kept.push(Kept {
                key: l.key.clone(),
                reason,
            });
            continue;
        }
        drafts.push(Draft {
            phase: Phase::Sync,
            wave: a::wave(&get),
            action: Action::Prune,
            key: l.key.clone(),
            hook: None,
            sync_options,
            source: None,
            object: None,
            depends: None,
            defines: None,
            level: 0,
            deps: Vec::new(),
        });
    }
    let mut waves: Vec<i64> = drafts[first_prune..].iter().map(|d| d.wave).collect();
    waves.sort_unstable();
    waves.dedup();
    let swapped: HashMap<i64, i64> = waves
        .iter()
        .zip(waves.iter().rev())
        .map(|(a, b)| (*a, *b))
        .collect();
    for d in &mut drafts[first_prune..] {
        d.wave = swapped[&d.wave];
    }
    let last = drafts
        .iter()
        .filter(|d| d.phase == Phase::Sync)
        .map(|d| d.wave)
        .fold(0, i64::max)
        + 1;
    for d in &mut drafts[first_prune..] {
        if opts.prune_last || d.sync_options.get("PruneLast").map(String::as_str) == Some("true") {
            d.wave = last;
        }
    }
    kept.sort_by(|a, b| a.key.cmp(&b.key));
    kept
}

/// gitops-engine's `adjustDeps`: a Namespace that would run after the first
/// object in it, or a CRD after the first of its custom resources, takes that
/// object's phase and wave.
fn move_dependencies(drafts: &mut [Draft]) {
    let mut first_in_ns: HashMap<String, (Phase, i64)> = HashMap::new();
    let mut first_of_kind: HashMap<(String, String), usize> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        if d.is_prune() {
            continue;
        }
        if let Some(ns) = &d.key.namespace {
            let e = first_in_ns.entry(ns.clone()).or_insert((d.phase, d.wave));
            *e = (*e).min((d.phase, d.wave));
        }
        let gk = (d.key.group.clone(), d.key.kind.clone());
        match first_of_kind.get(&gk) {
            Some(&j) if drafts[j].sort_key() <= d.sort_key() => {}
            _ => {
                first_of_kind.insert(gk, i);
            }
        }
    }
    for d in drafts.iter_mut() {
        if d.is_prune() || !is_namespace(&d.key) {
            continue;
        }
        if let Some(&first) = first_in_ns.get(&d.key.name)
            && first < (d.phase, d.wave)
        {
            (d.phase, d.wave) = first;
        }
    }
    let mut moves = Vec::new();
    for (i, d) in drafts.iter().enumerate() {
        if d.is_prune() {
            continue;
        }
        if let Some(&j) = d.defines.as_ref().and_then(|gk| first_of_kind.get(gk))
            && drafts[j].sort_key() < d.sort_key()
        {
            moves.push((i, drafts[j].phase, drafts[j].wave));
        }
    }
    for (i, phase, wave) in moves {
        drafts[i].phase = phase;
        drafts[i].wave = wave;
    }
}

fn is_namespace(key: &ObjectKey) -> bool {
    key.group.is_empty() && key.kind == "Namespace"
}

/// Automatic edges (Namespace → objects in it, CRD → its custom resources)
/// and explicit `driftless.dev/depends-on` edges.
fn add_edges(drafts: &mut [Draft]) -> Result<(), PlanError> {
    let mut namespaces: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut crds: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    let mut by_kind_name: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        if d.is_prune() {
            continue;
        }
        if is_namespace(&d.key) {
            namespaces.entry(&d.key.name).or_default().push(i);
        }
        if let Some((g, k)) = &d.defines {
            crds.entry((g, k)).or_default().push(i);
        }
        by_kind_name
            .entry((&d.key.kind, &d.key.name))
            .or_default()
            .push(i);
    }
    let mut all_deps: Vec<Vec<usize>> = vec![Vec::new(); drafts.len()];
    for (i, d) in drafts.iter().enumerate() {
        if d.is_prune() {
            continue;
        }
        let at = (d.phase, d.wave);
        let earlier = |j: &usize| *j != i && (drafts[*j].phase, drafts[*j].wave) <= at;
        let deps = &mut all_deps[i];
        if let Some(ns) = &d.key.namespace
            && let Some(v) = namespaces.get(ns.as_str())
        {
            deps.extend(v.iter().filter(|j| earlier(j)));
        }
        if let Some(v) = crds.get(&(d.key.group.as_str(), d.key.kind.as_str())) {
            deps.extend(v.iter().filter(|j| earlier(j)));
        }
        let Some(value) = &d.depends else { continue };
        for r in crate::deps::parse(&d.key, value)? {
            let matches: Vec<usize> = by_kind_name
                .get(&(r.kind.as_str(), r.name.as_str()))
                .into_iter()
                .flatten()
                .copied()
                .filter(|j| r.matches(&drafts[*j].key, d.key.namespace.as_deref()))
                .collect();
            let first = *matches
                .first()
                .ok_or_else(|| PlanError::DependencyNotFound {
                    object: d.key.clone(),
                    entry: r.entry.clone(),
                })?;
            let groups: HashSet<&str> = matches
                .iter()
                .map(|j| drafts[*j].key.group.as_str())
                .collect();
            if groups.len() > 1 {
                let mut names: Vec<String> =
                    matches.iter().map(|j| drafts[*j].key.to_string()).collect();
                names.sort();
                names.dedup();
                return Err(PlanError::AmbiguousDependency {
                    object: d.key.clone(),
                    entry: r.entry.clone(),
                    matches: names.join(", "),
                });
            }
            if matches.contains(&i) {
                return Err(PlanError::Cycle {
                    objects: vec![d.key.clone()],
                });
            }
            let usable: Vec<usize> = matches.iter().copied().filter(|j| earlier(j)).collect();
            if usable.is_empty() {
                let dep = &drafts[first];
                return Err(PlanError::DependencyRunsLater {
                    object: d.key.clone(),
                    phase: d.phase,
                    wave: d.wave,
                    dependency: dep.key.clone(),
                    dep_phase: dep.phase,
                    dep_wave: dep.wave,
                });
            }
            deps.extend(usable);
        }
    }
    for (d, mut deps) in drafts.iter_mut().zip(all_deps) {
        deps.sort_unstable();
        deps.dedup();
        d.deps = deps;
    }
    Ok(())
}

/// Detects cycles among same-wave edges and computes DAG levels.
fn assign_levels(drafts: &mut [Draft]) -> Result<(), PlanError> {
    let mut g: DiGraph<usize, ()> = DiGraph::with_capacity(drafts.len(), drafts.len());
    let nodes: Vec<NodeIndex> = (0..drafts.len()).map(|i| g.add_node(i)).collect();
    let same = |a: &Draft, b: &Draft| (a.phase, a.wave) == (b.phase, b.wave);
    let mut has_edges = false;
    for (i, d) in drafts.iter().enumerate() {
        for &j in &d.deps {
            if same(&drafts[j], d) {
                g.add_edge(nodes[j], nodes[i], ());
                has_edges = true;
            }
        }
    }
    if !has_edges {
        return Ok(());
    }
    let order = match petgraph::algo::toposort(&g, None) {
        Ok(o) => o,
        Err(_) => return Err(cycle_error(&g, drafts)),
    };
    for n in order {
        let i = g[n];
        let level = g
            .neighbors_directed(n, petgraph::Direction::Incoming)
            .map(|p| drafts[g[p]].level + 1)
            .max()
            .unwrap_or(0);
        drafts[i].level = level;
    }
    Ok(())
}

fn cycle_error(g: &DiGraph<usize, ()>, drafts: &[Draft]) -> PlanError {
    let scc = petgraph::algo::tarjan_scc(g)
        .into_iter()
        .filter(|c| c.len() > 1)
        .min_by_key(|c| c.iter().map(|n| g[*n]).min())
        .expect("toposort failed, so a cycle exists");
    let members: HashSet<NodeIndex> = scc.iter().copied().collect();
    // Walk one concrete cycle through the component, starting at its first step.
    let start = *scc
        .iter()
        .min_by_key(|n| drafts[g[**n]].sort_key())
        .expect("non-empty");
    let mut parent: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut end = start;
    'bfs: while let Some(n) = queue.pop_front() {
        // Follow dependencies (incoming edges) so the path reads "a needs b needs c".
        for m in g.neighbors_directed(n, petgraph::Direction::Incoming) {
            if m == start {
                end = n;
                break 'bfs;
            }
            if members.contains(&m) && !parent.contains_key(&m) {
                parent.insert(m, n);
                queue.push_back(m);
            }
        }
    }
    let mut path = vec![end];
    while let Some(&p) = parent.get(path.last().expect("non-empty")) {
        path.push(p);
    }
    path.reverse();
    PlanError::Cycle {
        objects: path.iter().map(|n| drafts[g[*n]].key.clone()).collect(),
    }
}

fn finish(mut drafts: Vec<Draft>, kept: Vec<Kept>, skipped: Vec<Skipped>) -> Plan {
    // Prunes run first in their wave: shift the other levels of such waves.
    let prune_waves: HashSet<(Phase, i64)> = drafts
        .iter()
        .filter(|d| d.is_prune())
        .map(|d| (d.phase, d.wave))
        .collect();
    for d in &mut drafts {
        if !d.is_prune() && prune_waves.contains(&(d.phase, d.wave)) {
            d.level += 1;
        }
    }
    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by(|&x, &y| {
        let (a, b) = (&drafts[x], &drafts[y]);
        let ka = a.sort_key();
        let kb = b.sort_key();
        (ka.0, ka.1, a.level, ka.2, ka.3, ka.4, ka.5)
            .cmp(&(kb.0, kb.1, b.level, kb.2, kb.3, kb.4, kb.5))
    });
    let mut new_index = vec![0; drafts.len()];
    for (n, &old) in order.iter().enumerate() {
        new_index[old] = n;
    }
    let mut slots: Vec<Option<Draft>> = drafts.into_iter().map(Some).collect();
    let steps = order
        .iter()
        .enumerate()
        .map(|(index, &old)| {
            let d = slots[old].take().expect("each draft used once");
            let mut depends_on: Vec<usize> = d.deps.iter().map(|j| new_index[*j]).collect();
            depends_on.sort_unstable();
            Step {
                index,
                phase: d.phase,
                wave: d.wave,
                level: d.level,
                action: d.action,
                key: d.key,
                hook: d.hook,
                sync_options: d.sync_options,
                depends_on,
                source: d.source,
                object: d.object,
            }
        })
        .collect();
    Plan {
        steps,
        kept,
        skipped,
    }
}

//! Dependencies between Applications (`driftless.dev/depends-on: a,b` or `spec.dependsOn`).
//!
//! An Application with dependencies is auto-synced only when each of them is Synced and
//! Healthy at the revision its source names now, with no operation running. Otherwise its
//! `DependencyNotReady` condition says what it waits for. A dependency that does not exist, or a
//! cycle, is a `DependencyError` on every Application involved: the controller reports it and
//! goes on (it never waits on a cycle). Manual syncs are not held (see `docs/controller.md`).
//!
//! The graph and the readiness rules are pure functions ([`check`], [`readiness`]); the
//! controller reads the Applications and resolves revisions ([`evaluate`]).

use crate::policy::Decision;
use crate::{Context, ControllerError};
use driftless_api::{Application, HealthStatusCode, OperationPhase, SyncStatusCode};
use kube::api::{Api, DynamicObject, ListParams};
use kube::runtime::reflector::{ObjectRef, Store};
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::BTreeMap;

/// What an Application's dependencies allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No dependencies, or all of them ready.
    Ready,
    /// Waiting for these (each `name (why)`).
    Waiting(Vec<String>),
    /// A missing dependency or a cycle: the message names them.
    Broken(String),
}

impl Verdict {
    /// The `DependencyNotReady` condition's message, if any.
    pub fn waiting_message(&self) -> Option<String> {
        match self {
            Verdict::Waiting(w) => Some(format!("Waiting for: {}", w.join(", "))),
            _ => None,
        }
    }

    /// The `DependencyError` condition's message, if any.
    pub fn error_message(&self) -> Option<String> {
        match self {
            Verdict::Broken(m) => Some(m.clone()),
            _ => None,
        }
    }
}

/// Records `verdict` as the `DependencyNotReady` / `DependencyError` conditions (clearing them
/// when ready).
pub(crate) fn record(verdict: &Verdict, conditions: &mut Vec<driftless_api::ApplicationCondition>) {
    use driftless_api::ApplicationConditionType as Cond;
    crate::status::set_condition(
        conditions,
        Cond::DependencyNotReady,
        verdict.waiting_message(),
    );
    crate::status::set_condition(conditions, Cond::DependencyError, verdict.error_message());
}

/// An automated sync or self-heal is held while the dependencies are not ready; anything else
/// goes through.
pub fn hold(verdict: &Verdict, decision: Decision) -> Decision {
    match decision {
        Decision::AutoSync | Decision::SelfHeal { .. } if *verdict != Verdict::Ready => {
            Decision::None
        }
        d => d,
    }
}

/// `namespace/name` of a dependency entry written in an Application of `namespace`.
pub fn key_of(entry: &str, namespace: &str) -> (String, String) {
    match entry.split_once('/') {
        Some((ns, name)) => (ns.trim().to_string(), name.trim().to_string()),
        None => (namespace.to_string(), entry.trim().to_string()),
    }
}

fn key(app: &Application) -> (String, String) {
    (app.namespace().to_string(), app.name().to_string())
}

fn shown(k: &(String, String), from_ns: &str) -> String {
    if k.0 == from_ns {
        k.1.clone()
    } else {
        format!("{}/{}", k.0, k.1)
    }
}

/// The graph check for `app` among `all` (which holds `app` and every Application its
/// dependencies may name): `Err` names a missing dependency or the cycle `app` is part of; `Ok`
/// gives its dependencies, found.
pub fn check<'a>(
    app: &Application,
    all: &'a [Application],
) -> Result<Vec<&'a Application>, String> {
    let index: BTreeMap<(String, String), usize> =
        all.iter().enumerate().map(|(i, a)| (key(a), i)).collect();
    let ns = app.namespace();
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for entry in app.dependencies() {
        let k = key_of(&entry, ns);
        match index.get(&k) {
            Some(i) => found.push(&all[*i]),
            None => missing.push(shown(&k, ns)),
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "dependency not found: no Application {}",
            missing.join(", ")
        ));
    }
    let mut g: DiGraph<usize, ()> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..all.len()).map(|i| g.add_node(i)).collect();
    for (i, a) in all.iter().enumerate() {
        for entry in a.dependencies() {
            if let Some(j) = index.get(&key_of(&entry, a.namespace())) {
                g.add_edge(nodes[i], nodes[*j], ());
            }
        }
    }
    let me = nodes[index[&key(app)]];
    for scc in petgraph::algo::tarjan_scc(&g) {
        let self_loop = scc.len() == 1 && g.contains_edge(scc[0], scc[0]);
        if scc.contains(&me) && (scc.len() > 1 || self_loop) {
            let mut names: Vec<String> = scc.iter().map(|n| shown(&key(&all[g[*n]]), ns)).collect();
            names.sort();
            return Err(format!("dependency cycle between {}", names.join(", ")));
        }
    }
    Ok(found)
}

/// Why `dep` is not ready (None: it is), given the commit its source names now (None: not
/// known, e.g. a multi-source Application, whose revision is then not compared).
pub fn readiness(dep: &Application, current: Option<&str>) -> Option<String> {
    if dep.metadata.deletion_timestamp.is_some() {
        return Some("being deleted".into());
    }
    let st = dep.status.clone().unwrap_or_default();
    let running = st
        .operation_state
        .as_ref()
        .is_some_and(|o| o.phase == OperationPhase::Running);
    if dep.operation.is_some() || running {
        return Some("syncing".into());
    }
    let sync = st.sync.clone().unwrap_or_default();
    let health = st
        .health
        .as_ref()
        .and_then(|h| h.status.clone())
        .unwrap_or(HealthStatusCode::Unknown);
    if sync.status != SyncStatusCode::Synced || health != HealthStatusCode::Healthy {
        return Some(format!("{}, {}", sync.status.as_str(), health.as_str()));
    }
    let compared = sync.compared_to.as_ref();
    let same_spec = compared.is_some_and(|c| {
        c.source == dep.spec.source
            && c.sources == dep.spec.sources
            && c.destination == dep.spec.destination
    });
    if !same_spec {
        return Some("not yet compared with its current spec".into());
    }
    match current {
        Some(c) if c != sync.revision => Some(format!(
            "Synced to {}, not yet to {}",
            short(&sync.revision),
            short(c)
        )),
        _ => None,
    }
}

fn short(rev: &str) -> &str {
    &rev[..rev.len().min(7)]
}

/// The verdict for `app`: reads the Applications of its namespace (and of any other namespace
/// a dependency names) and resolves each dependency's revision through the engine's Git cache.
pub async fn evaluate(ctx: &Context, app: &Application) -> Result<Verdict, ControllerError> {
    let wanted = app.dependencies();
    if wanted.is_empty() {
        return Ok(Verdict::Ready);
    }
    let mut namespaces: Vec<String> = vec![app.namespace().to_string()];
    for entry in &wanted {
        let (ns, _) = key_of(entry, app.namespace());
        if !namespaces.contains(&ns) {
            namespaces.push(ns);
        }
    }
    let mut all = Vec::new();
    for ns in &namespaces {
        all.extend(list(ctx, ns).await?);
    }
    if !all.iter().any(|a| key(a) == key(app)) {
        all.push(app.clone());
    }
    let deps = match check(app, &all) {
        Ok(d) => d,
        Err(message) => return Ok(Verdict::Broken(message)),
    };
    let mut waiting = Vec::new();
    for dep in deps {
        let current = current_revision(ctx, dep).await;
        let why = match current {
            Ok(c) => readiness(dep, c.as_deref()),
            Err(e) => Some(format!("its revision cannot be resolved: {e}")),
        };
        if let Some(why) = why {
            waiting.push(format!("{} ({why})", shown(&key(dep), app.namespace())));
        }
    }
    Ok(if waiting.is_empty() {
        Verdict::Ready
    } else {
        Verdict::Waiting(waiting)
    })
}

async fn list(ctx: &Context, ns: &str) -> Result<Vec<Application>, ControllerError> {
    let api: Api<DynamicObject> = if ns == ctx.config.namespace {
        ctx.apps.clone()
    } else {
        Api::namespaced_with(
            ctx.apps.clone().into_client(),
            ns,
            &crate::application_resource(),
        )
    };
    let items = api
        .list(&ListParams::default())
        .await
        .map_err(|source| ControllerError::Kube {
            name: format!("applications in {ns}"),
            source,
        })?
        .items;
    Ok(items.iter().filter_map(parse).collect())
}

fn parse(o: &DynamicObject) -> Option<Application> {
    serde_json::from_value(serde_json::to_value(o).ok()?).ok()
}

/// The commit a single-source dependency's revision names now (None for multi-source).
async fn current_revision(
    ctx: &Context,
    dep: &Application,
) -> Result<Option<String>, ControllerError> {
    if dep.spec.source.is_none() || !dep.spec.sources.is_empty() {
        return Ok(None);
    }
    let invalid = |e: driftless_runtime::RuntimeError| ControllerError::Invalid {
        name: dep.name().to_string(),
        message: e.to_string(),
    };
    let t = ctx.engine.target(dep).map_err(invalid)?;
    Ok(Some(ctx.engine.resolve(&t, false).await.map_err(invalid)?))
}

/// The Applications (in the controller's store) that depend on `changed`: a change of an
/// Application requeues its dependents, so they sync as soon as it is ready.
pub(crate) fn dependents(
    store: &Store<DynamicObject>,
    changed: &DynamicObject,
) -> Vec<ObjectRef<DynamicObject>> {
    let Some(changed) = parse(changed) else {
        return Vec::new();
    };
    let target = key(&changed);
    store
        .state()
        .iter()
        .filter_map(|o| parse(o))
        .filter(|a| {
            a.dependencies()
                .iter()
                .any(|d| key_of(d, a.namespace()) == target)
        })
        .map(|a| ObjectRef::new_with(a.name(), crate::application_resource()).within(a.namespace()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(name: &str, deps: &str, status: &str) -> Application {
        Application::from_yaml(&format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  namespace: argocd\n  annotations: {{driftless.dev/depends-on: '{deps}'}}\nspec:\n  source: {{repoURL: r, path: p}}\n  destination: {{namespace: n}}\n{status}"
        ))
        .expect("application")
    }

    const READY: &str = "status:\n  sync: {status: Synced, revision: c1, comparedTo: {source: {repoURL: r, path: p}, destination: {namespace: n}}}\n  health: {status: Healthy}\n";

    #[test]
    fn missing_dependencies_are_named() {
        let all = [app("a", "b, ops/c", ""), app("b", "", READY)];
        let err = check(&all[0], &all).unwrap_err();
        assert_eq!(err, "dependency not found: no Application ops/c");
        assert_eq!(check(&all[1], &all).unwrap().len(), 0);
    }

    #[test]
    fn a_cycle_is_reported_on_every_member_and_not_on_others() {
        let all = [
            app("a", "b", ""),
            app("b", "c", ""),
            app("c", "a", ""),
            app("d", "a", ""),
            app("e", "e", ""),
        ];
        for member in &all[..3] {
            assert_eq!(
                check(member, &all).unwrap_err(),
                "dependency cycle between a, b, c"
            );
        }
        assert_eq!(check(&all[3], &all).unwrap()[0].name(), "a");
        assert_eq!(
            check(&all[4], &all).unwrap_err(),
            "dependency cycle between e"
        );
    }

    #[test]
    fn ready_means_synced_healthy_compared_and_at_the_current_revision() {
        let ok = app("db", "", READY);
        assert_eq!(readiness(&ok, Some("c1")), None);
        assert_eq!(readiness(&ok, None), None);
        assert_eq!(
            readiness(&ok, Some("c2")).unwrap(),
            "Synced to c1, not yet to c2"
        );
        let progressing = app("db", "", &READY.replace("Healthy", "Progressing"));
        assert_eq!(
            readiness(&progressing, Some("c1")).unwrap(),
            "Synced, Progressing"
        );
        let fresh = app("db", "", "");
        assert_eq!(readiness(&fresh, None).unwrap(), "Unknown, Unknown");
        let moved = app("db", "", &READY.replace("path: p}", "path: q}"));
        assert_eq!(
            readiness(&moved, Some("c1")).unwrap(),
            "not yet compared with its current spec"
        );
        let syncing = app(
            "db",
            "",
            &format!("{READY}  operationState: {{phase: Running, operation: {{sync: {{}}}}}}\n"),
        );
        assert_eq!(readiness(&syncing, Some("c1")).unwrap(), "syncing");
    }

    #[test]
    fn only_automated_syncs_are_held() {
        let waiting = Verdict::Waiting(vec!["db (syncing)".into()]);
        assert_eq!(hold(&waiting, Decision::AutoSync), Decision::None);
        assert_eq!(
            hold(&waiting, Decision::SelfHeal { attempt: 1 }),
            Decision::None
        );
        let broken = Verdict::Broken("cycle".into());
        assert_eq!(hold(&broken, Decision::AutoSync), Decision::None);
        assert_eq!(
            hold(&Verdict::Ready, Decision::AutoSync),
            Decision::AutoSync
        );
        let failed = Decision::FailedRevision("x".into());
        assert_eq!(hold(&waiting, failed.clone()), failed);
    }

    #[test]
    fn messages() {
        let w = Verdict::Waiting(vec!["db (Synced, Progressing)".into()]);
        assert_eq!(
            w.waiting_message().unwrap(),
            "Waiting for: db (Synced, Progressing)"
        );
        assert_eq!(w.error_message(), None);
        assert_eq!(Verdict::Ready.waiting_message(), None);
    }
}

//! Before the first write: ownership checks and a server-side dry run of every object.

use crate::executor::{SyncSettings, options_for};
use crate::{ApplyError, Cluster, WriteMode, mark, owner_of};
use driftless_core::{ObjectKey, SyncStatus};
use driftless_diff::Comparer;
use driftless_plan::{Action, Plan, Step};
use futures::stream::{self, StreamExt};
use std::collections::HashSet;

/// What the preflight found.
#[derive(Debug, Default)]
pub(crate) struct Preflight {
    /// Objects another application tracks: skipped.
    pub shared: HashSet<ObjectKey>,
    /// Objects already in sync (only with `ApplyOutOfSyncOnly=true`): not written.
    pub in_sync: HashSet<ObjectKey>,
    /// Warnings for the result.
    pub warnings: Vec<String>,
}

enum Check {
    Ok,
    InSync(ObjectKey),
    Shared(ObjectKey, String),
    Rejected(ObjectKey, String),
    Warn(String),
    Failed(ApplyError),
}

/// Validates every write of `plan`; refuses the whole plan when the server rejects any object.
pub(crate) async fn run(
    cluster: &Cluster,
    comparer: &Comparer,
    known_in_sync: &HashSet<ObjectKey>,
    plan: &Plan,
    s: &SyncSettings,
) -> Result<Preflight, ApplyError> {
    // Namespaces the plan (or CreateNamespace) creates, and kinds whose CRD it applies, cannot
    // be validated before they exist.
    let planned_namespaces: HashSet<&str> = plan
        .steps
        .iter()
        .filter(|st| st.key.kind == "Namespace" && st.key.group.is_empty())
        .map(|st| st.key.name.as_str())
        .chain(
            s.namespace
                .as_deref()
                .filter(|_| s.options.create_namespace),
        )
        .collect();
    let planned_kinds: HashSet<(String, String)> = plan
        .steps
        .iter()
        .filter(|st| st.key.kind == "CustomResourceDefinition" && st.action != Action::Prune)
        .filter_map(|st| {
            let o = st.object.as_ref()?;
            Some((
                o.pointer("/spec/group")?.as_str()?.to_string(),
                o.pointer("/spec/names/kind")?.as_str()?.to_string(),
            ))
        })
        .collect();
    let ctx = Ctx {
        cluster,
        comparer,
        known_in_sync,
        s,
        planned_namespaces: &planned_namespaces,
        planned_kinds: &planned_kinds,
    };
    let checks =
        stream::iter(plan.steps.iter().filter(|st| {
            st.action != Action::Prune && st.phase != driftless_plan::Phase::SyncFail
        }))
        .map(|st| ctx.check(st))
        .buffer_unordered(s.concurrency.max(1))
        .collect::<Vec<_>>()
        .await;
    let mut out = Preflight::default();
    let mut rejected = Vec::new();
    for check in checks {
        match check {
            Check::Ok => {}
            Check::InSync(key) => {
                out.in_sync.insert(key);
            }
            Check::Shared(key, other) => {
                if s.options.fail_on_shared_resource {
                    return Err(ApplyError::SharedResource {
                        key,
                        other_app: other,
                    });
                }
                out.warnings.push(format!(
                    "{key} is tracked by application {other:?}; skipped (not taken over)"
                ));
                out.shared.insert(key);
            }
            Check::Warn(w) => out.warnings.push(w),
            Check::Rejected(key, msg) => rejected.push((key, msg)),
            Check::Failed(e) => return Err(e),
        }
    }
    if !rejected.is_empty() {
        rejected.sort_by(|a, b| a.0.cmp(&b.0));
        return Err(ApplyError::DryRunRejected(rejected));
    }
    out.warnings.sort();
    Ok(out)
}

struct Ctx<'a> {
    cluster: &'a Cluster,
    comparer: &'a Comparer,
    known_in_sync: &'a HashSet<ObjectKey>,
    s: &'a SyncSettings,
    planned_namespaces: &'a HashSet<&'a str>,
    planned_kinds: &'a HashSet<(String, String)>,
}

impl Ctx<'_> {
    async fn check(&self, st: &Step) -> Check {
        match self.check_inner(st).await {
            Ok(c) => c,
            Err(e) => Check::Failed(e),
        }
    }

    async fn check_inner(&self, st: &Step) -> Result<Check, ApplyError> {
        let (cluster, s, key) = (self.cluster, self.s, &st.key);
        let Some(obj) = &st.object else {
            return Ok(Check::Ok);
        };
        let opts = options_for(s, st)?;
        if cluster.resolve(key).await?.is_none() {
            let gk = (key.group.clone(), key.kind.clone());
            if self.planned_kinds.contains(&gk) || opts.skip_dry_run_on_missing_resource {
                // Its CRD comes in this sync: validated when applied.
                return Ok(Check::Ok);
            }
            return Ok(Check::Rejected(
                key.clone(),
                format!(
                    "the server does not serve kind {} in {} (is its CRD installed?)",
                    key.kind,
                    key.api_version()
                ),
            ));
        }
        let live = cluster.get(key).await?;
        if let Some(other) = live
            .as_ref()
            .and_then(|l| owner_of(l, s.tracking))
            .filter(|o| o != &s.app)
            && st.action != Action::Hook
        {
            return Ok(Check::Shared(key.clone(), other));
        }
        if st.action == Action::Update && live.is_some() && self.known_in_sync.contains(key) {
            return Ok(Check::InSync(key.clone()));
        }
        if live.is_none()
            && let Some(ns) = key.namespace.as_deref()
            && self.planned_namespaces.contains(ns)
            && cluster.get(&namespace_key(ns)).await?.is_none()
        {
            // Its namespace comes in this sync.
            return Ok(Check::Ok);
        }
        let mut obj = obj.clone();
        mark(&mut obj, &s.app, key, s.tracking);
        let written = if st.action == Action::Hook {
            if live.is_some() {
                // Re-created per its delete policy; the old one may differ in immutable fields.
                return Ok(Check::Ok);
            }
            cluster.create(key, &obj, true).await
        } else if opts.replace && live.is_some() && !opts.force {
            cluster.replace(key, &obj, true).await
        } else if opts.replace && opts.force {
            return Ok(Check::Ok);
        } else {
            let mode = WriteMode {
                dry_run: true,
                force: true,
                no_validate: !opts.validate,
            };
            cluster.apply(key, &obj, mode).await
        };
        match written {
            Ok(predicted) => {
                if opts.apply_out_of_sync_only
                    && st.action == Action::Update
                    && let Some(live) = &live
                    && self.comparer.compare_dry_run(&predicted, Some(live)).status
                        == SyncStatus::Synced
                {
                    return Ok(Check::InSync(key.clone()));
                }
                Ok(Check::Ok)
            }
            Err(ApplyError::Api { source, .. }) => {
                let reason = api_reason(&source);
                let code = match &source {
                    kube::Error::Api(s) => s.code,
                    _ => 0,
                };
                if opts.force && live.is_some() && (code == 422 || code == 409) {
                    Ok(Check::Warn(format!(
                        "{key}: the dry run refused the change ({reason}); Force=true deletes and re-creates it"
                    )))
                } else {
                    Ok(Check::Rejected(key.clone(), reason))
                }
            }
            Err(e) => Err(e),
        }
    }
}

pub(crate) fn namespace_key(ns: &str) -> ObjectKey {
    ObjectKey::new("v1", "Namespace", None, ns)
}

fn api_reason(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => s.message.clone(),
        other => other.to_string(),
    }
}

//! What the status says about an Application's sources, as Argo CD writes it: one source in
//! `sync.revision` / `comparedTo.source` / `sourceType`, several (`spec.sources`) in
//! `sync.revisions` / `comparedTo.sources` / `sourceTypes`, one entry per source in order. And
//! which revisions an operation asks for (`operation.sync.revision`, or for several sources
//! `operation.sync.revisions` with `sourcePositions`, as `argocd app sync --revisions` writes).

use crate::status;
use driftless_api::{
    Application, ApplicationConditionType as Cond, ApplicationSource, ApplicationStatus,
    ComparedTo, Operation, SyncStatus, SyncStatusCode,
};
use driftless_runtime::{Rendered, Target};

/// Records a comparison of `rendered` with the cluster in `st`: sync status, revisions, what was
/// compared, source types, and a RepeatedResourceWarning while objects repeat.
pub(crate) fn record_comparison(
    st: &mut ApplicationStatus,
    app: &Application,
    t: &Target,
    rendered: &Rendered,
    sync: SyncStatusCode,
) {
    let multi = t.is_multi_source();
    st.source_type = rendered
        .source_types
        .iter()
        .find(|s| !s.is_empty())
        .map(|s| s.as_str().into());
    st.source_types = if multi {
        rendered
            .source_types
            .iter()
            .map(|s| s.as_str().into())
            .collect()
    } else {
        Vec::new()
    };
    st.sync = Some(SyncStatus {
        status: sync,
        revision: if multi {
            String::new()
        } else {
            rendered.commit.clone()
        },
        revisions: if multi {
            rendered.revisions.clone()
        } else {
            Vec::new()
        },
        compared_to: Some(compared_to(app)),
        ..SyncStatus::default()
    });
    let repeated: Vec<&str> = rendered
        .warnings
        .iter()
        .filter(|w| w.contains("RepeatedResourceWarning"))
        .map(String::as_str)
        .collect();
    status::set_condition(
        &mut st.conditions,
        Cond::RepeatedResourceWarning,
        (!repeated.is_empty()).then(|| repeated.join("; ")),
    );
}

/// `status.sync.comparedTo`: the source (Argo CD writes an empty one, `{repoURL: ""}`, for
/// several sources) or the sources, the destination and the ignoreDifferences in force.
pub(crate) fn compared_to(app: &Application) -> ComparedTo {
    let multi = app.has_multiple_sources();
    ComparedTo {
        source: if multi {
            Some(ApplicationSource::default())
        } else {
            app.spec.source.clone()
        },
        destination: app.spec.destination.clone(),
        sources: app.spec.sources.clone(),
        ignore_differences: app.spec.ignore_differences.clone(),
        ..ComparedTo::default()
    }
}

/// The revisions (one per source) an operation asks for when they differ from what was just
/// rendered and from the spec's; `None` to sync what was rendered.
pub(crate) fn requested(t: &Target, rendered: &Rendered, op: &Operation) -> Option<Vec<String>> {
    let spec = spec_revisions(t);
    let wanted = operation_revisions(t, op)?;
    (wanted != spec && wanted != rendered.revisions).then_some(wanted)
}

/// The revisions (one per source of `t`) an operation syncs: its `revision` (one source) or
/// `revisions` at their `sourcePositions` (several) in place of the target's; `None` when the
/// operation names none.
pub(crate) fn operation_revisions(t: &Target, op: &Operation) -> Option<Vec<String>> {
    let sync = op.sync.as_ref()?;
    let spec = spec_revisions(t);
    if t.is_multi_source() {
        Some(per_source(
            &spec,
            &sync.revisions,
            sync.extra.get("sourcePositions"),
        ))
    } else {
        let wanted = sync.revision.trim();
        (!wanted.is_empty()).then(|| vec![wanted.to_string()])
    }
}

fn spec_revisions(t: &Target) -> Vec<String> {
    (0..t.source_count())
        .map(|i| t.source_target(i).revision)
        .collect()
}

/// The Application as an operation syncs it when the operation carries its own sources, as
/// Argo CD's rollback writes them (and its sync does): `operation.sync.sources` when not empty
/// (several sources), else `operation.sync.source` (one), in place of the spec's. `None` when
/// the operation names no source, or the spec's own.
pub(crate) fn overridden(app: &Application, op: &Operation) -> Option<Application> {
    let sync = op.sync.as_ref()?;
    let mut a = app.clone();
    if !sync.sources.is_empty() {
        if sync.sources == app.spec.sources {
            return None;
        }
        a.spec.sources = sync.sources.clone();
        a.spec.source = None;
    } else {
        let source = sync.source.as_ref()?;
        if !app.has_multiple_sources() && app.spec.source.as_ref() == Some(source) {
            return None;
        }
        a.spec.source = Some(source.clone());
        a.spec.sources = Vec::new();
    }
    Some(a)
}

/// The spec's revisions with those an operation names put in place: `revisions[k]` for the
/// 1-based source `positions[k]`, or, without positions, `revisions[i]` for source `i`.
fn per_source(
    spec: &[String],
    revisions: &[String],
    positions: Option<&serde_json::Value>,
) -> Vec<String> {
    let mut wanted = spec.to_vec();
    let positions: Vec<usize> = positions
        .and_then(|p| p.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
                .map(|p| p as usize)
                .collect()
        })
        .unwrap_or_default();
    for (k, revision) in revisions.iter().enumerate() {
        let at = if positions.is_empty() {
            Some(k)
        } else {
            positions.get(k).and_then(|p| p.checked_sub(1))
        };
        if let Some(slot) = at.and_then(|i| wanted.get_mut(i))
            && !revision.trim().is_empty()
        {
            *slot = revision.trim().to_string();
        }
    }
    wanted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_of_an_operation_go_to_their_sources() {
        let spec = ["main".to_string(), "dev".to_string(), "HEAD".to_string()];
        let revs = ["v2".to_string()];
        let at_two = serde_json::json!([2]);
        assert_eq!(
            per_source(&spec, &revs, Some(&at_two)),
            ["main", "v2", "HEAD"]
        );
        let all = ["a".to_string(), String::new(), "c".to_string()];
        assert_eq!(per_source(&spec, &all, None), ["a", "dev", "c"]);
        let out_of_range = serde_json::json!([7]);
        assert_eq!(per_source(&spec, &revs, Some(&out_of_range)), spec);
    }
}

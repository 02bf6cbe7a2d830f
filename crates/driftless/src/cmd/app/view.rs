//! Text views of Applications, laid out as `argocd app list|get|history|sync` print them.

use crate::cmd::output::table;
use driftless_api::{Application, ApplicationConditionType, OperationState, RevisionHistory, Time};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// `argocd app list` (wide): one row per Application.
pub fn list_table(apps: &[Application]) -> String {
    let rows: Vec<Vec<String>> = apps
        .iter()
        .map(|a| {
            let d = &a.spec.destination;
            let source = a
                .sources()
                .first()
                .map(|s| (*s).clone())
                .unwrap_or_default();
            vec![
                format!("{}/{}", a.namespace(), a.name()),
                d.server
                    .clone()
                    .filter(|s| !s.is_empty())
                    .or_else(|| d.name.clone())
                    .unwrap_or_default(),
                d.namespace.clone().unwrap_or_default(),
                a.project().to_string(),
                sync_status(a).to_string(),
                health_status(a).to_string(),
                sync_policy_short(a).to_string(),
                conditions_summary(a),
                source.repo_url.clone(),
                source.path.clone().unwrap_or_default(),
                source.target_revision.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(
        &[
            "NAME",
            "CLUSTER",
            "NAMESPACE",
            "PROJECT",
            "STATUS",
            "HEALTH",
            "SYNCPOLICY",
            "CONDITIONS",
            "REPO",
            "PATH",
            "TARGET",
        ],
        &rows,
    )
}

fn sync_status(a: &Application) -> &str {
    a.status
        .as_ref()
        .and_then(|s| s.sync.as_ref())
        .map(|s| s.status.as_str())
        .unwrap_or("Unknown")
}

fn health_status(a: &Application) -> &str {
    a.status
        .as_ref()
        .and_then(|s| s.health.as_ref())
        .and_then(|h| h.status.as_ref())
        .map(|h| h.as_str())
        .unwrap_or("Unknown")
}

/// `Manual`, `Auto` or `Auto-Prune` (Argo CD's `formatSyncPolicy`).
fn sync_policy_short(a: &Application) -> &'static str {
    match a.automated() {
        None => "Manual",
        Some(auto) if auto.prune => "Auto-Prune",
        Some(_) => "Auto",
    }
}

/// `<none>`, or the condition types with their counts (`SyncError,ComparisonError(2)`).
fn conditions_summary(a: &Application) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in a.status.iter().flat_map(|s| s.conditions.iter()) {
        *counts.entry(c.kind.as_str()).or_default() += 1;
    }
    if counts.is_empty() {
        return "<none>".into();
    }
    counts
        .iter()
        .map(|(k, n)| {
            if *n > 1 {
                format!("{k}({n})")
            } else {
                k.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn short(rev: &str) -> &str {
    &rev[..rev.len().min(7)]
}

fn time(t: &Option<Time>) -> String {
    t.as_ref().map(|t| t.0.to_string()).unwrap_or_default()
}

/// `argocd app get`: summary, conditions, the last operation and the resources.
pub fn details(a: &Application) -> String {
    let mut out = summary(a);
    let st = a.status.clone().unwrap_or_default();
    if !st.conditions.is_empty() {
        out.push('\n');
        let rows: Vec<Vec<String>> = st
            .conditions
            .iter()
            .map(|c| {
                vec![
                    c.kind.as_str().to_string(),
                    c.message.replace('\n', " "),
                    time(&c.last_transition_time),
                ]
            })
            .collect();
        out.push_str(&table(&["CONDITION", "MESSAGE", "LAST TRANSITION"], &rows));
    }
    if let Some(op) = &st.operation_state {
        out.push('\n');
        out.push_str(&operation(op));
    }
    out.push('\n');
    out.push_str(&resources_table(a));
    out
}

/// The `Name:` … `Health Status:` block.
pub fn summary(a: &Application) -> String {
    let mut out = String::new();
    let d = &a.spec.destination;
    let mut line = |k: &str, v: &str| {
        let _ = writeln!(out, "{:<20}{v}", format!("{k}:"));
    };
    line("Name", &format!("{}/{}", a.namespace(), a.name()));
    line("Project", a.project());
    line(
        "Server",
        d.server.as_deref().or(d.name.as_deref()).unwrap_or(""),
    );
    line("Namespace", d.namespace.as_deref().unwrap_or(""));
    if a.has_multiple_sources() {
        sources_block(a, &mut out);
    } else {
        for s in a.sources() {
            line("Repo", &s.repo_url);
            line("Target", s.target_revision.as_deref().unwrap_or(""));
            line("Path", s.path.as_deref().unwrap_or(""));
        }
    }
    let mut line = |k: &str, v: &str| {
        let _ = writeln!(out, "{:<20}{v}", format!("{k}:"));
    };
    let policy = match a.automated() {
        None => "Manual".to_string(),
        Some(auto) => {
            let mut extra = Vec::new();
            if auto.prune {
                extra.push("Prune");
            }
            if auto.self_heal {
                extra.push("SelfHeal");
            }
            if extra.is_empty() {
                "Automated".into()
            } else {
                format!("Automated ({})", extra.join(", "))
            }
        }
    };
    line("Sync Policy", &policy);
    let sync = a.status.as_ref().and_then(|s| s.sync.clone());
    let mut status = sync_status(a).to_string();
    if let Some(s) = &sync
        && !s.revision.is_empty()
    {
        let target = a
            .sources()
            .first()
            .map(|s| s.revision_or_head().to_string())
            .unwrap_or_default();
        let _ = write!(status, " to {target} ({})", short(&s.revision));
    }
    line("Sync Status", &status);
    let health = a.status.as_ref().and_then(|s| s.health.clone());
    let mut h = health_status(a).to_string();
    if let Some(m) = health.map(|h| h.message).filter(|m| !m.is_empty()) {
        let _ = write!(h, " ({m})");
    }
    line("Health Status", &h);
    let deps = a.dependencies();
    if !deps.is_empty() {
        line("Depends On", &deps.join(", "));
    }
    for (kind, label) in [
        (ApplicationConditionType::DependencyNotReady, "Waiting For"),
        (
            ApplicationConditionType::DependencyError,
            "Dependency Error",
        ),
    ] {
        if let Some(c) = a.status.as_ref().and_then(|s| s.condition(&kind)) {
            line(label, c.message.trim_start_matches("Waiting for: "));
        }
    }
    out
}

/// `Sources:` of a multi-source Application: each source with the revision it was compared at
/// (`status.sync.revisions`, in source order).
fn sources_block(a: &Application, out: &mut String) {
    let revisions = a
        .status
        .as_ref()
        .and_then(|s| s.sync.as_ref())
        .map(|s| s.revisions.clone())
        .unwrap_or_default();
    let _ = writeln!(out, "Sources:");
    for (i, s) in a.spec.sources.iter().enumerate() {
        let mut first = true;
        let mut item = |k: &str, v: &str| {
            let lead = if std::mem::take(&mut first) {
                "- "
            } else {
                "  "
            };
            let _ = writeln!(out, "{lead}{:<18}{v}", format!("{k}:"));
        };
        item("Repo", &s.repo_url);
        item("Target", s.revision_or_head());
        if let Some(p) = s.path.as_deref().filter(|p| !p.is_empty()) {
            item("Path", p);
        }
        if let Some(c) = s.chart.as_deref().filter(|c| !c.is_empty()) {
            item("Chart", c);
        }
        if let Some(r) = s.ref_name.as_deref().filter(|r| !r.is_empty()) {
            item("Ref", r);
        }
        if let Some(rev) = revisions.get(i).filter(|r| !r.is_empty()) {
            item("Revision", short(rev));
        }
    }
}

/// The `Operation:` … `Message:` block of the last operation.
pub fn operation(op: &OperationState) -> String {
    let mut out = String::new();
    let mut line = |k: &str, v: &str| {
        let _ = writeln!(out, "{:<20}{v}", format!("{k}:"));
    };
    line("Operation", "Sync");
    let revisions = op
        .sync_result
        .as_ref()
        .map(|r| r.revisions.clone())
        .filter(|r| !r.is_empty())
        .or_else(|| op.operation.sync.as_ref().map(|s| s.revisions.clone()))
        .unwrap_or_default();
    let revision = if revisions.is_empty() {
        op.sync_result
            .as_ref()
            .and_then(|r| r.revision.clone())
            .or_else(|| op.operation.sync.as_ref().map(|s| s.revision.clone()))
            .unwrap_or_default()
    } else {
        revisions.join(", ")
    };
    line("Sync Revision", &revision);
    line("Phase", op.phase.as_str());
    line("Start", &time(&op.started_at));
    line("Finished", &time(&op.finished_at));
    if let (Some(s), Some(f)) = (&op.started_at, &op.finished_at) {
        let d = f.0.duration_since(s.0);
        line("Duration", &format!("{}s", d.as_secs()));
    }
    line("Message", &op.message);
    out
}

/// GROUP KIND NAMESPACE NAME STATUS HEALTH HOOK MESSAGE: the tracked objects, with the last
/// operation's message per object.
pub fn resources_table(a: &Application) -> String {
    let st = a.status.clone().unwrap_or_default();
    let results = st
        .operation_state
        .as_ref()
        .and_then(|o| o.sync_result.clone())
        .map(|r| r.resources)
        .unwrap_or_default();
    let message = |group: &str, kind: &str, ns: &str, name: &str| {
        results
            .iter()
            .find(|r| {
                r.group.as_deref().unwrap_or("") == group
                    && r.kind.as_deref() == Some(kind)
                    && r.namespace.as_deref().unwrap_or("") == ns
                    && r.name.as_deref() == Some(name)
            })
            .map(|r| r.message.clone())
            .unwrap_or_default()
    };
    let rows: Vec<Vec<String>> = st
        .resources
        .iter()
        .map(|r| {
            vec![
                r.group.clone(),
                r.kind.clone(),
                r.namespace.clone(),
                r.name.clone(),
                r.status
                    .as_ref()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                r.health
                    .as_ref()
                    .and_then(|h| h.status.as_ref())
                    .map(|h| h.as_str().to_string())
                    .unwrap_or_default(),
                if r.hook { "Hook".into() } else { String::new() },
                message(&r.group, &r.kind, &r.namespace, &r.name),
            ]
        })
        .collect();
    table(
        &[
            "GROUP",
            "KIND",
            "NAMESPACE",
            "NAME",
            "STATUS",
            "HEALTH",
            "HOOK",
            "MESSAGE",
        ],
        &rows,
    )
}

/// The result of a sync: per object, as the operation recorded it.
pub fn sync_result_table(op: &OperationState) -> String {
    let rows: Vec<Vec<String>> = op
        .sync_result
        .iter()
        .flat_map(|r| r.resources.iter())
        .map(|r| {
            vec![
                r.group.clone().unwrap_or_default(),
                r.kind.clone().unwrap_or_default(),
                r.namespace.clone().unwrap_or_default(),
                r.name.clone().unwrap_or_default(),
                r.status
                    .as_ref()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                r.hook_type
                    .as_ref()
                    .map(|h| h.as_str().to_string())
                    .unwrap_or_default(),
                r.message.replace('\n', "; "),
            ]
        })
        .collect();
    table(
        &[
            "GROUP",
            "KIND",
            "NAMESPACE",
            "NAME",
            "STATUS",
            "HOOK",
            "MESSAGE",
        ],
        &rows,
    )
}

/// `argocd app history`: ID, DATE, REVISION (the target revision with the commit).
pub fn history_table(history: &[RevisionHistory]) -> String {
    let rows: Vec<Vec<String>> = history
        .iter()
        .map(|h| {
            let target = h
                .source
                .as_ref()
                .and_then(|s| s.target_revision.clone())
                .filter(|t| !t.is_empty() && *t != h.revision);
            let revision = match target {
                Some(t) => format!("{t} ({})", h.revision),
                None => h.revision.clone(),
            };
            vec![h.id.to_string(), time(&h.deployed_at), revision]
        })
        .collect();
    table(&["ID", "DATE", "REVISION"], &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_shows_each_source_with_its_revision() {
        let a = Application::from_yaml(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: shop, namespace: argocd}\nspec:\n  destination: {namespace: shop}\n  sources:\n    - {repoURL: 'https://git.example.com/charts.git', path: chart, targetRevision: main}\n    - {repoURL: 'https://git.example.com/values.git', ref: values}\nstatus:\n  sync:\n    status: Synced\n    revisions: [0123456789abcdef, fedcba9876543210]\n",
        )
        .unwrap();
        let out = summary(&a);
        assert!(out.contains("Sources:\n- Repo:"), "{out}");
        assert!(out.contains("  Target:           main"), "{out}");
        assert!(out.contains("  Ref:              values"), "{out}");
        let charts = out.find("charts.git").unwrap();
        let values = out.find("values.git").unwrap();
        let first = out.find(&format!("Revision:         {}", short("0123456789abcdef")));
        let second = out.find(&format!("Revision:         {}", short("fedcba9876543210")));
        assert!(
            first.is_some_and(|f| charts < f && f < values) && second.is_some_and(|s| values < s),
            "{out}"
        );
        assert!(out.contains("Sync Status:        Synced\n"), "{out}");
    }

    #[test]
    fn summary_says_what_an_application_waits_for() {
        let a = Application::from_yaml(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: staging\n  namespace: argocd\n  annotations: {driftless.dev/depends-on: dev}\nspec:\n  source: {repoURL: r, path: p}\n  dependsOn: [db]\nstatus:\n  conditions:\n  - {type: DependencyNotReady, message: 'Waiting for: dev (OutOfSync, Progressing)'}\n",
        )
        .expect("application");
        let s = summary(&a);
        assert!(s.contains("Depends On:         dev, db\n"), "{s}");
        assert!(
            s.contains("Waiting For:        dev (OutOfSync, Progressing)\n"),
            "{s}"
        );
    }
}

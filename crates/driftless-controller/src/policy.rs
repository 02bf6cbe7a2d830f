//! Argo CD's rules for starting a sync, as pure functions of what the Application records.

use driftless_api::{Application, OperationPhase, SyncStatusCode};
use std::time::Duration;

/// What the reconcile should do about syncing.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Nothing.
    None,
    /// Start an automated sync of the current revision (all objects).
    AutoSync,
    /// Sync only the drifted objects (self-heal), attempt number `attempt` (1-based).
    SelfHeal {
        /// How many self-heals were made since the Application was last in sync, plus one.
        attempt: u64,
    },
    /// Self-heal is due, but not before this much time has passed.
    SelfHealLater(Duration),
    /// Automated sync will not retry a revision whose sync failed: a SyncError says so.
    FailedRevision(String),
}

/// The inputs of [`decide`].
#[derive(Debug, Clone)]
pub struct Observed<'a> {
    /// The Application as read.
    pub app: &'a Application,
    /// Its comparison now.
    pub sync: SyncStatusCode,
    /// The commits compared, one per source (`status.sync.revision` / `revisions`).
    pub revisions: &'a [String],
    /// Self-heals done since last in sync, and how long since the last one.
    pub self_heal_attempts: u64,
    /// Time since the last self-heal (None: none yet).
    pub since_last_self_heal: Option<Duration>,
    /// The render is empty while objects are tracked.
    pub empty_render: bool,
}

/// Argo CD's `autoSync`: sync when automated and OutOfSync, one attempt per revision; at the
/// same revision only self-heal (when on) syncs again, after its back-off; never with an
/// operation running, never an empty render unless `allowEmpty`.
pub fn decide(o: &Observed<'_>, self_heal: &driftless_api::SelfHealBackoff) -> Decision {
    let Some(auto) = o.app.automated() else {
        return Decision::None;
    };
    if o.app.operation.is_some() || o.sync != SyncStatusCode::OutOfSync {
        return Decision::None;
    }
    if o.empty_render && !auto.allow_empty {
        return Decision::None;
    }
    let last = o
        .app
        .status
        .as_ref()
        .and_then(|s| s.operation_state.as_ref());
    // "Once per revision": a multi-source Application's revision is its list of revisions, so
    // a new commit in any source is a new revision.
    let same = |revision: &str, revisions: &[String]| {
        if revisions.is_empty() {
            o.revisions.len() == 1 && o.revisions[0] == revision
        } else {
            revisions == o.revisions
        }
    };
    let attempted = last.filter(|st| {
        st.operation
            .sync
            .as_ref()
            .is_some_and(|s| same(&s.revision, &s.revisions))
            || st
                .sync_result
                .as_ref()
                .is_some_and(|r| same(r.revision.as_deref().unwrap_or_default(), &r.revisions))
    });
    let Some(state) = attempted else {
        return Decision::AutoSync;
    };
    let succeeded = state.phase == OperationPhase::Succeeded;
    if !succeeded {
        if state.phase == OperationPhase::Running {
            return Decision::None;
        }
        return Decision::FailedRevision(format!(
            "Failed sync attempt to {}: {}",
            o.revisions.join(", "),
            state.message
        ));
    }
    if !auto.self_heal {
        return Decision::None;
    }
    let wait = self_heal.remaining(o.self_heal_attempts, o.since_last_self_heal);
    if wait.is_zero() {
        Decision::SelfHeal {
            attempt: o.self_heal_attempts + 1,
        }
    } else {
        Decision::SelfHealLater(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(yaml: &str) -> Application {
        Application::from_yaml(yaml).expect("application")
    }

    const AUTO: &str = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n  source: {repoURL: r, path: p}\n  destination: {namespace: n}\n  syncPolicy: {automated: {selfHeal: true}}\n";

    fn observed<'a>(app: &'a Application, revisions: &'a [String]) -> Observed<'a> {
        Observed {
            app,
            sync: SyncStatusCode::OutOfSync,
            revisions,
            self_heal_attempts: 0,
            since_last_self_heal: None,
            empty_render: false,
        }
    }

    fn c1() -> String {
        "c1".into()
    }

    fn c2() -> String {
        "c2".into()
    }

    fn with_state(phase: &str, revision: &str) -> Application {
        app(&format!(
            "{AUTO}status:\n  operationState:\n    phase: {phase}\n    message: boom\n    operation: {{sync: {{revision: {revision}}}}}\n"
        ))
    }

    #[test]
    fn a_new_revision_is_synced_once() {
        let sh = driftless_api::SelfHealBackoff::default();
        let a = app(AUTO);
        assert_eq!(decide(&observed(&a, &[c1()]), &sh), Decision::AutoSync);
        let failed = with_state("Failed", "c1");
        assert!(matches!(
            decide(&observed(&failed, &[c1()]), &sh),
            Decision::FailedRevision(m) if m.contains("c1") && m.contains("boom")
        ));
        assert_eq!(decide(&observed(&failed, &[c2()]), &sh), Decision::AutoSync);
    }

    #[test]
    fn drift_at_a_synced_revision_self_heals_after_the_back_off() {
        let sh = driftless_api::SelfHealBackoff::default();
        let a = with_state("Succeeded", "c1");
        let revs = [c1()];
        let mut o = observed(&a, &revs);
        assert_eq!(decide(&o, &sh), Decision::SelfHeal { attempt: 1 });
        o.self_heal_attempts = 1;
        o.since_last_self_heal = Some(Duration::from_secs(1));
        assert_eq!(
            decide(&o, &sh),
            Decision::SelfHealLater(Duration::from_secs(1))
        );
        let off = app(&format!(
            "{}status:\n  operationState:\n    phase: Succeeded\n    operation: {{sync: {{revision: c1}}}}\n",
            AUTO.replace("selfHeal: true", "selfHeal: false")
        ));
        assert_eq!(decide(&observed(&off, &[c1()]), &sh), Decision::None);
    }

    #[test]
    fn nothing_without_automation_or_with_an_empty_render() {
        let sh = driftless_api::SelfHealBackoff::default();
        let manual = app(&AUTO.replace("  syncPolicy: {automated: {selfHeal: true}}\n", ""));
        assert_eq!(decide(&observed(&manual, &[c1()]), &sh), Decision::None);
        let a = app(AUTO);
        let revs = [c1()];
        let mut o = observed(&a, &revs);
        o.empty_render = true;
        assert_eq!(decide(&o, &sh), Decision::None);
        o.empty_render = false;
        o.sync = SyncStatusCode::Synced;
        assert_eq!(decide(&o, &sh), Decision::None);
    }

    #[test]
    fn a_change_in_any_source_is_a_new_revision() {
        let sh = driftless_api::SelfHealBackoff::default();
        let failed = app(&format!(
            "{AUTO}status:\n  operationState:\n    phase: Failed\n    message: boom\n    operation: {{sync: {{revisions: [a1, v1]}}}}\n"
        ));
        let same = ["a1".to_string(), "v1".to_string()];
        assert!(matches!(
            decide(&observed(&failed, &same), &sh),
            Decision::FailedRevision(m) if m.contains("a1, v1")
        ));
        let values_moved = ["a1".to_string(), "v2".to_string()];
        assert_eq!(
            decide(&observed(&failed, &values_moved), &sh),
            Decision::AutoSync
        );
    }
}

//! The plan value: ordered steps, grouped for execution.

use crate::{HookDeletePolicy, Phase};
use driftless_core::ObjectKey;
use serde::Serialize;
use std::collections::BTreeMap;

/// What a step does to its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Apply an object that is not live yet.
    Create,
    /// Apply an object that is live (it may or may not differ).
    Update,
    /// Delete a tracked live object that left the render.
    Prune,
    /// Create (and later delete, per policy) a hook object.
    Hook,
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Prune => "prune",
            Action::Hook => "hook",
        })
    }
}

/// Hook details of a hook step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HookInfo {
    /// When the hook object is deleted.
    pub delete_policies: Vec<HookDeletePolicy>,
    /// True when the name was generated from `metadata.generateName`.
    pub generated_name: bool,
}

/// One action on one object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Position in [`Plan::steps`].
    pub index: usize,
    /// Phase the step runs in.
    pub phase: Phase,
    /// Effective wave (after Namespace/CRD moves, prune reversal, PruneLast).
    pub wave: i64,
    /// DAG level inside its phase and wave: steps of one level may run
    /// together once every lower level is done (prunes are level 0 of a wave
    /// that has any).
    pub level: usize,
    /// What to do.
    pub action: Action,
    /// The object (for generated hook names, the generated name).
    pub key: ObjectKey,
    /// Hook details, for [`Action::Hook`] steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hook: Option<HookInfo>,
    /// Sync options: the application's, overridden by the object's
    /// `argocd.argoproj.io/sync-options` (of the live object for prunes).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sync_options: BTreeMap<String, String>,
    /// Indexes of the steps this one waits for (explicit `driftless.dev/depends-on`
    /// and automatic Namespace/CRD edges), including ones in earlier waves.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<usize>,
    /// Where the object was rendered from (none for prunes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The desired object to apply or create (`None` for prunes). Not
    /// serialized: plans printed as JSON never carry object contents.
    #[serde(skip)]
    pub object: Option<serde_json::Value>,
}

/// A tracked live object that should be pruned but is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kept {
    /// The live object.
    pub key: ObjectKey,
    /// Why it is not pruned (`Prune=false`, `Delete=false`, pruning disabled…).
    pub reason: String,
}

/// A rendered object that the plan does not act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The object.
    pub key: ObjectKey,
    /// Why (e.g. `argocd.argoproj.io/hook: Skip`).
    pub reason: String,
}

/// A sync plan: every step in execution order.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Plan {
    /// All steps, ordered by phase, wave, DAG level, kind order, name;
    /// `SyncFail` steps last (they run only when the sync fails).
    pub steps: Vec<Step>,
    /// Live objects requiring pruning that are kept.
    pub kept: Vec<Kept>,
    /// Rendered objects not applied (Skip hooks, hooks of no supported phase).
    pub skipped: Vec<Skipped>,
}

/// Steps that can run together: one DAG level of one wave of one phase.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveGroup<'a> {
    /// The phase.
    pub phase: Phase,
    /// The wave.
    pub wave: i64,
    /// The DAG level within the wave.
    pub level: usize,
    /// The steps, in kind and name order.
    pub steps: Vec<&'a Step>,
}

impl WaveGroup<'_> {
    /// True when this is the last group of its wave (time to wait for health).
    pub fn ends_wave(&self, next: Option<&WaveGroup<'_>>) -> bool {
        next.is_none_or(|n| (n.phase, n.wave) != (self.phase, self.wave))
    }
}

impl Plan {
    /// Groups of the normal run (PreSync, Sync, PostSync), in order.
    ///
    /// ```
    /// let plan = driftless_plan::Plan::default();
    /// assert_eq!(plan.wave_groups().count(), 0);
    /// ```
    pub fn wave_groups(&self) -> impl Iterator<Item = WaveGroup<'_>> {
        groups(self.steps.iter().filter(|s| s.phase != Phase::SyncFail))
    }

    /// Groups of the SyncFail hooks, run only when the sync fails.
    pub fn sync_fail_groups(&self) -> impl Iterator<Item = WaveGroup<'_>> {
        groups(self.steps.iter().filter(|s| s.phase == Phase::SyncFail))
    }

    /// Steps that prune.
    pub fn prunes(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.action == Action::Prune)
    }

    /// The first step acting on `key` (hooks may have one step per phase).
    pub fn step_for(&self, key: &ObjectKey) -> Option<&Step> {
        self.steps.iter().find(|s| &s.key == key)
    }

    /// True when there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The plan as JSON (no object contents).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("plan serializes")
    }
}

fn groups<'a>(steps: impl Iterator<Item = &'a Step>) -> impl Iterator<Item = WaveGroup<'a>> {
    let mut out: Vec<WaveGroup<'a>> = Vec::new();
    for s in steps {
        match out.last_mut() {
            Some(g) if (g.phase, g.wave, g.level) == (s.phase, s.wave, s.level) => g.steps.push(s),
            _ => out.push(WaveGroup {
                phase: s.phase,
                wave: s.wave,
                level: s.level,
                steps: vec![s],
            }),
        }
    }
    out.into_iter()
}

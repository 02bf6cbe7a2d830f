//! Progress of a sync, reported as events so the CLI, the controller's status and a UI show the same.

use driftless_core::{Health, ObjectKey};

/// What the applier did to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Action {
    /// Created or updated by server-side apply.
    Applied,
    /// Replaced (`Replace=true`).
    Replaced,
    /// Created (hooks).
    Created,
    /// Left as is (already in sync with `ApplyOutOfSyncOnly=true`).
    Unchanged,
    /// Deleted because it left Git.
    Pruned,
    /// Would be pruned but `Prune=false`/`Delete=false` or pruning is off.
    PruneSkipped,
    /// A hook deleted per its delete policy.
    HookDeleted,
    /// Not written: another application tracks it.
    Skipped,
    /// The write failed (the sync stops).
    Failed,
    /// Dry run: the server accepted the object; nothing was written.
    Validated,
    /// Dry run: the object would be pruned.
    WouldPrune,
}

/// One step of progress.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum SyncEvent {
    /// The dry run of the whole plan began.
    DryRun {
        /// Objects validated.
        objects: usize,
    },
    /// A wave began.
    WaveStarted {
        /// Phase name (`PreSync`, `Sync`, `PostSync`, `SyncFail`).
        phase: String,
        /// Wave number.
        wave: i64,
        /// Objects in the wave.
        objects: usize,
    },
    /// An object was written (or skipped).
    Object {
        /// The object.
        key: ObjectKey,
        /// What happened.
        action: Action,
    },
    /// An object's health as last seen while waiting.
    Health {
        /// The object.
        key: ObjectKey,
        /// Its health.
        health: Health,
    },
    /// A wave finished, all its objects healthy.
    WaveDone {
        /// Phase name.
        phase: String,
        /// Wave number.
        wave: i64,
    },
    /// A warning that does not stop the sync.
    Warning(String),
}

/// Receives sync progress.
pub trait Observer: Send + Sync {
    /// Called for every event, in order.
    fn event(&self, event: &SyncEvent);

    /// Asked before each wave after the first and at every health poll: `Some(reason)` stops
    /// the sync there with [`crate::ApplyError::Stopped`] (an operator terminating the
    /// operation, a controller shutting down). No SyncFail hook runs and nothing more is
    /// written. The default never stops.
    fn stop(&self) -> Option<String> {
        None
    }
}

/// Discards events.
pub struct NoObserver;

impl Observer for NoObserver {
    fn event(&self, _: &SyncEvent) {}
}

impl<F: Fn(&SyncEvent) + Send + Sync> Observer for F {
    fn event(&self, event: &SyncEvent) {
        self(event)
    }
}

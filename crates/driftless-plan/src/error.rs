//! Planning errors.

use driftless_core::ObjectKey;

/// Why a plan could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The same object was rendered twice.
    #[error("{key} is rendered twice: {first} and {second}")]
    Duplicate {
        /// The object.
        key: ObjectKey,
        /// Where it was first rendered.
        first: String,
        /// Where it was rendered again.
        second: String,
    },
    /// A `driftless.dev/depends-on` entry cannot be parsed.
    #[error("{object}: invalid driftless.dev/depends-on entry {entry:?}: {reason}")]
    InvalidDependency {
        /// The object carrying the annotation.
        object: ObjectKey,
        /// The offending entry.
        entry: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A dependency names no object of the application.
    #[error("{object}: driftless.dev/depends-on {entry:?} matches no object of the application")]
    DependencyNotFound {
        /// The object carrying the annotation.
        object: ObjectKey,
        /// The unresolved entry.
        entry: String,
    },
    /// A dependency matches several objects of different groups.
    #[error(
        "{object}: driftless.dev/depends-on {entry:?} is ambiguous, it matches {matches}; qualify the kind with its group (Kind.group)"
    )]
    AmbiguousDependency {
        /// The object carrying the annotation.
        object: ObjectKey,
        /// The ambiguous entry.
        entry: String,
        /// The candidates, comma separated.
        matches: String,
    },
    /// A dependency runs in a later phase or wave than its dependent.
    #[error(
        "{object} (phase {phase}, wave {wave}) depends on {dependency} which runs later (phase {dep_phase}, wave {dep_wave}); move one of them to another wave"
    )]
    DependencyRunsLater {
        /// The dependent object.
        object: ObjectKey,
        /// Its phase.
        phase: crate::Phase,
        /// Its wave.
        wave: i64,
        /// The dependency.
        dependency: ObjectKey,
        /// The dependency's phase.
        dep_phase: crate::Phase,
        /// The dependency's wave.
        dep_wave: i64,
    },
    /// The dependencies within a wave form a cycle.
    #[error("dependency cycle between {}", .objects.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(" -> "))]
    Cycle {
        /// Every object of the cycle, in dependency order.
        objects: Vec<ObjectKey>,
    },
}

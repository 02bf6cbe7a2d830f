//! Semantic versions and constraints of charts (dependency ranges, Helm's
//! `IsCompatibleRange`; `kubeVersion`): the one Masterminds/semver v3
//! implementation of this crate, shared with the `semver` and
//! `semverCompare` template functions ([`crate::funcs::semver`]).

pub use crate::funcs::semver::Version;
use crate::funcs::semver::semver_compare;

/// Whether `version` satisfies `constraint` (Helm's `IsCompatibleRange`):
/// `||` alternatives of comma/space-separated comparisons with `=`, `!=`,
/// `>`, `>=`, `<`, `<=`, `~`, `^`, `x` wildcards and `a - b` ranges. A
/// constraint or version that does not parse (or an empty constraint) gives
/// `false`.
///
/// ```
/// use driftless_helm::chart::semver::satisfies;
/// assert!(satisfies("^1.2.0", "1.9.1"));
/// assert!(!satisfies("~1.2.0", "1.3.0"));
/// assert!(satisfies(">=0.1.0, <1", "0.5.0"));
/// assert!(satisfies("0.1.x || 2", "2.0.0"));
/// assert!(!satisfies("", "1.0.0"));
/// assert!(!satisfies(">=1.0", "not-a-version"));
/// ```
pub fn satisfies(constraint: &str, version: &str) -> bool {
    !constraint.trim().is_empty() && semver_compare(constraint, version).unwrap_or(false)
}

//! How soon a set must be generated again: Argo CD's `getMinRequeueAfter`, the
//! smallest non-zero `GetRequeueAfter` of its generators (matrix and merge take
//! their children's).

use std::time::Duration;

use serde_json::Value;

/// Default interval of the git and `clusterDecisionResource` generators.
pub const DEFAULT_REQUEUE: Duration = Duration::from_secs(3 * 60);
/// Default interval of the `scmProvider`, `pullRequest` and plugin generators.
pub const DEFAULT_PROVIDER_REQUEUE: Duration = Duration::from_secs(30 * 60);

/// The interval one generator entry asks for; `None` for none (list, clusters).
fn of_entry(entry: &Value) -> Option<Duration> {
    let mut min: Option<Duration> = None;
    for kind in super::KINDS {
        let Some(spec) = entry.get(*kind).filter(|v| !v.is_null()) else {
            continue;
        };
        let t = match *kind {
            "matrix" | "merge" => children(spec),
            _ => {
                let default = match *kind {
                    "git" | "clusterDecisionResource" => Some(DEFAULT_REQUEUE),
                    "scmProvider" | "pullRequest" | "plugin" => Some(DEFAULT_PROVIDER_REQUEUE),
                    _ => None,
                };
                match spec.get("requeueAfterSeconds").and_then(Value::as_u64) {
                    Some(s) if default.is_some() => Some(Duration::from_secs(s)),
                    _ => default,
                }
            }
        };
        min = smallest(min, t);
    }
    min
}

fn children(spec: &Value) -> Option<Duration> {
    spec.get("generators")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .fold(None, |m, g| smallest(m, of_entry(g)))
}

/// The smaller of two intervals, a zero or absent one ignored.
fn smallest(a: Option<Duration>, b: Option<Duration>) -> Option<Duration> {
    match (a.filter(|d| !d.is_zero()), b.filter(|d| !d.is_zero())) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

/// How long after a generation the set `appset` must be generated again for
/// its generators' sources to be polled (`requeueAfterSeconds`, or Argo CD's
/// defaults: 3 minutes for git and `clusterDecisionResource`, 30 minutes for
/// `scmProvider`, `pullRequest` and plugin). `None` when no generator asks
/// (list and clusters generators follow watched objects instead).
///
/// ```
/// use std::time::Duration;
/// let set = serde_json::json!({"spec": {"generators": [
///     {"list": {"elements": []}},
///     {"matrix": {"generators": [{"plugin": {"configMapRef": {"name": "p"}, "requeueAfterSeconds": 20}},
///                                {"pullRequest": {}}]}}]}});
/// assert_eq!(driftless_appset::requeue_after(&set), Some(Duration::from_secs(20)));
/// ```
pub fn requeue_after(appset: &Value) -> Option<Duration> {
    appset
        .pointer("/spec/generators")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .fold(None, |m, g| smallest(m, of_entry(g)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_and_overrides() {
        let set = |g: Value| json!({"spec": {"generators": [g]}});
        assert_eq!(requeue_after(&set(json!({"list": {}}))), None);
        assert_eq!(requeue_after(&set(json!({"clusters": {}}))), None);
        assert_eq!(
            requeue_after(&set(json!({"git": {}}))),
            Some(DEFAULT_REQUEUE)
        );
        assert_eq!(
            requeue_after(&set(json!({"scmProvider": {}}))),
            Some(DEFAULT_PROVIDER_REQUEUE)
        );
        assert_eq!(
            requeue_after(&set(json!({"pullRequest": {"requeueAfterSeconds": 60}}))),
            Some(Duration::from_secs(60))
        );
        // Zero asks for nothing.
        assert_eq!(
            requeue_after(&set(json!({"plugin": {"requeueAfterSeconds": 0}}))),
            None
        );
        assert_eq!(
            requeue_after(&set(json!({"merge": {"generators": [
                {"clusterDecisionResource": {}}, {"matrix": {"generators": [{"git": {"requeueAfterSeconds": 30}}]}}]}}))),
            Some(Duration::from_secs(30))
        );
    }
}

//! Settings of the workload simulation.

use std::time::Duration;

/// Annotation on a Pod (or a workload's pod template): how long after the
/// containers start the pod becomes Ready (`5s`, `500ms`, `1m`, or `never`).
pub const READY_AFTER: &str = "sim.driftless.dev/ready-after";
/// Annotation on a Pod or pod template: `"true"` makes its containers crash
/// (CrashLoopBackOff; a Job's pods fail).
pub const FAIL: &str = "sim.driftless.dev/fail";
/// Annotation on a Pod or pod template: the containers run (and become Ready)
/// normally, then crash from this long after starting on (`30s`): a workload
/// going from Healthy to Degraded.
pub const CRASH_AFTER: &str = "sim.driftless.dev/crash-after";
/// Annotation on a Pod or pod template: how long its containers run before
/// completing (Job pods complete after [`WorkloadConfig::job_duration`] without it).
pub const COMPLETE_AFTER: &str = "sim.driftless.dev/complete-after";
/// Annotation on an HPA: the simulated average utilization (percent) of its
/// metrics; without it the metric sits exactly on target (no scaling beyond
/// `minReplicas`/`maxReplicas`).
pub const UTILIZATION: &str = "sim.driftless.dev/utilization";

/// Settings of the workload controllers.
#[derive(Debug, Clone)]
pub struct WorkloadConfig {
    /// Names of the simulated nodes (DaemonSets run one pod on each; pods are
    /// scheduled round-robin). Default: `["sim-node-1"]`.
    pub nodes: Vec<String>,
    /// From scheduling to containers running (image pull, create, start).
    pub start_delay: Duration,
    /// From containers running to Ready (unless the pod's `ready-after` annotation says otherwise).
    pub ready_delay: Duration,
    /// How long a Job's pod runs before it succeeds.
    pub job_duration: Duration,
    /// Time between restarts of a crashing container (the back-off, shortened).
    pub crash_interval: Duration,
    /// How often time-driven transitions are checked while some are pending.
    pub tick: Duration,
    /// Events older than this are deleted (kube-apiserver's `--event-ttl`, default 1h).
    pub event_ttl: Duration,
}

impl Default for WorkloadConfig {
    fn default() -> Self {
        Self {
            nodes: vec!["sim-node-1".to_string()],
            start_delay: Duration::from_millis(200),
            ready_delay: Duration::from_millis(500),
            job_duration: Duration::from_millis(500),
            crash_interval: Duration::from_secs(2),
            tick: Duration::from_millis(100),
            event_ttl: Duration::from_secs(3600),
        }
    }
}

/// Parses `500ms`, `5s`, `2m`, `1h` or a bare number of seconds.
///
/// ```
/// use driftless_sim::controllers::parse_duration;
/// use std::time::Duration;
/// assert_eq!(parse_duration("5s"), Some(Duration::from_secs(5)));
/// assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
/// assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
/// assert_eq!(parse_duration("soon"), None);
/// ```
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (num, unit) = s.split_at(
        s.find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(s.len()),
    );
    let n: f64 = num.parse().ok()?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    };
    Some(Duration::from_secs_f64(secs))
}

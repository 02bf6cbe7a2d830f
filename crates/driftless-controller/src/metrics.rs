//! Prometheus metrics of the controller, served on `/metrics`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Bucket upper bounds of the reconcile-duration histogram, in seconds.
const BUCKETS: &[f64] = &[0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// A duration histogram: cumulative bucket counts, sum and count.
#[derive(Default)]
struct Histogram(Mutex<(Vec<u64>, f64, u64)>);

impl Histogram {
    fn observe(&self, d: Duration) {
        let mut h = self.0.lock().expect("metrics");
        if h.0.is_empty() {
            h.0 = vec![0; BUCKETS.len()];
        }
        let s = d.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if s <= *b {
                h.0[i] += 1;
            }
        }
        h.1 += s;
        h.2 += 1;
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        let h = self.0.lock().expect("metrics");
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "{name}_bucket{{le=\"{b}\"}} {}",
                h.0.get(i).copied().unwrap_or(0)
            );
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{le=\"+Inf\"}} {}\n{name}_sum {}\n{name}_count {}",
            h.2, h.1, h.2
        );
    }
}

/// Counters and histograms.
#[derive(Default)]
pub struct Metrics {
    /// Status writes made.
    pub status_writes: AtomicU64,
    syncs: Mutex<BTreeMap<String, u64>>,
    reconcile: Histogram,
    git_fetch: Histogram,
    /// Kubernetes API requests by verb and response code (see [`Metrics::instrument`]).
    api_requests: Mutex<BTreeMap<(&'static str, String), u64>>,
    apps: Mutex<BTreeMap<String, (String, String)>>,
}

impl Metrics {
    /// Records a finished sync by phase.
    pub fn record_sync(&self, phase: &str) {
        *self
            .syncs
            .lock()
            .expect("metrics")
            .entry(phase.to_string())
            .or_default() += 1;
    }

    /// Records one reconcile's duration.
    pub fn observe_reconcile(&self, d: Duration) {
        self.reconcile.observe(d);
    }

    /// Records one Git fetch's duration (the engine reports each fetch of a repository).
    pub fn observe_git_fetch(&self, d: Duration) {
        self.git_fetch.observe(d);
    }

    /// Records one Kubernetes API request.
    pub fn record_api_request(&self, verb: &'static str, code: &str) {
        *self
            .api_requests
            .lock()
            .expect("metrics")
            .entry((verb, code.to_string()))
            .or_default() += 1;
    }

    /// Records an Application's sync and health status.
    pub fn record_app(&self, name: &str, sync: &str, health: &str) {
        self.apps
            .lock()
            .expect("metrics")
            .insert(name.to_string(), (sync.to_string(), health.to_string()));
    }

    /// Forgets a deleted Application.
    pub fn forget_app(&self, name: &str) {
        self.apps.lock().expect("metrics").remove(name);
    }

    /// Prometheus text format; `extra` lines (cache sizes) are appended.
    pub fn render(&self, cache_sizes: &[(String, usize)]) -> String {
        let mut out = String::new();
        out.push_str("# HELP driftless_app_sync_total Sync operations finished, by phase.\n# TYPE driftless_app_sync_total counter\n");
        for (phase, n) in self.syncs.lock().expect("metrics").iter() {
            let _ = writeln!(out, "driftless_app_sync_total{{phase=\"{phase}\"}} {n}");
        }
        self.reconcile.render(
            &mut out,
            "driftless_app_reconcile_seconds",
            "Reconcile duration.",
        );
        self.git_fetch.render(
            &mut out,
            "driftless_git_fetch_seconds",
            "Duration of Git fetches (a poll, a webhook or a refresh that went to the remote).",
        );
        out.push_str("# HELP driftless_k8s_request_total Kubernetes API requests, by verb and response code.\n# TYPE driftless_k8s_request_total counter\n");
        for ((verb, code), n) in self.api_requests.lock().expect("metrics").iter() {
            let _ = writeln!(
                out,
                "driftless_k8s_request_total{{verb=\"{verb}\",response_code=\"{code}\"}} {n}"
            );
        }
        out.push_str("# HELP driftless_apps Applications by sync and health status.\n# TYPE driftless_apps gauge\n");
        let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
        for (sync, health) in self.apps.lock().expect("metrics").values() {
            *counts.entry((sync.clone(), health.clone())).or_default() += 1;
        }
        for ((sync, health), n) in counts {
            let _ = writeln!(
                out,
                "driftless_apps{{sync_status=\"{sync}\",health_status=\"{health}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP driftless_status_writes_total Application status writes.\n# TYPE driftless_status_writes_total counter\ndriftless_status_writes_total {}",
            self.status_writes.load(Ordering::Relaxed)
        );
        out.push_str("# HELP driftless_cache_objects Objects held per watched scope.\n# TYPE driftless_cache_objects gauge\n");
        for (scope, n) in cache_sizes {
            let _ = writeln!(
                out,
                "driftless_cache_objects{{scope=\"{}\"}} {n}",
                scope.replace('"', "'")
            );
        }
        out
    }
}

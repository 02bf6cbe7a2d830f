//! API fault injection: a configuration of fault rates and a seeded decision
//! function the HTTP layer calls for every request.
//!
//! ```
//! use driftless_sim::controllers::faults::{FaultConfig, FaultInjector, RequestInfo, Fault};
//! let inj = FaultInjector::new(FaultConfig { error_rate: 1.0, seed: 7, ..FaultConfig::default() });
//! let req = RequestInfo { method: "GET", path: "/api/v1/namespaces/default/pods", watch: false };
//! assert_eq!(inj.fault_for(&req), Some(Fault::InternalError));
//! // Discovery is exempt by default, so clients can still find the API.
//! assert_eq!(inj.fault_for(&RequestInfo { method: "GET", path: "/api/v1", watch: false }), None);
//! ```

use std::sync::Mutex;
use std::time::Duration;

/// Rates (0.0–1.0) and shapes of injected API faults. All zero by default.
#[derive(Debug, Clone)]
pub struct FaultConfig {
    /// Share of requests answered `500 InternalError`.
    pub error_rate: f64,
    /// Share of requests answered `429 TooManyRequests` with `Retry-After`.
    pub throttle_rate: f64,
    /// The `Retry-After` seconds of a 429.
    pub retry_after_secs: u64,
    /// Share of requests that hang for [`FaultConfig::timeout`] and then get `504 Timeout`.
    pub timeout_rate: f64,
    /// How long a timed-out request hangs.
    pub timeout: Duration,
    /// Share of watch requests whose stream is cut after [`FaultConfig::watch_drop_after`].
    pub watch_drop_rate: f64,
    /// When a dropped watch is cut.
    pub watch_drop_after: Duration,
    /// Fixed latency added to every request.
    pub latency: Duration,
    /// Random extra latency, uniformly up to this much.
    pub latency_jitter: Duration,
    /// Only requests with this method (e.g. `PATCH`) get faults; `None` = all.
    pub only_method: Option<String>,
    /// Only requests whose path contains this (e.g. `/secrets`) get faults; `None` = all.
    pub only_path: Option<String>,
    /// Exempt discovery, `/version`, `/openapi` and health paths (default true).
    pub exempt_discovery: bool,
    /// Seed of the random decisions (same seed, same sequence of faults).
    pub seed: u64,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            error_rate: 0.0,
            throttle_rate: 0.0,
            retry_after_secs: 1,
            timeout_rate: 0.0,
            timeout: Duration::from_secs(5),
            watch_drop_rate: 0.0,
            watch_drop_after: Duration::from_secs(1),
            latency: Duration::ZERO,
            latency_jitter: Duration::ZERO,
            only_method: None,
            only_path: None,
            exempt_discovery: true,
            seed: 0x5eed,
        }
    }
}

/// What the server should do to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer `500` with a `Status` of reason `InternalError`.
    InternalError,
    /// Answer `429` with reason `TooManyRequests`, header `Retry-After` and `details.retryAfterSeconds`.
    TooManyRequests {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// Wait this long, then answer `504` with reason `Timeout`.
    Timeout(Duration),
    /// Serve the watch, but end the stream after this long.
    DropWatch(Duration),
}

/// The request facts a fault decision needs.
#[derive(Debug, Clone, Copy)]
pub struct RequestInfo<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// URL path (without query).
    pub path: &'a str,
    /// Whether this is a watch.
    pub watch: bool,
}

/// Decides faults for requests with a seeded random generator (SplitMix64).
#[derive(Debug)]
pub struct FaultInjector {
    config: FaultConfig,
    state: Mutex<u64>,
}

fn is_discovery(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    if matches!(
        p,
        "" | "/version" | "/api" | "/apis" | "/healthz" | "/readyz" | "/livez"
    ) || p.starts_with("/openapi")
    {
        return true;
    }
    let segs: Vec<&str> = p.trim_start_matches('/').split('/').collect();
    matches!(segs.as_slice(), ["api", _] | ["apis", _] | ["apis", _, _])
}

impl FaultInjector {
    /// An injector for `config`.
    pub fn new(config: FaultConfig) -> Self {
        let seed = config.seed;
        Self {
            config,
            state: Mutex::new(seed),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &FaultConfig {
        &self.config
    }

    /// A uniform random number in `[0, 1)`.
    fn next(&self) -> f64 {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        *s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = *s;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The fault for a request, if any (at most one; rates are checked in the
    /// order 500, 429, timeout, dropped watch).
    pub fn fault_for(&self, req: &RequestInfo<'_>) -> Option<Fault> {
        let c = &self.config;
        if c.exempt_discovery && is_discovery(req.path) {
            return None;
        }
        if c.only_method
            .as_deref()
            .is_some_and(|m| !m.eq_ignore_ascii_case(req.method))
        {
            return None;
        }
        if c.only_path
            .as_deref()
            .is_some_and(|p| !req.path.contains(p))
        {
            return None;
        }
        if c.error_rate > 0.0 && self.next() < c.error_rate {
            return Some(Fault::InternalError);
        }
        if c.throttle_rate > 0.0 && self.next() < c.throttle_rate {
            return Some(Fault::TooManyRequests {
                retry_after_secs: c.retry_after_secs,
            });
        }
        if c.timeout_rate > 0.0 && self.next() < c.timeout_rate {
            return Some(Fault::Timeout(c.timeout));
        }
        if req.watch && c.watch_drop_rate > 0.0 && self.next() < c.watch_drop_rate {
            return Some(Fault::DropWatch(c.watch_drop_after));
        }
        None
    }

    /// The latency to add to a request (fixed plus jitter).
    pub fn latency(&self) -> Duration {
        let c = &self.config;
        if c.latency_jitter.is_zero() {
            return c.latency;
        }
        c.latency + c.latency_jitter.mul_f64(self.next())
    }
}

//! Argo CD's two back-offs as pure functions: the retry of a failed sync (`retry.backoff`) and
//! the self-heal back-off that keeps a fight with another controller from spinning.

use std::time::Duration;

use crate::duration::{DurationError, parse_backoff_duration_nanos};
use crate::sync_policy::RetryStrategy;

/// `retry.backoff.duration` when unset: 5 s.
pub const DEFAULT_RETRY_DURATION: Duration = Duration::from_secs(5);
/// `retry.backoff.factor` when unset: 2.
pub const DEFAULT_RETRY_FACTOR: i64 = 2;
/// `retry.backoff.maxDuration` when unset: 3 min.
pub const DEFAULT_RETRY_MAX_DURATION: Duration = Duration::from_secs(180);

/// Why a retry strategy cannot be used; names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("retry.backoff.{field}: {source}")]
pub struct BackoffError {
    /// `duration` or `maxDuration`.
    pub field: &'static str,
    /// What was wrong with it.
    #[source]
    pub source: DurationError,
}

impl RetryStrategy {
    /// True when a sync that failed after `retries_done` retries may be retried again:
    /// `limit` below 0 retries without end, 0 never.
    ///
    /// ```
    /// let r = driftless_api::RetryStrategy { limit: 2, ..Default::default() };
    /// assert!(r.allows_retry(1) && !r.allows_retry(2));
    /// assert!(driftless_api::RetryStrategy { limit: -1, ..Default::default() }.allows_retry(1000));
    /// ```
    pub fn allows_retry(&self, retries_done: i64) -> bool {
        self.limit < 0 || retries_done < self.limit
    }

    /// The wait before retry number `retries_done + 1`: `duration × factor^retries_done`, capped
    /// at `maxDuration` (when above 0), with Argo CD's defaults (5 s, 2, 3 min) for unset fields
    /// and its reading of a bare number as seconds. A negative result is no wait.
    ///
    /// This is the schedule Argo CD documents and prints ("Retrying attempt #1 at …"): 5 s,
    /// factor 2, max 3 m gives 5, 10, 20, 40, 80 s. (Argo CD's controller then gates the retry
    /// with the already incremented count, one factor later than it prints; Driftless waits what
    /// it prints. See docs/api.md.)
    ///
    /// ```
    /// use std::time::Duration;
    /// let r = driftless_api::RetryStrategy { limit: 5, ..Default::default() };
    /// let waits: Vec<u64> = (0..5).map(|n| r.backoff(n).unwrap().as_secs()).collect();
    /// assert_eq!(waits, [5, 10, 20, 40, 80]);
    /// assert_eq!(r.backoff(10).unwrap(), Duration::from_secs(180));
    /// ```
    pub fn backoff(&self, retries_done: i64) -> Result<Duration, BackoffError> {
        let mut duration = DEFAULT_RETRY_DURATION.as_nanos() as f64;
        let mut max = DEFAULT_RETRY_MAX_DURATION.as_nanos() as f64;
        let mut factor = DEFAULT_RETRY_FACTOR as f64;
        if let Some(b) = &self.backoff {
            if let Some(d) = b.duration.as_deref().filter(|d| !d.is_empty()) {
                duration = parse_backoff_duration_nanos(d).map_err(|source| BackoffError {
                    field: "duration",
                    source,
                })? as f64;
            }
            if let Some(d) = b.max_duration.as_deref().filter(|d| !d.is_empty()) {
                max = parse_backoff_duration_nanos(d).map_err(|source| BackoffError {
                    field: "maxDuration",
                    source,
                })? as f64;
            }
            if let Some(f) = b.factor {
                factor = f as f64;
            }
        }
        // Go: timeToWait := float64(duration) * math.Pow(float64(factor), float64(retryCounts))
        let mut wait = duration * factor.powf(retries_done as f64);
        if max > 0.0 {
            wait = wait.min(max);
        }
        Ok(nanos_to_duration(wait))
    }
}

impl RetryStrategy {
    /// When retry number `retries_done + 1` may start after an attempt that ended at `failed_at`
    /// (Argo CD's `NextRetryAt`).
    ///
    /// ```
    /// use driftless_api::{RetryStrategy, Time};
    /// let failed: Time = Time("2026-01-01T10:00:00Z".parse().unwrap());
    /// let next = RetryStrategy { limit: 3, ..Default::default() }.next_retry_at(&failed, 1).unwrap();
    /// assert_eq!(next.0.to_string(), "2026-01-01T10:00:10Z");
    /// ```
    pub fn next_retry_at(
        &self,
        failed_at: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time,
        retries_done: i64,
    ) -> Result<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time, BackoffError> {
        let wait = self.backoff(retries_done)?;
        let wait = k8s_openapi::jiff::SignedDuration::try_from(wait)
            .unwrap_or(k8s_openapi::jiff::SignedDuration::MAX);
        Ok(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
            failed_at
                .0
                .checked_add(wait)
                .unwrap_or(k8s_openapi::jiff::Timestamp::MAX),
        ))
    }
}

fn nanos_to_duration(nanos: f64) -> Duration {
    if nanos.is_nan() || nanos <= 0.0 {
        Duration::ZERO
    } else {
        // Go converts to an int64 of nanoseconds; stay within that range.
        Duration::from_nanos(nanos.min(i64::MAX as f64) as u64)
    }
}

/// The self-heal back-off of Argo CD's application controller (`--self-heal-backoff-timeout-seconds`
/// 2, `--self-heal-backoff-factor` 3, `--self-heal-backoff-cap-seconds` 300).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SelfHealBackoff {
    /// The first wait.
    pub duration: Duration,
    /// Multiplier per attempt.
    pub factor: f64,
    /// Longest wait (zero: no cap).
    pub cap: Duration,
}

impl Default for SelfHealBackoff {
    fn default() -> Self {
        SelfHealBackoff {
            duration: Duration::from_secs(2),
            factor: 3.0,
            cap: Duration::from_secs(300),
        }
    }
}

impl SelfHealBackoff {
    /// How long after the last sync finished a self-heal may start, given the self-heal attempts
    /// made so far (`operation.sync.autoHealAttemptsCount`): no wait for the first, then
    /// Kubernetes' `wait.Backoff` steps as Argo CD takes them.
    ///
    /// ```
    /// let b = driftless_api::SelfHealBackoff::default();
    /// let waits: Vec<u64> = (1..=7).map(|n| b.delay(n).as_secs()).collect();
    /// assert_eq!(waits, [2, 6, 18, 54, 162, 300, 300]);
    /// assert_eq!(b.delay(0).as_secs(), 0);
    /// ```
    pub fn delay(&self, attempts: u64) -> Duration {
        // wait.Backoff{Duration, Factor, Cap, Steps: attempts}, Step() called `attempts` times.
        let cap = self.cap.as_nanos() as f64;
        let mut next = self.duration.as_nanos() as f64;
        let mut steps = attempts;
        let mut delay = 0.0;
        for _ in 0..attempts {
            if steps < 1 {
                // Steps exhausted: Step() returns the current duration from now on.
                delay = next;
                break;
            }
            steps -= 1;
            delay = next;
            if self.factor != 0.0 {
                next *= self.factor;
                if cap > 0.0 && next > cap {
                    next = cap;
                    steps = 0;
                }
            }
            if !next.is_finite() || next > i64::MAX as f64 {
                next = i64::MAX as f64;
            }
        }
        nanos_to_duration(delay)
    }

    /// The time still to wait: [`SelfHealBackoff::delay`] minus the time since the last sync
    /// finished (zero when enough time has passed or there was no sync).
    pub fn remaining(&self, attempts: u64, since_last_sync: Option<Duration>) -> Duration {
        let delay = self.delay(attempts);
        match since_last_sync {
            Some(elapsed) => delay.saturating_sub(elapsed),
            None => delay,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync_policy::Backoff;

    fn strategy(limit: i64, duration: &str, factor: Option<i64>, max: &str) -> RetryStrategy {
        RetryStrategy {
            limit,
            backoff: Some(Backoff {
                duration: Some(duration.into()),
                factor,
                max_duration: Some(max.into()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn five_seconds_factor_two_max_three_minutes_limit_five() {
        let r = strategy(5, "5s", Some(2), "3m");
        let mut waits = Vec::new();
        let mut done = 0;
        while r.allows_retry(done) {
            waits.push(r.backoff(done).unwrap().as_secs());
            done += 1;
        }
        assert_eq!(waits, [5, 10, 20, 40, 80]);
    }

    #[test]
    fn cap_bare_seconds_and_sub_second_durations() {
        let r = strategy(-1, "30", Some(3), "2m");
        let waits: Vec<u64> = (0..4).map(|n| r.backoff(n).unwrap().as_secs()).collect();
        assert_eq!(waits, [30, 90, 120, 120]);
        let r = strategy(3, "500ms", Some(2), "1m30s");
        assert_eq!(r.backoff(1).unwrap(), Duration::from_secs(1));
        assert_eq!(r.backoff(20).unwrap(), Duration::from_secs(90));
        // maxDuration 0 means no cap.
        let r = strategy(3, "1s", Some(10), "0");
        assert_eq!(r.backoff(4).unwrap(), Duration::from_secs(10_000));
        // factor 1 keeps the wait constant; factor 0 makes every retry after the first immediate.
        assert_eq!(
            strategy(3, "7s", Some(1), "3m")
                .backoff(3)
                .unwrap()
                .as_secs(),
            7
        );
        assert_eq!(
            strategy(3, "7s", Some(0), "3m").backoff(2).unwrap(),
            Duration::ZERO
        );
        // Negative durations wait nothing.
        assert_eq!(
            strategy(3, "-7s", None, "").backoff(0).unwrap(),
            Duration::ZERO
        );
    }

    #[test]
    fn bad_durations_name_the_field() {
        let err = strategy(1, "soon", None, "3m").backoff(0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "retry.backoff.duration: invalid duration \"soon\""
        );
        let err = strategy(1, "5s", None, "3 minutes").backoff(0).unwrap_err();
        assert!(
            err.to_string().starts_with("retry.backoff.maxDuration: "),
            "{err}"
        );
    }

    #[test]
    fn limits() {
        let never = RetryStrategy::default();
        assert!(!never.allows_retry(0));
        let unlimited = RetryStrategy {
            limit: -1,
            ..Default::default()
        };
        assert!(unlimited.allows_retry(i64::MAX - 1));
        // Huge retry counts saturate at the cap instead of overflowing.
        assert_eq!(unlimited.backoff(10_000).unwrap(), Duration::from_secs(180));
    }

    #[test]
    fn self_heal_schedule_and_remaining() {
        let b = SelfHealBackoff::default();
        assert_eq!(b.delay(1_000_000), Duration::from_secs(300));
        assert_eq!(
            b.remaining(3, Some(Duration::from_secs(5))),
            Duration::from_secs(13)
        );
        assert_eq!(
            b.remaining(2, Some(Duration::from_secs(60))),
            Duration::ZERO
        );
        let uncapped = SelfHealBackoff {
            cap: Duration::ZERO,
            ..b
        };
        assert_eq!(uncapped.delay(7), Duration::from_secs(1458));
    }
}

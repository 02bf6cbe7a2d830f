//! Retries of transient API errors: 429 (honouring Retry-After), 5xx, timeouts and broken connections.

use std::future::Future;
use std::time::Duration;

/// How often and how long to retry a transient failure.
///
/// ```
/// use driftless_apply::RetryPolicy;
/// let p = RetryPolicy::default();
/// assert!(p.delay(1) < p.delay(3));
/// assert!(p.delay(30) <= p.max_delay);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Delay after the first failure; doubled after each further one.
    pub base_delay: Duration,
    /// Cap on one delay.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The backoff delay after failure number `attempt` (1-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// Runs `op` until it succeeds, fails with a permanent error, or attempts run out.
    pub async fn run<T, F, Fut>(&self, op: F) -> Result<T, kube::Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, kube::Error>>,
    {
        self.run_with(op, |_| {}).await
    }

    /// As [`RetryPolicy::run`], calling `on_retry` before each retry.
    pub async fn run_with<T, F, Fut>(
        &self,
        mut op: F,
        on_retry: impl Fn(&kube::Error),
    ) -> Result<T, kube::Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, kube::Error>>,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match op().await {
                Ok(v) => return Ok(v),
                Err(e) => {
                    let Some(hint) = transient(&e) else {
                        return Err(e);
                    };
                    if attempt >= self.max_attempts {
                        return Err(e);
                    }
                    let delay = hint.unwrap_or_else(|| self.delay(attempt));
                    tracing::debug!(attempt, ?delay, error = %e, "retrying transient API error");
                    on_retry(&e);
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }
}

/// `Some(hint)` when `err` is worth retrying; the hint is the server's Retry-After, if it gave one.
pub fn transient(err: &kube::Error) -> Option<Option<Duration>> {
    match err {
        kube::Error::Api(status) => match status.code {
            429 | 500 | 502 | 503 | 504 => Some(
                status
                    .details
                    .as_ref()
                    .map(|d| d.retry_after_seconds)
                    .filter(|s| *s > 0)
                    .map(|s| Duration::from_secs(u64::from(s).min(30))),
            ),
            _ => None,
        },
        kube::Error::HyperError(_) | kube::Error::Service(_) | kube::Error::ReadEvents(_) => {
            Some(None)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::Status;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn api(code: u16) -> kube::Error {
        kube::Error::Api(
            Status::failure("boom", "InternalError")
                .with_code(code)
                .boxed(),
        )
    }

    #[tokio::test]
    async fn retries_5xx_then_succeeds() {
        let calls = AtomicU32::new(0);
        let p = RetryPolicy {
            base_delay: Duration::from_millis(1),
            ..Default::default()
        };
        let out = p
            .run(|| async {
                if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                    Err(api(503))
                } else {
                    Ok(7)
                }
            })
            .await
            .unwrap();
        assert_eq!(out, 7);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn does_not_retry_not_found() {
        let calls = AtomicU32::new(0);
        let err = RetryPolicy::default()
            .run(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err::<(), _>(api(404))
            })
            .await
            .unwrap_err();
        assert!(matches!(err, kube::Error::Api(s) if s.code == 404));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn gives_up_after_max_attempts() {
        let calls = AtomicU32::new(0);
        let p = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            ..Default::default()
        };
        let r = p
            .run(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err::<(), _>(api(429))
            })
            .await;
        assert!(r.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }
}

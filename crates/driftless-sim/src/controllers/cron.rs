//! CronJob schedules: standard five-field cron expressions and the `@hourly`
//! style macros, parsed by the `croner` crate, plus the `TZ=` / `CRON_TZ=`
//! prefix Kubernetes rejects in favour of `spec.timeZone`.

use chrono::{DateTime, Utc};

/// A schedule could not be parsed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ScheduleError(String);

/// A parsed CronJob schedule.
#[derive(Debug, Clone)]
pub struct Schedule(croner::Cron);

impl Schedule {
    /// Parses a CronJob `spec.schedule`.
    ///
    /// ```
    /// use driftless_sim::controllers::cron::Schedule;
    /// let s = Schedule::parse("*/5 * * * *").unwrap();
    /// let t = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:02:00Z").unwrap().to_utc();
    /// assert_eq!(s.next_after(t).unwrap().to_rfc3339(), "2024-01-01T00:05:00+00:00");
    /// assert!(Schedule::parse("not a schedule").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Self, ScheduleError> {
        let trimmed = s.trim();
        if trimmed.starts_with("TZ=") || trimmed.starts_with("CRON_TZ=") {
            return Err(ScheduleError(
                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead".into(),
            ));
        }
        let expr = match trimmed {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            other => other,
        };
        if expr.split_whitespace().count() != 5 {
            return Err(ScheduleError(format!(
                "expected exactly 5 fields, found {}: {s}",
                expr.split_whitespace().count()
            )));
        }
        croner::Cron::new(expr)
            .with_dom_and_dow()
            .parse()
            .map(Schedule)
            .map_err(|e| ScheduleError(e.to_string()))
    }

    /// The first scheduled time strictly after `t`.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.0.find_next_occurrence(&t, false).ok()
    }
}

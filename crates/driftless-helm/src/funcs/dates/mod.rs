//! Sprig's date functions on Go `time.Time` values ([`GoTime`]): `now`,
//! `date`, `dateInZone`, `htmlDate`, `toDate`, `dateModify`, `unixEpoch`,
//! `ago`, `duration`, `durationRound` and their `must`/snake-case forms.

mod duration;
mod layout;
mod time;
mod zone;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use driftless_gotmpl::{
    ArgType::Any as A, ArgType::Named, ArgType::String as S, FuncError, FuncMap, Value,
};

pub use self::duration::{parse as parse_duration, to_string as duration_string};
pub use self::time::{GoTime, TIME_TYPE, zone_name as zone_for};

use super::add;
use super::conv::arg_str;

/// Sprig's `durationRound`: the largest whole unit, Sprig's spelling.
pub fn duration_round(ns: i64) -> String {
    let u = ns.unsigned_abs();
    const SEC: u64 = 1_000_000_000;
    let hour = SEC * 3600;
    let day = hour * 24;
    for (unit, name) in [
        (day * 365, "y"),
        (day * 30, "mo"),
        (day, "d"),
        (hour, "h"),
        (SEC * 60, "m"),
        (SEC, "s"),
    ] {
        if u > unit {
            return format!("{}{name}", u / unit);
        }
    }
    "0s".into()
}

/// A time from Sprig's `date`-style argument: a `time.Time` or Unix
/// seconds; anything else is `None` (Sprig then uses now).
fn time_arg(v: &Value) -> Option<GoTime> {
    match v {
        Value::Int(i) | Value::Int64(i) => Utc
            .timestamp_opt(*i, 0)
            .single()
            .map(|t| GoTime::local(t.fixed_offset())),
        other => GoTime::from_value(other),
    }
}

/// `t` in the zone `name` (Go's `time.LoadLocation`: the system's zone
/// files); a zone that cannot be loaded means UTC, as in Sprig.
fn in_zone(t: &GoTime, name: &str) -> GoTime {
    let zone = zone::Zone::load(name).unwrap_or_else(zone::Zone::utc);
    let mut g = GoTime::in_zone(t.t, &zone);
    g.mono = t.mono;
    g
}

pub(super) fn register(m: &mut FuncMap, fixed_now: Option<DateTime<FixedOffset>>) {
    let now = move || GoTime::now(fixed_now);
    add(m, "now", &[], move |_| Ok(now().into_value()));
    let fmt_in_zone = move |layout: &str, v: &Value, zone: &str| {
        let t = time_arg(v).unwrap_or_else(now);
        Value::from(in_zone(&t, zone).format(layout))
    };
    add(m, "date", &[S, A], move |a| {
        Ok(fmt_in_zone(&arg_str(&a[0]), &a[1], "Local"))
    });
    for name in ["dateInZone", "date_in_zone"] {
        add(m, name, &[S, A, S], move |a| {
            Ok(fmt_in_zone(&arg_str(&a[0]), &a[1], &arg_str(&a[2])))
        });
    }
    add(m, "htmlDate", &[A], move |a| {
        Ok(fmt_in_zone("2006-01-02", &a[0], "Local"))
    });
    add(m, "htmlDateInZone", &[A, S], move |a| {
        Ok(fmt_in_zone("2006-01-02", &a[0], &arg_str(&a[1])))
    });
    let modify = |a: &[Value]| -> Result<GoTime, String> {
        let t = GoTime::from_value(&a[1]).unwrap_or_else(GoTime::zero);
        Ok(t.add_nanos(parse_duration(&arg_str(&a[0]))?))
    };
    for name in ["dateModify", "date_modify"] {
        add(m, name, &[S, Named(TIME_TYPE)], move |a| {
            Ok(match modify(a) {
                Ok(t) => t.into_value(),
                Err(_) => a[1].clone(),
            })
        });
    }
    for name in ["mustDateModify", "must_date_modify"] {
        add(m, name, &[S, Named(TIME_TYPE)], move |a| {
            modify(a).map(GoTime::into_value).map_err(FuncError::msg)
        });
    }
    let to_date = |a: &[Value]| -> Result<GoTime, String> {
        let (t, zone) = layout::parse(&arg_str(&a[0]), &arg_str(&a[1]), zone::local())?;
        Ok(GoTime {
            t,
            zone,
            mono: None,
        })
    };
    add(m, "toDate", &[S, S], move |a| {
        Ok(to_date(a).unwrap_or_else(|_| GoTime::zero()).into_value())
    });
    add(m, "mustToDate", &[S, S], move |a| {
        to_date(a).map(GoTime::into_value).map_err(FuncError::msg)
    });
    add(m, "unixEpoch", &[Named(TIME_TYPE)], |a| {
        Ok(Value::from(
            GoTime::from_value(&a[0])
                .map(|t| t.t.timestamp())
                .unwrap_or_default()
                .to_string(),
        ))
    });
    let since_ns = move |t: &GoTime| -> i64 {
        let n = now();
        (n.t - t.t).num_nanoseconds().unwrap_or(i64::MAX)
    };
    add(m, "ago", &[A], move |a| {
        let t = time_arg(&a[0]).unwrap_or_else(now);
        let ns = since_ns(&t);
        // Round to whole seconds, halves away from zero.
        let secs = (ns as i128 + if ns < 0 { -500_000_000 } else { 500_000_000 }) / 1_000_000_000;
        Ok(Value::from(duration_string((secs * 1_000_000_000) as i64)))
    });
    // Sprig accepts a string or an int64 of seconds; anything else (an
    // `int` constant too) is 0s.
    add(m, "duration", &[A], |a| {
        let n = match &a[0] {
            Value::String(s) => s.parse::<i64>().unwrap_or(0),
            Value::Int64(i) => *i,
            _ => 0,
        };
        Ok(Value::from(duration_string(
            n.saturating_mul(1_000_000_000),
        )))
    });
    add(m, "durationRound", &[A], move |a| {
        let ns = match &a[0] {
            Value::String(s) => parse_duration(s).unwrap_or(0),
            Value::Int64(i) => *i,
            other => GoTime::from_value(other).map_or(0, |t| since_ns(&t)),
        };
        Ok(Value::from(duration_round(ns)))
    });
}

#[cfg(test)]
mod tests;

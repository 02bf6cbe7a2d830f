//! Go's `time.Time` as a template value: prints as Go does, has the common
//! methods (`Format`, `Unix`, `Year`, `UTC`, `Add`, ...), marshals to JSON as
//! RFC 3339 with nanoseconds.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use chrono::{DateTime, Datelike, FixedOffset, Months, TimeDelta, Timelike, Utc};
use driftless_gotmpl::{ArgType, Function, Object, Signature, Value};

use super::layout;

/// Go's type name.
pub const TIME_TYPE: &str = "time.Time";

/// A Go `time.Time`: an instant, its zone's name, and (for `now`) the
/// monotonic clock reading Go prints as `m=+0.001`.
#[derive(Debug, Clone)]
pub struct GoTime {
    /// The instant in its zone.
    pub t: DateTime<FixedOffset>,
    /// The zone's abbreviation (`UTC`; "" for an unnamed offset).
    pub zone: String,
    /// Seconds on the monotonic clock, if the value carries one.
    pub mono: Option<f64>,
}

/// The zone name Go shows for an offset of the local zone.
pub fn zone_name(off: &FixedOffset) -> String {
    if off.local_minus_utc() == 0 {
        "UTC".into()
    } else {
        String::new()
    }
}

fn process_start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

impl GoTime {
    /// A time in the local zone.
    pub fn local(t: DateTime<FixedOffset>) -> GoTime {
        GoTime::in_zone(t, super::zone::local())
    }

    /// A time in `zone`.
    pub fn in_zone(t: DateTime<FixedOffset>, zone: &super::zone::Zone) -> GoTime {
        let (off, abbr) = zone.lookup(t.timestamp());
        let off = FixedOffset::east_opt(off).unwrap_or(*t.offset());
        GoTime {
            t: t.with_timezone(&off),
            zone: abbr.to_string(),
            mono: None,
        }
    }

    /// `time.Now()`: local, with a monotonic reading.
    pub fn now(fixed: Option<DateTime<FixedOffset>>) -> GoTime {
        let mut g = GoTime::local(fixed.unwrap_or_else(|| Utc::now().fixed_offset()));
        let start = process_start();
        if fixed.is_none() {
            g.mono = Some(start.elapsed().as_secs_f64());
        }
        g
    }

    /// Go's zero time (`0001-01-01 00:00:00 +0000 UTC`).
    pub fn zero() -> GoTime {
        let t = DateTime::from_timestamp(-62_135_596_800, 0)
            .unwrap_or_default()
            .fixed_offset();
        GoTime {
            t,
            zone: "UTC".into(),
            mono: None,
        }
    }

    /// In UTC.
    pub fn utc(&self) -> GoTime {
        GoTime {
            t: self.t.with_timezone(&Utc).fixed_offset(),
            zone: "UTC".into(),
            mono: self.mono,
        }
    }

    /// The value templates see.
    pub fn into_value(self) -> Value {
        Value::Object(Arc::new(self))
    }

    /// The time inside a `time.Time` value.
    pub fn from_value(v: &Value) -> Option<GoTime> {
        let Value::Object(o) = v else { return None };
        o.as_any()?.downcast_ref::<GoTime>().cloned()
    }

    /// Go's `Time.Format`.
    pub fn format(&self, layout: &str) -> String {
        layout::format(&self.t, &self.zone, layout)
    }

    /// Adds nanoseconds (Go's `Time.Add`); the monotonic reading moves too.
    pub fn add_nanos(&self, ns: i64) -> GoTime {
        GoTime {
            t: self.t + TimeDelta::nanoseconds(ns),
            zone: self.zone.clone(),
            mono: self.mono.map(|m| m + ns as f64 / 1e9),
        }
    }
}

impl fmt::Display for GoTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format("2006-01-02 15:04:05.999999999 -0700 MST"))?;
        if let Some(m) = self.mono {
            let sign = if m < 0.0 { '-' } else { '+' };
            write!(f, " m={sign}{:.9}", m.abs())?;
        }
        Ok(())
    }
}

fn method0(f: impl Fn() -> Value + Send + Sync + 'static) -> Function {
    Function::new(Signature::default(), move |_, _| Ok(f()))
}

impl Object for GoTime {
    fn type_name(&self) -> String {
        TIME_TYPE.into()
    }
    fn field(&self, _: &str) -> Option<Value> {
        None
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn method(&self, name: &str) -> Option<Function> {
        let me = self.clone();
        let t = self.t;
        Some(match name {
            "Format" => Function::new(Signature::fixed(&[ArgType::String]), move |_, a| {
                Ok(Value::from(me.format(a[0].as_str().unwrap_or_default())))
            }),
            "String" => method0(move || Value::from(me.to_string())),
            "Unix" => method0(move || Value::Int(t.timestamp())),
            "UnixMilli" => method0(move || Value::Int(t.timestamp_millis())),
            "UnixNano" => method0(move || Value::Int(t.timestamp_nanos_opt().unwrap_or(0))),
            "Year" => method0(move || Value::Int(i64::from(t.year()))),
            "Month" => method0(move || Value::from(layout::month_name(t.month()))),
            "Day" => method0(move || Value::Int(i64::from(t.day()))),
            "YearDay" => method0(move || Value::Int(i64::from(t.ordinal()))),
            "Weekday" => method0(move || {
                Value::from(layout::weekday_name(t.weekday().num_days_from_monday()))
            }),
            "Hour" => method0(move || Value::Int(i64::from(t.hour()))),
            "Minute" => method0(move || Value::Int(i64::from(t.minute()))),
            "Second" => method0(move || Value::Int(i64::from(t.second()))),
            "Nanosecond" => method0(move || Value::Int(i64::from(t.nanosecond() % 1_000_000_000))),
            "IsZero" => method0(move || {
                Value::Bool(t.timestamp() == -62_135_596_800 && t.nanosecond() == 0)
            }),
            "UTC" => method0(move || me.utc().into_value()),
            "Local" => method0(move || GoTime::local(t).into_value()),
            "Add" => Function::new(Signature::fixed(&[ArgType::Any]), move |_, a| {
                let ns = match &a[0] {
                    Value::Int(i) => *i,
                    Value::Float(f) => *f as i64,
                    _ => 0,
                };
                Ok(me.add_nanos(ns).into_value())
            }),
            "AddDate" => Function::new(
                Signature::fixed(&[ArgType::Int, ArgType::Int, ArgType::Int]),
                move |_, a| {
                    let n = |i: usize| match a[i] {
                        Value::Int(v) => v,
                        _ => 0,
                    };
                    let months = n(0) * 12 + n(1);
                    let shifted = if months >= 0 {
                        t.checked_add_months(Months::new(months as u32))
                    } else {
                        t.checked_sub_months(Months::new(months.unsigned_abs() as u32))
                    }
                    .unwrap_or(t)
                        + TimeDelta::days(n(2));
                    Ok(GoTime {
                        t: shifted,
                        zone: me.zone.clone(),
                        mono: None,
                    }
                    .into_value())
                },
            ),
            "Before" | "After" | "Equal" => {
                let n = name.to_string();
                Function::new(
                    Signature::fixed(&[ArgType::Named(TIME_TYPE)]),
                    move |_, a| {
                        let o = GoTime::from_value(&a[0]).map(|g| g.t).unwrap_or(t);
                        Ok(Value::Bool(match n.as_str() {
                            "Before" => t < o,
                            "After" => t > o,
                            _ => t == o,
                        }))
                    },
                )
            }
            _ => return None,
        })
    }
    fn fmt_go(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
    fn to_value(&self) -> Option<Value> {
        // encoding/json: RFC 3339 with nanoseconds, trailing zeros trimmed.
        Some(Value::from(
            self.format("2006-01-02T15:04:05.999999999Z07:00"),
        ))
    }
}

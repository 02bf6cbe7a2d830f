//! Date functions with Go's layouts (`2006-01-02T15:04:05Z07:00`).
//! Times are passed around as RFC 3339 strings or Unix seconds.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use driftless_gotmpl::{ArgType::Any as A, ArgType::String as S, FuncError, FuncMap, Value};

use super::add;
use super::conv::{arg_str, to_i64};

/// Formats `t` with a Go layout.
pub fn go_format(t: &DateTime<FixedOffset>, layout: &str) -> String {
    const TOKENS: &[(&str, &str)] = &[
        ("January", "%B"),
        ("Monday", "%A"),
        ("Z07:00", "Z07:00"),
        ("-07:00", "%:z"),
        ("-0700", "%z"),
        ("2006", "%Y"),
        ("Jan", "%b"),
        ("Mon", "%a"),
        ("MST", "MST"),
        (".000000000", "%.9f"),
        (".000000", "%.6f"),
        (".000", "%.3f"),
        (".999999999", ".999"),
        (".999999", ".999"),
        (".999", ".999"),
        ("01", "%m"),
        ("02", "%d"),
        ("_2", "%e"),
        ("15", "%H"),
        ("03", "%I"),
        ("04", "%M"),
        ("05", "%S"),
        ("06", "%y"),
        ("PM", "%p"),
        ("pm", "pm"),
        ("1", "%-m"),
        ("2", "%-d"),
        ("3", "%-I"),
        ("4", "%-M"),
        ("5", "%-S"),
    ];
    let mut out = String::new();
    let mut rest = layout;
    'outer: while !rest.is_empty() {
        for (tok, f) in TOKENS {
            if let Some(r) = rest.strip_prefix(tok) {
                let piece = match *f {
                    "Z07:00" => {
                        if t.offset().local_minus_utc() == 0 {
                            "Z".to_string()
                        } else {
                            t.format("%:z").to_string()
                        }
                    }
                    "MST" => {
                        if t.offset().local_minus_utc() == 0 {
                            "UTC".to_string()
                        } else {
                            t.format("%z").to_string()
                        }
                    }
                    ".999" => {
                        let ns = t.timestamp_subsec_nanos();
                        if ns == 0 {
                            String::new()
                        } else {
                            format!(".{ns:09}").trim_end_matches('0').to_string()
                        }
                    }
                    "pm" => t.format("%P").to_string(),
                    f => t.format(f).to_string(),
                };
                out.push_str(&piece);
                rest = r;
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Go's `time.Duration.String` for whole seconds.
pub fn go_duration(secs: i64) -> String {
    if secs == 0 {
        return "0s".into();
    }
    let neg = secs < 0;
    let s = secs.unsigned_abs();
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if h > 0 {
        out.push_str(&format!("{h}h{m}m"));
    } else if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    out.push_str(&format!("{sec}s"));
    out
}

fn to_time(v: &Value) -> Option<DateTime<FixedOffset>> {
    match v {
        Value::String(s) => DateTime::parse_from_rfc3339(s).ok(),
        Value::Int(_) | Value::Uint(_) | Value::Float(_) => Utc
            .timestamp_opt(to_i64(v), 0)
            .single()
            .map(|t| t.fixed_offset()),
        Value::Object(o) => o.to_value().as_ref().and_then(to_time),
        _ => None,
    }
}

/// Sprig's `durationRound`: the largest unit, rounded down (`2h`, `3mo`).
pub fn duration_round(secs: i64) -> String {
    let u = secs.unsigned_abs();
    let neg = if secs < 0 { "-" } else { "" };
    let (y, mo, d, h, m) = (365 * 86400, 30 * 86400, 86400, 3600, 60);
    let s = if u >= y {
        format!("{}y", u / y)
    } else if u >= mo {
        format!("{}mo", u / mo)
    } else if u >= d {
        format!("{}d", u / d)
    } else if u >= h {
        format!("{}h", u / h)
    } else if u >= m {
        format!("{}m", u / m)
    } else {
        format!("{u}s")
    };
    format!("{neg}{s}")
}

pub(super) fn register(m: &mut FuncMap, fixed_now: Option<DateTime<FixedOffset>>) {
    let now = move || fixed_now.unwrap_or_else(|| Utc::now().fixed_offset());
    add(m, "now", &[], move |_| {
        Ok(Value::from(
            now().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        ))
    });
    add(m, "date", &[S, A], |a| {
        Ok(Value::from(
            to_time(&a[1])
                .map(|t| go_format(&t, &arg_str(&a[0])))
                .unwrap_or_default(),
        ))
    });
    add(m, "dateInZone", &[S, A, S], |a| {
        let t = to_time(&a[1]).unwrap_or_else(|| Utc::now().fixed_offset());
        let z = arg_str(&a[2]);
        let t = if z == "UTC" || z.is_empty() || z == "Local" {
            t.with_timezone(&Utc).fixed_offset()
        } else {
            t
        };
        Ok(Value::from(go_format(&t, &arg_str(&a[0]))))
    });
    add(m, "htmlDate", &[A], |a| {
        Ok(Value::from(
            to_time(&a[0])
                .map(|t| go_format(&t, "2006-01-02"))
                .unwrap_or_default(),
        ))
    });
    add(m, "htmlDateInZone", &[A, S], |a| {
        Ok(Value::from(
            to_time(&a[0])
                .map(|t| go_format(&t.with_timezone(&Utc).fixed_offset(), "2006-01-02"))
                .unwrap_or_default(),
        ))
    });
    add(m, "unixEpoch", &[A], |a| {
        Ok(Value::from(
            to_time(&a[0])
                .map(|t| t.timestamp().to_string())
                .unwrap_or_default(),
        ))
    });
    add(m, "ago", &[A], move |a| {
        let t = to_time(&a[0]).ok_or_else(|| FuncError::msg("ago: not a time"))?;
        Ok(Value::from(go_duration((now() - t).num_seconds())))
    });
    // Sprig accepts only a string or an int64 (a float64 from values gives 0s).
    add(m, "duration", &[A], |a| {
        let n = match &a[0] {
            Value::String(s) => s.parse::<i64>().unwrap_or(0),
            Value::Int(i) => *i,
            _ => 0,
        };
        Ok(Value::from(go_duration(n)))
    });
    add(m, "durationRound", &[A], move |a| {
        let secs = match to_time(&a[0]) {
            Some(t) if matches!(a[0], Value::String(_) | Value::Object(_)) => {
                (now() - t).num_seconds()
            }
            _ => to_i64(&a[0]),
        };
        Ok(Value::from(duration_round(secs)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_layouts() {
        let t = DateTime::parse_from_rfc3339("2024-03-05T07:08:09.5Z").unwrap();
        assert_eq!(
            go_format(&t, "2006-01-02T15:04:05Z07:00"),
            "2024-03-05T07:08:09Z"
        );
        assert_eq!(go_format(&t, "Jan 2, 2006 3:04pm"), "Mar 5, 2024 7:08am");
        assert_eq!(
            go_format(&t, "2006-01-02 15:04:05.999"),
            "2024-03-05 07:08:09.5"
        );
        assert_eq!(go_duration(3725), "1h2m5s");
        assert_eq!(go_duration(45), "45s");
        assert_eq!(duration_round(3 * 86400 + 5), "3d");
    }
}

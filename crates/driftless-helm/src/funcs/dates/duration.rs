//! Go's `time.Duration`: `String()` and `time.ParseDuration`.

use driftless_gotmpl::quote;

/// Go's `fmtFrac`: the fraction of `v` at `prec` digits, trailing zeros
/// dropped; returns the text and the integer part.
fn frac(v: u64, prec: u32) -> (String, u64) {
    let p = 10u64.pow(prec);
    let f = v % p;
    if f == 0 {
        return (String::new(), v / p);
    }
    let digits = format!("{:0width$}", f, width = prec as usize);
    (format!(".{}", digits.trim_end_matches('0')), v / p)
}

/// Go's `time.Duration.String` of `ns` nanoseconds.
pub fn to_string(ns: i64) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let sign = if ns < 0 { "-" } else { "" };
    let u = ns.unsigned_abs();
    if u < 1_000_000_000 {
        let (prec, unit) = if u < 1_000 {
            (0, "ns")
        } else if u < 1_000_000 {
            (3, "µs")
        } else {
            (6, "ms")
        };
        let (f, i) = frac(u, prec);
        return format!("{sign}{i}{f}{unit}");
    }
    let (f, secs) = frac(u, 9);
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    if h > 0 {
        format!("{sign}{h}h{m}m{s}{f}s")
    } else if m > 0 {
        format!("{sign}{m}m{s}{f}s")
    } else {
        format!("{sign}{s}{f}s")
    }
}

/// Go's `time.ParseDuration`, in nanoseconds, with Go's error texts.
pub fn parse(s: &str) -> Result<i64, String> {
    let orig = s;
    let invalid = || format!("time: invalid duration {}", quote(orig));
    let (neg, mut s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !s.is_empty() {
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &s[..int_len];
        s = &s[int_len..];
        let mut frac_part = "";
        if let Some(r) = s.strip_prefix('.') {
            let n = r.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &r[..n];
            s = &r[n..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(invalid());
        }
        let unit_len = s
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(s.len(), |(i, _)| i);
        let unit = &s[..unit_len];
        s = &s[unit_len..];
        if unit.is_empty() {
            return Err(format!("time: missing unit in duration {}", quote(orig)));
        }
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    quote(unit),
                    quote(orig)
                ));
            }
        };
        let i: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| invalid())?
        };
        let mut v = i.checked_mul(scale).ok_or_else(invalid)?;
        if !frac_part.is_empty() {
            let digits = &frac_part[..frac_part.len().min(30)];
            let f: u128 = digits.parse().unwrap_or(0);
            v += f * scale / 10u128.pow(digits.len() as u32);
        }
        total = total.checked_add(v).ok_or_else(invalid)?;
        if total > i64::MAX as u128 + u128::from(neg) {
            return Err(invalid());
        }
    }
    let t = total as i128;
    Ok(if neg { -t } else { t } as i64)
}

#[cfg(test)]
mod tests {
    #[test]
    fn go_durations() {
        use super::{parse, to_string};
        for (ns, s) in [
            (0, "0s"),
            (1, "1ns"),
            (1_500, "1.5µs"),
            (2_000_000, "2ms"),
            (45_000_000_000, "45s"),
            (60_000_000_000, "1m0s"),
            (3_725_500_000_000, "1h2m5.5s"),
            (-90_000_000_000, "-1m30s"),
        ] {
            assert_eq!(to_string(ns), s);
        }
        assert_eq!(parse("1h30m").unwrap(), 5_400_000_000_000);
        assert_eq!(parse("-1.5h").unwrap(), -5_400_000_000_000);
        assert_eq!(parse("300ms").unwrap(), 300_000_000);
        assert_eq!(parse("x").unwrap_err(), r#"time: invalid duration "x""#);
        assert_eq!(
            parse("1").unwrap_err(),
            r#"time: missing unit in duration "1""#
        );
        assert_eq!(
            parse("1d").unwrap_err(),
            r#"time: unknown unit "d" in duration "1d""#
        );
    }
}

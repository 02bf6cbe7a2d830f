//! Go's `time.ParseDuration`, and Argo CD's "a bare number means seconds" variant of it.

/// Why a duration string was refused; says which string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Not of the form `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`.
    #[error("invalid duration {0:?}")]
    Invalid(String),
    /// A number without a unit (other than `0`).
    #[error("missing unit in duration {0:?}")]
    MissingUnit(String),
    /// A unit other than ns, us, µs, ms, s, m, h.
    #[error("unknown unit {unit:?} in duration {input:?}")]
    UnknownUnit {
        /// The unit found.
        unit: String,
        /// The whole string.
        input: String,
    },
    /// More than about 292 years.
    #[error("invalid duration {0:?}: out of range")]
    Overflow(String),
    /// A negative duration where only waits make sense.
    #[error("negative duration {0:?} is not allowed here")]
    Negative(String),
}

const MAX: u64 = 1 << 63;

/// Parses a Go duration (`1h30m`, `500ms`, `1.5s`, `-2m`) into signed nanoseconds, exactly as
/// Go's `time.ParseDuration`: the same grammar, units, rounding of fractions and range.
///
/// ```
/// use driftless_api::parse_go_duration_nanos as p;
/// assert_eq!(p("1m30s").unwrap(), 90_000_000_000);
/// assert_eq!(p("-1.5h").unwrap(), -5_400_000_000_000);
/// assert_eq!(p("0").unwrap(), 0);
/// assert!(p("5").is_err());
/// ```
pub fn parse_go_duration_nanos(input: &str) -> Result<i64, DurationError> {
    let invalid = || DurationError::Invalid(input.to_string());
    let overflow = || DurationError::Overflow(input.to_string());
    let mut s = input.as_bytes();
    let mut neg = false;
    if let Some(&c) = s.first()
        && (c == b'-' || c == b'+')
    {
        neg = c == b'-';
        s = &s[1..];
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(invalid());
        }
        // The integer part.
        let start = s.len();
        let mut v: u64 = 0;
        while let Some(&c) = s.first().filter(|c| c.is_ascii_digit()) {
            if v > MAX / 10 {
                return Err(overflow());
            }
            v = v * 10 + u64::from(c - b'0');
            if v > MAX {
                return Err(overflow());
            }
            s = &s[1..];
        }
        let pre = start != s.len();
        // The fraction: digits beyond what fits are read and ignored, as Go does.
        let (mut f, mut scale, mut post) = (0u64, 1f64, false);
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let start = s.len();
            let mut full = false;
            while let Some(&c) = s.first().filter(|c| c.is_ascii_digit()) {
                s = &s[1..];
                if full {
                    continue;
                }
                if f > (MAX - 1) / 10 {
                    full = true;
                    continue;
                }
                let y = f * 10 + u64::from(c - b'0');
                if y > MAX {
                    full = true;
                    continue;
                }
                f = y;
                scale *= 10.0;
            }
            post = start != s.len();
        }
        if !pre && !post {
            return Err(invalid());
        }
        let unit_len = s
            .iter()
            .position(|c| *c == b'.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if unit_len == 0 {
            return Err(DurationError::MissingUnit(input.to_string()));
        }
        let unit_text = String::from_utf8_lossy(&s[..unit_len]).into_owned();
        s = &s[unit_len..];
        let unit: u64 = match unit_text.as_str() {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60 * 1_000_000_000,
            "h" => 3600 * 1_000_000_000,
            _ => {
                return Err(DurationError::UnknownUnit {
                    unit: unit_text,
                    input: input.to_string(),
                });
            }
        };
        if v > MAX / unit {
            return Err(overflow());
        }
        v *= unit;
        if f > 0 {
            // Go: float64 keeps fractions of hours nanosecond-accurate.
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > MAX {
                return Err(overflow());
            }
        }
        total += v;
        if total > MAX {
            return Err(overflow());
        }
    }
    if neg {
        return Ok((total as i128).wrapping_neg() as i64);
    }
    if total > MAX - 1 {
        return Err(overflow());
    }
    Ok(total as i64)
}

/// Parses a Go duration that must not be negative (`--reconcile-interval 2m`, `500ms`).
///
/// ```
/// use std::time::Duration;
/// assert_eq!(driftless_api::parse_go_duration("1m30s").unwrap(), Duration::from_secs(90));
/// assert_eq!(driftless_api::parse_go_duration("500ms").unwrap(), Duration::from_millis(500));
/// ```
pub fn parse_go_duration(input: &str) -> Result<std::time::Duration, DurationError> {
    let n = parse_go_duration_nanos(input)?;
    u64::try_from(n)
        .map(std::time::Duration::from_nanos)
        .map_err(|_| DurationError::Negative(input.to_string()))
}

/// Argo CD's `parseStringToDuration` for `retry.backoff`: a bare integer is seconds (`"30"`),
/// anything else a Go duration. Returns signed nanoseconds.
pub fn parse_backoff_duration_nanos(input: &str) -> Result<i64, DurationError> {
    if let Some(secs) = parse_go_int(input) {
        return secs
            .checked_mul(1_000_000_000)
            .ok_or_else(|| DurationError::Overflow(input.to_string()));
    }
    parse_go_duration_nanos(input)
}

/// Go's `strconv.Atoi`: an optional sign and decimal digits.
fn parse_go_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_examples() {
        let cases: &[(&str, i64)] = &[
            ("0", 0),
            ("5s", 5_000_000_000),
            ("30s", 30_000_000_000),
            ("1478s", 1_478_000_000_000),
            ("-5s", -5_000_000_000),
            ("+5s", 5_000_000_000),
            ("-0", 0),
            ("5.0s", 5_000_000_000),
            ("5.6s", 5_600_000_000),
            ("5.s", 5_000_000_000),
            (".5s", 500_000_000),
            ("1.004s", 1_004_000_000),
            ("100.00100s", 100_001_000_000),
            ("10ns", 10),
            ("11us", 11_000),
            ("12\u{b5}s", 12_000),
            ("12\u{3bc}s", 12_000),
            ("13ms", 13_000_000),
            ("14s", 14_000_000_000),
            ("15m", 900_000_000_000),
            ("16h", 57_600_000_000_000),
            ("3h30m", 12_600_000_000_000),
            ("10.5s4m", 250_500_000_000),
            ("-2m3.4s", -123_400_000_000),
            ("1h2m3s4ms5us6ns", 3_723_004_005_006),
            ("39h9m14.425s", 140_954_425_000_000),
            ("52763797000ns", 52_763_797_000),
            ("0.3333333333333333333h", 1_200_000_000_000),
            ("9007199254740993ns", 9_007_199_254_740_993),
            ("9223372036854775807ns", i64::MAX),
            ("9223372036854775.807us", i64::MAX),
            ("-9223372036854775808ns", i64::MIN),
            ("0.100000000000000000000h", 360_000_000_000),
            ("0.830103483285477580700h", 2_988_372_539_827),
        ];
        for (text, want) in cases {
            assert_eq!(parse_go_duration_nanos(text), Ok(*want), "{text}");
        }
    }

    #[test]
    fn go_failures() {
        for text in [
            "",
            "3",
            "-",
            "s",
            ".",
            "-.",
            ".s",
            "+.s",
            "1d",
            "\u{85}\u{85}",
            "\u{ff}",
            "3000000h",
            "9223372036854775808ns",
            "9223372036854775.808us",
            "-9223372036854775809ns",
        ] {
            assert!(parse_go_duration_nanos(text).is_err(), "{text:?} accepted");
        }
        assert_eq!(
            parse_go_duration_nanos("1d").unwrap_err().to_string(),
            "unknown unit \"d\" in duration \"1d\""
        );
        assert_eq!(
            parse_go_duration("-1s").unwrap_err().to_string(),
            "negative duration \"-1s\" is not allowed here"
        );
    }

    #[test]
    fn backoff_numbers_are_seconds() {
        assert_eq!(parse_backoff_duration_nanos("30"), Ok(30_000_000_000));
        assert_eq!(parse_backoff_duration_nanos("-3"), Ok(-3_000_000_000));
        assert_eq!(parse_backoff_duration_nanos("2m"), Ok(120_000_000_000));
        assert!(parse_backoff_duration_nanos("2 m").is_err());
    }
}

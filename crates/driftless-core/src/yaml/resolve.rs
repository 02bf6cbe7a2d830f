//! YAML 1.1 plain-scalar resolution as go-yaml v2 (the YAML library under
//! Helm's `sigs.k8s.io/yaml`) does it: `yes`/`on`/`y` are booleans, `~` is
//! null, `0777` is octal, `1_000` is an integer, `2001-12-14` a timestamp.

use std::sync::LazyLock;

use regex::Regex;

/// What a plain (unquoted) scalar means.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved {
    /// `null`, `~`, empty.
    Null,
    /// A YAML 1.1 boolean.
    Bool(bool),
    /// An integer that fits `i64`.
    Int(i64),
    /// An integer that fits only `u64`.
    Uint(u64),
    /// An integer too large for 64 bits (kept as text).
    BigInt(String),
    /// A float.
    Float(f64),
    /// A timestamp; go-yaml v2 keeps these as strings when decoding into
    /// `interface{}`, but quotes them when encoding strings.
    Timestamp,
    /// The merge key `<<`.
    Merge,
    /// A string.
    Str,
}

static YAML_FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$").expect("valid regex")
});
static BASE60_FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$").expect("valid regex")
});

fn in_map(s: &str) -> Option<Resolved> {
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Resolved::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        "<<" => Resolved::Merge,
        _ => return None,
    })
}

/// Resolves a plain scalar to its YAML 1.1 type and value.
///
/// ```
/// use driftless_core::yaml::resolve::{resolve, Resolved};
/// assert_eq!(resolve("yes"), Resolved::Bool(true));
/// assert_eq!(resolve("0x1F"), Resolved::Int(31));
/// assert_eq!(resolve("hello"), Resolved::Str);
/// ```
pub fn resolve(s: &str) -> Resolved {
    let first = s.as_bytes().first().copied();
    let hint = match first {
        None => 'M',
        Some(b'+' | b'-') => 'S',
        Some(b'0'..=b'9') => 'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => 'M',
        Some(b'.') => '.',
        Some(b'<') => 'M', // "<<" is in the map
        _ => return Resolved::Str,
    };
    if let Some(r) = in_map(s) {
        return r;
    }
    match hint {
        '.' => {
            if let Some(f) = go_parse_float(s) {
                return Resolved::Float(f);
            }
        }
        'D' | 'S' => {
            if is_timestamp(s) {
                return Resolved::Timestamp;
            }
            let plain = s.replace('_', "");
            if let Some(r) = parse_int_base0(&plain) {
                return r;
            }
            if YAML_FLOAT.is_match(&plain)
                && let Some(f) = go_parse_float(&plain)
            {
                return Resolved::Float(f);
            }
            if let Some(rest) = plain.strip_prefix("0b") {
                if let Ok(i) = i64::from_str_radix(rest, 2) {
                    return Resolved::Int(i);
                }
                if let Ok(u) = u64::from_str_radix(rest, 2) {
                    return Resolved::Uint(u);
                }
            } else if let Some(rest) = plain.strip_prefix("-0b")
                && let Ok(i) = i64::from_str_radix(&format!("-{rest}"), 2)
            {
                return Resolved::Int(i);
            }
            if is_big_int(&plain) {
                return Resolved::BigInt(plain);
            }
        }
        _ => {}
    }
    Resolved::Str
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal text (no underscores); an
/// out-of-range value is an error as in Go.
fn go_parse_float(s: &str) -> Option<f64> {
    let body = s.trim_start_matches(['+', '-']);
    if body.is_empty()
        || body
            .chars()
            .any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
    {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    if f.is_infinite() { None } else { Some(f) }
}

/// Splits Go's base prefix: returns (negative, radix, digits).
fn split_base0(s: &str) -> Option<(bool, u32, &str)> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let b = body.as_bytes();
    let (radix, digits) = if b.len() >= 2 && b[0] == b'0' {
        match b[1] {
            b'x' | b'X' => (16, &body[2..]),
            b'o' | b'O' => (8, &body[2..]),
            b'b' | b'B' => (2, &body[2..]),
            _ => (8, &body[1..]),
        }
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some((neg, radix, digits))
}

/// Go's `ParseInt(s, 0, 64)` then `ParseUint(s, 0, 64)`.
fn parse_int_base0(s: &str) -> Option<Resolved> {
    let (neg, radix, digits) = split_base0(s)?;
    let mag = u128::from_str_radix(digits, radix).ok()?;
    if neg {
        if mag <= i64::MAX as u128 + 1 {
            return Some(Resolved::Int((-(mag as i128)) as i64));
        }
        return None;
    }
    if mag <= i64::MAX as u128 {
        return Some(Resolved::Int(mag as i64));
    }
    if mag <= u64::MAX as u128 && !s.starts_with('+') {
        return Some(Resolved::Uint(mag as u64));
    }
    None
}

/// Go's `ParseUint` failed with a range error (valid unsigned digits).
fn is_big_int(s: &str) -> bool {
    !s.starts_with(['+', '-']) && split_base0(s).is_some()
}

/// go-yaml's base-60 float check (`1:20`), quoted on output for old parsers.
pub fn is_base60_float(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b'+' | b'-' | b'0'..=b'9') => {}
        _ => return false,
    }
    s.contains(':') && BASE60_FLOAT.is_match(s)
}

/// go-yaml v2's timestamp check: `YYYY-M-D`, optionally followed by
/// `[Tt ]H:M:S[.frac]` and (for `T`/`t`) a `Z` or `±hh:mm` zone.
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let year: i32 = s[..4].parse().unwrap_or(0);
    let mut p = Cursor { s: b, i: 5 };
    let Some(month) = p.num12() else { return false };
    if !p.eat(b'-') {
        return false;
    }
    let Some(day) = p.num12() else { return false };
    if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
        return false;
    }
    if p.done() {
        return true;
    }
    let sep = b[p.i];
    if sep != b'T' && sep != b't' && sep != b' ' {
        return false;
    }
    p.i += 1;
    let Some(h) = p.num12() else { return false };
    if !p.eat(b':') {
        return false;
    }
    let Some(m) = p.num12() else { return false };
    if !p.eat(b':') {
        return false;
    }
    let Some(sec) = p.num12() else { return false };
    if h >= 24 || m >= 60 || sec >= 60 {
        return false;
    }
    if p.eat(b'.') {
        let start = p.i;
        while !p.done() && b[p.i].is_ascii_digit() {
            p.i += 1;
        }
        if p.i == start {
            return false;
        }
    }
    if sep == b' ' {
        return p.done();
    }
    if p.eat(b'Z') {
        return p.done();
    }
    if p.done() {
        return false;
    }
    if b[p.i] != b'+' && b[p.i] != b'-' {
        return false;
    }
    p.i += 1;
    let rest = &s[p.i..];
    let rb = rest.as_bytes();
    rb.len() == 5
        && rb[0].is_ascii_digit()
        && rb[1].is_ascii_digit()
        && rb[2] == b':'
        && rb[3].is_ascii_digit()
        && rb[4].is_ascii_digit()
        && rest[..2].parse::<u32>().is_ok_and(|h| h < 24)
        && rest[3..].parse::<u32>().is_ok_and(|m| m < 60)
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn done(&self) -> bool {
        self.i >= self.s.len()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    /// One or two digits.
    fn num12(&mut self) -> Option<u32> {
        let start = self.i;
        while self.i < self.s.len() && self.i - start < 2 && self.s[self.i].is_ascii_digit() {
            self.i += 1;
        }
        if self.i == start {
            return None;
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()?
            .parse()
            .ok()
    }
}

fn days_in(month: u32, year: i32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_go_yaml_v2() {
        use Resolved::*;
        for (s, want) in [
            ("", Null),
            ("~", Null),
            ("NULL", Null),
            ("yes", Bool(true)),
            ("Off", Bool(false)),
            ("y", Bool(true)),
            ("1", Int(1)),
            ("-12", Int(-12)),
            ("0777", Int(511)),
            ("0o17", Int(15)),
            ("0x1f", Int(31)),
            ("0b101", Int(5)),
            ("1_000", Int(1000)),
            ("18446744073709551615", Uint(u64::MAX)),
            ("1.0", Float(1.0)),
            ("1e3", Float(1000.0)),
            (".5", Float(0.5)),
            ("08", Float(8.0)),
            ("+.inf", Float(f64::INFINITY)),
            ("2001-12-14", Timestamp),
            ("2001-12-14T21:59:43.10Z", Timestamp),
            ("2001-12-14 21:59:43.10", Timestamp),
            ("2001-02-30", Str),
            ("1:20", Str),
            ("<<", Merge),
            ("hello", Str),
            ("-", Str),
            ("1.2.3", Str),
            ("0x", Str),
            ("1e400", Str),
            ("Yes please", Str),
        ] {
            assert_eq!(resolve(s), want, "{s:?}");
        }
    }

    #[test]
    fn base60() {
        assert!(is_base60_float("1:20"));
        assert!(is_base60_float("190:20:30.15"));
        assert!(!is_base60_float("1:2a"));
        assert!(!is_base60_float("a:1"));
    }
}

//! Go's `fmt` value formatting (`%v`) and `strconv` helpers (quoting,
//! float formatting).

use std::fmt::{self, Write};

use crate::value::Value;

/// Writes `v` as Go's `%v` does. `depth` counts enclosing containers;
/// past [`crate::value::MAX_DEPTH`] (only reachable through a map that
/// contains itself) `...` is written instead of recursing forever.
pub(crate) fn write_v(w: &mut dyn Write, v: &Value, depth: usize) -> fmt::Result {
    if depth > crate::value::MAX_DEPTH {
        return w.write_str("...");
    }
    match v {
        Value::NoValue => w.write_str("<no value>"),
        Value::Nil => w.write_str("<nil>"),
        Value::Bool(b) => write!(w, "{b}"),
        Value::Int(i) | Value::Int64(i) => write!(w, "{i}"),
        Value::Uint(u) => write!(w, "{u}"),
        Value::Float(f) => w.write_str(&format_float(*f, 'g', None)),
        Value::String(s) => w.write_str(s),
        Value::Bytes(b) => {
            w.write_char('[')?;
            for (i, x) in b.iter().enumerate() {
                if i > 0 {
                    w.write_char(' ')?;
                }
                write!(w, "{x}")?;
            }
            w.write_char(']')
        }
        Value::List(l) => {
            w.write_char('[')?;
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    w.write_char(' ')?;
                }
                crate::value::grow(|| write_v(w, x, depth + 1))?;
            }
            w.write_char(']')
        }
        Value::Map(m) => {
            w.write_str("map[")?;
            for (i, (k, x)) in m.entries().iter().enumerate() {
                if i > 0 {
                    w.write_char(' ')?;
                }
                w.write_str(k)?;
                w.write_char(':')?;
                crate::value::grow(|| write_v(w, x, depth + 1))?;
            }
            w.write_char(']')
        }
        Value::Object(o) => write!(w, "{}", ObjFmt(o.as_ref())),
        Value::Func(_) => w.write_str("0x0"),
    }
}

struct ObjFmt<'a>(&'a dyn crate::value::Object);

impl fmt::Display for ObjFmt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt_go(f)
    }
}

/// `%v` of a value as a `String`.
pub(crate) fn to_v(v: &Value) -> String {
    let mut s = String::new();
    let _ = write_v(&mut s, v, 0);
    s
}

/// Go's `strconv.Quote`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, '"', false);
    }
    out.push('"');
    out
}

/// Go's `strconv.QuoteToASCII`.
pub fn quote_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, '"', true);
    }
    out.push('"');
    out
}

/// Go's `strconv.QuoteRune` (`ascii` for `QuoteRuneToASCII`).
pub(crate) fn quote_rune(c: char, ascii: bool) -> String {
    let mut out = String::from("'");
    push_escaped(&mut out, c, '\'', ascii);
    out.push('\'');
    out
}

/// Approximation of Go's `unicode.IsPrint`.
pub(crate) fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    // Format characters, private use, unassigned surrogates/non-characters.
    !matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE000..=0xF8FF | 0xFFFE | 0xFFFF | 0xF0000..=0x10FFFF)
}

fn push_escaped(out: &mut String, c: char, quote: char, ascii: bool) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if ascii {
        if (c as u32) < 0x80 && is_print(c) {
            out.push(c);
            return;
        }
    } else if is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if (c as u32) < 0x10000 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

/// Go's `strconv.FormatFloat(f, fmt, prec, 64)` for `fmt` in `e E f g G`
/// (`prec` `None` = shortest representation).
pub fn format_float(f: f64, fmt: char, prec: Option<usize>) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let upper = fmt.is_ascii_uppercase();
    match fmt.to_ascii_lowercase() {
        'x' => fmt_x(f, prec, upper),
        'b' => fmt_b(f),
        'e' => fmt_e(f, prec, upper),
        'f' => match prec {
            Some(p) => format!("{f:.p$}"),
            None => {
                let s = format!("{f}");
                if s == "-0" { "-0".into() } else { s }
            }
        },
        _ => fmt_g(f, prec, upper),
    }
}

/// Go's `%b` for floats: `mantissa p exponent` in decimal.
fn fmt_b(f: f64) -> String {
    let bits = f.to_bits();
    let neg = bits >> 63 != 0;
    let mut exp = ((bits >> 52) & 0x7ff) as i64;
    let mut mant = bits & ((1 << 52) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1 << 52;
    }
    exp += -1023 - 52;
    let sign = if neg { "-" } else { "" };
    let esign = if exp >= 0 { "+" } else { "" };
    format!("{sign}{mant}p{esign}{exp}")
}

/// Go's `%x` for floats: `0x1.8p+01`.
fn fmt_x(f: f64, prec: Option<usize>, upper: bool) -> String {
    let bits = f.to_bits();
    let neg = bits >> 63 != 0;
    let mut exp = ((bits >> 52) & 0x7ff) as i64;
    let mut mant = bits & ((1 << 52) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1 << 52;
    }
    exp -= 1023;
    if mant == 0 {
        exp = 0;
    }
    mant <<= 60 - 52;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if let Some(p) = prec.filter(|p| *p < 15) {
        let shift = (p * 4) as u32;
        let extra = (mant << shift) & ((1 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let hex: &[u8] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push('0');
    out.push(if upper { 'X' } else { 'x' });
    out.push(if (mant >> 60) & 1 == 1 { '1' } else { '0' });
    mant <<= 4;
    match prec {
        None if mant != 0 => {
            out.push('.');
            while mant != 0 {
                out.push(hex[((mant >> 60) & 15) as usize] as char);
                mant <<= 4;
            }
        }
        Some(p) if p > 0 => {
            out.push('.');
            for _ in 0..p {
                out.push(hex[((mant >> 60) & 15) as usize] as char);
                mant <<= 4;
            }
        }
        _ => {}
    }
    out.push(if upper { 'P' } else { 'p' });
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        out.push('0');
    }
    out.push_str(&e.to_string());
    out
}

/// Decimal digits and exponent: value = 0.d1d2d3... * 10^dp.
fn digits(f: f64, prec: Option<usize>) -> (bool, String, i32) {
    let neg = f.is_sign_negative();
    let a = f.abs();
    let s = match prec {
        Some(p) => format!("{:.*e}", p.saturating_sub(1), a),
        None => format!("{a:e}"),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut d: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    if prec.is_none() {
        while d.len() > 1 && d.ends_with('0') {
            d.pop();
        }
    }
    if a == 0.0 {
        return (neg, d, 1);
    }
    (neg, d, exp + 1)
}

fn exp_str(e: i32, upper: bool) -> String {
    let sign = if e < 0 { '-' } else { '+' };
    let e = e.abs();
    let ch = if upper { 'E' } else { 'e' };
    if e < 10 {
        format!("{ch}{sign}0{e}")
    } else {
        format!("{ch}{sign}{e}")
    }
}

fn fmt_e(f: f64, prec: Option<usize>, upper: bool) -> String {
    match prec {
        Some(p) => {
            let s = format!("{:.*e}", p, f);
            let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
            let e: i32 = exp.parse().unwrap_or(0);
            format!("{mant}{}", exp_str(e, upper))
        }
        None => {
            let (neg, d, dp) = digits(f, None);
            let mut out = String::new();
            if neg {
                out.push('-');
            }
            out.push_str(&d[..1]);
            if d.len() > 1 {
                out.push('.');
                out.push_str(&d[1..]);
            }
            out.push_str(&exp_str(dp - 1, upper));
            out
        }
    }
}

fn fmt_g(f: f64, prec: Option<usize>, upper: bool) -> String {
    let shortest = prec.is_none();
    let prec = prec.map(|p| if p == 0 { 1 } else { p });
    let (neg, mut d, dp) = digits(f, prec);
    while d.len() > 1 && d.ends_with('0') {
        d.pop();
    }
    let nd = d.len() as i32;
    let mut p = match prec {
        Some(p) => p as i32,
        None => nd,
    };
    let mut eprec = p;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    if shortest {
        eprec = 6;
    }
    let exp = dp - 1;
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if exp < -4 || exp >= eprec {
        if p > nd {
            p = nd;
        }
        // %e with p-1 digits after the point, from the digit string.
        let digs: String = d
            .chars()
            .chain(std::iter::repeat('0'))
            .take(p.max(1) as usize)
            .collect();
        out.push_str(&digs[..1]);
        if digs.len() > 1 {
            out.push('.');
            out.push_str(&digs[1..]);
        }
        out.push_str(&exp_str(exp, upper));
        return out;
    }
    if p > dp {
        p = nd;
    }
    let frac = (p - dp).max(0) as usize;
    // %f from digits: integer part then frac digits.
    let digit = |i: i32| -> char {
        if i >= 0 && i < nd {
            d.as_bytes()[i as usize] as char
        } else {
            '0'
        }
    };
    if dp > 0 {
        for i in 0..dp {
            out.push(digit(i));
        }
    } else {
        out.push('0');
    }
    if frac > 0 {
        out.push('.');
        for i in 0..frac as i32 {
            out.push(digit(dp + i));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_go() {
        assert_eq!(format_float(1e6, 'g', None), "1e+06");
        assert_eq!(format_float(3.25, 'g', None), "3.25");
        assert_eq!(format_float(123456.0, 'g', None), "123456");
        assert_eq!(format_float(1234567.0, 'g', None), "1.234567e+06");
        assert_eq!(format_float(0.0001, 'g', None), "0.0001");
        assert_eq!(format_float(0.00001, 'g', None), "1e-05");
        assert_eq!(format_float(0.0, 'g', None), "0");
        assert_eq!(format_float(-2.5, 'g', None), "-2.5");
        assert_eq!(format_float(1e21, 'g', None), "1e+21");
        assert_eq!(format_float(1e100, 'e', None), "1e+100");
        assert_eq!(format_float(1.23456, 'f', Some(2)), "1.23");
        assert_eq!(format_float(3.0, 'e', Some(6)), "3.000000e+00");
        assert_eq!(format_float(1.23456, 'g', Some(3)), "1.23");
        assert_eq!(format_float(100.0, 'g', Some(2)), "1e+02");
        assert_eq!(format_float(f64::INFINITY, 'g', None), "+Inf");
    }

    #[test]
    fn quotes_like_go() {
        assert_eq!(quote("a\"b\\\n\t\x01é"), "\"a\\\"b\\\\\\n\\t\\x01é\"");
        assert_eq!(quote_ascii("é"), "\"\\u00e9\"");
        assert_eq!(quote_rune('\'', false), "'\\''");
    }
}

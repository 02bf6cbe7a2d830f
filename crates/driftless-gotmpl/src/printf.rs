//! Go's `fmt.Sprintf`, `fmt.Sprint` and `fmt.Sprintln` over template
//! values: verbs, flags, width/precision and the `%!` error forms.

use std::fmt::Write;

use crate::fmt::{format_float, quote, quote_ascii, quote_rune, to_v};
use crate::value::Value;

#[derive(Clone, Copy, Default)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    wid: Option<usize>,
    prec: Option<usize>,
    sharp_v: bool,
    /// Enclosing lists/maps (guards against maps that contain themselves).
    depth: usize,
}

/// Go's `fmt.Sprintf(format, args...)` over template values.
///
/// ```
/// use driftless_gotmpl::{sprintf, Value};
/// assert_eq!(sprintf("%05.1f|%-4s|%x", &[Value::Float(3.14159), "ab".into(), Value::Int(255)]), "003.1|ab  |ff");
/// assert_eq!(sprintf("%d", &["x".into()]), "%!d(string=x)");
/// assert_eq!(sprintf("%s", &[]), "%!s(MISSING)");
/// ```
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::with_capacity(format.len() + 16);
    let b = format.as_bytes();
    let end = b.len();
    let mut i = 0;
    let mut arg_num = 0usize;
    let mut reordered = false;
    while i < end {
        let lasti = i;
        while i < end && b[i] != b'%' {
            i += 1;
        }
        if i > lasti {
            out.push_str(&format[lasti..i]);
        }
        if i >= end {
            break;
        }
        i += 1; // skip %
        let mut f = Flags::default();
        let mut good_arg_num = true;
        while i < end {
            match b[i] {
                b'#' => f.sharp = true,
                b'0' => f.zero = !f.minus,
                b'+' => f.plus = true,
                b'-' => {
                    f.minus = true;
                    f.zero = false;
                }
                b' ' => f.space = true,
                _ => break,
            }
            i += 1;
        }
        // explicit argument index
        let mut after_index;
        (arg_num, i, after_index) =
            arg_number(b, arg_num, i, args.len(), &mut good_arg_num, &mut reordered);
        // width
        if i < end && b[i] == b'*' {
            i += 1;
            let (n, ok, next) = int_from_arg(args, arg_num);
            arg_num = next;
            if ok {
                f.wid = Some(n.unsigned_abs() as usize);
                if n < 0 {
                    f.minus = true;
                    f.zero = false;
                }
            } else {
                out.push_str("%!(BADWIDTH)");
            }
            after_index = false;
        } else {
            let (n, ni) = parse_num(b, i);
            if ni > i {
                f.wid = Some(n);
                if after_index {
                    good_arg_num = false;
                }
            }
            i = ni;
        }
        // precision
        if i + 1 < end && b[i] == b'.' {
            i += 1;
            if after_index {
                good_arg_num = false;
            }
            (arg_num, i, after_index) =
                arg_number(b, arg_num, i, args.len(), &mut good_arg_num, &mut reordered);
            if i < end && b[i] == b'*' {
                i += 1;
                let (n, ok, next) = int_from_arg(args, arg_num);
                arg_num = next;
                if ok && n >= 0 {
                    f.prec = Some(n as usize);
                } else {
                    out.push_str("%!(BADPREC)");
                }
                after_index = false;
            } else {
                let (n, ni) = parse_num(b, i);
                f.prec = Some(if ni > i { n } else { 0 });
                i = ni;
            }
        }
        if !after_index {
            (arg_num, i, _) =
                arg_number(b, arg_num, i, args.len(), &mut good_arg_num, &mut reordered);
        }
        if i >= end {
            out.push_str("%!(NOVERB)");
            break;
        }
        let verb = format[i..].chars().next().unwrap_or('?');
        i += verb.len_utf8();
        if verb == '%' {
            out.push('%');
            continue;
        }
        if !good_arg_num {
            let _ = write!(out, "%!{verb}(BADINDEX)");
            continue;
        }
        let Some(arg) = args.get(arg_num) else {
            let _ = write!(out, "%!{verb}(MISSING)");
            continue;
        };
        if verb == 'v' {
            f.sharp_v = f.sharp;
            f.sharp = false;
            f.plus = false;
        }
        print_arg(&mut out, arg, verb, &f);
        arg_num += 1;
    }
    if !reordered && arg_num < args.len() {
        out.push_str("%!(EXTRA ");
        for (k, a) in args[arg_num..].iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            if a.is_nil() {
                out.push_str("<nil>");
            } else {
                out.push_str(&a.type_name());
                out.push('=');
                print_arg(&mut out, a, 'v', &Flags::default());
            }
        }
        out.push(')');
    }
    out
}

/// Go's `argNumber`: an optional `[n]` (1-based) at `i`.
fn arg_number(
    b: &[u8],
    arg_num: usize,
    i: usize,
    num_args: usize,
    good: &mut bool,
    reordered: &mut bool,
) -> (usize, usize, bool) {
    if i >= b.len() || b[i] != b'[' {
        return (arg_num, i, false);
    }
    *reordered = true;
    let rest = &b[i..];
    let (index, wid, ok) = parse_arg_number(rest);
    if ok && index < num_args {
        return (index, i + wid, true);
    }
    *good = false;
    (arg_num, i + wid, ok)
}

/// Go's `parseArgNumber`: (0-based index, bytes consumed, ok).
fn parse_arg_number(f: &[u8]) -> (usize, usize, bool) {
    if f.len() < 3 {
        return (0, 1, false);
    }
    for i in 1..f.len() {
        if f[i] == b']' {
            let (n, ni) = parse_num(f, 1);
            if ni == 1 || ni != i || n == 0 {
                return (usize::MAX, i + 1, ni == i && ni > 1);
            }
            return (n - 1, i + 1, true);
        }
    }
    (0, 1, false)
}

/// Go's `intFromArg`: (value, ok, next argument number).
fn int_from_arg(args: &[Value], arg_num: usize) -> (i64, bool, usize) {
    let Some(a) = args.get(arg_num) else {
        return (0, false, arg_num);
    };
    let (n, ok) = match a {
        Value::Int(n) | Value::Int64(n) => (*n, true),
        Value::Uint(u) if i64::try_from(*u).is_ok() => (*u as i64, true),
        _ => (0, false),
    };
    if !ok || !(-1_000_000..=1_000_000).contains(&n) {
        return (0, false, arg_num + 1);
    }
    (n, true, arg_num + 1)
}

fn parse_num(b: &[u8], mut i: usize) -> (usize, usize) {
    let mut n = 0usize;
    while i < b.len() && b[i].is_ascii_digit() {
        n = n
            .saturating_mul(10)
            .saturating_add((b[i] - b'0') as usize)
            .min(1_000_000);
        i += 1;
    }
    (n, i)
}

/// Go's `fmt.Sprint`: spaces between operands when neither is a string.
pub(crate) fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = matches!(a, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        print_arg(&mut out, a, 'v', &Flags::default());
        prev_string = is_string;
    }
    out
}

/// Go's `fmt.Sprintln`: spaces between all operands, then a newline.
pub(crate) fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        print_arg(&mut out, a, 'v', &Flags::default());
    }
    out.push('\n');
    out
}

/// Go's `badVerb`: `%!verb(type=value)`, the value printed with `%v` and
/// the flags, width and precision of the bad directive.
fn bad_verb(out: &mut String, v: &Value, verb: char, f: &Flags) {
    let _ = write!(out, "%!{verb}(");
    if v.is_nil() {
        out.push_str("<nil>");
    } else {
        out.push_str(&v.type_name());
        out.push('=');
        print_arg(out, v, 'v', f);
    }
    out.push(')');
}

/// Pads `s` to the width (counting runes), honouring `-` and `0`.
fn pad(out: &mut String, s: &str, f: &Flags) {
    let Some(w) = f.wid else {
        out.push_str(s);
        return;
    };
    let n = s.chars().count();
    if n >= w {
        out.push_str(s);
        return;
    }
    let fill = w - n;
    if f.minus {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', fill));
    } else {
        let c = if f.zero { '0' } else { ' ' };
        out.extend(std::iter::repeat_n(c, fill));
        out.push_str(s);
    }
}

/// An element of a list or map: nil prints as `<nil>` whatever the verb.
fn print_elem(out: &mut String, v: &Value, verb: char, f: &Flags) {
    let f = &Flags {
        depth: f.depth + 1,
        ..*f
    };
    if f.depth > crate::value::MAX_DEPTH {
        out.push_str("...");
    } else if v.is_nil() && verb != 'T' {
        pad(out, "<nil>", f);
    } else {
        crate::value::grow(|| print_arg(out, v, verb, f));
    }
}

fn print_arg(out: &mut String, v: &Value, verb: char, f: &Flags) {
    if verb == 'T' {
        let t = if v.is_nil() {
            "<nil>".to_string()
        } else {
            v.type_name()
        };
        pad(out, &t, f);
        return;
    }
    match v {
        Value::NoValue | Value::Nil => match verb {
            'v' => pad(out, "<nil>", f),
            _ => bad_verb(out, v, verb, f),
        },
        Value::Bool(b) => match verb {
            't' | 'v' => pad(out, if *b { "true" } else { "false" }, f),
            _ => bad_verb(out, v, verb, f),
        },
        Value::Int(i) | Value::Int64(i) => fmt_integer(out, v, *i < 0, i.unsigned_abs(), verb, f),
        Value::Uint(u) => fmt_integer(out, v, false, *u, verb, f),
        Value::Float(x) => fmt_float(out, v, *x, verb, f),
        Value::String(s) => fmt_string(out, v, s.as_bytes(), verb, f),
        Value::Bytes(b) => match verb {
            's' | 'q' | 'x' | 'X' => fmt_string(out, v, b, verb, f),
            _ => {
                if f.sharp_v {
                    out.push_str("[]byte{");
                    for (i, x) in b.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        let _ = write!(out, "0x{x:x}");
                    }
                    out.push('}');
                    return;
                }
                out.push('[');
                for (i, x) in b.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    fmt_integer(out, &Value::Uint(*x as u64), false, *x as u64, verb, f);
                }
                out.push(']');
            }
        },
        Value::List(l) => {
            if f.sharp_v {
                out.push_str("[]interface {}{");
                for (i, x) in l.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    print_elem(out, x, verb, f);
                }
                out.push('}');
                return;
            }
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                print_elem(out, x, verb, f);
            }
            out.push(']');
        }
        Value::Map(m) => {
            let entries = m.entries();
            if f.sharp_v {
                out.push_str("map[string]interface {}{");
                for (i, (k, x)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&quote(k));
                    out.push(':');
                    print_elem(out, x, verb, f);
                }
                out.push('}');
                return;
            }
            out.push_str("map[");
            for (i, (k, x)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                fmt_string(out, &Value::NoValue, k.as_bytes(), verb, f);
                out.push(':');
                print_elem(out, x, verb, f);
            }
            out.push(']');
        }
        Value::Object(_) | Value::Func(_) => match verb {
            'v' | 's' => pad(out, &to_v(v), f),
            _ => bad_verb(out, v, verb, f),
        },
    }
}

fn fmt_integer(out: &mut String, v: &Value, neg: bool, u: u64, verb: char, f: &Flags) {
    let (base, upper) = match verb {
        'v' | 'd' => (10, false),
        'b' => (2, false),
        'o' | 'O' => (8, false),
        'x' => (16, false),
        'X' => (16, true),
        'c' => {
            let c = if neg {
                None
            } else {
                u32::try_from(u).ok().and_then(char::from_u32)
            };
            pad(out, &c.unwrap_or('\u{FFFD}').to_string(), f);
            return;
        }
        'q' => {
            let c = if neg {
                None
            } else {
                u32::try_from(u).ok().and_then(char::from_u32)
            };
            let q = quote_rune(c.unwrap_or('\u{FFFD}'), f.plus);
            pad(out, &q, f);
            return;
        }
        'U' => {
            let mut s = if neg {
                format!("U+-{u:04X}")
            } else {
                format!("U+{u:04X}")
            };
            if f.sharp
                && let Some(c) = u32::try_from(u).ok().and_then(char::from_u32)
                && !neg
                && crate::fmt::is_print(c)
            {
                let _ = write!(s, " '{c}'");
            }
            pad(out, &s, f);
            return;
        }
        _ => {
            bad_verb(out, v, verb, f);
            return;
        }
    };
    let mut digits = match base {
        2 => format!("{u:b}"),
        8 => format!("{u:o}"),
        16 if upper => format!("{u:X}"),
        16 => format!("{u:x}"),
        _ => format!("{u}"),
    };
    if let Some(p) = f.prec {
        if p == 0 && u == 0 {
            digits.clear();
        } else if digits.len() < p {
            digits = format!("{}{}", "0".repeat(p - digits.len()), digits);
        }
    }
    let mut prefix = String::new();
    if neg {
        prefix.push('-');
    } else if f.plus {
        prefix.push('+');
    } else if f.space {
        prefix.push(' ');
    }
    if f.sharp {
        match base {
            2 => prefix.push_str("0b"),
            8 if !digits.starts_with('0') => prefix.push('0'),
            16 if upper => prefix.push_str("0X"),
            16 => prefix.push_str("0x"),
            _ => {}
        }
    }
    if verb == 'O' {
        prefix.push_str("0o");
    }
    // Zero padding goes between sign/prefix and digits (only without precision).
    if f.zero && !f.minus && f.prec.is_none() {
        if let Some(w) = f.wid {
            let n = prefix.chars().count() + digits.len();
            if n < w {
                digits = format!("{}{}", "0".repeat(w - n), digits);
            }
        }
        out.push_str(&prefix);
        out.push_str(&digits);
        return;
    }
    let s = format!("{prefix}{digits}");
    let f2 = Flags { zero: false, ..*f };
    pad(out, &s, &f2);
}

fn fmt_float(out: &mut String, v: &Value, x: f64, verb: char, f: &Flags) {
    let (fmt_c, default_prec) = match verb {
        'v' => ('g', None),
        'g' | 'G' | 'x' | 'X' | 'b' => (verb, None),
        'e' | 'E' | 'f' => (verb, Some(6)),
        'F' => ('f', Some(6)),
        _ => {
            bad_verb(out, v, verb, f);
            return;
        }
    };
    let prec = f.prec.or(default_prec);
    let mut num = format_float(x, fmt_c, prec);
    if f.sharp && x.is_finite() {
        num = sharp_float(&num, fmt_c, f.prec);
    }
    let (sign, body) = if let Some(rest) = num.strip_prefix('-') {
        ("-", rest.to_string())
    } else if let Some(rest) = num.strip_prefix('+') {
        ("+", rest.to_string())
    } else {
        ("+", num.clone())
    };
    let positive = sign == "+";
    if body == "Inf" || body == "NaN" {
        let mut s = String::new();
        if body == "NaN" {
            if f.plus {
                s.push('+');
            } else if f.space {
                s.push(' ');
            }
        } else if !positive {
            s.push('-');
        } else if f.plus {
            s.push('+');
        } else if f.space {
            s.push(' ');
        }
        s.push_str(&body);
        pad(out, &s, &Flags { zero: false, ..*f });
        return;
    }
    let sign_str = if !positive {
        "-"
    } else if f.plus {
        "+"
    } else if f.space {
        " "
    } else {
        ""
    };
    if f.zero
        && !f.minus
        && let Some(w) = f.wid
    {
        let n = sign_str.len() + body.chars().count();
        out.push_str(sign_str);
        if n < w {
            out.extend(std::iter::repeat_n('0', w - n));
        }
        out.push_str(&body);
        return;
    }
    pad(out, &format!("{sign_str}{body}"), f);
}

/// Go's `#` flag on floats: always a decimal point; for `%g`/`%v` keep
/// trailing zeros up to the precision (6 by default).
fn sharp_float(num: &str, verb: char, prec: Option<usize>) -> String {
    if verb == 'b' {
        return num.to_string();
    }
    let mut digits: i64 = match verb {
        'g' | 'G' | 'x' => prec.map(|p| p as i64).unwrap_or(6),
        _ => 0,
    };
    let (sign, body) = match num.strip_prefix('-') {
        Some(b) => ("-", b),
        None => ("", num),
    };
    let exp_at = if matches!(verb, 'x' | 'X') {
        body.find(['p', 'P'])
    } else {
        body.find(['e', 'E'])
    };
    let (mant, tail) = match exp_at {
        Some(i) => (&body[..i], &body[i..]),
        None => (body, ""),
    };
    let mut saw_nonzero = false;
    let mut has_point = false;
    for c in mant.chars() {
        if c == '.' {
            has_point = true;
            continue;
        }
        if c != '0' {
            saw_nonzero = true;
        }
        if saw_nonzero {
            digits -= 1;
        }
    }
    let mut m = mant.to_string();
    if !has_point {
        if mant == "0" {
            digits -= 1;
        }
        m.push('.');
    }
    while digits > 0 {
        m.push('0');
        digits -= 1;
    }
    format!("{sign}{m}{tail}")
}

fn fmt_string(out: &mut String, v: &Value, bytes: &[u8], verb: char, f: &Flags) {
    let s = String::from_utf8_lossy(bytes);
    let truncated: String = match f.prec {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_string(),
    };
    match verb {
        'v' if f.sharp_v => pad(out, &quote(&s), f),
        'v' | 's' => pad(out, &truncated, f),
        'q' => {
            let q = if f.sharp
                && !truncated.contains('`')
                && truncated.chars().all(|c| c == '\t' || !c.is_control())
            {
                format!("`{truncated}`")
            } else if f.plus {
                quote_ascii(&truncated)
            } else {
                quote(&truncated)
            };
            pad(out, &q, f);
        }
        'x' | 'X' => {
            let src: &[u8] = match f.prec {
                Some(p) => &bytes[..p.min(bytes.len())],
                None => bytes,
            };
            let mut h = String::new();
            for (i, b) in src.iter().enumerate() {
                if f.space && i > 0 {
                    h.push(' ');
                }
                if f.sharp && (f.space || i == 0) {
                    h.push_str(if verb == 'X' { "0X" } else { "0x" });
                }
                if verb == 'X' {
                    let _ = write!(h, "{b:02X}");
                } else {
                    let _ = write!(h, "{b:02x}");
                }
            }
            pad(out, &h, f);
        }
        _ => {
            if matches!(v, Value::NoValue) {
                // A map key printed with a bad verb.
                bad_verb(out, &Value::String(s.as_ref().into()), verb, f);
            } else {
                bad_verb(out, v, verb, f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: &str, a: &[Value]) -> String {
        sprintf(f, a)
    }

    #[test]
    fn verbs() {
        assert_eq!(
            s(
                "%d|%5d|%-5d|%05d|%x|%X|%o|%b|%c|%q|%U",
                &[
                    Value::Int(42),
                    Value::Int(42),
                    Value::Int(42),
                    Value::Int(-42),
                    Value::Int(255),
                    Value::Int(255),
                    Value::Int(8),
                    Value::Int(5),
                    Value::Int(65),
                    Value::Int(65),
                    Value::Int(65)
                ]
            ),
            "42|   42|42   |-0042|ff|FF|10|101|A|'A'|U+0041"
        );
        assert_eq!(
            s(
                "%s|%q|%v|%10s|%-10s|%.2s",
                &[
                    "hi".into(),
                    "a\"b".into(),
                    "x".into(),
                    "r".into(),
                    "l".into(),
                    "abc".into()
                ]
            ),
            "hi|\"a\\\"b\"|x|         r|l         |ab"
        );
        assert_eq!(
            s(
                "%f|%.2f|%5.1f|%e|%g|%v|%t",
                &[
                    Value::Float(1.23456),
                    Value::Float(1.23456),
                    Value::Float(1.23456),
                    Value::Float(1234.5678),
                    Value::Float(1e6),
                    Value::Float(1e6),
                    Value::Bool(true)
                ]
            ),
            "1.234560|1.23|  1.2|1.234568e+03|1e+06|1e+06|true"
        );
        assert_eq!(
            s("%d %s", &[Value::Float(80.0), Value::Int(1)]),
            "%!d(float64=80) %!s(int=1)"
        );
        assert_eq!(s("%d", &[]), "%!d(MISSING)");
        assert_eq!(
            s("a", &[Value::Int(1), "x".into()]),
            "a%!(EXTRA int=1, string=x)"
        );
        assert_eq!(
            s("%d %v %s", &[Value::Nil, Value::Nil, Value::Nil]),
            "%!d(<nil>) <nil> %!s(<nil>)"
        );
        assert_eq!(s("%%|%", &[]), "%|%!(NOVERB)");
        assert_eq!(
            s("%v", &[Value::list(vec![Value::Int(1), "a".into()])]),
            "[1 a]"
        );
        assert_eq!(
            s("%d", &[Value::list(vec![Value::Int(1), "a".into()])]),
            "[1 %!d(string=a)]"
        );
        assert_eq!(
            s(
                "%+d|% d|%#x|%#o|%T",
                &[
                    Value::Int(5),
                    Value::Int(5),
                    Value::Int(255),
                    Value::Int(8),
                    Value::Float(1.0)
                ]
            ),
            "+5| 5|0xff|010|float64"
        );
        assert_eq!(s("%x|% x", &["hi".into(), "hi".into()]), "6869|68 69");
        assert_eq!(
            s(
                "%*d|%.*f",
                &[
                    Value::Int(4),
                    Value::Int(7),
                    Value::Int(1),
                    Value::Float(2.25)
                ]
            ),
            "   7|2.2"
        );
    }

    #[test]
    fn sprint_spacing() {
        assert_eq!(
            sprint(&[
                Value::Int(1),
                Value::Int(2),
                "a".into(),
                Value::Int(3),
                "b".into()
            ]),
            "1 2a3b"
        );
        assert_eq!(sprintln(&[Value::Int(1), "a".into()]), "1 a\n");
    }
}

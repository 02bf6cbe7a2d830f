//! Go's `strconv.FormatFloat` with the shortest representation (`prec = -1`)
//! and Go's `encoding/json` number text, which YAML and template output
//! depend on (`1e+06`, `1e-07`, `0.5`).

/// Shortest decimal digits and decimal-point position of a finite float:
/// `f = 0.d1d2... × 10^dp` (sign excluded). Zero gives `("0", 1)`.
fn shortest_digits(f: f64) -> (String, i32) {
    let s = format!("{:e}", f.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    (digits, exp + 1)
}

/// `strconv.FormatFloat(f, fmt, -1, 64)` for `fmt` in `'e'`, `'f'`, `'g'`.
pub fn format_float(f: f64, fmt: char) -> String {
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
    let neg = f.is_sign_negative();
    let (digits, dp) = shortest_digits(f);
    let body = match fmt {
        'e' => fmt_e(&digits, dp),
        'f' => fmt_f(&digits, dp),
        _ => {
            // Shortest %g uses exponent form when exp < -4 || exp >= 6.
            let exp = dp - 1;
            if !(-4..6).contains(&exp) {
                fmt_e(&digits, dp)
            } else {
                fmt_f(&digits, dp)
            }
        }
    };
    if neg { format!("-{body}") } else { body }
}

fn fmt_e(digits: &str, dp: i32) -> String {
    let mut out = String::new();
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    let exp = if digits == "0" { 0 } else { dp - 1 };
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
    out
}

fn fmt_f(digits: &str, dp: i32) -> String {
    let nd = digits.len() as i32;
    let mut out = String::new();
    if dp <= 0 {
        out.push('0');
    } else {
        for i in 0..dp {
            out.push(if i < nd {
                digits.as_bytes()[i as usize] as char
            } else {
                '0'
            });
        }
    }
    if nd > dp {
        out.push('.');
        for i in dp..nd {
            if i < 0 {
                out.push('0');
            } else {
                out.push(digits.as_bytes()[i as usize] as char);
            }
        }
    }
    out
}

/// The text Go's `encoding/json` writes for a float64 (`'f'` format unless
/// the magnitude is below 1e-6 or at least 1e21, then `'e'` with a
/// one-digit exponent kept short: `1e-7`). `None` for NaN and infinities,
/// which Go refuses to encode.
pub fn json_float(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    let abs = f.abs();
    let e = abs != 0.0 && !(1e-6..1e21).contains(&abs);
    let mut s = format_float(f, if e { 'e' } else { 'f' });
    if e {
        let n = s.len();
        let b = s.as_bytes();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            s.remove(n - 2);
        }
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_format_matches_go() {
        for (f, want) in [
            (1e6, "1e+06"),
            (100000.0, "100000"),
            (1.5, "1.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e21, "1e+21"),
            (123456789.0, "1.23456789e+08"),
            (0.0, "0"),
            (-2.5, "-2.5"),
            (3.0, "3"),
            (1e-7, "1e-07"),
            (f64::INFINITY, "+Inf"),
        ] {
            assert_eq!(format_float(f, 'g'), want, "{f}");
        }
    }

    #[test]
    fn json_format_matches_go() {
        for (f, want) in [
            (1e6, "1000000"),
            (1e21, "1e+21"),
            (1e-7, "1e-7"),
            (0.000001, "0.000001"),
            (1.5, "1.5"),
            (1e20, "100000000000000000000"),
            (-0.0, "-0"),
        ] {
            assert_eq!(json_float(f).unwrap(), want, "{f}");
        }
    }
}

//! Sprig's math: integer functions through `cast.ToInt64`, float functions
//! through exact decimals (shopspring/decimal) as Sprig computes them.

use driftless_gotmpl::{
    ArgType::Any as A, ArgType::Float as F, ArgType::Int as I, ArgType::String as S, FuncError,
    FuncMap, Value,
};

use super::conv::{arg_int, arg_str, strval, to_f64, to_i64};
use super::{add, add_var, variadic};
use crate::yaml::gofloat::format_float;

const DIV_ZERO: &str = "runtime error: integer divide by zero";

/// An exact decimal `m × 10^-s`.
#[derive(Clone, Copy, Debug)]
struct Dec {
    m: i128,
    s: u32,
}

impl Dec {
    fn from_f64(f: f64) -> Option<Dec> {
        if !f.is_finite() {
            return None;
        }
        // Shortest round-trip digits, like decimal.NewFromFloat.
        let t = format_float(f, 'e');
        let (mant, exp) = t.split_once('e')?;
        let exp: i32 = exp.parse().ok()?;
        let neg = mant.starts_with('-');
        let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
        let mut m: i128 = digits.parse().ok()?;
        let frac_digits = digits.len() as i32 - 1;
        let mut s = frac_digits - exp;
        while s < 0 {
            m = m.checked_mul(10)?;
            s += 1;
        }
        if neg {
            m = -m;
        }
        Some(Dec { m, s: s as u32 })
    }
    fn align(a: Dec, b: Dec) -> Option<(i128, i128, u32)> {
        let s = a.s.max(b.s);
        let am = a.m.checked_mul(10i128.checked_pow(s - a.s)?)?;
        let bm = b.m.checked_mul(10i128.checked_pow(s - b.s)?)?;
        Some((am, bm, s))
    }
    fn to_f64(self) -> f64 {
        let neg = self.m < 0;
        let digits = self.m.unsigned_abs().to_string();
        let s = self.s as usize;
        let text = if s == 0 {
            digits
        } else if digits.len() > s {
            format!(
                "{}.{}",
                &digits[..digits.len() - s],
                &digits[digits.len() - s..]
            )
        } else {
            format!("0.{}{}", "0".repeat(s - digits.len()), digits)
        };
        let v: f64 = text.parse().unwrap_or(0.0);
        if neg { -v } else { v }
    }
}

fn dec_op(a: f64, b: f64, op: char) -> f64 {
    let exact = (|| {
        let (x, y) = (Dec::from_f64(a)?, Dec::from_f64(b)?);
        match op {
            '+' | '-' => {
                let (am, bm, s) = Dec::align(x, y)?;
                let m = if op == '+' {
                    am.checked_add(bm)?
                } else {
                    am.checked_sub(bm)?
                };
                Some(Dec { m, s }.to_f64())
            }
            '*' => Some(
                Dec {
                    m: x.m.checked_mul(y.m)?,
                    s: x.s + y.s,
                }
                .to_f64(),
            ),
            _ => None,
        }
    })();
    exact.unwrap_or(match op {
        '+' => a + b,
        '-' => a - b,
        '*' => a * b,
        _ => a / b,
    })
}

/// shopspring's `Div` (16 fractional digits, half-up) then `Float64`.
fn dec_div(a: f64, b: f64) -> Result<f64, FuncError> {
    if b == 0.0 {
        return Err(FuncError::msg("decimal division by 0"));
    }
    let q = a / b;
    let rounded: f64 = format!("{q:.16}").parse().unwrap_or(q);
    Ok(if (rounded - q).abs() <= q.abs() * 1e-15 {
        q
    } else {
        rounded
    })
}

/// Sprig's `round`.
pub fn round(v: f64, places: i64, round_on: f64) -> f64 {
    let pow = 10f64.powf(places as f64);
    let digit = pow * v;
    let frac = digit.fract();
    let r = if frac >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    r / pow
}

pub(super) fn register(m: &mut FuncMap) {
    variadic(m, "add", |a| {
        Ok(Value::Int64(
            a.iter().map(to_i64).fold(0i64, i64::wrapping_add),
        ))
    });
    add(m, "add1", &[A], |a| {
        Ok(Value::Int64(to_i64(&a[0]).wrapping_add(1)))
    });
    add(m, "sub", &[A, A], |a| {
        Ok(Value::Int64(to_i64(&a[0]).wrapping_sub(to_i64(&a[1]))))
    });
    add(m, "div", &[A, A], |a| {
        let b = to_i64(&a[1]);
        if b == 0 {
            return Err(FuncError::msg(DIV_ZERO));
        }
        Ok(Value::Int64(to_i64(&a[0]).wrapping_div(b)))
    });
    add(m, "mod", &[A, A], |a| {
        let b = to_i64(&a[1]);
        if b == 0 {
            return Err(FuncError::msg(DIV_ZERO));
        }
        Ok(Value::Int64(to_i64(&a[0]).wrapping_rem(b)))
    });
    add_var(m, "mul", &[A], A, |a| {
        Ok(Value::Int64(
            a[1..]
                .iter()
                .map(to_i64)
                .fold(to_i64(&a[0]), i64::wrapping_mul),
        ))
    });
    for name in ["max", "biggest"] {
        add_var(m, name, &[A], A, |a| {
            Ok(Value::Int64(
                a[1..].iter().map(to_i64).fold(to_i64(&a[0]), i64::max),
            ))
        });
    }
    add(m, "add1f", &[A], |a| {
        Ok(Value::Float(dec_op(to_f64(&a[0]), 1.0, '+')))
    });
    add_var(m, "min", &[A], A, |a| {
        Ok(Value::Int64(
            a[1..].iter().map(to_i64).fold(to_i64(&a[0]), i64::min),
        ))
    });
    variadic(m, "addf", |a| {
        Ok(Value::Float(
            a.iter().map(to_f64).fold(0.0, |x, y| dec_op(x, y, '+')),
        ))
    });
    add_var(m, "subf", &[A], A, |a| {
        Ok(Value::Float(
            a[1..]
                .iter()
                .map(to_f64)
                .fold(to_f64(&a[0]), |x, y| dec_op(x, y, '-')),
        ))
    });
    add_var(m, "mulf", &[A], A, |a| {
        Ok(Value::Float(
            a[1..]
                .iter()
                .map(to_f64)
                .fold(to_f64(&a[0]), |x, y| dec_op(x, y, '*')),
        ))
    });
    add_var(m, "divf", &[A], A, |a| {
        let mut acc = to_f64(&a[0]);
        for y in &a[1..] {
            acc = dec_div(acc, to_f64(y))?;
        }
        Ok(Value::Float(acc))
    });
    add_var(m, "maxf", &[A], A, |a| {
        Ok(Value::Float(
            a[1..].iter().map(to_f64).fold(to_f64(&a[0]), f64::max),
        ))
    });
    add_var(m, "minf", &[A], A, |a| {
        Ok(Value::Float(
            a[1..].iter().map(to_f64).fold(to_f64(&a[0]), f64::min),
        ))
    });
    add(m, "floor", &[A], |a| {
        Ok(Value::Float(to_f64(&a[0]).floor()))
    });
    add(m, "ceil", &[A], |a| Ok(Value::Float(to_f64(&a[0]).ceil())));
    add_var(m, "round", &[A, I], F, |a| {
        let on = a.get(2).map(to_f64).unwrap_or(0.5);
        Ok(Value::Float(round(to_f64(&a[0]), arg_int(&a[1]), on)))
    });
    add(m, "atoi", &[S], |a| {
        Ok(Value::Int(arg_str(&a[0]).parse::<i64>().unwrap_or(0)))
    });
    add(m, "int", &[A], |a| Ok(Value::Int(to_i64(&a[0]))));
    add(m, "int64", &[A], |a| Ok(Value::Int64(to_i64(&a[0]))));
    add(m, "float64", &[A], |a| Ok(Value::Float(to_f64(&a[0]))));
    add(m, "toDecimal", &[A], |a| {
        Ok(Value::Int64(
            i64::from_str_radix(&strval(&a[0]), 8).unwrap_or(0),
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{check, check_err};

    #[test]
    fn math_functions() {
        check(&[
            (
                r#"{{ add 1 2 "3" 1.9 }} {{ add1 5 }} {{ sub 5 7 }} {{ div 7 2 }} {{ mod 7 3 }} {{ mul 2 3 4 }}"#,
                "7 6 -2 3 1 24",
            ),
            (
                r#"{{ max 1 5 3 }} {{ min 4 2 8 }} {{ max "10" 2 }}"#,
                "5 2 10",
            ),
            (
                r#"{{ addf 0.1 0.2 }} {{ subf 1.5 0.25 }} {{ mulf 1.1 3 }} {{ divf 10 4 }} {{ divf 1 3 }}"#,
                "0.3 1.25 3.3 2.5 0.3333333333333333",
            ),
            (
                r#"{{ maxf 1 2.5 }} {{ minf 1 2.5 }} {{ floor 1.7 }} {{ ceil 1.2 }} {{ round 3.14159 2 }} {{ round 2.5 0 }}"#,
                "2.5 1 1 2 3.14 3",
            ),
            (
                r#"{{ atoi "42" }} {{ atoi "x" }} {{ int "12" }} {{ int64 3.9 }} {{ float64 "1.5" }} {{ toDecimal "0777" }}"#,
                "42 0 12 3 1.5 511",
            ),
            (
                r#"{{ add 1000000 0 }} {{ float64 1000000 }}"#,
                "1000000 1e+06",
            ),
        ]);
        check_err(&[(r#"{{ div 1 0 }}"#, "integer divide by zero")]);
    }
}

//! Sprig's list functions (each `mustX` variant shares the non-must one's
//! error, which Go's template engine reports the same way for a panic).

use driftless_gotmpl::{ArgType::Any as A, ArgType::Int as I, FuncError, FuncMap, Value};

use super::conv::{arg_int, is_empty, kind_for_error, to_i64};
use super::{add, add_var, variadic};

const NIL_DEREF: &str = "runtime error: invalid memory address or nil pointer dereference";

/// The items of a list argument, or Sprig's "Cannot <what> on type" error.
fn items(v: &Value, what: &str) -> Result<Vec<Value>, FuncError> {
    match v {
        Value::List(l) => Ok(l.to_vec()),
        Value::Nil | Value::NoValue => Err(FuncError::msg(NIL_DEREF)),
        other => Err(FuncError::msg(format!("{what} {}", kind_for_error(other)))),
    }
}

fn both(
    m: &mut FuncMap,
    name: &str,
    params: &[driftless_gotmpl::ArgType],
    f: fn(&[Value]) -> Result<Value, FuncError>,
) {
    add(m, name, params, f);
    let must = format!("must{}{}", name[..1].to_uppercase(), &name[1..]);
    add(m, &must, params, f);
}

/// Sprig's `untilStep`.
pub fn until_step(start: i64, stop: i64, step: i64) -> Vec<i64> {
    let mut v = Vec::new();
    if stop < start {
        if step >= 0 {
            return v;
        }
        let mut i = start;
        while i > stop {
            v.push(i);
            i += step;
        }
        return v;
    }
    if step <= 0 {
        return v;
    }
    let mut i = start;
    while i < stop {
        v.push(i);
        i += step;
    }
    v
}

fn ints(v: Vec<i64>) -> Value {
    Value::list(v.into_iter().map(Value::Int).collect())
}

/// Sprig's `seq`.
pub fn seq(p: &[i64]) -> String {
    let join = |v: Vec<i64>| v.iter().map(i64::to_string).collect::<Vec<_>>().join(" ");
    match p {
        [end] => {
            let inc = if *end < 1 { -1 } else { 1 };
            join(until_step(1, end + inc, inc))
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            join(until_step(*start, end + step, step))
        }
        [start, step, end] => {
            let inc = if end < start {
                if *step > 0 {
                    return String::new();
                }
                -1
            } else {
                if *step < 0 {
                    return String::new();
                }
                1
            };
            join(until_step(*start, end + inc, *step))
        }
        _ => String::new(),
    }
}

pub(super) fn register(m: &mut FuncMap) {
    for name in ["list", "tuple"] {
        variadic(m, name, |a| Ok(Value::list(a.to_vec())));
    }
    for name in ["push", "append", "mustPush", "mustAppend"] {
        add(m, name, &[A, A], |a| {
            let mut l = items(&a[0], "Cannot push on type")?;
            l.push(a[1].clone());
            Ok(Value::list(l))
        });
    }
    both(m, "prepend", &[A, A], |a| {
        let mut l = items(&a[0], "Cannot prepend on type")?;
        l.insert(0, a[1].clone());
        Ok(Value::list(l))
    });
    variadic(m, "concat", |a| {
        let mut out = Vec::new();
        for l in a {
            match l {
                Value::List(x) => out.extend(x.iter().cloned()),
                Value::Nil | Value::NoValue => return Err(FuncError::msg(NIL_DEREF)),
                other => {
                    return Err(FuncError::msg(format!(
                        "Cannot concat type {} as list",
                        kind_for_error(other)
                    )));
                }
            }
        }
        Ok(Value::list(out))
    });
    both(m, "first", &[A], |a| {
        Ok(items(&a[0], "Cannot find first on type")?
            .first()
            .cloned()
            .unwrap_or(Value::Nil))
    });
    both(m, "last", &[A], |a| {
        Ok(items(&a[0], "Cannot find last on type")?
            .last()
            .cloned()
            .unwrap_or(Value::Nil))
    });
    both(m, "rest", &[A], |a| {
        let l = items(&a[0], "Cannot find rest on type")?;
        Ok(if l.is_empty() {
            Value::Nil
        } else {
            Value::list(l[1..].to_vec())
        })
    });
    both(m, "initial", &[A], |a| {
        let l = items(&a[0], "Cannot find initial on type")?;
        Ok(if l.is_empty() {
            Value::Nil
        } else {
            Value::list(l[..l.len() - 1].to_vec())
        })
    });
    both(m, "reverse", &[A], |a| {
        let mut l = items(&a[0], "Cannot find reverse on type")?;
        l.reverse();
        Ok(Value::list(l))
    });
    both(m, "uniq", &[A], |a| {
        let mut out: Vec<Value> = Vec::new();
        for x in items(&a[0], "Cannot find uniq on type")? {
            if !out.contains(&x) {
                out.push(x);
            }
        }
        Ok(Value::list(out))
    });
    both(m, "compact", &[A], |a| {
        Ok(Value::list(
            items(&a[0], "Cannot compact on type")?
                .into_iter()
                .filter(|x| !is_empty(x))
                .collect(),
        ))
    });
    for name in ["without", "mustWithout"] {
        add_var(m, name, &[A], A, |a| {
            let l = items(&a[0], "Cannot find without on type")?;
            Ok(Value::list(
                l.into_iter().filter(|x| !a[1..].contains(x)).collect(),
            ))
        });
    }
    both(m, "has", &[A, A], |a| {
        if a[1].is_nil() {
            return Ok(Value::Bool(false));
        }
        Ok(Value::Bool(
            items(&a[1], "Cannot find has on type")?.contains(&a[0]),
        ))
    });
    for name in ["slice", "mustSlice"] {
        add_var(m, name, &[A], A, |a| {
            let l = match &a[0] {
                Value::List(l) => l.to_vec(),
                other => {
                    return Err(FuncError::msg(format!(
                        "list should be type of slice or array but {}",
                        kind_for_error(other)
                    )));
                }
            };
            if l.is_empty() {
                return Ok(Value::Nil);
            }
            let start = a.get(1).map(to_i64).unwrap_or(0);
            let end = a.get(2).map(to_i64).unwrap_or(l.len() as i64);
            if start < 0 || end < start || end as usize > l.len() {
                return Err(FuncError::msg(format!(
                    "reflect: slice index out of range [{start}:{end}] with capacity {}",
                    l.len()
                )));
            }
            Ok(Value::list(l[start as usize..end as usize].to_vec()))
        });
    }
    for name in ["chunk", "mustChunk"] {
        add(m, name, &[I, A], |a| {
            let size = arg_int(&a[0]).max(1) as usize;
            let l = items(&a[1], "Cannot chunk type")?;
            Ok(Value::list(
                l.chunks(size).map(|c| Value::list(c.to_vec())).collect(),
            ))
        });
    }
    add(m, "until", &[I], |a| {
        let n = arg_int(&a[0]);
        Ok(ints(until_step(0, n, if n < 0 { -1 } else { 1 })))
    });
    add(m, "untilStep", &[I, I, I], |a| {
        Ok(ints(until_step(
            arg_int(&a[0]),
            arg_int(&a[1]),
            arg_int(&a[2]),
        )))
    });
    add_var(m, "seq", &[], I, |a| {
        Ok(Value::from(seq(&a.iter().map(arg_int).collect::<Vec<_>>())))
    });
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{check, check_err};

    #[test]
    fn list_functions() {
        check(&[
            (r#"{{ list 1 "a" nil }}"#, "[1 a <nil>]"),
            (r#"{{ append (list 1 2) 3 }}"#, "[1 2 3]"),
            (r#"{{ prepend (list 1 2) 0 }}"#, "[0 1 2]"),
            (r#"{{ concat (list 1) (list 2 3) }}"#, "[1 2 3]"),
            (
                r#"{{ first (list 1 2) }} {{ last (list 1 2) }} {{ first list }}"#,
                "1 2 <no value>",
            ),
            (
                r#"{{ rest (list 1 2 3) }} {{ initial (list 1 2 3) }}"#,
                "[2 3] [1 2]",
            ),
            (
                r#"{{ reverse (list 1 2 3) }} {{ uniq (list 1 1 "1" 2) }}"#,
                "[3 2 1] [1 1 2]",
            ),
            (r#"{{ compact (list 0 "" nil "a" false 1) }}"#, "[a 1]"),
            (
                r#"{{ without (list 1 2 3 2) 2 }} {{ has 2 (list 1 2) }} {{ has 2 nil }}"#,
                "[1 3] true false",
            ),
            (
                r#"{{ slice (list 1 2 3 4) 1 3 }} {{ slice (list 1 2 3) 1 }}"#,
                "[2 3] [2 3]",
            ),
            (r#"{{ chunk 2 (list 1 2 3) }}"#, "[[1 2] [3]]"),
            (
                r#"{{ until 3 }} {{ until -2 }} {{ untilStep 0 10 4 }}"#,
                "[0 1 2] [0 -1] [0 4 8]",
            ),
            (
                r#"{{ seq 3 }}|{{ seq 2 4 }}|{{ seq 0 2 6 }}|{{ seq 3 1 }}|{{ seq 0 }}"#,
                "1 2 3|2 3 4|0 2 4 6|3 2 1|1 0",
            ),
        ]);
        check_err(&[
            (r#"{{ first "abc" }}"#, "Cannot find first on type string"),
            (r#"{{ mustPush 1 2 }}"#, "Cannot push on type int"),
        ]);
    }
}

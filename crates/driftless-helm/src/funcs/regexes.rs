//! Sprig's regular-expression functions (Go RE2 syntax; Rust's `regex`
//! crate implements the same syntax family).

use driftless_gotmpl::{ArgType::Int as I, ArgType::String as S, FuncError, FuncMap, Value};
use regex::{NoExpand, Regex};

use super::add;
use super::conv::{arg_int, arg_str};

fn re(p: &str) -> Result<Regex, FuncError> {
    Regex::new(p).map_err(|e| {
        FuncError::msg(format!(
            "error parsing regexp: {}",
            e.to_string().lines().last().unwrap_or_default().trim()
        ))
    })
}

/// Go's `regexp.QuoteMeta`.
pub fn quote_meta(s: &str) -> String {
    let mut o = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            o.push('\\');
        }
        o.push(c);
    }
    o
}

fn strings(v: Vec<String>) -> Value {
    Value::list(v.into_iter().map(Value::from).collect())
}

fn find_all(p: &str, s: &str, n: i64) -> Result<Value, FuncError> {
    let r = re(p)?;
    let it = r.find_iter(s).map(|m| m.as_str().to_string());
    Ok(strings(if n < 0 {
        it.collect()
    } else {
        it.take(n as usize).collect()
    }))
}

fn split(p: &str, s: &str, n: i64) -> Result<Value, FuncError> {
    let r = re(p)?;
    if n == 0 {
        return Ok(Value::list(Vec::new()));
    }
    let parts: Vec<String> = if n < 0 {
        r.split(s).map(String::from).collect()
    } else {
        r.splitn(s, n as usize).map(String::from).collect()
    };
    Ok(strings(parts))
}

pub(super) fn register(m: &mut FuncMap) {
    add(m, "regexMatch", &[S, S], |a| {
        Ok(Value::Bool(
            re(&arg_str(&a[0])).is_ok_and(|r| r.is_match(&arg_str(&a[1]))),
        ))
    });
    add(m, "mustRegexMatch", &[S, S], |a| {
        Ok(Value::Bool(re(&arg_str(&a[0]))?.is_match(&arg_str(&a[1]))))
    });
    add(m, "regexFindAll", &[S, S, I], |a| {
        Ok(find_all(&arg_str(&a[0]), &arg_str(&a[1]), arg_int(&a[2]))
            .unwrap_or_else(|_| Value::list(Vec::new())))
    });
    add(m, "mustRegexFindAll", &[S, S, I], |a| {
        find_all(&arg_str(&a[0]), &arg_str(&a[1]), arg_int(&a[2]))
    });
    let find = |a: &[Value]| -> Result<Value, FuncError> {
        Ok(Value::from(
            re(&arg_str(&a[0]))?
                .find(&arg_str(&a[1]))
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
        ))
    };
    add(m, "regexFind", &[S, S], move |a| {
        Ok(find(a).unwrap_or_else(|_| Value::from("")))
    });
    add(m, "mustRegexFind", &[S, S], find);
    let rep = |a: &[Value]| -> Result<Value, FuncError> {
        Ok(Value::from(
            re(&arg_str(&a[0]))?
                .replace_all(&arg_str(&a[1]), arg_str(&a[2]).as_str())
                .into_owned(),
        ))
    };
    add(m, "regexReplaceAll", &[S, S, S], move |a| {
        Ok(rep(a).unwrap_or_else(|_| Value::from("")))
    });
    add(m, "mustRegexReplaceAll", &[S, S, S], rep);
    let lit = |a: &[Value]| -> Result<Value, FuncError> {
        Ok(Value::from(
            re(&arg_str(&a[0]))?
                .replace_all(&arg_str(&a[1]), NoExpand(&arg_str(&a[2])))
                .into_owned(),
        ))
    };
    add(m, "regexReplaceAllLiteral", &[S, S, S], move |a| {
        Ok(lit(a).unwrap_or_else(|_| Value::from("")))
    });
    add(m, "mustRegexReplaceAllLiteral", &[S, S, S], lit);
    add(m, "regexSplit", &[S, S, I], |a| {
        Ok(split(&arg_str(&a[0]), &arg_str(&a[1]), arg_int(&a[2]))
            .unwrap_or_else(|_| Value::list(Vec::new())))
    });
    add(m, "mustRegexSplit", &[S, S, I], |a| {
        split(&arg_str(&a[0]), &arg_str(&a[1]), arg_int(&a[2]))
    });
    add(m, "regexQuoteMeta", &[S], |a| {
        Ok(Value::from(quote_meta(&arg_str(&a[0]))))
    });
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{check, check_err};

    #[test]
    fn regex_functions() {
        check(&[
            (
                r#"{{ regexMatch "^[a-z]+$" "abc" }} {{ regexMatch "(" "x" }}"#,
                "true false",
            ),
            (
                r#"{{ regexFindAll "a." "abacad" -1 }} {{ regexFindAll "a." "abacad" 2 }}"#,
                "[ab ac ad] [ab ac]",
            ),
            (r#"{{ regexFind "[0-9]+" "ab12cd34" }}"#, "12"),
            (
                r#"{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }} {{ regexReplaceAllLiteral "a(x*)b" "-ab-" "${1}" }}"#,
                "-W-xxW- -${1}-",
            ),
            (
                r#"{{ regexSplit "z+" "pizza" -1 }} {{ regexQuoteMeta "1.2+[x]" }}"#,
                "[pi a] 1\\.2\\+\\[x\\]",
            ),
        ]);
        check_err(&[(r#"{{ mustRegexMatch "(" "x" }}"#, "error parsing regexp")]);
    }
}

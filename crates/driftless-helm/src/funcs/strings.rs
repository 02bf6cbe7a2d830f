//! Sprig's string functions.

use std::collections::BTreeMap;

use driftless_gotmpl::{
    ArgType::Any as A, ArgType::Int as I, ArgType::String as S, FuncError, FuncMap, Value,
};

use super::conv::{arg_int, arg_str, strval};
use super::{add, variadic};

/// Go's `strings.Title` (deprecated but what Sprig calls).
pub fn title(s: &str) -> String {
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_title_separator(prev) {
                c.to_uppercase().next().unwrap_or(c)
            } else {
                c
            };
            prev = c;
            out
        })
        .collect()
}

fn is_title_separator(r: char) -> bool {
    if r.is_ascii() {
        return !(r.is_ascii_alphanumeric() || r == '_');
    }
    if r.is_alphanumeric() {
        return false;
    }
    r.is_whitespace()
}

/// goutils `Uncapitalize`: lower-cases the first letter of each
/// whitespace-separated word.
pub fn untitle(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if c.is_whitespace() {
                next = true;
                c
            } else if next {
                next = false;
                c.to_lowercase().next().unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// Sprig's `substr` (byte offsets, Go's slice panics as errors).
pub fn substr(start: i64, end: i64, s: &str) -> Result<String, FuncError> {
    let len = s.len() as i64;
    let (a, b) = if start < 0 {
        (0, end)
    } else if end < 0 || end > len {
        (start, len)
    } else {
        (start, end)
    };
    if a < 0 || b < 0 || a > b || b > len {
        return Err(FuncError::msg(format!(
            "runtime error: slice bounds out of range [{a}:{b}]"
        )));
    }
    Ok(String::from_utf8_lossy(&s.as_bytes()[a as usize..b as usize]).into_owned())
}

/// Sprig's `trunc`: keep the first `c` bytes, or the last `-c` bytes.
pub fn trunc(c: i64, s: &str) -> String {
    let len = s.len() as i64;
    let b = s.as_bytes();
    if c < 0 && len + c > 0 {
        return String::from_utf8_lossy(&b[(len + c) as usize..]).into_owned();
    }
    if c >= 0 && len > c {
        return String::from_utf8_lossy(&b[..c as usize]).into_owned();
    }
    s.to_string()
}

fn abbreviate_full(s: &str, offset: i64, max: i64) -> String {
    let len = s.len() as i64;
    if s.is_empty() || max < 4 {
        return if max < 4 {
            String::new()
        } else {
            s.to_string()
        };
    }
    if len <= max {
        return s.to_string();
    }
    let mut offset = offset.min(len);
    if len - offset < max - 3 {
        offset = len - (max - 3);
    }
    let b = s.as_bytes();
    if offset <= 4 {
        return format!("{}...", String::from_utf8_lossy(&b[..(max - 3) as usize]));
    }
    if max < 7 {
        return String::new();
    }
    if offset + max - 3 < len {
        let rest = String::from_utf8_lossy(&b[offset as usize..]).into_owned();
        return format!("...{}", abbreviate_full(&rest, 0, max - 3));
    }
    format!(
        "...{}",
        String::from_utf8_lossy(&b[(len - (max - 3)) as usize..])
    )
}

/// goutils `WrapCustom` (commons-lang `WordUtils.wrap`).
pub fn wrap_custom(s: &str, width: i64, newline: &str, wrap_long: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let nl = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let b = s.as_bytes();
    let len = b.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::new();
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (width + offset + 1).min(len);
        let space = b[offset..end]
            .iter()
            .rposition(|&c| c == b' ')
            .map(|p| p + offset);
        match space {
            Some(sp) if sp >= offset => {
                out.extend_from_slice(&b[offset..sp]);
                out.extend_from_slice(nl.as_bytes());
                offset = sp + 1;
            }
            _ => {
                if wrap_long {
                    out.extend_from_slice(&b[offset..offset + width]);
                    out.extend_from_slice(nl.as_bytes());
                    offset += width;
                } else {
                    let end = width + offset;
                    match b[end..].iter().position(|&c| c == b' ') {
                        None => {
                            out.extend_from_slice(&b[offset..]);
                            offset = len;
                        }
                        Some(i) => {
                            let sp = i + end;
                            out.extend_from_slice(&b[offset..sp]);
                            out.extend_from_slice(nl.as_bytes());
                            offset = sp + 1;
                        }
                    }
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    String::from_utf8_lossy(&out).into_owned()
}

fn is_connector(c: char) -> bool {
    c == '_' || c == '-' || c == ' '
}

/// xstrings `ToCamelCase`: connectors (`_`, `-`, space) removed and the
/// next letter upper-cased; leading/doubled connectors kept as `_`.
pub fn camelcase(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() && is_connector(chars[i]) {
        out.push(chars[i]);
        i += 1;
    }
    let all_upper = chars
        .iter()
        .filter(|c| c.is_alphabetic())
        .all(|c| c.is_uppercase());
    let mut upper_next = true;
    while i < chars.len() {
        let c = chars[i];
        if is_connector(c) {
            if i + 1 < chars.len() && is_connector(chars[i + 1]) || i + 1 == chars.len() {
                out.push('_');
            }
            upper_next = true;
        } else if upper_next {
            out.extend(c.to_uppercase());
            upper_next = false;
        } else if all_upper {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// Splits into words the way xstrings' case conversions do: at
/// connectors, lower→upper changes and the end of an upper-case acronym
/// (`HTTPServer` → `HTTP`, `Server`), and before digits that follow a
/// lower-case word (`http2xx` → `http`, `2xx`).
fn words(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if is_connector(c) {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&p) = cur.chars().last().as_ref() {
            let next = chars.get(i + 1).copied();
            let boundary = (c.is_uppercase() && (p.is_lowercase() || p.is_ascii_digit()))
                || (c.is_uppercase() && p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
                || (c.is_ascii_digit()
                    && p.is_alphabetic()
                    && !cur.chars().any(|x| x.is_ascii_digit())
                    && cur.len() > 1
                    && !cur.chars().next().is_some_and(char::is_uppercase)
                    && cur.chars().all(|x| x.is_lowercase()));
            if boundary {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

fn join_words(s: &str, sep: &str) -> String {
    words(s)
        .iter()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join(sep)
}

/// Go's `strings.Split` (an empty separator splits into characters).
pub fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let chars: Vec<String> = s.chars().map(String::from).collect();
        if n > 0 && (n as usize) < chars.len() {
            let mut v: Vec<String> = chars[..n as usize - 1].to_vec();
            let rest: usize = v.iter().map(String::len).sum();
            v.push(s[rest..].to_string());
            return v;
        }
        return chars;
    }
    if n < 0 {
        s.split(sep).map(String::from).collect()
    } else {
        s.splitn(n as usize, sep).map(String::from).collect()
    }
}

/// Sprig's `strslice`: a list's non-nil items as strings; a single value as
/// a one-item list; nil as an empty list.
pub fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) => l.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        Value::Nil | Value::NoValue => Vec::new(),
        other => vec![strval(other)],
    }
}

fn list_of_strings(v: Vec<String>) -> Value {
    Value::list(v.into_iter().map(Value::from).collect())
}

fn quote_all(args: &[Value], q: impl Fn(&str) -> String) -> String {
    args.iter()
        .filter(|a| !a.is_nil())
        .map(|a| q(&strval(a)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Registers the string functions.
pub(super) fn register(m: &mut FuncMap) {
    let s1 = |m: &mut FuncMap, name: &str, f: fn(&str) -> String| {
        add(m, name, &[S], move |a| Ok(Value::from(f(&arg_str(&a[0])))));
    };
    s1(m, "trim", |s| s.trim().to_string());
    s1(m, "upper", str::to_uppercase);
    s1(m, "lower", str::to_lowercase);
    s1(m, "title", title);
    s1(m, "untitle", untitle);
    s1(m, "nospace", |s| {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    });
    s1(m, "initials", |s| {
        let mut gap = true;
        let mut out = String::new();
        for c in s.chars() {
            if c.is_whitespace() {
                gap = true;
            } else if gap {
                out.push(c);
                gap = false;
            }
        }
        out
    });
    s1(m, "snakecase", |s| join_words(s, "_"));
    s1(m, "kebabcase", |s| join_words(s, "-"));
    s1(m, "camelcase", camelcase);
    s1(m, "swapcase", |s| {
        s.chars()
            .flat_map(|c| {
                if c.is_uppercase() {
                    c.to_lowercase().collect::<Vec<_>>()
                } else if c.is_lowercase() {
                    c.to_uppercase().collect()
                } else {
                    vec![c]
                }
            })
            .collect()
    });
    let s2 = |m: &mut FuncMap, name: &str, f: fn(&str, &str) -> Value| {
        add(m, name, &[S, S], move |a| {
            Ok(f(&arg_str(&a[0]), &arg_str(&a[1])))
        });
    };
    s2(m, "trimAll", |cut, s| {
        Value::from(s.trim_matches(|c| cut.contains(c)))
    });
    s2(m, "trimall", |cut, s| {
        Value::from(s.trim_matches(|c| cut.contains(c)))
    });
    s2(m, "trimSuffix", |suf, s| {
        Value::from(s.strip_suffix(suf).unwrap_or(s))
    });
    s2(m, "trimPrefix", |pre, s| {
        Value::from(s.strip_prefix(pre).unwrap_or(s))
    });
    s2(m, "contains", |sub, s| Value::Bool(s.contains(sub)));
    s2(m, "hasPrefix", |p, s| Value::Bool(s.starts_with(p)));
    s2(m, "hasSuffix", |p, s| Value::Bool(s.ends_with(p)));
    s2(m, "splitList", |sep, s| {
        list_of_strings(go_split(s, sep, -1))
    });
    s2(m, "split", |sep, s| {
        let parts = go_split(s, sep, -1);
        Value::map(
            parts
                .into_iter()
                .enumerate()
                .map(|(i, p)| (format!("_{i}"), Value::from(p)))
                .collect::<BTreeMap<_, _>>(),
        )
    });
    add(m, "splitn", &[S, I, S], |a| {
        let parts = go_split(&arg_str(&a[2]), &arg_str(&a[0]), arg_int(&a[1]));
        Ok(Value::map(
            parts
                .into_iter()
                .enumerate()
                .map(|(i, p)| (format!("_{i}"), Value::from(p)))
                .collect::<BTreeMap<_, _>>(),
        ))
    });
    add(m, "repeat", &[I, S], |a| {
        let n = arg_int(&a[0]);
        if n < 0 {
            return Err(FuncError::msg("strings: negative Repeat count"));
        }
        Ok(Value::from(arg_str(&a[1]).repeat(n as usize)))
    });
    add(m, "substr", &[I, I, S], |a| {
        Ok(Value::from(substr(
            arg_int(&a[0]),
            arg_int(&a[1]),
            &arg_str(&a[2]),
        )?))
    });
    add(m, "trunc", &[I, S], |a| {
        Ok(Value::from(trunc(arg_int(&a[0]), &arg_str(&a[1]))))
    });
    add(m, "abbrev", &[I, S], |a| {
        let (w, s) = (arg_int(&a[0]), arg_str(&a[1]));
        Ok(Value::from(if w < 4 {
            s
        } else {
            abbreviate_full(&s, 0, w)
        }))
    });
    add(m, "abbrevboth", &[I, I, S], |a| {
        let (l, r, s) = (arg_int(&a[0]), arg_int(&a[1]), arg_str(&a[2]));
        Ok(Value::from(if r < 4 || (l > 0 && r < 7) {
            s
        } else {
            abbreviate_full(&s, l, r)
        }))
    });
    add(m, "wrap", &[I, S], |a| {
        Ok(Value::from(wrap_custom(
            &arg_str(&a[1]),
            arg_int(&a[0]),
            "",
            false,
        )))
    });
    add(m, "wrapWith", &[I, S, S], |a| {
        Ok(Value::from(wrap_custom(
            &arg_str(&a[2]),
            arg_int(&a[0]),
            &arg_str(&a[1]),
            true,
        )))
    });
    add(m, "indent", &[I, S], |a| {
        Ok(Value::from(indent(arg_int(&a[0]), &arg_str(&a[1]))))
    });
    add(m, "nindent", &[I, S], |a| {
        Ok(Value::from(format!(
            "\n{}",
            indent(arg_int(&a[0]), &arg_str(&a[1]))
        )))
    });
    add(m, "replace", &[S, S, S], |a| {
        Ok(Value::from(
            arg_str(&a[2]).replace(&arg_str(&a[0]), &arg_str(&a[1])),
        ))
    });
    add(m, "plural", &[S, S, I], |a| {
        Ok(if arg_int(&a[2]) == 1 {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    variadic(m, "quote", |a| {
        Ok(Value::from(quote_all(a, driftless_gotmpl::quote)))
    });
    variadic(m, "squote", |a| {
        Ok(Value::from(quote_all(a, |s| format!("'{s}'"))))
    });
    variadic(m, "cat", |a| {
        Ok(Value::from(
            a.iter()
                .filter(|x| !x.is_nil())
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(" "),
        ))
    });
    add(m, "toString", &[A], |a| Ok(Value::from(strval(&a[0]))));
    add(m, "toStrings", &[A], |a| {
        Ok(list_of_strings(strslice(&a[0])))
    });
    add(m, "join", &[S, A], |a| {
        Ok(Value::from(strslice(&a[1]).join(&arg_str(&a[0]))))
    });
    add(m, "sortAlpha", &[A], |a| {
        Ok(match &a[0] {
            Value::List(_) => {
                let mut v = strslice(&a[0]);
                v.sort();
                list_of_strings(v)
            }
            other => list_of_strings(vec![strval(other)]),
        })
    });
}

/// Sprig's `indent`: pads every line, empty ones included.
pub fn indent(n: i64, s: &str) -> String {
    let pad = " ".repeat(n.max(0) as usize);
    format!("{pad}{}", s.replace('\n', &format!("\n{pad}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_helpers_match_sprig() {
        assert_eq!(title("hello world-foo it's"), "Hello World-Foo It'S");
        assert_eq!(untitle("Hello World"), "hello world");
        assert_eq!(trunc(5, "hello world"), "hello");
        assert_eq!(trunc(-5, "hello world"), "world");
        assert_eq!(trunc(50, "hello"), "hello");
        assert_eq!(substr(0, 5, "hello world").unwrap(), "hello");
        assert_eq!(substr(-1, 3, "hello").unwrap(), "hel");
        assert_eq!(substr(2, 99, "hello").unwrap(), "llo");
        assert!(substr(9, 10, "hello").is_err());
        assert_eq!(abbreviate_full("hello world", 0, 5), "he...");
        assert_eq!(abbreviate_full("1234 5678 9123", 5, 10), "...5678...");
        assert_eq!(wrap_custom("Hello World", 5, "", false), "Hello\nWorld");
        assert_eq!(
            wrap_custom("helloworld", 3, "<br>", true),
            "hel<br>low<br>orl<br>d"
        );
        assert_eq!(indent(2, "a\n\nb"), "  a\n  \n  b");
        assert_eq!(camelcase("http_server"), "HttpServer");
        assert_eq!(camelcase("_complex__case_"), "_Complex_Case_");
        assert_eq!(camelcase("GOLANG_IS_GREAT"), "GolangIsGreat");
        assert_eq!(join_words("FirstName", "_"), "first_name");
        assert_eq!(join_words("HTTPServer", "_"), "http_server");
        assert_eq!(join_words("NoHTTPS", "_"), "no_https");
        assert_eq!(join_words("GO_PATH", "_"), "go_path");
        assert_eq!(join_words("GO-PATH", "-"), "go-path");
        assert_eq!(go_split("a,b,,c", ",", -1), vec!["a", "b", "", "c"]);
        assert_eq!(go_split("abc", "", -1), vec!["a", "b", "c"]);
        assert_eq!(go_split("a,b,c", ",", 2), vec!["a", "b,c"]);
    }
}

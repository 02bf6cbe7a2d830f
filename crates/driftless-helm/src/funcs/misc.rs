//! Reflection, path, URL and network functions.

use driftless_gotmpl::{ArgType::Any as A, ArgType::String as S, FuncMap, Value};

use super::add;
use super::conv::{arg_str, kind_name};

/// Go's `path.Clean`.
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        _ => body,
    }
}

fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

fn dir(p: &str) -> String {
    let d = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    clean(d)
}

fn ext(p: &str) -> String {
    let last = p.rsplit('/').next().unwrap_or(p);
    match last.rfind('.') {
        Some(i) => last[i..].to_string(),
        None => String::new(),
    }
}

pub(super) fn register(m: &mut FuncMap) {
    add(m, "typeOf", &[A], |a| Ok(Value::from(a[0].type_name())));
    add(m, "kindOf", &[A], |a| Ok(Value::from(kind_name(&a[0]))));
    add(m, "typeIs", &[S, A], |a| {
        Ok(Value::Bool(arg_str(&a[0]) == a[1].type_name()))
    });
    add(m, "typeIsLike", &[S, A], |a| {
        let t = arg_str(&a[0]);
        let n = a[1].type_name();
        Ok(Value::Bool(t == n || t == format!("*{n}")))
    });
    add(m, "kindIs", &[S, A], |a| {
        Ok(Value::Bool(arg_str(&a[0]) == kind_name(&a[1])))
    });
    add(m, "deepEqual", &[A, A], |a| Ok(Value::Bool(a[0] == a[1])));
    add(m, "base", &[S], |a| Ok(Value::from(base(&arg_str(&a[0])))));
    add(m, "dir", &[S], |a| Ok(Value::from(dir(&arg_str(&a[0])))));
    add(m, "clean", &[S], |a| {
        Ok(Value::from(clean(&arg_str(&a[0]))))
    });
    add(m, "ext", &[S], |a| Ok(Value::from(ext(&arg_str(&a[0])))));
    add(m, "isAbs", &[S], |a| {
        Ok(Value::Bool(arg_str(&a[0]).starts_with('/')))
    });
    for n in ["osBase", "osDir", "osClean", "osExt"] {
        let f: fn(&str) -> String = match n {
            "osBase" => base,
            "osDir" => dir,
            "osClean" => clean,
            _ => ext,
        };
        add(m, n, &[S], move |a| Ok(Value::from(f(&arg_str(&a[0])))));
    }
    add(m, "osIsAbs", &[S], |a| {
        Ok(Value::Bool(arg_str(&a[0]).starts_with('/')))
    });
    add(m, "hello", &[], |_| Ok(Value::from("Hello!")));
    // Helm renders offline: no DNS, as with `helm template` without --enable-dns.
    add(m, "getHostByName", &[S], |_| Ok(Value::from("")));
}

#[cfg(test)]
mod tests {
    use super::super::testutil::check;

    #[test]
    fn reflection_and_paths() {
        check(&[
            (
                r#"{{ typeOf 1 }} {{ typeOf "a" }} {{ typeOf (list) }} {{ typeOf (dict) }} {{ typeOf 1.5 }} {{ typeOf nil }}"#,
                "int string []interface {} map[string]interface {} float64 <nil>",
            ),
            (
                r#"{{ kindOf 1 }} {{ kindOf (list) }} {{ kindOf (dict) }} {{ kindIs "string" "a" }} {{ typeIs "int" 1 }}"#,
                "int slice map true true",
            ),
            (
                r#"{{ deepEqual (list 1 (dict "a" 1)) (list 1 (dict "a" 1)) }} {{ deepEqual 1 "1" }}"#,
                "true false",
            ),
            (
                r#"{{ base "a/b/c.txt" }} {{ dir "a/b/c.txt" }} {{ ext "a/b.tar.gz" }} {{ clean "a//b/../c/." }} {{ isAbs "/x" }}"#,
                "c.txt a/b .gz a/c true",
            ),
            (r#"[{{ getHostByName "example.com" }}]"#, "[]"),
        ]);
    }
}

//! Go's builtin template functions (`text/template/funcs.go`), with Go's
//! error messages. `and`, `or` and `call` are special-cased in the
//! executor.

use std::cmp::Ordering;

use crate::exec::Param;
use crate::func::ArgType;
use crate::printf::{sprint, sprintf, sprintln};
use crate::value::Value;

/// Names of Go's builtin functions.
pub(crate) const BUILTINS: &[&str] = &[
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
    "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
];

pub(crate) fn is_builtin(name: &str) -> bool {
    BUILTINS.contains(&name)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Builtin {
    And,
    Or,
    Not,
    Call,
    Html,
    Js,
    Urlquery,
    Index,
    Slice,
    Len,
    Print,
    Printf,
    Println,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Builtin {
    pub(crate) fn from_name(n: &str) -> Option<Builtin> {
        Some(match n {
            "and" => Builtin::And,
            "or" => Builtin::Or,
            "not" => Builtin::Not,
            "call" => Builtin::Call,
            "html" => Builtin::Html,
            "js" => Builtin::Js,
            "urlquery" => Builtin::Urlquery,
            "index" => Builtin::Index,
            "slice" => Builtin::Slice,
            "len" => Builtin::Len,
            "print" => Builtin::Print,
            "printf" => Builtin::Printf,
            "println" => Builtin::Println,
            "eq" => Builtin::Eq,
            "ne" => Builtin::Ne,
            "lt" => Builtin::Lt,
            "le" => Builtin::Le,
            "gt" => Builtin::Gt,
            "ge" => Builtin::Ge,
            _ => return None,
        })
    }

    /// Go's parameter list: fixed params and the variadic element type.
    pub(crate) fn signature(self) -> (&'static [Param], Option<Param>) {
        use Builtin::*;
        const R: Param = Param::Reflect;
        const ANY: Param = Param::Go(ArgType::Any);
        match self {
            And | Or | Eq | Index | Slice | Call => (&[R], Some(R)),
            Not | Len => (&[R], None),
            Ne | Lt | Le | Gt | Ge => (&[R, R], None),
            Html | Js | Urlquery | Print | Println => (&[], Some(ANY)),
            Printf => (&[Param::Go(ArgType::String)], Some(ANY)),
        }
    }
}

/// Calls a builtin (not `and`/`or`/`call`) with evaluated arguments.
pub(crate) fn call(b: Builtin, a: &[Value]) -> Result<Value, String> {
    use Builtin::*;
    Ok(match b {
        Not => Value::Bool(!a[0].is_true()),
        Len => Value::Int(length(&a[0])?),
        Index => index(&a[0], &a[1..])?,
        Slice => slice(&a[0], &a[1..])?,
        Print => Value::from(sprint(a)),
        Println => Value::from(sprintln(a)),
        Printf => Value::from(sprintf(a[0].as_str().unwrap_or_default(), &a[1..])),
        Html => Value::from(html_escape(&eval_args(a))),
        Js => Value::from(js_escape(&eval_args(a))),
        Urlquery => Value::from(query_escape(&eval_args(a))),
        Eq => Value::Bool(eq(&a[0], &a[1..])?),
        Ne => Value::Bool(!eq(&a[0], &a[1..2])?),
        Lt => Value::Bool(lt(&a[0], &a[1])?),
        Le => Value::Bool(le(&a[0], &a[1])?),
        Gt => Value::Bool(!le(&a[0], &a[1])?),
        Ge => Value::Bool(!lt(&a[0], &a[1])?),
        And | Or | Call => unreachable!("special-cased in the executor"),
    })
}

fn length(v: &Value) -> Result<i64, String> {
    let n = match v {
        Value::Nil => return Err("len of nil pointer".into()),
        Value::NoValue => return Err("reflect: call of reflect.Value.Type on zero Value".into()),
        Value::String(s) => s.len(),
        Value::Bytes(b) => b.len(),
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        Value::Object(o) if o.go_len().is_some() => o.go_len().unwrap_or_default(),
        other => return Err(format!("len of type {}", other.type_name())),
    };
    Ok(n as i64)
}

/// Go's `indexArg`.
fn index_arg(i: &Value, cap: usize) -> Result<usize, String> {
    let x: i128 = match i {
        Value::Int(n) | Value::Int64(n) => *n as i128,
        Value::Uint(u) => *u as i128,
        Value::Nil | Value::NoValue => return Err("cannot index slice/array with nil".into()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ));
        }
    };
    if x < 0 || x > cap as i128 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn index(item: &Value, indexes: &[Value]) -> Result<Value, String> {
    if item.is_nil() {
        return Err("index of untyped nil".into());
    }
    let mut item = item.clone();
    for idx in indexes {
        item = match &item {
            Value::Nil | Value::NoValue => return Err("index of nil pointer".into()),
            Value::List(l) => {
                let x = index_arg(idx, l.len())?;
                match l.get(x) {
                    Some(v) => v.clone(),
                    None => return Err("reflect: slice index out of range".into()),
                }
            }
            Value::Bytes(b) => {
                let x = index_arg(idx, b.len())?;
                match b.get(x) {
                    Some(v) => Value::Uint(u64::from(*v)),
                    None => return Err("reflect: slice index out of range".into()),
                }
            }
            Value::String(s) => {
                let x = index_arg(idx, s.len())?;
                match s.as_bytes().get(x) {
                    Some(v) => Value::Uint(u64::from(*v)),
                    None => return Err("reflect: string index out of range".into()),
                }
            }
            Value::Map(m) => {
                let key = match idx {
                    Value::String(k) => k.clone(),
                    Value::Nil | Value::NoValue => {
                        return Err("value is nil; should be of type string".into());
                    }
                    other => {
                        return Err(format!(
                            "value has type {}; should be string",
                            other.type_name()
                        ));
                    }
                };
                m.get(&key)
                    .unwrap_or_else(|| m.elem_zero().cloned().unwrap_or(Value::Nil))
            }
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

fn slice(item: &Value, indexes: &[Value]) -> Result<Value, String> {
    if item.is_nil() {
        return Err("slice of untyped nil".into());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let len = match item {
        Value::String(s) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            s.len()
        }
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut idx = [0usize, len, 0];
    for (i, x) in indexes.iter().enumerate() {
        idx[i] = index_arg(x, len)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
    }
    Ok(match item {
        Value::String(s) => {
            let b = &s.as_bytes()[idx[0]..idx[1]];
            Value::from(String::from_utf8_lossy(b).into_owned())
        }
        Value::List(l) => Value::list(l[idx[0]..idx[1]].to_vec()),
        Value::Bytes(b) => Value::Bytes(b[idx[0]..idx[1]].into()),
        _ => unreachable!("checked above"),
    })
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Float,
    String,
    Uint,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Uint(_) => Kind::Uint,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => Kind::Invalid,
    }
}

fn is_comparable(v: &Value) -> bool {
    !matches!(
        v,
        Value::List(_) | Value::Map(_) | Value::Bytes(_) | Value::Func(_)
    )
}

/// Go's `eq`: `a == b || a == c ...` with Go's type rules.
fn eq(a1: &Value, rest: &[Value]) -> Result<bool, String> {
    if rest.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let a1 = &*a1.int_as_int();
    let k1 = basic_kind(a1);
    for a in rest {
        let a = &*a.int_as_int();
        let k2 = basic_kind(a);
        let truth = if k1 != k2 {
            match (a1, a) {
                (Value::Int(i), Value::Uint(u)) | (Value::Uint(u), Value::Int(i)) => {
                    *i >= 0 && *i as u64 == *u
                }
                _ => {
                    if !a1.is_nil() && !a.is_nil() {
                        return Err(format!(
                            "incompatible types for comparison: {} and {}",
                            a1.type_name(),
                            a.type_name()
                        ));
                    }
                    false
                }
            }
        } else {
            match (a1, a) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Int(x), Value::Int(y)) => x == y,
                (Value::Uint(x), Value::Uint(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                (Value::String(x), Value::String(y)) => x == y,
                _ => {
                    let same_kind = std::mem::discriminant(a1) == std::mem::discriminant(a)
                        || a1.is_nil()
                        || a.is_nil();
                    if !same_kind {
                        return Err(format!(
                            "non-comparable types {}: {}, {}: {}",
                            sprintf("%s", std::slice::from_ref(a1)),
                            a1.type_name(),
                            a.type_name(),
                            crate::fmt::to_v(a)
                        ));
                    }
                    if a1.is_nil() || a.is_nil() {
                        a1.is_nil() == a.is_nil()
                    } else {
                        if !is_comparable(a) {
                            return Err(format!(
                                "non-comparable type {}: {}",
                                sprintf("%s", std::slice::from_ref(a)),
                                a.type_name()
                            ));
                        }
                        a1 == a
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lt(a1: &Value, a2: &Value) -> Result<bool, String> {
    let (a1, a2) = (&*a1.int_as_int(), &*a2.int_as_int());
    let k1 = basic_kind(a1);
    let k2 = basic_kind(a2);
    if k1 == Kind::Invalid || k2 == Kind::Invalid {
        return Err("invalid type for comparison".into());
    }
    if k1 != k2 {
        return match (a1, a2) {
            (Value::Int(i), Value::Uint(u)) => Ok(*i < 0 || (*i as u64) < *u),
            (Value::Uint(u), Value::Int(i)) => Ok(*i >= 0 && *u < *i as u64),
            _ => Err(format!(
                "incompatible types for comparison: {} and {}",
                a1.type_name(),
                a2.type_name()
            )),
        };
    }
    Ok(match (a1, a2) {
        (Value::Bool(_), _) => return Err("invalid type for comparison".into()),
        (Value::Int(x), Value::Int(y)) => x < y,
        (Value::Uint(x), Value::Uint(y)) => x < y,
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y) == Some(Ordering::Less),
        (Value::String(x), Value::String(y)) => x < y,
        _ => false,
    })
}

fn le(a1: &Value, a2: &Value) -> Result<bool, String> {
    if lt(a1, a2)? {
        return Ok(true);
    }
    eq(a1, std::slice::from_ref(a2))
}

/// Go's `evalArgs`: one string as is, otherwise `fmt.Sprint` with nil
/// printed as `<no value>`.
fn eval_args(a: &[Value]) -> String {
    if let [Value::String(s)] = a {
        return s.to_string();
    }
    let printable: Vec<Value> = a
        .iter()
        .map(|v| {
            if v.is_nil() {
                Value::from("<no value>")
            } else {
                v.clone()
            }
        })
        .collect();
    sprint(&printable)
}

/// Go's `template.HTMLEscapeString`.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscapeString`.
pub(crate) fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u00{:02X}", c as u32)),
            c if (c as u32) < 0x80 => out.push(c),
            c if crate::fmt::is_print(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out
}

/// Go's `url.QueryEscape`.
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

//! Sprig's loose conversions (`spf13/cast` and Sprig's `strval`) and the
//! JSON bridges used by the JSON/YAML functions.

use std::collections::BTreeMap;
use std::sync::Arc;

use driftless_gotmpl::{FuncError, Value};
use serde_json::Value as J;

use crate::yaml::gofloat::format_float;

/// Sprig's `strval`: strings as is, bytes as text, anything else as `%v`.
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::NoValue => "<nil>".into(),
        other => other.to_string(),
    }
}

/// A Go `string` holding bytes that are not UTF-8 (`.Files.Get` of a binary
/// file, `decryptAES` of binary data): kept as bytes so that `b64enc`,
/// `sha256sum` and friends see the real bytes; printed lossily.
#[derive(Debug)]
pub struct BinaryString(pub Arc<[u8]>);

impl driftless_gotmpl::Object for BinaryString {
    fn type_name(&self) -> String {
        "string".into()
    }
    fn field(&self, _: &str) -> Option<Value> {
        None
    }
    fn fmt_go(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&go_lossy(&self.0))
    }
    fn to_value(&self) -> Option<Value> {
        Some(Value::from(go_lossy(&self.0)))
    }
    fn go_len(&self) -> Option<usize> {
        Some(self.0.len())
    }
    fn bytes(&self) -> Option<Arc<[u8]>> {
        Some(self.0.clone())
    }
}

/// Text of bytes as Go's `encoding/json` writes a string: each byte that
/// does not start a valid UTF-8 sequence becomes U+FFFD (Rust's lossy
/// conversion replaces a whole broken sequence with one).
pub fn go_lossy(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    let mut rest = b;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let (ok, bad) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(ok).unwrap_or_default());
                out.push('\u{FFFD}');
                rest = &bad[1..];
            }
        }
    }
    out
}

/// Go's `string(bytes)`: a plain string when the bytes are UTF-8, else a
/// [`BinaryString`].
pub fn go_string(b: Arc<[u8]>) -> Value {
    match std::str::from_utf8(&b) {
        Ok(s) => Value::from(s),
        Err(_) => Value::Object(Arc::new(BinaryString(b))),
    }
}

/// The bytes of a `string` argument (a [`BinaryString`] keeps its bytes).
pub fn arg_bytes(v: &Value) -> Vec<u8> {
    match v {
        Value::String(s) => s.as_bytes().to_vec(),
        Value::Bytes(b) => b.to_vec(),
        Value::Object(o) => match o.bytes() {
            Some(b) => b.to_vec(),
            None => arg_str(v).into_bytes(),
        },
        other => arg_str(other).into_bytes(),
    }
}

/// The string inside a `string` argument (the engine has checked the type).
pub fn arg_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        other => strval(other),
    }
}

/// An `int` argument.
pub fn arg_int(v: &Value) -> i64 {
    to_i64(v)
}

/// cast's `trimZeroDecimal`: `"1.0"` → `"1"`, `"1.50"` stays.
fn trim_zero_decimal(s: &str) -> &str {
    if let Some(dot) = s.find('.') {
        let frac = &s[dot + 1..];
        if !frac.is_empty() && frac.chars().all(|c| c == '0') {
            return &s[..dot];
        }
    }
    s
}

/// Go's `strconv.ParseInt(s, 0, 64)` (base prefixes, underscores).
pub fn parse_int_base0(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let b = body.as_bytes();
    let (radix, digits) = if b.len() >= 2 && b[0] == b'0' {
        match b[1] | 0x20 {
            b'x' => (16, &body[2..]),
            b'o' => (8, &body[2..]),
            b'b' => (2, &body[2..]),
            _ => (8, &body[1..]),
        }
    } else {
        (10, body)
    };
    let digits: String = if radix != 10 || digits.contains('_') {
        digits.replace('_', "")
    } else {
        digits.to_string()
    };
    if digits.is_empty() {
        return None;
    }
    let mag = i128::from_str_radix(&digits, radix).ok()?;
    let v = if neg { -mag } else { mag };
    i64::try_from(v).ok()
}

/// `cast.ToInt64`: numbers truncate, strings parse (base prefixes, `"1.0"`),
/// booleans are 0/1, anything else (and failures) 0.
pub fn to_i64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Uint(u) => *u as i64,
        Value::Float(f) => *f as i64,
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => parse_int_base0(trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// `cast.ToFloat64`.
pub fn to_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Uint(u) => *u as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|_| !s.is_empty())
            .unwrap_or(0.0),
        _ => 0.0,
    }
}

/// A value as Go's `encoding/json` sees it, failing where Go fails
/// (`json: unsupported value: NaN`).
pub fn to_json(v: &Value) -> Result<J, FuncError> {
    Ok(match v {
        Value::NoValue | Value::Nil | Value::Func(_) => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) | Value::Int64(i) => J::from(*i),
        Value::Uint(u) => J::from(*u),
        Value::Float(f) => match serde_json::Number::from_f64(*f) {
            Some(n) => J::Number(n),
            None => {
                return Err(FuncError::msg(format!(
                    "json: unsupported value: {}",
                    format_float(*f, 'g')
                )));
            }
        },
        Value::String(s) => J::String(s.to_string()),
        Value::Bytes(b) => {
            use base64::Engine;
            J::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        Value::List(l) => J::Array(l.iter().map(to_json).collect::<Result<_, _>>()?),
        Value::Map(m) => {
            let mut o = serde_json::Map::new();
            for (k, x) in m.entries() {
                o.insert(k, to_json(&x)?);
            }
            J::Object(o)
        }
        Value::Object(o) => match o.to_value() {
            Some(v) => to_json(&v)?,
            None => J::Object(serde_json::Map::new()),
        },
    })
}

/// JSON decoded as Go's `encoding/json` into `interface{}`: every number is
/// a float64.
pub fn from_json_go(j: &J) -> Value {
    match j {
        J::Null => Value::Nil,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        J::String(s) => Value::string(s.as_str()),
        J::Array(a) => Value::list(a.iter().map(from_json_go).collect()),
        J::Object(o) => Value::map(
            o.iter()
                .map(|(k, v)| (k.clone(), from_json_go(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

/// Sprig's `empty` rules (also what `default` tests): nil, false, 0, "",
/// and empty lists and maps are empty; structs never are.
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::NoValue | Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i) | Value::Int64(i) => *i == 0,
        Value::Uint(u) => *u == 0,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::Object(o) => o.go_len() == Some(0),
        Value::Func(_) => false,
    }
}

/// Go's `reflect.Kind` name of a value (`kindOf`).
pub fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::NoValue | Value::Nil => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Int64(_) => "int64",
        Value::Uint(_) => "uint64",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::Bytes(_) | Value::List(_) => "slice",
        Value::Map(_) => "map",
        Value::Object(o) => match o.type_name().as_str() {
            "string" => "string",
            "time.Time" | "sprig.certificate" => "struct",
            _ => "ptr",
        },
        Value::Func(_) => "func",
    }
}

/// A list argument as Sprig's reflection sees it: lists (and byte slices)
/// are slices; anything else is not.
pub fn as_slice(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::List(l) => Some(l.to_vec()),
        Value::Bytes(b) => Some(b.iter().map(|x| Value::Int(i64::from(*x))).collect()),
        _ => None,
    }
}

/// Go's reflect `Kind` as `%s` prints it, for Sprig's "Cannot ... on type" errors.
pub fn kind_for_error(v: &Value) -> &'static str {
    kind_name(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cast_to_int64() {
        for (v, want) in [
            (Value::from("42"), 42),
            (Value::from("0x10"), 16),
            (Value::from("010"), 8),
            (Value::from("1.0"), 1),
            (Value::from("1.5"), 0),
            (Value::from("abc"), 0),
            (Value::Float(3.9), 3),
            (Value::Float(-3.9), -3),
            (Value::Bool(true), 1),
            (Value::Nil, 0),
        ] {
            assert_eq!(to_i64(&v), want, "{v:?}");
        }
    }

    #[test]
    fn strval_formats_like_go() {
        assert_eq!(strval(&Value::Float(1e6)), "1e+06");
        assert_eq!(strval(&Value::Nil), "<nil>");
        assert_eq!(
            strval(&Value::from(vec![Value::from(1), Value::from("a")])),
            "[1 a]"
        );
    }
}

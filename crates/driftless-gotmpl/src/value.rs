//! Go's dynamic values as templates see them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::func::Function;
use crate::map::Map;

/// Deepest nesting of lists and maps (JSON and YAML parsers stop at 128) that printing, JSON conversion,
/// comparison and deep copies follow (only exceeded by a map that contains
/// itself, which Go would recurse on until it crashes).
pub(crate) const MAX_DEPTH: usize = 200;

/// Runs a recursive step with enough stack (grows on the heap if needed).
pub(crate) fn grow<T>(f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, f)
}

/// A dynamically typed value, modelled on what Go templates see through
/// `interface{}` when rendering Helm charts.
///
/// Cloning is cheap: strings, lists and maps are reference counted.
///
/// ```
/// use driftless_gotmpl::Value;
/// let v = Value::from_json(&serde_json::json!({"b": [1, 2.5], "a": null}));
/// assert_eq!(v.to_string(), "map[a:<nil> b:[1 2.5]]");
/// assert_eq!(Value::Float(1e6).to_string(), "1e+06");
/// ```
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// Go's *invalid* `reflect.Value`: no value at all. This is what a missing
    /// map key yields (with `missingkey=default`) and what a nil result of a
    /// pipeline command becomes; it prints as `<no value>`. Functions never
    /// receive it as an argument: the engine passes [`Value::Nil`] instead.
    #[default]
    NoValue,
    /// A nil `interface{}` (YAML/JSON `null`); prints as `<nil>`.
    Nil,
    /// Go `bool`.
    Bool(bool),
    /// Go `int` (template constants, `len`, most function results).
    Int(i64),
    /// Go `int64` (Sprig's arithmetic: `add`, `mul`, `int64`, ...): prints
    /// and compares like `int`, but `%T`/`typeOf` say `int64` and an `int`
    /// parameter refuses it, as in Go.
    Int64(i64),
    /// Go `uint64`.
    Uint(u64),
    /// Go `float64`.
    Float(f64),
    /// Go `string`.
    String(Arc<str>),
    /// Go `[]byte`; prints as a list of numbers with `%v`, as text with `%s`.
    Bytes(Arc<[u8]>),
    /// Go `[]interface{}`.
    List(Arc<Vec<Value>>),
    /// Go `map[string]interface{}`: a shared mutable reference (see [`Map`]);
    /// iteration is in sorted key order as Go's templates and `fmt` do.
    Map(Map),
    /// A typed Go struct (pointer) with fields and methods, e.g. Helm's
    /// `.Release`, `.Files` or `.Capabilities`.
    Object(Arc<dyn Object>),
    /// A Go func value, usable with the `call` builtin.
    Func(Function),
}

/// A Go struct-like value: named fields and methods, looked up by
/// `.Name` in templates.
///
/// Go looks up a method first, then a field; the engine does the same with
/// [`Object::method`] then [`Object::field`].
pub trait Object: Send + Sync + fmt::Debug {
    /// The Go type name used in error messages, e.g. `*chart.Metadata`.
    fn type_name(&self) -> String;
    /// The value of field `name`, or `None` if the type has no such field.
    fn field(&self, name: &str) -> Option<Value>;
    /// Method `name`, or `None` if the type has no such method. Methods are
    /// called with the arguments given in the template (`.Files.Get "x"`).
    fn method(&self, _name: &str) -> Option<Function> {
        None
    }
    /// Go's `%v` formatting of the value (default `{...}` of nothing).
    fn fmt_go(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{}")
    }
    /// A plain data view of the object (e.g. for `toYaml`), if it has one.
    fn to_value(&self) -> Option<Value> {
        None
    }
    /// Go's `len` of the value, for objects that are Go slices, maps or
    /// strings underneath (`len .Capabilities.APIVersions`); `None` makes
    /// `len` fail as Go does for structs.
    fn go_len(&self) -> Option<usize> {
        None
    }
    /// The bytes of an object that is a Go `string` or `[]byte` underneath
    /// (a non-UTF-8 string read from a binary file), for functions that work
    /// on bytes (`b64enc`, `sha256sum`).
    fn bytes(&self) -> Option<Arc<[u8]>> {
        None
    }
    /// The object as [`std::any::Any`], so that the functions that made a
    /// type can get it back (`sprig.certificate`, `time.Time`).
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
}

impl Value {
    /// A string value.
    pub fn string(s: impl Into<Arc<str>>) -> Value {
        Value::String(s.into())
    }

    /// A list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(items))
    }

    /// A map value.
    pub fn map(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Map::from_btree(entries))
    }

    /// A new empty map.
    pub fn empty_map() -> Value {
        Value::Map(Map::new())
    }

    /// A copy in which maps and lists are copied recursively (Sprig's
    /// `deepCopy`); other values are shared.
    pub fn deep_copy(&self) -> Value {
        self.deep_copy_at(0)
    }

    pub(crate) fn deep_copy_at(&self, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return self.clone();
        }
        match self {
            Value::Map(m) => grow(|| Value::Map(m.deep_copy_at(depth + 1))),
            Value::List(l) => {
                grow(|| Value::list(l.iter().map(|v| v.deep_copy_at(depth + 1)).collect()))
            }
            v => v.clone(),
        }
    }

    /// Go template truthiness: false for no value, nil, false, zero numbers,
    /// and empty strings, lists and maps. Objects and funcs are true.
    pub fn is_true(&self) -> bool {
        match self {
            Value::NoValue | Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Uint(u) => *u != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(_) | Value::Func(_) => true,
        }
    }

    /// True for [`Value::Nil`] and [`Value::NoValue`].
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil | Value::NoValue)
    }

    /// The integer inside a [`Value::Int`] or [`Value::Int64`].
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) | Value::Int64(i) => Some(*i),
            _ => None,
        }
    }

    /// The value with `int64` seen as `int` (same printing and comparison).
    pub(crate) fn int_as_int(&self) -> std::borrow::Cow<'_, Value> {
        match self {
            Value::Int64(i) => std::borrow::Cow::Owned(Value::Int(*i)),
            v => std::borrow::Cow::Borrowed(v),
        }
    }

    /// The string inside a [`Value::String`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The map inside a [`Value::Map`].
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The items of a [`Value::List`].
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// Go's type name of the value as `%T` and error messages show it
    /// (`int`, `float64`, `string`, `[]interface {}`,
    /// `map[string]interface {}`, `<nil>` ...).
    pub fn type_name(&self) -> String {
        match self {
            Value::NoValue | Value::Nil => "<nil>".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Int64(_) => "int64".into(),
            Value::Uint(_) => "uint64".into(),
            Value::Float(_) => "float64".into(),
            Value::String(_) => "string".into(),
            Value::Bytes(_) => "[]uint8".into(),
            Value::List(_) => "[]interface {}".into(),
            Value::Map(m) => match m.elem_zero() {
                Some(z) => format!("map[string]{}", z.type_name()),
                None => "map[string]interface {}".into(),
            },
            Value::Object(o) => o.type_name(),
            Value::Func(f) => f.type_name(),
        }
    }

    /// Converts JSON to a value: integers stay [`Value::Int`] (or
    /// [`Value::Uint`] above `i64::MAX`), other numbers become
    /// [`Value::Float`], `null` becomes [`Value::Nil`].
    pub fn from_json(j: &serde_json::Value) -> Value {
        match j {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Value::Int(i)
                } else if let Some(u) = n.as_u64() {
                    Value::Uint(u)
                } else {
                    Value::Float(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            serde_json::Value::String(s) => Value::string(s.as_str()),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Converts to JSON. Nil and no value become `null`, bytes become a
    /// string (lossy UTF-8), objects use [`Object::to_value`] (else `null`),
    /// funcs become `null`. Non-finite floats become `null`.
    pub fn to_json(&self) -> serde_json::Value {
        self.to_json_at(0)
    }

    fn to_json_at(&self, depth: usize) -> serde_json::Value {
        use serde_json::Value as J;
        if depth > MAX_DEPTH {
            return J::Null;
        }
        match self {
            Value::NoValue | Value::Nil | Value::Func(_) => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) | Value::Int64(i) => J::from(*i),
            Value::Uint(u) => J::from(*u),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.to_string()),
            Value::Bytes(b) => J::String(String::from_utf8_lossy(b).into_owned()),
            Value::List(l) => {
                grow(|| J::Array(l.iter().map(|v| v.to_json_at(depth + 1)).collect()))
            }
            Value::Map(m) => grow(|| {
                J::Object(
                    m.entries()
                        .into_iter()
                        .map(|(k, v)| (k, v.to_json_at(depth + 1)))
                        .collect(),
                )
            }),
            Value::Object(o) => o.to_value().map_or(J::Null, |v| v.to_json_at(depth + 1)),
        }
    }
}

impl PartialEq for Value {
    /// Structural equality (like Go's `reflect.DeepEqual` on plain data);
    /// objects and funcs compare by identity.
    fn eq(&self, other: &Value) -> bool {
        self.eq_at(other, 0)
    }
}

impl Value {
    pub(crate) fn eq_at(&self, other: &Value, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match (self, other) {
            (Value::NoValue, Value::NoValue) | (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) | (Value::Int64(a), Value::Int64(b)) => a == b,
            (Value::Uint(a), Value::Uint(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len()
                    && grow(|| a.iter().zip(b.iter()).all(|(x, y)| x.eq_at(y, depth + 1)))
            }
            (Value::Map(a), Value::Map(b)) => grow(|| a.eq_at(b, depth + 1)),
            (Value::Object(a), Value::Object(b)) => Arc::ptr_eq(a, b),
            (Value::Func(a), Value::Func(b)) => a.ptr_eq(b),
            _ => false,
        }
    }
}

impl From<&serde_json::Value> for Value {
    fn from(j: &serde_json::Value) -> Value {
        Value::from_json(j)
    }
}
impl From<serde_json::Value> for Value {
    fn from(j: serde_json::Value) -> Value {
        Value::from_json(&j)
    }
}
impl From<&Value> for serde_json::Value {
    fn from(v: &Value) -> serde_json::Value {
        v.to_json()
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}
impl From<i32> for Value {
    fn from(i: i32) -> Value {
        Value::Int(i.into())
    }
}
impl From<usize> for Value {
    fn from(i: usize) -> Value {
        Value::Int(i64::try_from(i).unwrap_or(i64::MAX))
    }
}
impl From<u64> for Value {
    fn from(u: u64) -> Value {
        Value::Uint(u)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.into())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s.into())
    }
}
impl From<Vec<Value>> for Value {
    fn from(l: Vec<Value>) -> Value {
        Value::list(l)
    }
}
impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::Map(m)
    }
}
impl From<BTreeMap<String, Value>> for Value {
    fn from(m: BTreeMap<String, Value>) -> Value {
        Value::map(m)
    }
}

impl fmt::Display for Value {
    /// Go's `fmt.Print` / `%v` formatting.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::fmt::write_v(f, self, 0)
    }
}

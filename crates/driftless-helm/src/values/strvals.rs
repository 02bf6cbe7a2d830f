//! Helm's `--set` syntax (`pkg/strvals`): `a.b=c,list[0]=x,l={a,b}`.
//!
//! ```
//! use driftless_helm::values::strvals::{parse_into, Mode};
//! let mut v = serde_json::Map::new();
//! parse_into("a.b=1,c={x,y},d[1]=true,e=0012", &mut v, Mode::Typed).unwrap();
//! assert_eq!(serde_json::Value::Object(v).to_string(),
//!     r#"{"a":{"b":1},"c":["x","y"],"d":[null,true],"e":"0012"}"#);
//! ```

use serde_json::Value as Json;

use super::Values;

/// Deepest accepted `a.b.c...` nesting.
pub const MAX_NESTED_NAME_LEVEL: usize = 30;
/// Largest accepted list index.
pub const MAX_INDEX: i64 = 65536;

/// How the right-hand sides are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `--set`: `true`/`false`/`null`, integers, else strings.
    Typed,
    /// `--set-string`: always strings.
    String,
    /// `--set-json`: JSON values.
    Json,
    /// `--set-literal`: the whole right-hand side as a string, no escapes,
    /// no comma splitting.
    Literal,
    /// `--set-file`: right-hand sides are file paths; the value is the
    /// file's contents (see [`parse_into_with_reader`]).
    File,
}

/// Reads a `--set-file` path into its contents.
pub type FileReader<'a> = &'a dyn Fn(&str) -> Result<String, String>;

#[derive(Debug)]
enum Stop {
    Eof,
    Err(String),
}

type R<T> = Result<T, Stop>;

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    mode: Mode,
    src: &'a str,
    reader: Option<FileReader<'a>>,
}

/// Parses `s` into `dest`, as `strvals.ParseInto` (and its string and
/// JSON variants) do.
pub fn parse_into(s: &str, dest: &mut Values, mode: Mode) -> Result<(), String> {
    run(s, dest, mode, None)
}

/// `--set-file`: like `--set`, but each value is a path that `reader`
/// turns into the (string) value.
///
/// ```
/// use driftless_helm::values::strvals::parse_into_with_reader;
/// let mut v = serde_json::Map::new();
/// parse_into_with_reader("cfg=app.conf", &mut v, &|p| Ok(format!("contents of {p}"))).unwrap();
/// assert_eq!(v["cfg"], "contents of app.conf");
/// ```
pub fn parse_into_with_reader(
    s: &str,
    dest: &mut Values,
    reader: FileReader<'_>,
) -> Result<(), String> {
    run(s, dest, Mode::File, Some(reader))
}

fn run(
    s: &str,
    dest: &mut Values,
    mode: Mode,
    reader: Option<FileReader<'_>>,
) -> Result<(), String> {
    let mut p = Parser {
        chars: s.chars().collect(),
        pos: 0,
        mode,
        src: s,
        reader,
    };
    loop {
        match p.key(dest, 0) {
            Ok(()) => continue,
            Err(Stop::Eof) => return Ok(()),
            Err(Stop::Err(e)) => return Err(e),
        }
    }
}

fn err<T>(m: impl Into<String>) -> R<T> {
    Err(Stop::Err(m.into()))
}

fn set(data: &mut Values, key: String, v: Json) {
    if !key.is_empty() {
        data.insert(key, v);
    }
}

fn set_index(list: &mut Vec<Json>, index: i64, v: Json) -> R<()> {
    if index < 0 {
        return err(format!("negative {index} index not allowed"));
    }
    if index > MAX_INDEX {
        return err(format!(
            "index of {index} is greater than maximum supported index of {MAX_INDEX}"
        ));
    }
    let i = index as usize;
    if list.len() <= i {
        list.resize(i + 1, Json::Null);
    }
    list[i] = v;
    Ok(())
}

fn go_type(v: &Json) -> &'static str {
    match v {
        Json::Null => "nil",
        Json::Bool(_) => "bool",
        Json::Number(n) if n.is_f64() => "float64",
        Json::Number(_) => "int64",
        Json::String(_) => "string",
        Json::Array(_) => "[]interface {}",
        Json::Object(_) => "map[string]interface {}",
    }
}

impl Parser<'_> {
    fn read(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn unread(&mut self) {
        self.pos -= 1;
    }

    /// Reads until a stop rune (consumed and returned), handling `\` escapes.
    fn until(&mut self, stop: &[char]) -> (String, Option<char>) {
        let mut v = String::new();
        loop {
            match self.read() {
                None => return (v, None),
                Some(c) if stop.contains(&c) => return (v, Some(c)),
                Some('\\') if self.mode != Mode::Literal => match self.read() {
                    None => return (v, None),
                    Some(n) => v.push(n),
                },
                Some(c) => v.push(c),
            }
        }
    }

    /// The rest of the input (a `--set-literal` value).
    fn rest(&mut self) -> String {
        let v: String = self.chars[self.pos..].iter().collect();
        self.pos = self.chars.len();
        v
    }

    fn key(&mut self, data: &mut Values, level: usize) -> R<()> {
        let stops: &[char] = if self.mode == Mode::Literal {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = self.until(stops);
        match last {
            None => {
                if k.is_empty() {
                    return Err(Stop::Eof);
                }
                err(format!("key {k:?} has no value"))
            }
            Some('[') => {
                let i = self.key_index()?;
                let mut list = match data.get(&k) {
                    None => Vec::new(),
                    Some(Json::Array(a)) => a.clone(),
                    Some(other) => {
                        return err(format!(
                            "unable to parse key: interface conversion: interface {{}} is {}, not []interface {{}}",
                            go_type(other)
                        ));
                    }
                };
                let r = self.list_item(&mut list, i, level);
                set(data, k, Json::Array(list));
                r
            }
            Some('=') => {
                if self.mode == Mode::Literal {
                    let v = self.rest();
                    set(data, k, Json::String(v));
                    return Ok(());
                }
                if self.mode == Mode::Json {
                    if self.empty_val() {
                        set(data, k, Json::Null);
                        return Ok(());
                    }
                    let v = self.json_value()?;
                    set(data, k, v);
                    self.empty_val();
                    return Ok(());
                }
                match self.val_list() {
                    Ok(vl) => {
                        set(data, k, Json::Array(vl));
                        Ok(())
                    }
                    Err(ListErr::Eof) => {
                        set(data, k, Json::String(String::new()));
                        Err(Stop::Eof)
                    }
                    Err(ListErr::NotList) => {
                        let (rs, _) = self.until(&[',']);
                        let v = self.typed(&rs)?;
                        set(data, k, v);
                        Ok(())
                    }
                    Err(ListErr::Other(e)) => err(e),
                }
            }
            Some(',') => {
                set(data, k.clone(), Json::String(String::new()));
                err(format!("key {k:?} has no value (cannot end with ,)"))
            }
            _ => {
                // '.'
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return err(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    ));
                }
                let mut inner = match data.get(&k) {
                    None => Values::new(),
                    Some(Json::Object(m)) => m.clone(),
                    Some(other) => {
                        return err(format!(
                            "unable to parse key: interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                            go_type(other)
                        ));
                    }
                };
                let e = self.key(&mut inner, level);
                if e.is_ok() && inner.is_empty() {
                    return err(format!("key map {k:?} has no value"));
                }
                if !inner.is_empty() {
                    set(data, k, Json::Object(inner));
                }
                e
            }
        }
    }

    fn key_index(&mut self) -> R<i64> {
        let (v, last) = self.until(&[']']);
        if last.is_none() {
            return Err(Stop::Eof);
        }
        v.parse::<i64>().or_else(|_| {
            err(format!(
                "error parsing index: strconv.Atoi: parsing {v:?}: invalid syntax"
            ))
        })
    }

    fn list_item(&mut self, list: &mut Vec<Json>, i: i64, level: usize) -> R<()> {
        if i < 0 {
            return err(format!("negative {i} index not allowed"));
        }
        let (k, last) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return err(format!("unexpected data at end of array index: {k:?}"));
        }
        match last {
            None => Err(Stop::Eof),
            Some('=') => {
                if self.mode == Mode::Literal {
                    let v = self.rest();
                    return set_index(list, i, Json::String(v));
                }
                if self.mode == Mode::Json {
                    if self.empty_val() {
                        return set_index(list, i, Json::Null);
                    }
                    let v = self.json_value()?;
                    set_index(list, i, v)?;
                    self.empty_val();
                    return Ok(());
                }
                match self.val_list() {
                    Ok(vl) => set_index(list, i, Json::Array(vl)),
                    Err(ListErr::Eof) => set_index(list, i, Json::String(String::new())),
                    Err(ListErr::NotList) => {
                        let (rs, _) = self.until(&[',']);
                        let v = self.typed(&rs)?;
                        set_index(list, i, v)
                    }
                    Err(ListErr::Other(e)) => err(e),
                }
            }
            Some('[') => {
                let next = self.key_index()?;
                let mut cur = match list.get(i as usize) {
                    Some(Json::Array(a)) => a.clone(),
                    Some(Json::Null) | None => Vec::new(),
                    Some(other) => {
                        return err(format!(
                            "unable to parse key: interface conversion: interface {{}} is {}, not []interface {{}}",
                            go_type(other)
                        ));
                    }
                };
                self.list_item(&mut cur, next, level)?;
                set_index(list, i, Json::Array(cur))
            }
            _ => {
                let mut inner = match list.get(i as usize) {
                    Some(Json::Object(m)) => m.clone(),
                    _ => Values::new(),
                };
                self.key(&mut inner, level)?;
                set_index(list, i, Json::Object(inner))
            }
        }
    }

    /// Consumes blanks up to a comma or the end (true) or stops before any
    /// other character (false).
    fn empty_val(&mut self) -> bool {
        loop {
            match self.read() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => continue,
                Some(_) => {
                    self.unread();
                    return false;
                }
            }
        }
    }

    fn json_value(&mut self) -> R<Json> {
        let byte_pos: usize = self.chars[..self.pos].iter().map(|c| c.len_utf8()).sum();
        let rest = &self.src[byte_pos..];
        let mut it = serde_json::Deserializer::from_str(rest).into_iter::<Json>();
        match it.next() {
            Some(Ok(v)) => {
                let used = it.byte_offset();
                self.pos += rest[..used].chars().count();
                Ok(floats(v))
            }
            Some(Err(e)) => err(e.to_string()),
            None => err("unexpected end of JSON input"),
        }
    }

    fn val_list(&mut self) -> Result<Vec<Json>, ListErr> {
        match self.read() {
            None => return Err(ListErr::Eof),
            Some('{') => {}
            Some(_) => {
                self.unread();
                return Err(ListErr::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (rs, last) = self.until(&[',', '}']);
            match last {
                None => return Err(ListErr::Other("list must terminate with '}'".into())),
                Some('}') => {
                    if let Some(c) = self.read()
                        && c != ','
                    {
                        self.unread();
                    }
                    list.push(self.typed(&rs).map_err(|e| match e {
                        Stop::Err(m) => ListErr::Other(m),
                        Stop::Eof => ListErr::Eof,
                    })?);
                    return Ok(list);
                }
                _ => list.push(self.typed(&rs).map_err(|e| match e {
                    Stop::Err(m) => ListErr::Other(m),
                    Stop::Eof => ListErr::Eof,
                })?),
            }
        }
    }

    fn typed(&self, v: &str) -> R<Json> {
        match self.mode {
            Mode::String | Mode::Literal => Ok(Json::String(v.to_string())),
            Mode::File => match self.reader {
                Some(read) => read(v).map(Json::String).map_err(Stop::Err),
                None => err("--set-file needs a file reader"),
            },
            _ => Ok(typed_val(v)),
        }
    }
}

enum ListErr {
    Eof,
    NotList,
    Other(String),
}

/// Helm's `typedVal` for `--set`: `true`/`false`/`null` (any case), `0`,
/// integers without a leading zero, else the string.
pub fn typed_val(v: &str) -> Json {
    if v.eq_ignore_ascii_case("true") {
        return Json::Bool(true);
    }
    if v.eq_ignore_ascii_case("false") {
        return Json::Bool(false);
    }
    if v.eq_ignore_ascii_case("null") {
        return Json::Null;
    }
    if v == "0" {
        return Json::from(0i64);
    }
    if !v.is_empty()
        && !v.starts_with('0')
        && let Ok(i) = parse_go_int(v)
    {
        return Json::from(i);
    }
    Json::String(v.to_string())
}

/// `strconv.ParseInt(s, 10, 64)`: optional sign, decimal digits only.
fn parse_go_int(s: &str) -> Result<i64, ()> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    s.parse::<i64>().map_err(|_| ())
}

/// Go's `encoding/json` decodes every number into `float64`.
pub(crate) fn floats(v: Json) -> Json {
    match v {
        Json::Number(n) if !n.is_f64() => {
            serde_json::Number::from_f64(n.as_f64().unwrap_or(0.0)).map_or(Json::Null, Json::Number)
        }
        Json::Array(a) => Json::Array(a.into_iter().map(floats).collect()),
        Json::Object(o) => Json::Object(o.into_iter().map(|(k, v)| (k, floats(v))).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &str, mode: Mode) -> Result<Json, String> {
        let mut v = Values::new();
        parse_into(s, &mut v, mode).map(|_| Json::Object(v))
    }

    #[test]
    fn helm_parser_cases() {
        assert_eq!(
            p("name=value", Mode::Typed).unwrap(),
            json!({"name": "value"})
        );
        assert_eq!(
            p("a=b,c=d,", Mode::Typed).unwrap(),
            json!({"a": "b", "c": "d"})
        );
        assert!(p(",,,", Mode::Typed).is_err());
        assert_eq!(
            p("long_int_string=1234567890", Mode::Typed).unwrap(),
            json!({"long_int_string": 1234567890})
        );
        assert_eq!(
            p("boolean=true", Mode::Typed).unwrap(),
            json!({"boolean": true})
        );
        assert_eq!(
            p("is_null=null", Mode::Typed).unwrap(),
            json!({"is_null": null})
        );
        assert_eq!(
            p("leading_zeros=00009", Mode::Typed).unwrap(),
            json!({"leading_zeros": "00009"})
        );
        assert_eq!(
            p("zero_int=0", Mode::Typed).unwrap(),
            json!({"zero_int": 0})
        );
        assert_eq!(
            p("name1.name2=", Mode::Typed).unwrap(),
            json!({"name1": {"name2": ""}})
        );
        assert_eq!(
            p("name1=one\\,two,name2=x", Mode::Typed).unwrap(),
            json!({"name1": "one,two", "name2": "x"})
        );
        assert_eq!(
            p("name={a,b,c}", Mode::Typed).unwrap(),
            json!({"name": ["a", "b", "c"]})
        );
        assert_eq!(
            p("list[0]=foo,list[3]=bar", Mode::Typed).unwrap(),
            json!({"list": ["foo", null, null, "bar"]})
        );
        assert_eq!(
            p("nested[1][1]=1", Mode::Typed).unwrap(),
            json!({"nested": [null, [null, 1]]})
        );
        assert_eq!(
            p("list[0].foo=bar,list[0].hello=world", Mode::Typed).unwrap(),
            json!({"list": [{"foo": "bar", "hello": "world"}]})
        );
        assert!(p("list[-1]=foo", Mode::Typed).is_err());
        assert_eq!(p("a\\.b=c", Mode::Typed).unwrap(), json!({"a.b": "c"}));
        assert!(p("name", Mode::Typed).is_err());
        assert_eq!(
            p("is_null=null,n=1234567890", Mode::String).unwrap(),
            json!({"is_null": "null", "n": "1234567890"})
        );
        assert_eq!(
            p("foo.bar=[1,2,3],x={\"a\":\"b\"}", Mode::Json).unwrap(),
            json!({"foo": {"bar": [1.0, 2.0, 3.0]}, "x": {"a": "b"}})
        );
        assert_eq!(
            p("a.b=c,d\\e=f", Mode::Literal).unwrap(),
            json!({"a": {"b": "c,d\\e=f"}})
        );
        assert_eq!(
            p("l[1]=x,y", Mode::Literal).unwrap(),
            json!({"l": [null, "x,y"]})
        );
        let deep = (0..32)
            .map(|i| format!("k{i}"))
            .collect::<Vec<_>>()
            .join(".")
            + "=v";
        assert_eq!(
            p(&deep, Mode::Typed).unwrap_err(),
            "value name nested level is greater than maximum supported nested level of 30"
        );
    }
}

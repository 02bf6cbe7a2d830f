//! Helm's `fromToml`: a TOML document as a map (`Error` key on failure).

use driftless_gotmpl::{ArgType::String as S, FuncMap, Map, Value};
use toml_edit::{Item, Value as T};

use super::add;
use super::conv::arg_str;
use super::dates::GoTime;

fn value(v: &T) -> Value {
    match v {
        T::String(s) => Value::from(s.value().as_str()),
        // BurntSushi/toml decodes integers as int64.
        T::Integer(i) => Value::Int64(*i.value()),
        T::Float(f) => Value::Float(*f.value()),
        T::Boolean(b) => Value::Bool(*b.value()),
        T::Datetime(d) => {
            let text = d.value().to_string();
            match chrono::DateTime::parse_from_rfc3339(&text) {
                Ok(t) => GoTime {
                    zone: super::dates::zone_for(t.offset()),
                    t,
                    mono: None,
                }
                .into_value(),
                Err(_) => Value::from(text),
            }
        }
        T::Array(a) => Value::list(a.iter().map(value).collect()),
        T::InlineTable(t) => {
            let m = Map::new();
            for (k, v) in t.iter() {
                m.insert(k, value(v));
            }
            Value::Map(m)
        }
    }
}

fn item(i: &Item) -> Value {
    match i {
        Item::None => Value::Nil,
        Item::Value(v) => value(v),
        Item::Table(t) => {
            let m = Map::new();
            for (k, v) in t.iter() {
                m.insert(k, item(v));
            }
            Value::Map(m)
        }
        Item::ArrayOfTables(a) => {
            Value::list(a.iter().map(|t| item(&Item::Table(t.clone()))).collect())
        }
    }
}

/// Parses `text` as Helm's `fromToml` does.
pub fn from_toml(text: &str) -> Value {
    match text.parse::<toml_edit::DocumentMut>() {
        Ok(doc) => item(doc.as_item()),
        Err(e) => {
            let m = Map::new();
            m.insert("Error", Value::from(format!("toml: {}", e.message())));
            Value::Map(m)
        }
    }
}

pub(super) fn register(m: &mut FuncMap) {
    add(m, "fromToml", &[S], |a| Ok(from_toml(&arg_str(&a[0]))));
}

#[cfg(test)]
mod tests {
    use super::super::testutil::check;

    #[test]
    fn toml_documents() {
        check(&[
            (
                r#"{{ fromToml "a = 1\nf = 1.5\n[b]\nc = \"x\"\nl = [1, \"y\"]" | toJson }}"#,
                r#"{"a":1,"b":{"c":"x","l":[1,"y"]},"f":1.5}"#,
            ),
            (r#"{{ typeOf (fromToml "a = 1").a }}"#, "int64"),
            (r#"{{ hasKey (fromToml "a = ") "Error" }}"#, "true"),
            (
                r#"{{ (fromToml "t = 2024-03-05T10:00:00Z").t }}"#,
                "2024-03-05 10:00:00 +0000 UTC",
            ),
            (
                r#"{{ hello }} {{ tuple 1 2 }} {{ biggest 1 5 3 }} {{ add1f 1.5 }}"#,
                "Hello! [1 2] 5 2.5",
            ),
        ]);
    }
}

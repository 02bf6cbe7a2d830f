//! YAML deserialisation with a node budget: aliases can make a small document
//! expand enormously (a "billion laughs" bomb); serde_yaml_ng bounds alias
//! replays to 100 × the document's events, and this bounds the total number
//! of nodes built, whatever the source of the expansion.

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};
use serde_yaml_ng::value::{Tag, TaggedValue};
use serde_yaml_ng::{Mapping, Value};
use std::cell::Cell;
use std::fmt;

/// Parses one YAML document into a [`Value`], failing once more than
/// `max_nodes` nodes have been built.
pub(crate) fn from_str(text: &str, max_nodes: usize) -> Result<Value, serde_yaml_ng::Error> {
    let budget = Cell::new(max_nodes);
    Seed { budget: &budget }.deserialize(serde_yaml_ng::Deserializer::from_str(text))
}

#[derive(Clone, Copy)]
struct Seed<'a> {
    budget: &'a Cell<usize>,
}

impl Seed<'_> {
    fn take<E: de::Error>(&self) -> Result<(), E> {
        match self.budget.get() {
            0 => Err(E::custom(
                "document expands to too many nodes (YAML alias bomb?)",
            )),
            n => {
                self.budget.set(n - 1);
                Ok(())
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        self.take()?;
        Ok(Value::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
        self.take()?;
        Ok(Value::Number(i.into()))
    }
    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        self.take()?;
        Ok(Value::Number(u.into()))
    }
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        self.take()?;
        Ok(Value::Number(f.into()))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        self.take()?;
        Ok(Value::String(s.to_owned()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        self.take()?;
        Ok(Value::String(s))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.take()?;
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.take()?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            out.push(v);
        }
        Ok(Value::Sequence(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.take()?;
        let mut out = Mapping::new();
        while let Some(k) = map.next_key_seed(self)? {
            let v = map.next_value_seed(self)?;
            if out.contains_key(&k) {
                let shown = match &k {
                    Value::String(s) => s.clone(),
                    other => format!("{other:?}"),
                };
                return Err(de::Error::custom(format!(
                    "duplicate mapping key `{shown}`"
                )));
            }
            out.insert(k, v);
        }
        Ok(Value::Mapping(out))
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        use serde::de::VariantAccess;
        let (tag, contents): (String, _) = data.variant()?;
        let value = contents.newtype_variant_seed(self)?;
        Ok(Value::Tagged(Box::new(TaggedValue {
            tag: Tag::new(tag),
            value,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_value_as_serde_yaml_ng() {
        let text = "a: [1, -2, 3.5, true, null, ~, 'x']\nb: !custom {c: d}\n? [k]\n: v\n";
        let ours = from_str(text, 1000).unwrap();
        let theirs: Value = serde_yaml_ng::from_str(text).unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn budget_counts_alias_expansion() {
        let text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [*a, *a, *a, *a, *a]\n";
        assert!(from_str(text, 200).is_ok());
        let err = from_str(text, 40).unwrap_err().to_string();
        assert!(err.contains("too many nodes"), "{err}");
    }

    #[test]
    fn duplicate_keys_are_errors() {
        assert!(
            from_str("a: 1\na: 2\n", 100)
                .unwrap_err()
                .to_string()
                .contains("duplicate")
        );
    }
}

//! Reading YAML as Helm does (`sigs.k8s.io/yaml.Unmarshal`): go-yaml v2's
//! YAML 1.1 scalar rules, anchors, aliases and `<<` merge keys, then the
//! conversion to JSON (keys become strings, timestamps stay strings).

use std::collections::HashMap;

use serde_json::{Map, Number, Value as J};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::gofloat::format_float;
use super::resolve::{Resolved, resolve};

/// A YAML reading error, worded as Helm's (`error converting YAML to JSON:
/// yaml: line 3: ...`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("error converting YAML to JSON: yaml: {0}")]
pub struct YamlError(pub String);

#[derive(Debug, Clone)]
enum Node {
    Scalar(String, TScalarStyle, Option<Tag>),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

struct Frame {
    node: Node,
    anchor: usize,
    key: Option<Node>,
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    docs: Vec<Node>,
    error: Option<String>,
}

impl Builder {
    fn push_value(&mut self, n: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, n.clone());
        }
        match self.stack.last_mut() {
            Some(Frame {
                node: Node::Seq(items),
                ..
            }) => items.push(n),
            Some(Frame {
                node: Node::Map(entries),
                key,
                ..
            }) => match key.take() {
                Some(k) => entries.push((k, n)),
                None => *key = Some(n),
            },
            _ => self.docs.push(n),
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, _mark: Marker) {
        match ev {
            Event::Scalar(v, style, anchor, tag) => {
                self.push_value(Node::Scalar(v, style, tag), anchor)
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame {
                node: Node::Seq(Vec::new()),
                anchor,
                key: None,
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Frame {
                node: Node::Map(Vec::new()),
                anchor,
                key: None,
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(f) = self.stack.pop() {
                    self.push_value(f.node, f.anchor);
                }
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(n) => self.push_value(n, 0),
                None => self.error = Some("unknown anchor referenced".into()),
            },
            _ => {}
        }
    }
}

/// Parses the first document of `text` into JSON, as Helm's YAML reading
/// does. An empty document gives `null`.
///
/// ```
/// use driftless_helm::yaml::parse::from_yaml;
/// let v = from_yaml("a: yes\nb: 0777\nc: '1'\n").unwrap();
/// assert_eq!(v, serde_json::json!({"a": true, "b": 511, "c": "1"}));
/// ```
pub fn from_yaml(text: &str) -> Result<J, YamlError> {
    let mut b = Builder::default();
    let mut p = Parser::new_from_str(text);
    p.load(&mut b, false)
        .map_err(|e| YamlError(format!("line {}: {}", e.marker().line(), e.info())))?;
    if let Some(e) = b.error {
        return Err(YamlError(e));
    }
    match b.docs.first() {
        None => Ok(J::Null),
        Some(n) => to_json(n),
    }
}

/// The mapping keys that occur twice in one mapping of the first document
/// of `text`, as dotted paths (`metadata.labels.app`, `spec.ports[0].name`).
/// go-yaml v2 (and so Helm and kubectl) keeps the later value; the reader
/// here does the same.
pub fn duplicate_keys(text: &str) -> Vec<String> {
    let mut b = Builder::default();
    let mut p = Parser::new_from_str(text);
    if p.load(&mut b, false).is_err() {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(n) = b.docs.first() {
        find_duplicates(n, "", &mut out);
    }
    out
}

fn find_duplicates(n: &Node, path: &str, out: &mut Vec<String>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match n {
        Node::Scalar(..) => {}
        Node::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                find_duplicates(item, &format!("{path}[{i}]"), out);
            }
        }
        Node::Map(entries) => {
            let mut seen = std::collections::HashSet::new();
            for (k, v) in entries {
                let Ok(key) = key_string(k) else { continue };
                if key != "<<" && !seen.insert(key.clone()) {
                    out.push(join(&key));
                }
                find_duplicates(v, &join(&key), out);
            }
        }
    }
}

fn scalar_value(s: &str, style: TScalarStyle, tag: &Option<Tag>) -> Result<J, YamlError> {
    if let Some(t) = tag
        && t.handle == "!!"
    {
        match t.suffix.as_str() {
            "str" => return Ok(J::String(s.to_string())),
            "binary" => {
                use base64::Engine;
                let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
                return base64::engine::general_purpose::STANDARD
                    .decode(clean)
                    .map(|b| J::String(String::from_utf8_lossy(&b).into_owned()))
                    .map_err(|_| YamlError("!!binary value contains invalid base64 data".into()));
            }
            _ => {}
        }
    }
    if style != TScalarStyle::Plain && tag.is_none() {
        return Ok(J::String(s.to_string()));
    }
    Ok(match resolve(s) {
        Resolved::Null => J::Null,
        Resolved::Bool(b) => J::Bool(b),
        Resolved::Int(i) => J::Number(i.into()),
        Resolved::Uint(u) => J::Number(u.into()),
        Resolved::Float(f) => match Number::from_f64(f) {
            Some(n) => J::Number(n),
            None => {
                return Err(YamlError(format!(
                    "json: unsupported value: {}",
                    format_float(f, 'g')
                )));
            }
        },
        Resolved::BigInt(t) => J::Number(
            Number::from_f64(t.parse::<f64>().unwrap_or(f64::MAX)).unwrap_or_else(|| 0.into()),
        ),
        Resolved::Timestamp | Resolved::Merge | Resolved::Str => J::String(s.to_string()),
    })
}

fn key_string(n: &Node) -> Result<String, YamlError> {
    match n {
        Node::Scalar(s, style, tag) => match scalar_value(s, *style, tag)? {
            J::String(s) => Ok(s),
            J::Bool(b) => Ok(b.to_string()),
            J::Number(n) => Ok(match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => i.to_string(),
                (_, Some(u)) => u.to_string(),
                _ => format_float(n.as_f64().unwrap_or(0.0), 'g'),
            }),
            J::Null => Err(YamlError("unsupported map key of type: <nil>".into())),
            _ => Err(YamlError("unsupported map key".into())),
        },
        _ => Err(YamlError("invalid map key: collection".into())),
    }
}

fn merge_into(out: &mut Map<String, J>, n: &Node) -> Result<(), YamlError> {
    match n {
        Node::Map(_) => {
            if let J::Object(m) = to_json(n)? {
                for (k, v) in m {
                    out.insert(k, v);
                }
            }
            Ok(())
        }
        Node::Seq(items) => {
            for item in items.iter().rev() {
                if !matches!(item, Node::Map(_)) {
                    return Err(YamlError(
                        "map merge requires map or sequence of maps as the value".into(),
                    ));
                }
                merge_into(out, item)?;
            }
            Ok(())
        }
        _ => Err(YamlError(
            "map merge requires map or sequence of maps as the value".into(),
        )),
    }
}

fn to_json(n: &Node) -> Result<J, YamlError> {
    match n {
        Node::Scalar(s, style, tag) => scalar_value(s, *style, tag),
        Node::Seq(items) => items
            .iter()
            .map(to_json)
            .collect::<Result<Vec<_>, _>>()
            .map(J::Array),
        Node::Map(entries) => {
            let mut out = Map::new();
            for (k, v) in entries {
                if let Node::Scalar(s, TScalarStyle::Plain, None) = k
                    && s == "<<"
                {
                    merge_into(&mut out, v)?;
                    continue;
                }
                let key = key_string(k)?;
                out.insert(key, to_json(v)?);
            }
            Ok(J::Object(out))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_1_1_scalars_and_structure() {
        let v = from_yaml(
            "a: yes\nb: on\nc: ~\nd: 1.5\ne: '07'\nf: 2001-12-14\ng: [1, x]\nh: {}\n1: int key\ntrue: bool key\n",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"a": true, "b": true, "c": null, "d": 1.5, "e": "07", "f": "2001-12-14",
                   "g": [1, "x"], "h": {}, "1": "int key", "true": "bool key"})
        );
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let v =
            from_yaml("base: &b {x: 1, z: 2}\nuse:\n  <<: *b\n  z: 3\nlist: [*b]\ny: 1\n").unwrap();
        assert_eq!(v["use"], json!({"x": 1, "z": 3}));
        assert_eq!(v["true"], json!(1), "go-yaml v2 reads the key y as true");
        assert_eq!(v["list"], json!([{"x": 1, "z": 2}]));
    }

    #[test]
    fn duplicate_keys_later_wins() {
        let doc = "metadata:\n  labels:\n    app: a\n    app: b\nspec:\n  logFormat: x\n  ports:\n  - {k: 1, k: 2}\n  logFormat: z\n";
        assert_eq!(
            duplicate_keys(doc),
            ["metadata.labels.app", "spec.ports[0].k", "spec.logFormat"]
        );
        let v = from_yaml(doc).unwrap();
        assert_eq!(v["metadata"]["labels"]["app"], "b");
        assert_eq!(v["spec"]["logFormat"], "z");
        assert!(duplicate_keys("a: 1\nb: {a: 2}\n").is_empty());
    }

    #[test]
    fn empty_null_and_errors() {
        assert_eq!(from_yaml("").unwrap(), J::Null);
        assert_eq!(from_yaml("a: null").unwrap(), json!({"a": null}));
        assert_eq!(from_yaml("a:").unwrap(), json!({"a": null}));
        assert!(
            from_yaml("a: [1, 2")
                .unwrap_err()
                .to_string()
                .starts_with("error converting YAML to JSON: yaml: line")
        );
        assert_eq!(from_yaml("- a\n- b").unwrap(), json!(["a", "b"]));
        assert_eq!(
            from_yaml("x: |\n  l1\n  l2\n").unwrap(),
            json!({"x": "l1\nl2\n"})
        );
    }
}

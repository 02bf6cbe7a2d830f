//! Parsing manifest files into objects with file, document and line.

use crate::RenderError;
use driftless_core::Provenance;
use serde_json::{Map, Value};

/// One parsed, non-empty document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The object (or whatever the document holds).
    pub value: Value,
    /// Where it starts.
    pub provenance: Provenance,
}

/// Splits a YAML stream into `(first line, text)` per document. A line that
/// starts with `---` (or `...`) followed by whitespace or nothing begins a new
/// document: such a line cannot occur inside content in YAML.
fn split_documents(text: &str) -> Vec<(usize, String)> {
    let mut docs: Vec<(usize, String)> = vec![(1, String::new())];
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches(['\n', '\r']);
        let marker = |m: &str| {
            bare.strip_prefix(m)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        };
        if marker("---") {
            docs.push((i + 1, line.to_string()));
        } else if marker("...") {
            docs.push((i + 2, String::new()));
        } else {
            docs.last_mut().expect("never empty").1.push_str(line);
        }
    }
    docs
}

/// The line of a document's first content (skipping blank lines, comments
/// and a bare `---`), for provenance.
fn content_line(start: usize, text: &str) -> usize {
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t == "---" {
            continue;
        }
        return start + i;
    }
    start
}

/// Parses a YAML file (any number of documents) into its non-empty documents.
///
/// Aliases are expanded with a bound (an alias bomb fails), merge keys
/// (`<<`) are applied, nesting deeper than `max_depth` fails.
///
/// ```
/// let docs = driftless_render::docs::parse_yaml("a.yaml", "---\nx: 1\n---\n# empty\n---\ny: 2\n", 100).unwrap();
/// assert_eq!(docs.len(), 2);
/// assert_eq!(docs[1].provenance.line, 6);
/// ```
pub fn parse_yaml(file: &str, text: &str, max_depth: usize) -> Result<Vec<Document>, RenderError> {
    parse_yaml_bounded(file, text, max_depth, crate::Limits::default().max_nodes)
}

/// [`parse_yaml`] with an explicit bound on the nodes one document may expand to.
pub fn parse_yaml_bounded(
    file: &str,
    text: &str,
    max_depth: usize,
    max_nodes: usize,
) -> Result<Vec<Document>, RenderError> {
    let mut out = Vec::new();
    let mut index = 0;
    for (n, (start, doc)) in split_documents(text).into_iter().enumerate() {
        let value: serde_yaml_ng::Value = match crate::bounded::from_str(&doc, max_nodes) {
            Ok(v) => v,
            Err(e) => {
                let line = e.location().map(|l| start + l.line() - 1).unwrap_or(start);
                return Err(RenderError::Parse {
                    file: file.to_string(),
                    line,
                    message: without_location(&e.to_string()),
                });
            }
        };
        // A stream's leading comment block before the first `---` is not a document.
        let is_document = n > 0 || !value.is_null();
        if !is_document {
            continue;
        }
        let line = content_line(start, &doc);
        let this = index;
        index += 1;
        if value.is_null() {
            continue; // empty document
        }
        let mut value = value;
        value.apply_merge().map_err(|e| RenderError::Parse {
            file: file.to_string(),
            line,
            message: e.to_string(),
        })?;
        let json = to_json(value, max_depth).map_err(|e| match e {
            Conv::TooDeep => RenderError::TooDeep {
                file: file.to_string(),
                line,
                limit: max_depth,
            },
            Conv::Invalid(message) => RenderError::Parse {
                file: file.to_string(),
                line,
                message,
            },
        })?;
        out.push(Document {
            value: json,
            provenance: Provenance::file(file, this, line),
        });
    }
    Ok(out)
}

/// Parses a JSON file: one value, or several concatenated.
///
/// ```
/// let docs = driftless_render::docs::parse_json("a.json", "{\"a\": 1}\n{\"b\": 2}", 100).unwrap();
/// assert_eq!(docs[1].provenance.line, 2);
/// ```
pub fn parse_json(file: &str, text: &str, max_depth: usize) -> Result<Vec<Document>, RenderError> {
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    loop {
        let offset = stream.byte_offset();
        let skipped = text[offset..].len() - text[offset..].trim_start().len();
        let line = text[..offset + skipped].matches('\n').count() + 1;
        match stream.next() {
            None => break,
            Some(Err(e)) => {
                return Err(RenderError::Parse {
                    file: file.to_string(),
                    line: e.line(),
                    message: without_location(&e.to_string()),
                });
            }
            Some(Ok(v)) => {
                if depth(&v) > max_depth {
                    return Err(RenderError::TooDeep {
                        file: file.to_string(),
                        line,
                        limit: max_depth,
                    });
                }
                if !v.is_null() {
                    let n = out.len();
                    out.push(Document {
                        value: v,
                        provenance: Provenance::file(file, n, line),
                    });
                }
            }
        }
    }
    Ok(out)
}

fn depth(v: &Value) -> usize {
    let mut max = 0;
    let mut stack = vec![(v, 1usize)];
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        match v {
            Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            Value::Object(m) => stack.extend(m.values().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    max
}

enum Conv {
    TooDeep,
    Invalid(String),
}

/// YAML to JSON as Kubernetes' `sigs.k8s.io/yaml` does: non-string keys
/// become their string form, tags are dropped, non-finite floats refused.
fn to_json(v: serde_yaml_ng::Value, budget: usize) -> Result<Value, Conv> {
    use serde_yaml_ng::Value as Y;
    if budget == 0 {
        return Err(Conv::TooDeep);
    }
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| {
                        Conv::Invalid(format!("number {f} cannot be represented in JSON"))
                    })?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(seq) => Value::Array(
            seq.into_iter()
                .map(|x| to_json(x, budget - 1))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Bool(b) => b.to_string(),
                    Y::Number(n) => n.to_string(),
                    Y::Null => "null".to_string(),
                    Y::Tagged(t) => match to_json(t.value, budget - 1)? {
                        Value::String(s) => s,
                        other => other.to_string(),
                    },
                    _ => return Err(Conv::Invalid("mapping keys must be scalars".into())),
                };
                out.insert(key, to_json(v, budget - 1)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => to_json(t.value, budget)?,
    })
}

/// Expands `kind: List` (and any `*List` kind with an `items` list) into its
/// items, as `kubectl` does; other objects are returned as they are.
pub fn expand_lists(docs: Vec<Document>) -> Vec<Document> {
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        let is_list = d
            .value
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.ends_with("List"))
            && d.value.get("items").is_some_and(Value::is_array);
        if is_list {
            let Value::Object(mut m) = d.value else {
                unreachable!()
            };
            if let Some(Value::Array(items)) = m.remove("items") {
                for item in items {
                    out.push(Document {
                        value: item,
                        provenance: d.provenance.clone(),
                    });
                }
            }
        } else {
            out.push(d);
        }
    }
    out
}

/// A parser's message without its ` at line N column M` suffix (the error carries the line).
fn without_location(message: &str) -> String {
    message.split(" at line ").next().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_across_documents() {
        let text = "# header\n---\napiVersion: v1\nkind: A\n---\n\n---\napiVersion: v1\nkind: B\n";
        let docs = parse_yaml("f.yaml", text, 100).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].provenance, Provenance::file("f.yaml", 0, 3));
        assert_eq!(docs[1].provenance, Provenance::file("f.yaml", 2, 8));
    }

    #[test]
    fn error_line_is_file_line() {
        let text = "a: 1\n---\nb: 2\nc: [\n";
        let err = parse_yaml("f.yaml", text, 100).unwrap_err().to_string();
        assert!(err.starts_with("f.yaml:"), "{err}");
        let line: usize = err.split(':').nth(1).unwrap().parse().unwrap();
        assert!((4..=5).contains(&line), "{err}");
    }

    #[test]
    fn marker_inside_block_scalar_text_is_not_split() {
        let text = "data:\n  x: |\n    ----\n    --- not at column 0\n";
        let docs = parse_yaml("f.yaml", text, 100).unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].value["data"]["x"], "----\n--- not at column 0\n");
    }

    #[test]
    fn merge_keys_and_int_keys() {
        let text = "base: &b {x: 1}\nobj:\n  <<: *b\n  y: 2\nmap: {1: a, true: b}\n";
        let docs = parse_yaml("f.yaml", text, 100).unwrap();
        assert_eq!(docs[0].value["obj"], serde_json::json!({"x": 1, "y": 2}));
        assert_eq!(
            docs[0].value["map"],
            serde_json::json!({"1": "a", "true": "b"})
        );
    }

    #[test]
    fn depth_limit() {
        let deep = format!("{}1{}", "[".repeat(20), "]".repeat(20));
        assert!(matches!(
            parse_yaml("d.yaml", &format!("a: {deep}"), 10),
            Err(RenderError::TooDeep { limit: 10, .. })
        ));
        assert!(matches!(
            parse_json("d.json", &deep, 10),
            Err(RenderError::TooDeep { limit: 10, .. })
        ));
        assert!(parse_yaml("d.yaml", &format!("a: {deep}"), 30).is_ok());
    }
}

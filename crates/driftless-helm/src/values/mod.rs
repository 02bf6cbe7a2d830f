//! Values: parsing, `--set` expressions, coalescing with chart defaults,
//! dependency conditions/tags/import-values and schema validation.

pub mod coalesce;
pub mod deps;
pub mod schema;
pub mod strvals;

use serde_json::{Map, Value as Json};
use serde_yaml_ng::Value as Yaml;

/// A values tree (`map[string]interface{}` in Helm). Numbers read from
/// YAML or JSON are floats (Helm decodes them through JSON into
/// `float64`); `--set` integers are integers.
pub type Values = Map<String, Json>;

/// Converts parsed YAML to values the way Helm's YAML loader does: numbers
/// become floats, non-string keys become their string form, merge keys
/// (`<<`) are applied.
///
/// ```
/// use driftless_helm::values::yaml_to_json;
/// let y: serde_yaml_ng::Value = serde_yaml_ng::from_str("a: 1\n2: x").unwrap();
/// let j = yaml_to_json(y);
/// assert!(j["a"].is_f64());
/// assert_eq!(j["2"], "x");
/// ```
pub fn yaml_to_json(mut y: Yaml) -> Json {
    let _ = y.apply_merge();
    convert(y)
}

fn convert(y: Yaml) -> Json {
    match y {
        Yaml::Null => Json::Null,
        Yaml::Bool(b) => Json::Bool(b),
        Yaml::Number(n) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)
        }
        Yaml::String(s) => Json::String(s),
        Yaml::Sequence(s) => Json::Array(s.into_iter().map(convert).collect()),
        Yaml::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                out.insert(key_string(&k), convert(v));
            }
            Json::Object(out)
        }
        Yaml::Tagged(t) => convert(t.value),
    }
}

fn key_string(k: &Yaml) -> String {
    match k {
        Yaml::String(s) => s.clone(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Null => "null".into(),
        other => serde_yaml_ng::to_string(other)
            .unwrap_or_default()
            .trim_end()
            .to_string(),
    }
}

/// Parses a values file. Empty files give empty values; anything but a map
/// at the top is an error with Go's wording.
pub fn parse_values(data: &[u8]) -> Result<Values, String> {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    let text = std::str::from_utf8(data).map_err(|e| e.to_string())?;
    if text.trim().is_empty() {
        return Ok(Values::new());
    }
    // Syntax errors are reported from libyaml (as go-yaml words them); the
    // values themselves are read with YAML 1.1 scalars, as Helm does.
    // Only the first document counts, as with go-yaml.
    let first = serde_yaml_ng::Deserializer::from_str(text)
        .next()
        .map(<Yaml as serde::Deserialize>::deserialize);
    if let Some(Err(e)) = first {
        return Err(format!(
            "cannot unmarshal yaml document: error converting YAML to JSON: {}",
            yaml_error_text(&e)
        ));
    }
    let parsed =
        crate::yaml::from_yaml(text).map_err(|e| format!("cannot unmarshal yaml document: {e}"))?;
    // Helm decodes values through JSON into `interface{}`: numbers are float64.
    match strvals::floats(parsed) {
        Json::Object(m) => Ok(m),
        Json::Null => Ok(Values::new()),
        other => Err(format!(
            "cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        )),
    }
}

/// Go's `encoding/json` name of a JSON value's kind, for error messages.
pub(crate) fn json_kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

/// A YAML error in go-yaml v2's wording: `yaml: line N: problem`, where N
/// is go-yaml's line: the 0-based problem line (+1 for scanner errors),
/// else the 0-based context line, and no line at all when both are 0.
pub fn yaml_error_text(e: &serde_yaml_ng::Error) -> String {
    let full = e.to_string();
    // serde_yaml_ng: "<problem> at line L column C[, while <context> at line L2 column C2]".
    let problem = full.split(" at line ").next().unwrap_or(&full);
    let context_line = full
        .split(", while ")
        .nth(1)
        .and_then(|c| c.split(" at line ").nth(1))
        .and_then(|c| c.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .map(|l| l.saturating_sub(1))
        .unwrap_or(0);
    let problem_line = e
        .location()
        .map(|l| l.line().saturating_sub(1))
        .unwrap_or(0);
    let scanner = problem.starts_with("found ")
        || problem.starts_with("could not find expected")
        || problem.starts_with("mapping values are not allowed")
        || problem.starts_with("block sequence entries are not allowed")
        || problem.starts_with("did not find expected hexdecimal")
        || problem.starts_with("did not find URI")
        || problem.starts_with("did not find expected whitespace")
        || problem.starts_with("did not find expected alphabetic")
        || problem.starts_with("did not find expected comment");
    let line = if problem_line != 0 {
        problem_line + usize::from(scanner)
    } else {
        context_line
    };
    if line != 0 {
        format!("yaml: line {line}: {problem}")
    } else {
        format!("yaml: {problem}")
    }
}

/// The sub-table at a dotted path (`a.b.c`), as Helm's `Values.Table`.
pub fn table<'a>(v: &'a Values, path: &str) -> Option<&'a Values> {
    let mut cur = v;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        cur = cur.get(part)?.as_object()?;
    }
    Some(cur)
}

/// The non-table value at a dotted path, as Helm's `Values.PathValue`.
pub fn path_value<'a>(v: &'a Values, path: &str) -> Option<&'a Json> {
    if path.is_empty() {
        return None;
    }
    let (parent, key) = match path.rsplit_once('.') {
        Some((p, k)) => (table(v, p)?, k),
        None => (v, path),
    };
    parent.get(key).filter(|x| !x.is_object())
}

/// Builds `{a: {b: {c: data}}}` for path `a.b.c` (Helm's `pathToMap`;
/// `.` or empty means the root).
pub fn path_to_map(path: &str, data: Values) -> Values {
    if path == "." || path.is_empty() {
        return data;
    }
    let parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
    let mut cur = data;
    for p in parts.iter().rev() {
        let mut m = Values::new();
        m.insert((*p).to_string(), Json::Object(cur));
        cur = m;
    }
    cur
}

/// Helm's `mergeMaps` for successive `--values` files: maps merge deeply,
/// anything else is replaced.
pub fn merge_maps(mut a: Values, b: Values) -> Values {
    for (k, v) in b {
        if let Json::Object(bv) = v {
            if let Some(Json::Object(av)) = a.get_mut(&k) {
                let merged = merge_maps(std::mem::take(av), bv);
                *av = merged;
                continue;
            }
            a.insert(k, Json::Object(bv));
        } else {
            a.insert(k, v);
        }
    }
    a
}

/// The user-supplied values of a render, in Helm's precedence order:
/// `--values` files, then `--set-json`, `--set`, `--set-string`,
/// `--set-file` (read through `read_file`), `--set-literal`.
pub fn user_values(
    files: &[(String, Vec<u8>)],
    set_json: &[String],
    set: &[String],
    set_string: &[String],
    set_file: &[String],
    read_file: strvals::FileReader<'_>,
    set_literal: &[String],
) -> Result<Values, crate::HelmError> {
    use crate::HelmError;
    use strvals::{Mode, parse_into};
    let mut base = Values::new();
    for (name, data) in files {
        let current = parse_values(data)
            .map_err(|e| HelmError::Values(format!("failed to parse {name}: {e}")))?;
        base = merge_maps(base, current);
    }
    for v in set_json {
        let t = v.trim();
        if t.starts_with('{') {
            let parsed: Json = serde_json::from_str(t).map_err(|e| {
                HelmError::Values(format!("failed parsing --set-json data JSON: {e}"))
            })?;
            if let Json::Object(m) = strvals::floats(parsed) {
                base = merge_maps(base, m);
            }
            continue;
        }
        parse_into(v, &mut base, Mode::Json)
            .map_err(|_| HelmError::Values(format!("failed parsing --set-json data {v}")))?;
    }
    for v in set {
        parse_into(v, &mut base, Mode::Typed)
            .map_err(|e| HelmError::Values(format!("failed parsing --set data: {e}")))?;
    }
    for v in set_string {
        parse_into(v, &mut base, Mode::String)
            .map_err(|e| HelmError::Values(format!("failed parsing --set-string data: {e}")))?;
    }
    for v in set_file {
        strvals::parse_into_with_reader(v, &mut base, read_file)
            .map_err(|e| HelmError::Values(format!("failed parsing --set-file data: {e}")))?;
    }
    for v in set_literal {
        parse_into(v, &mut base, Mode::Literal)
            .map_err(|e| HelmError::Values(format!("failed parsing --set-literal data: {e}")))?;
    }

    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_files_like_helm() {
        let v = parse_values(b"a: 1\nb: yes\n---\nc: 2\n").unwrap();
        assert_eq!(Json::Object(v), serde_json::json!({"a": 1.0, "b": true}));
        assert!(parse_values(b"").unwrap().is_empty());
        let e = parse_values(b"- 1\n").unwrap_err();
        assert!(
            e.ends_with("cannot unmarshal array into Go value of type map[string]interface {}"),
            "{e}"
        );
        let e = parse_values(b"a: [1\n").unwrap_err();
        assert!(
            e.starts_with(
                "cannot unmarshal yaml document: error converting YAML to JSON: yaml: line"
            ),
            "{e}"
        );
    }
}

//! `.Files`: a chart's non-template files with Helm's accessors (`Get`,
//! `GetBytes`, `Glob`, `Lines`, `AsConfig`, `AsSecrets`).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use driftless_gotmpl::{ArgType, Function, Object, Signature, Value};

use crate::chart::ChartFile;

/// The `.Files` object of one chart (Go's `map[string][]byte` with methods).
#[derive(Debug, Clone, Default)]
pub struct Files {
    files: Arc<BTreeMap<String, Arc<[u8]>>>,
}

impl Files {
    /// Files keyed by their path in the chart.
    pub fn new(files: &[ChartFile]) -> Files {
        Files {
            files: Arc::new(
                files
                    .iter()
                    .map(|f| (f.name.clone(), f.data.clone()))
                    .collect(),
            ),
        }
    }

    /// The object as a template value.
    pub fn into_value(self) -> Value {
        Value::Object(Arc::new(self))
    }

    fn get(&self, name: &str) -> Arc<[u8]> {
        self.files
            .get(name)
            .cloned()
            .unwrap_or_else(|| Arc::from(&[][..]))
    }

    fn glob(&self, pattern: &str) -> Files {
        let re = glob_regex(pattern).unwrap_or_else(|| glob_regex("**").expect("valid glob"));
        Files {
            files: Arc::new(
                self.files
                    .iter()
                    .filter(|(k, _)| re.is_match(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
        }
    }

    fn lines(&self, name: &str) -> Vec<Value> {
        let Some(data) = self.files.get(name) else {
            return Vec::new();
        };
        let s = String::from_utf8_lossy(data);
        let s = s.strip_suffix('\n').unwrap_or(&s);
        s.split('\n').map(Value::from).collect()
    }

    fn as_map(&self, f: impl Fn(&[u8]) -> String) -> String {
        let m: serde_json::Map<String, serde_json::Value> = self
            .files
            .iter()
            .map(|(k, v)| {
                let base = k.rsplit('/').next().unwrap_or(k).to_string();
                (base, serde_json::Value::String(f(v)))
            })
            .collect();
        crate::yaml::to_yaml(&serde_json::Value::Object(m)).unwrap_or_default()
    }
}

/// A gobwas-style glob with `/` as separator: `*` and `?` stay within a
/// path segment, `**` crosses them, `[...]`/`[!...]` classes and `{a,b}`
/// alternatives.
fn glob_regex(pattern: &str) -> Option<regex::Regex> {
    let mut re = String::from("^");
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut depth = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                re.push_str(".*");
                i += 1;
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '[' => {
                let end = chars[i + 1..].iter().position(|&c| c == ']')? + i + 1;
                let mut class: String = chars[i + 1..end].iter().collect();
                if let Some(rest) = class.strip_prefix('!') {
                    class = format!("^{rest}");
                }
                re.push('[');
                re.push_str(&class.replace('\\', "\\\\").replace('[', "\\["));
                re.push(']');
                i = end;
            }
            '{' => {
                depth += 1;
                re.push_str("(?:");
            }
            '}' if depth > 0 => {
                depth -= 1;
                re.push(')');
            }
            ',' if depth > 0 => re.push('|'),
            '\\' => {
                i += 1;
                re.push_str(&regex::escape(&chars.get(i)?.to_string()));
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    if depth != 0 {
        return None;
    }
    re.push('$');
    regex::Regex::new(&re).ok()
}

fn string_fn(f: impl Fn(&str) -> Value + Send + Sync + 'static) -> Function {
    Function::new(
        Signature {
            params: vec![ArgType::String],
            variadic: None,
        },
        move |_, args| Ok(f(args[0].as_str().unwrap_or_default())),
    )
}

impl Object for Files {
    fn type_name(&self) -> String {
        "files.Files".into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        // A map type: `.Files.name` is a key lookup.
        Some(match self.files.get(name) {
            Some(d) => Value::Bytes(d.clone()),
            None => Value::NoValue,
        })
    }
    fn method(&self, name: &str) -> Option<Function> {
        let me = self.clone();
        Some(match name {
            "Get" => string_fn(move |n| crate::funcs::conv::go_string(me.get(n))),
            "GetBytes" => string_fn(move |n| Value::Bytes(me.get(n))),
            "Glob" => string_fn(move |p| me.glob(p).into_value()),
            "Lines" => string_fn(move |n| Value::list(me.lines(n))),
            "AsConfig" => Function::new(Signature::default(), move |_, _| {
                Ok(Value::from(me.as_map(crate::funcs::conv::go_lossy)))
            }),
            "AsSecrets" => Function::new(Signature::default(), move |_, _| {
                Ok(Value::from(me.as_map(|d| {
                    base64::engine::general_purpose::STANDARD.encode(d)
                })))
            }),
            _ => return None,
        })
    }
    fn fmt_go(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("map[")?;
        for (i, (k, v)) in self.files.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            let nums: Vec<String> = v.iter().map(|b| b.to_string()).collect();
            write!(f, "{k}:[{}]", nums.join(" "))?;
        }
        f.write_str("]")
    }
    fn to_value(&self) -> Option<Value> {
        Some(Value::map(
            self.files
                .iter()
                .map(|(k, v)| (k.clone(), Value::Bytes(v.clone())))
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::glob_regex;

    #[test]
    fn gobwas_globs() {
        let m = |p: &str, s: &str| glob_regex(p).unwrap().is_match(s);
        assert!(m("story/**", "story/a/b.txt"));
        assert!(m("*.txt", "a.txt"));
        assert!(!m("*.txt", "d/a.txt"));
        assert!(m("**.txt", "d/a.txt"));
        assert!(m("config/{a,b}.yaml", "config/b.yaml"));
        assert!(m("f[!x]o", "foo"));
    }

    /// Why this converter and not `globset` (which the renderer uses for
    /// Argo CD's include/exclude): Helm compiles `.Files.Glob` patterns with
    /// gobwas/glob, where `**` is "any characters, `/` included" wherever it
    /// stands and a `/` after it is literal; globset gives `**/` the meaning
    /// "zero or more directories" and so differs on these cases.
    #[test]
    fn gobwas_double_star_is_not_globsets() {
        let m = |p: &str, s: &str| glob_regex(p).unwrap().is_match(s);
        // globset: matches (zero directories); gobwas: the `/` is required.
        assert!(!m("**/*.yaml", "a.yaml"));
        assert!(m("**/*.yaml", "d/a.yaml"));
        // globset: `**` in the middle of a segment is a plain `*`; gobwas crosses `/`.
        assert!(m("conf**.yaml", "conf/d/x.yaml"));
        assert!(m("files/**", "files/a/b/c.txt"));
    }
}

//! The two template syntaxes of an ApplicationSet, applied to every string
//! (and map key) of a JSON value, as Argo CD's `Render.Replace` and
//! `deeplyReplace` do.
//!
//! - fasttemplate (`goTemplate: false`): `{{name}}` or `{{ name }}` is
//!   replaced by the string parameter `name`; unknown names, non-string
//!   values and empty tags are left as written. A string is only looked at
//!   when one of its lines holds `{{` followed by `}}`.
//! - Go `text/template` (`goTemplate: true`) with Sprig (without `env`,
//!   `expandenv`, `getHostByName`) plus `normalize`, `slugify`, `toYaml`,
//!   `fromYaml`, `fromYamlArray`, `tpl`, and `goTemplateOptions`
//!   (`missingkey=error|zero|default|invalid`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use driftless_gotmpl::{ArgType, FuncMap, MissingKey, Signature, TemplateSet, Value as GoValue};
use serde_json::{Map, Value};

/// Parameters of one generated Application: flat string keys for
/// fasttemplate, nested values for Go templates.
pub type Params = Map<String, Value>;

/// Renders strings with one set of parameters, in the set's syntax.
#[derive(Clone)]
pub struct Renderer {
    go: Option<MissingKey>,
    /// Parsed Go templates by text: one set's template strings are the same
    /// for every parameter set, so each is parsed once.
    parsed: Arc<Mutex<HashMap<String, TemplateSet>>>,
}

/// Most distinct template texts kept parsed by one renderer.
const MAX_PARSED: usize = 4096;

/// Parameters prepared for rendering (converted once to Go values).
pub(crate) struct Data<'a> {
    json: &'a Params,
    go: Option<GoValue>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer").field("go", &self.go).finish()
    }
}

impl Renderer {
    /// The renderer of a set: `go_template` is `spec.goTemplate`, `options`
    /// is `spec.goTemplateOptions`. An unknown option is an error (Go panics).
    pub fn new(go_template: bool, options: &[String]) -> Result<Renderer, String> {
        if !go_template {
            return Ok(Renderer {
                go: None,
                parsed: Arc::default(),
            });
        }
        let mut mk = MissingKey::Default;
        for o in options {
            mk = match o.as_str() {
                "missingkey=default" | "missingkey=invalid" => MissingKey::Default,
                "missingkey=zero" => MissingKey::Zero,
                "missingkey=error" => MissingKey::Error,
                other => return Err(format!("unrecognized goTemplateOptions option {other:?}")),
            };
        }
        Ok(Renderer {
            go: Some(mk),
            parsed: Arc::default(),
        })
    }

    /// Whether this is the Go template syntax.
    pub fn is_go(&self) -> bool {
        self.go.is_some()
    }

    pub(crate) fn data<'a>(&self, params: &'a Params) -> Data<'a> {
        Data {
            json: params,
            go: self.go.map(|_| go_value(&Value::Object(params.clone()))),
        }
    }

    /// Renders one string with `params` (Argo CD's `Render.Replace`).
    ///
    /// ```
    /// use driftless_appset::Renderer;
    /// let p = serde_json::json!({"cluster": "dev"});
    /// let fast = Renderer::new(false, &[]).unwrap();
    /// assert_eq!(fast.replace("{{cluster}}-{{ cluster }}-{{x}}", p.as_object().unwrap()).unwrap(),
    ///            "dev-dev-{{x}}");
    /// let go = Renderer::new(true, &["missingkey=error".into()]).unwrap();
    /// assert_eq!(go.replace("{{ .cluster | upper }}", p.as_object().unwrap()).unwrap(), "DEV");
    /// assert!(go.replace("{{ .x }}", p.as_object().unwrap()).is_err());
    /// ```
    pub fn replace(&self, text: &str, params: &Params) -> Result<String, String> {
        self.replace_with(text, &self.data(params))
    }

    pub(crate) fn replace_with(&self, text: &str, data: &Data<'_>) -> Result<String, String> {
        match (self.go, &data.go) {
            (Some(mk), Some(go)) => self.go_replace(text, go, mk),
            _ => fast_replace(text, data.json),
        }
    }

    fn go_replace(&self, text: &str, data: &GoValue, mk: MissingKey) -> Result<String, String> {
        if !text.contains("{{") {
            return Ok(text.to_string());
        }
        let cached = self.parsed.lock().ok().and_then(|c| c.get(text).cloned());
        let set = match cached {
            Some(set) => set,
            None => {
                let mut set = TemplateSet::with_funcs(funcs().as_ref().clone());
                set.set_missing_key(mk);
                set.parse("", text)
                    .map_err(|e| format!("failed to parse template {text}: {e}"))?;
                if let Ok(mut c) = self.parsed.lock()
                    && c.len() < MAX_PARSED
                {
                    c.insert(text.to_string(), set.clone());
                }
                set
            }
        };
        set.execute("", data)
            .map_err(|e| format!("failed to execute go template {text}: {e}"))
    }

    /// Renders every string and map key of `v`; `null` map entries are
    /// dropped (Argo CD skips nil map values).
    pub fn render_value(&self, v: &Value, params: &Params) -> Result<Value, String> {
        self.render_with(v, &self.data(params))
    }

    pub(crate) fn render_with(&self, v: &Value, data: &Data<'_>) -> Result<Value, String> {
        Ok(match v {
            Value::String(s) => Value::String(self.replace_with(s, data)?),
            Value::Array(a) => Value::Array(
                a.iter()
                    .map(|x| self.render_with(x, data))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, x) in m {
                    if x.is_null() {
                        continue;
                    }
                    let x = self.render_with(x, data)?;
                    out.insert(self.replace_with(k, data)?, x);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }
}

/// Go's view of JSON data: every number is a `float64`, as `encoding/json`
/// decodes into `interface{}`.
pub(crate) fn go_value(v: &Value) -> GoValue {
    match v {
        Value::Null => GoValue::Nil,
        Value::Bool(b) => GoValue::Bool(*b),
        Value::Number(n) => GoValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => GoValue::from(s.as_str()),
        Value::Array(a) => GoValue::list(a.iter().map(go_value).collect()),
        Value::Object(o) => GoValue::map(o.iter().map(|(k, v)| (k.clone(), go_value(v))).collect()),
    }
}

/// Whether Argo CD's `.*{{.*}}.*` (no newline in `.`) matches.
fn looks_templated(text: &str) -> bool {
    text.split('\n')
        .any(|l| l.find("{{").is_some_and(|i| l[i + 2..].contains("}}")))
}

fn fast_replace(text: &str, params: &Params) -> Result<String, String> {
    if !looks_templated(text) {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(j) = after.find("}}") else {
            return Err(format!(
                "invalid template: Cannot find end tag=\"}}}}\" in the template={text:?} starting from {after:?}"
            ));
        };
        let tag = &after[..j];
        let name = tag.trim();
        match params.get(name) {
            Some(Value::String(s)) if !name.is_empty() => out.push_str(s),
            _ => {
                out.push_str("{{");
                out.push_str(tag);
                out.push_str("}}");
            }
        }
        rest = &after[j + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Sprig as Argo CD registers it (from `driftless-helm`'s registry, without
/// the Helm-only and environment functions) plus Argo CD's own.
fn funcs() -> &'static Arc<FuncMap> {
    static FUNCS: OnceLock<Arc<FuncMap>> = OnceLock::new();
    FUNCS.get_or_init(|| {
        let mut all = FuncMap::new();
        driftless_helm::funcs::register(&mut all, &driftless_helm::funcs::FuncOptions::default());
        // Helm-only functions (not in Sprig), and what Argo CD removes from Sprig.
        const DROP: &[&str] = &[
            "env",
            "expandenv",
            "getHostByName",
            "include",
            "lookup",
            "required",
            "toToml",
            "mustToToml",
            "toYamlPretty",
        ];
        let mut m = FuncMap::new();
        for name in all.names() {
            if !DROP.contains(&name)
                && let Some(f) = all.get(name)
            {
                m.insert(name, f.clone());
            }
        }
        m.add("normalize", Signature::fixed(&[ArgType::String]), |_, a| {
            Ok(GoValue::from(sanitize_name(
                a[0].as_str().unwrap_or_default(),
            )))
        });
        m.add("slugify", Signature::variadic(&[], ArgType::Any), |_, a| {
            Ok(GoValue::from(
                slugify(a).map_err(driftless_gotmpl::FuncError::msg)?,
            ))
        });
        Arc::new(m)
    })
}

/// Argo CD's `SanitizeName` (`normalize`): lowercase, anything but
/// `[-a-z0-9.]` becomes `-`, at most 253 bytes, `-` and `.` trimmed at both ends.
pub fn sanitize_name(name: &str) -> String {
    let lower = name.to_lowercase();
    let mut s: String = lower
        .chars()
        .map(|c| {
            if c == '-' || c == '.' || c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.len() > 253 {
        let mut cut = 253;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s.trim_matches(|c| c == '-' || c == '.').to_string()
}

/// Argo CD's `slugify [maxSize] [smartTruncate] name`: normalize, then a URL
/// slug of at most `maxSize` (default 50) bytes, cut at a `-` when smart
/// truncation is on (the default).
fn slugify(args: &[GoValue]) -> Result<String, String> {
    let mut max = 50usize;
    let mut smart = true;
    let mut name = String::new();
    for (i, a) in args.iter().enumerate() {
        if i + 1 == args.len() {
            name = a
                .as_str()
                .ok_or("slugify: the last argument must be a string")?
                .to_string();
        } else if i == 0 {
            max = match a {
                GoValue::Int(n) => usize::try_from(*n).unwrap_or(0),
                GoValue::Float(f) => *f as usize,
                _ => return Err("slugify: the first argument must be an int".into()),
            };
        } else if i == 1 {
            smart = matches!(a, GoValue::Bool(true));
        }
    }
    let base = sanitize_name(&name);
    let mut slug = String::new();
    for c in base.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '-'
        };
        if c == '-' && (slug.is_empty() || slug.ends_with('-')) {
            continue;
        }
        slug.push(c);
    }
    Ok(truncate_slug(slug.trim_end_matches('-'), max, smart))
}

/// A slug cut to `max` bytes (0: no limit); `smart` cuts after the last whole
/// `-`-separated word that fits (gosimple/slug's `smartTruncate`).
pub(crate) fn truncate_slug(slug: &str, max: usize, smart: bool) -> String {
    let mut slug = slug.to_string();
    if max > 0 && slug.len() > max {
        if smart {
            let mut cut = String::new();
            for word in slug.split('-') {
                let next = if cut.is_empty() {
                    word.len()
                } else {
                    cut.len() + 1 + word.len()
                };
                if next > max {
                    break;
                }
                if !cut.is_empty() {
                    cut.push('-');
                }
                cut.push_str(word);
            }
            slug = if cut.is_empty() {
                slug[..max].to_string()
            } else {
                cut
            };
        } else {
            slug.truncate(max);
        }
    }
    slug
}

/// gosimple/slug's `Make` as Argo CD's pull request generator configures it
/// (at most 50 bytes, smart truncation, `_` becomes `-`): `&` and `@` spelled
/// out, quotes dropped, lowercase, anything but `[a-z0-9_-]` a single `-`,
/// `-` and `_` trimmed. Non-ASCII letters are not transliterated (they become `-`).
pub(crate) fn gosimple_slug(s: &str) -> String {
    let mut text = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '_' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}' => text.push('-'),
            '&' => text.push_str("and"),
            '@' => text.push_str("at"),
            '"' | '\'' | '\u{2019}' => {}
            c => text.extend(c.to_lowercase()),
        }
    }
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '-'
        };
        if c == '-' && slug.ends_with('-') {
            continue;
        }
        slug.push(c);
    }
    let slug = slug.trim_matches(|c| c == '-' || c == '_');
    truncate_slug(slug, 50, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(v: Value) -> Params {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn fasttemplate_rules() {
        let r = Renderer::new(false, &[]).unwrap();
        let params = p(json!({"a": "1", "n": 3, "b.c": "x"}));
        let cases = [
            ("{{a}}", "1"),
            ("{{ a }}", "1"),
            ("{{n}}", "{{n}}"),
            ("{{}}", "{{}}"),
            ("{{ }}", "{{ }}"),
            ("{{b.c}}-{{missing}}", "x-{{missing}}"),
            ("{{a\n}}", "{{a\n}}"),
            ("plain", "plain"),
            ("{{ {{a}}", "{{ {{a}}"),
        ];
        for (t, want) in cases {
            assert_eq!(r.replace(t, &params).unwrap(), want, "{t:?}");
        }
        assert!(
            r.replace("{{a}} {{b", &params)
                .unwrap_err()
                .contains("Cannot find end tag")
        );
    }

    #[test]
    fn go_template_functions_and_options() {
        let r = Renderer::new(true, &["missingkey=error".into()]).unwrap();
        let params = p(json!({"name": "My_App", "n": 3, "m": {"k": "v"}}));
        let cases = [
            ("{{ normalize .name }}", "my-app"),
            ("{{ .n }}", "3"),
            ("{{ .m | toYaml }}", "k: v"),
            ("{{ (fromYaml \"a: 1\").a }}", "1"),
            ("{{ slugify 5 true \"hello-big-world\" }}", "hello"),
            ("{{ .name | lower | trunc 2 }}", "my"),
        ];
        for (t, want) in cases {
            assert_eq!(r.replace(t, &params).unwrap(), want, "{t:?}");
        }
        let err = r.replace("{{ .nope }}", &params).unwrap_err();
        assert!(err.contains("map has no entry for key \"nope\""), "{err}");
        assert!(
            err.starts_with("failed to execute go template {{ .nope }}: template: :1:"),
            "{err}"
        );
        assert!(
            r.replace("{{ env \"HOME\" }}", &params)
                .unwrap_err()
                .contains("not defined")
        );
        let lax = Renderer::new(true, &[]).unwrap();
        assert_eq!(lax.replace("{{ .nope }}", &params).unwrap(), "<no value>");
        assert!(Renderer::new(true, &["bogus".into()]).is_err());
    }

    #[test]
    fn render_value_templates_keys_and_drops_nulls() {
        let r = Renderer::new(false, &[]).unwrap();
        let v = json!({"{{k}}": "{{v}}", "n": null, "l": ["{{v}}", 1, true]});
        let out = r
            .render_value(&v, &p(json!({"k": "key", "v": "val"})))
            .unwrap();
        assert_eq!(out, json!({"key": "val", "l": ["val", 1, true]}));
    }

    #[test]
    fn sanitize() {
        assert_eq!(sanitize_name("-Directory_2."), "directory-2");
        assert_eq!(sanitize_name("a.b-c"), "a.b-c");
    }

    proptest::proptest! {
        #[test]
        fn text_without_tags_is_untouched(text in "[^{]*", go in proptest::bool::ANY) {
            let r = Renderer::new(go, &[]).unwrap();
            proptest::prop_assert_eq!(r.replace(&text, &Params::new()).unwrap(), text);
        }

        #[test]
        fn fasttemplate_substitutes_every_known_tag(
            parts in proptest::collection::vec(("[a-z]{1,6}", "[^{}]{0,8}"), 1..6),
            pad in " {0,2}",
        ) {
            let r = Renderer::new(false, &[]).unwrap();
            let mut params = Params::new();
            let mut text = String::new();
            let mut want = String::new();
            for (k, v) in &parts {
                params.insert(k.clone(), Value::String(format!("<{k}>")));
                text.push_str(&format!("{v}{{{{{pad}{k}{pad}}}}}"));
            }
            for (k, v) in &parts {
                want.push_str(&format!("{v}<{k}>"));
            }
            proptest::prop_assert_eq!(r.replace(&text, &params).unwrap(), want);
        }
    }
}

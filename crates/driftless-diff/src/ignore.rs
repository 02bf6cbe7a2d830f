//! Argo CD's `ignoreDifferences`, compiled once.

use crate::DiffError;
use crate::path::{self, Path};
use driftless_core::ObjectKey;
use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One `ignoreDifferences` entry, spelled as in an Argo CD `Application`.
///
/// ```
/// let rule: driftless_diff::IgnoreDifferences = serde_json::from_value(serde_json::json!({
///     "group": "apps", "kind": "Deployment",
///     "jsonPointers": ["/spec/replicas"],
///     "jqPathExpressions": [".spec.template.spec.initContainers[] | select(.name == \"istio\")"],
///     "managedFieldsManagers": ["kube-controller-manager"]
/// })).unwrap();
/// assert_eq!(rule.json_pointers, ["/spec/replicas"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IgnoreDifferences {
    /// API group (`""` for core); `*` globs allowed.
    #[serde(default)]
    pub group: String,
    /// Kind; `*` globs allowed.
    #[serde(default)]
    pub kind: String,
    /// Object name; empty matches any.
    #[serde(default)]
    pub name: String,
    /// Object namespace; empty matches any.
    #[serde(default)]
    pub namespace: String,
    /// RFC 6901 pointers of fields to ignore.
    #[serde(default)]
    pub json_pointers: Vec<String>,
    /// jq path expressions of fields to ignore (run as `del(EXPR)`).
    #[serde(default)]
    pub jq_path_expressions: Vec<String>,
    /// Field managers whose fields (per live `managedFields`) are ignored.
    #[serde(default)]
    pub managed_fields_managers: Vec<String>,
}

type JqFilter = jaq_core::compile::Filter<jaq_core::Native<data::JustLut<Val>>>;

/// A compiled rule.
pub(crate) struct Rule {
    spec: IgnoreDifferences,
    jq: Vec<JqFilter>,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.spec.fmt(f)
    }
}

impl Rule {
    pub(crate) fn compile(spec: &IgnoreDifferences) -> Result<Self, DiffError> {
        let jq = spec
            .jq_path_expressions
            .iter()
            .map(|e| compile_jq(e))
            .collect::<Result<_, _>>()?;
        Ok(Rule {
            spec: spec.clone(),
            jq,
        })
    }

    /// True when the rule applies to the object `key`.
    pub(crate) fn matches(&self, key: &ObjectKey) -> bool {
        let s = &self.spec;
        glob(&s.group, &key.group)
            && glob(&s.kind, &key.kind)
            && (s.name.is_empty() || s.name == key.name)
            && (s.namespace.is_empty() || Some(s.namespace.as_str()) == key.namespace.as_deref())
    }

    /// Removes the ignored fields from `v`; `live` supplies managedFields.
    pub(crate) fn apply(&self, v: &mut Value, live: Option<&Value>) {
        let mut paths: Vec<Path> = self
            .spec
            .json_pointers
            .iter()
            .filter_map(|p| path::from_pointer(v, p))
            .collect();
        path::remove_all(v, &mut paths);
        if let (Some(live), false) = (live, self.spec.managed_fields_managers.is_empty()) {
            let managers: Vec<&str> = self
                .spec
                .managed_fields_managers
                .iter()
                .map(String::as_str)
                .collect();
            crate::managed::remove_owned_by(v, live, &managers);
        }
        for f in &self.jq {
            run_jq(f, v);
        }
    }
}

/// Argo CD-style glob: `*` matches any run of characters; empty pattern
/// matches only the empty string for group, anything for kind is not allowed.
fn glob(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match (p.first(), t.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], t) || (!t.is_empty() && go(p, &t[1..])),
            (Some(a), Some(b)) if a == b => go(&p[1..], &t[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), text.as_bytes())
}

fn compile_jq(expr: &str) -> Result<JqFilter, DiffError> {
    let code = format!("del({expr})");
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let funs = jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs());
    let loader = Loader::new(defs);
    let arena = Arena::default();
    let bad = |what: String| DiffError::InvalidJq {
        expression: expr.to_string(),
        reason: what,
    };
    let modules = loader
        .load(
            &arena,
            File {
                code: &code,
                path: (),
            },
        )
        .map_err(|e| bad(format!("{} parse error(s)", e.len())))?;
    Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|e| bad(format!("{} compile error(s)", e.len())))
}

/// Runs a compiled `del(...)`; on a runtime error the value is left as is
/// (as Argo CD does when an expression does not apply to an object).
fn run_jq(filter: &JqFilter, v: &mut Value) {
    let Ok(input) = <Val as serde::Deserialize>::deserialize(&*v) else {
        return;
    };
    let ctx = Ctx::<data::JustLut<Val>>::new(&filter.lut, Vars::new([]));
    let mut out = filter.id.run((ctx, input)).map(unwrap_valr);
    if let Some(Ok(result)) = out.next()
        && let Ok(parsed) = serde_json::from_str::<Value>(&result.to_string())
    {
        *v = parsed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn jq_deletes_selected_paths() {
        let rule = Rule::compile(&IgnoreDifferences {
            kind: "Deployment".into(),
            group: "apps".into(),
            jq_path_expressions: vec![
                ".spec.template.spec.containers[] | select(.name == \"istio-proxy\")".into(),
            ],
            ..Default::default()
        })
        .unwrap();
        let mut v = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app"}, {"name": "istio-proxy"}]}}}});
        rule.apply(&mut v, None);
        assert_eq!(
            v,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "app"}]}}}})
        );
    }

    #[test]
    fn bad_jq_is_an_error_naming_the_expression() {
        let err = Rule::compile(&IgnoreDifferences {
            jq_path_expressions: vec![".spec[".into()],
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains(".spec["), "{err}");
    }

    #[test]
    fn globs_and_matching() {
        assert!(glob("*", "apps"));
        assert!(glob("", ""));
        assert!(!glob("", "apps"));
        assert!(glob("*.k8s.io", "networking.k8s.io"));
    }
}

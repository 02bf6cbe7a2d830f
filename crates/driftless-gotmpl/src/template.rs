//! A named set of templates sharing `define`s, functions and options,
//! like Go's `*template.Template` with its associated templates.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::ast::Tree;
use crate::error::{Error, ExecError, ParseError};
use crate::func::FuncMap;
use crate::value::Value;

/// Go's `missingkey` option: what a missing map key evaluates to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissingKey {
    /// `missingkey=default` (or `invalid`): no value, printed `<no value>`.
    #[default]
    Default,
    /// `missingkey=zero`: the map element type's zero value; for
    /// `map[string]interface{}` that is a nil interface (Helm's default mode).
    /// A field of it then fails with `nil pointer evaluating interface {}.x`.
    Zero,
    /// `missingkey=error`: execution stops with `map has no entry for key`
    /// (Helm's `--strict` mode).
    Error,
}

/// A set of named templates that can call each other, with a function map
/// and options.
///
/// ```
/// use driftless_gotmpl::{TemplateSet, Value};
/// let mut set = TemplateSet::new();
/// set.parse("_helpers.tpl", r#"{{ define "greet" }}hello {{ . }}{{ end }}"#).unwrap();
/// set.parse("main", r#"{{ template "greet" .name }}!"#).unwrap();
/// let data = Value::from(serde_json::json!({"name": "world"}));
/// assert_eq!(set.execute("main", &data).unwrap(), "hello world!");
/// ```
#[derive(Clone, Debug)]
pub struct TemplateSet {
    inner: Arc<SetInner>,
}

#[derive(Clone, Debug)]
struct SetInner {
    name: String,
    templates: HashMap<String, Arc<Tree>>,
    funcs: Arc<FuncMap>,
    missing_key: MissingKey,
    parent: Option<TemplateSet>,
}

impl Default for TemplateSet {
    fn default() -> Self {
        TemplateSet::new()
    }
}

impl TemplateSet {
    /// An empty set with only the builtin functions.
    pub fn new() -> TemplateSet {
        TemplateSet::with_funcs(FuncMap::new())
    }

    /// An empty set with extra functions (they must be known before
    /// parsing, as in Go).
    pub fn with_funcs(funcs: FuncMap) -> TemplateSet {
        TemplateSet {
            inner: Arc::new(SetInner {
                name: String::new(),
                templates: HashMap::new(),
                funcs: Arc::new(funcs),
                missing_key: MissingKey::Default,
                parent: None,
            }),
        }
    }

    /// Sets the name of the set itself (Go's `template.New(name)`), used in
    /// the error for an unknown template. Helm names its set `gotpl`.
    pub fn set_name(&mut self, name: impl Into<String>) {
        Arc::make_mut(&mut self.inner).name = name.into();
    }

    /// The name of the set.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Sets the `missingkey` option.
    pub fn set_missing_key(&mut self, mk: MissingKey) {
        Arc::make_mut(&mut self.inner).missing_key = mk;
    }

    /// The `missingkey` option.
    pub fn missing_key(&self) -> MissingKey {
        self.inner.missing_key
    }

    /// The extra functions of the set.
    pub fn funcs(&self) -> &FuncMap {
        &self.inner.funcs
    }

    /// Parses `text` as the template `name`, adding it and every template
    /// it `define`s (or `block`s) to the set. As in Go, a later non-empty
    /// definition replaces an earlier one, an empty one never replaces a
    /// non-empty one, and two non-empty definitions of one name in the same
    /// text are an error.
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), ParseError> {
        let trees = crate::parser::parse(name, text, self)?;
        let inner = Arc::make_mut(&mut self.inner);
        for tree in trees {
            let empty = tree.is_empty();
            if empty {
                let existing_nonempty = inner
                    .templates
                    .get(&tree.name)
                    .map(|t| !t.is_empty())
                    .unwrap_or(false);
                if existing_nonempty {
                    continue;
                }
            }
            inner.templates.insert(tree.name.clone(), Arc::new(tree));
        }
        Ok(())
    }

    /// Whether a template of this name is defined (in this set or, for a
    /// set made by `tpl`, its parent).
    pub fn has_template(&self, name: &str) -> bool {
        self.lookup(name).is_some()
    }

    /// Names of all templates, sorted.
    pub fn template_names(&self) -> Vec<String> {
        let mut names = BTreeSet::new();
        let mut cur = Some(self);
        while let Some(s) = cur {
            names.extend(s.inner.templates.keys().cloned());
            cur = s.inner.parent.as_ref();
        }
        names.into_iter().collect()
    }

    /// Executes template `name` with `data` as dot, returning its output.
    pub fn execute(&self, name: &str, data: &Value) -> Result<String, Error> {
        self.execute_at_depth(name, data, 0)
    }

    /// Executes template `name`, appending to `out`. On error `out` holds
    /// the output written before the failure (as Go's writer would).
    pub fn execute_into(&self, name: &str, data: &Value, out: &mut String) -> Result<(), Error> {
        self.execute_into_at_depth(name, data, out, 0)
    }

    pub(crate) fn execute_at_depth(
        &self,
        name: &str,
        data: &Value,
        depth: usize,
    ) -> Result<String, Error> {
        let mut out = String::new();
        self.execute_into_at_depth(name, data, &mut out, depth)?;
        Ok(out)
    }

    fn execute_into_at_depth(
        &self,
        name: &str,
        data: &Value,
        out: &mut String,
        depth: usize,
    ) -> Result<(), Error> {
        let Some(tree) = self.lookup(name) else {
            return Err(ExecError {
                template: String::new(),
                location: None,
                message: format!(
                    "no template {} associated with template {}",
                    crate::fmt::quote(name),
                    crate::fmt::quote(&self.inner.name)
                ),
                cause: None,
            }
            .into());
        };
        crate::exec::execute(self, &tree, data, out, depth).map_err(Error::from)
    }

    /// Looks a template up here, then in the parent set.
    pub(crate) fn lookup(&self, name: &str) -> Option<Arc<Tree>> {
        let mut cur = Some(self);
        while let Some(s) = cur {
            if let Some(t) = s.inner.templates.get(name) {
                return Some(t.clone());
            }
            cur = s.inner.parent.as_ref();
        }
        None
    }

    /// A new empty set layered over this one (for `tpl`).
    pub(crate) fn child(&self) -> TemplateSet {
        TemplateSet {
            inner: Arc::new(SetInner {
                name: self.inner.name.clone(),
                templates: HashMap::new(),
                funcs: self.inner.funcs.clone(),
                missing_key: self.inner.missing_key,
                parent: Some(self.clone()),
            }),
        }
    }
}

//! Template functions: the registry, signatures and the call context.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::error::Error;
use crate::template::TemplateSet;
use crate::value::Value;

/// The result of a template function.
pub type FuncResult = Result<Value, FuncError>;

type FnBox = dyn Fn(&FuncCtx<'_>, &[Value]) -> FuncResult + Send + Sync;

/// An error returned by a template function. The engine reports it as Go
/// does: `template: NAME:LINE:COL: executing "NAME" at <EXPR>: error calling
/// FUNC: MESSAGE`.
#[derive(Debug, thiserror::Error)]
pub enum FuncError {
    /// A plain message (Go's `errors.New(msg)`).
    #[error("{0}")]
    Message(String),
    /// An error from executing a nested template (`include`, `tpl`), shown
    /// verbatim inside the caller's message as Go does.
    #[error("{0}")]
    Template(Box<Error>),
}

impl FuncError {
    /// A plain message error.
    pub fn msg(m: impl Into<String>) -> FuncError {
        FuncError::Message(m.into())
    }
}

impl From<Error> for FuncError {
    fn from(e: Error) -> FuncError {
        FuncError::Template(Box::new(e))
    }
}

/// The Go parameter type of a function argument. The engine checks and
/// converts arguments as Go's reflection-based calls do, with Go's errors
/// (`wrong type for value; expected string; got int`, `expected integer;
/// found "x"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgType {
    /// `interface{}`: anything; nil and no value arrive as [`Value::Nil`].
    Any,
    /// `string`.
    String,
    /// `int` (constants and [`Value::Int`]).
    Int,
    /// `float64` (float and integer constants, [`Value::Float`]).
    Float,
    /// `bool`.
    Bool,
    /// `[]interface{}` (a list; nil is accepted as an empty list).
    List,
    /// `map[string]interface{}` (a map; nil is accepted as an empty map).
    Map,
    /// A named Go type (e.g. `time.Time`, `sprig.certificate`): only an
    /// [`crate::Object`] whose [`crate::Object::type_name`] is this name.
    Named(&'static str),
}

impl ArgType {
    /// Whether `v` (not nil) is a value of this type, by Go's assignability.
    pub(crate) fn accepts(self, v: &Value) -> bool {
        match self {
            ArgType::Any => true,
            ArgType::String => matches!(v, Value::String(_)) || is_binary_string(v),
            ArgType::Int => matches!(v, Value::Int(_)),
            ArgType::Float => matches!(v, Value::Float(_)),
            ArgType::Bool => matches!(v, Value::Bool(_)),
            ArgType::List => matches!(v, Value::List(_)),
            ArgType::Map => matches!(v, Value::Map(_)),
            ArgType::Named(n) => matches!(v, Value::Object(o) if o.type_name() == n),
        }
    }

    /// Go's spelling of the type, as in error messages.
    pub fn go_name(self) -> &'static str {
        match self {
            ArgType::Any => "interface {}",
            ArgType::String => "string",
            ArgType::Int => "int",
            ArgType::Float => "float64",
            ArgType::Bool => "bool",
            ArgType::List => "[]interface {}",
            ArgType::Map => "map[string]interface {}",
            ArgType::Named(n) => n,
        }
    }
}

/// A Go `string` whose bytes are not UTF-8 (e.g. Helm's `.Files.Get` of a
/// binary file): an [`crate::Object`] of type name `string` with the bytes.
fn is_binary_string(v: &Value) -> bool {
    matches!(v, Value::Object(o) if o.type_name() == "string")
}

/// The parameter list of a function: fixed parameters, optionally followed
/// by a variadic one (Go's `...T`).
#[derive(Clone, Debug, Default)]
pub struct Signature {
    /// Types of the fixed parameters.
    pub params: Vec<ArgType>,
    /// Type of the variadic tail, if the function is variadic.
    pub variadic: Option<ArgType>,
}

impl Signature {
    /// `n` fixed `interface{}` parameters.
    pub fn fixed_any(n: usize) -> Signature {
        Signature {
            params: vec![ArgType::Any; n],
            variadic: None,
        }
    }
    /// Fixed parameters of the given types.
    pub fn fixed(params: &[ArgType]) -> Signature {
        Signature {
            params: params.to_vec(),
            variadic: None,
        }
    }
    /// Fixed parameters followed by a variadic tail of type `rest`.
    pub fn variadic(params: &[ArgType], rest: ArgType) -> Signature {
        Signature {
            params: params.to_vec(),
            variadic: Some(rest),
        }
    }
}

/// A function callable from templates (a Go func value).
///
/// ```
/// use driftless_gotmpl::{ArgType, FuncError, Function, Signature, Value};
/// let upper = Function::new(Signature::fixed(&[ArgType::String]), |_ctx, args| {
///     Ok(Value::from(args[0].as_str().unwrap_or_default().to_uppercase()))
/// });
/// ```
#[derive(Clone)]
pub struct Function {
    inner: Arc<FnInner>,
}

struct FnInner {
    sig: Signature,
    f: Box<FnBox>,
}

impl Function {
    /// A function with the given signature. The engine checks the argument
    /// count and types before calling `f`, so `f` may index `args` freely
    /// up to the number of fixed parameters.
    pub fn new(
        sig: Signature,
        f: impl Fn(&FuncCtx<'_>, &[Value]) -> FuncResult + Send + Sync + 'static,
    ) -> Function {
        Function {
            inner: Arc::new(FnInner {
                sig,
                f: Box::new(f),
            }),
        }
    }

    /// A variadic function of `interface{}` arguments (`func(...interface{})`).
    pub fn variadic_any(
        f: impl Fn(&FuncCtx<'_>, &[Value]) -> FuncResult + Send + Sync + 'static,
    ) -> Function {
        Function::new(Signature::variadic(&[], ArgType::Any), f)
    }

    /// The signature.
    pub fn signature(&self) -> &Signature {
        &self.inner.sig
    }

    /// Calls the function directly (no argument checks).
    pub fn call(&self, ctx: &FuncCtx<'_>, args: &[Value]) -> FuncResult {
        (self.inner.f)(ctx, args)
    }

    /// Identity comparison.
    pub fn ptr_eq(&self, other: &Function) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Go-style type name, e.g. `func(string, ...interface {}) interface {}`.
    pub fn type_name(&self) -> String {
        let sig = &self.inner.sig;
        let mut parts: Vec<String> = sig.params.iter().map(|p| p.go_name().to_string()).collect();
        if let Some(v) = sig.variadic {
            parts.push(format!("...{}", v.go_name()));
        }
        format!("func({}) interface {{}}", parts.join(", "))
    }
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Function({})", self.type_name())
    }
}

/// A named set of functions, like Go's `template.FuncMap`. The builtins
/// (`and`, `or`, `not`, `len`, `index`, `slice`, `print`, `printf`,
/// `println`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `html`, `js`, `urlquery`,
/// `call`) are always present; entries here with the same names replace
/// them (as Go's `Funcs` does).
#[derive(Clone, Default)]
pub struct FuncMap {
    funcs: HashMap<String, Function>,
}

impl FuncMap {
    /// An empty map.
    pub fn new() -> FuncMap {
        FuncMap::default()
    }
    /// Adds or replaces a function.
    pub fn insert(&mut self, name: impl Into<String>, f: Function) {
        self.funcs.insert(name.into(), f);
    }
    /// Adds or replaces a function with a signature and closure.
    pub fn add(
        &mut self,
        name: impl Into<String>,
        sig: Signature,
        f: impl Fn(&FuncCtx<'_>, &[Value]) -> FuncResult + Send + Sync + 'static,
    ) {
        self.insert(name, Function::new(sig, f));
    }
    /// Looks up a function.
    pub fn get(&self, name: &str) -> Option<&Function> {
        self.funcs.get(name)
    }
    /// Whether a function is present.
    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }
    /// Names of all functions (unordered).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.funcs.keys().map(String::as_str)
    }
}

impl fmt::Debug for FuncMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<_> = self.funcs.keys().collect();
        names.sort();
        f.debug_struct("FuncMap").field("names", &names).finish()
    }
}

/// What a function sees of the running execution: the template set (to
/// execute named templates, as Helm's `include` does, or parse new text in
/// its context, as `tpl` does) and the call site.
pub struct FuncCtx<'a> {
    pub(crate) set: &'a TemplateSet,
    pub(crate) depth: usize,
    pub(crate) func_name: &'a str,
    pub(crate) template_name: &'a str,
}

impl<'a> FuncCtx<'a> {
    /// The template set being executed.
    pub fn set(&self) -> &'a TemplateSet {
        self.set
    }

    /// Name under which the function was called.
    pub fn func_name(&self) -> &str {
        self.func_name
    }

    /// Name of the template currently executing (Go's `s.tmpl.Name()`).
    pub fn template_name(&self) -> &str {
        self.template_name
    }

    /// Nesting depth of template execution (each `template`, `include` or
    /// `tpl` adds one).
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Executes the named template of the current set with `data` and
    /// returns its output (Helm's `include`).
    pub fn execute_template(&self, name: &str, data: &Value) -> Result<String, Error> {
        self.set.execute_at_depth(name, data, self.depth + 1)
    }

    /// Parses `text` as template `name` on top of the current set (its
    /// `define`s are visible, and new `define`s in `text` shadow them for
    /// this execution only), then executes it with `data` (Helm's `tpl`).
    pub fn execute_text(&self, name: &str, text: &str, data: &Value) -> Result<String, Error> {
        let mut child = self.set.child();
        child.parse(name, text)?;
        child.execute_at_depth(name, data, self.depth + 1)
    }
}

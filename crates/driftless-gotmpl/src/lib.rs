//! A Go `text/template` engine with Go's exact semantics, as Helm uses it.
//!
//! - [`Value`]: Go's dynamic values (`interface{}` data: maps with sorted
//!   keys, lists, numbers, strings, nil, typed objects, funcs).
//! - [`TemplateSet`]: named templates sharing `define`s, parsed from one or
//!   more texts, executed by name with a data value.
//! - [`FuncMap`] / [`Function`] / [`FuncCtx`]: extra functions; a function
//!   can execute templates of the running set (`include`) or parse and run
//!   new text in its context (`tpl`).
//! - Errors ([`Error`], [`ParseError`], [`ExecError`]) print exactly as Go's.
//!
//! Go semantics worth knowing when writing functions:
//! - Helm reads values through JSON, so numbers in `.Values` are `float64`
//!   ([`Value::Float`]); `eq .Values.n 1` then fails with Go's
//!   `incompatible types for comparison: float64 and int`, as in Helm.
//! - A missing key gives [`Value::NoValue`] (`missingkey=default`, prints
//!   `<no value>`) or a nil interface ([`Value::Nil`], `missingkey=zero`,
//!   Helm's mode) whose fields fail with `nil pointer evaluating
//!   interface {}.x`. Functions receive both as [`Value::Nil`].
//! - Maps are shared references ([`Map`]): a function that mutates a map
//!   argument (Sprig's `set`) changes it for every holder, as in Go.
//! - Function argument types are checked by the engine from the
//!   [`Signature`] (Go's reflection rules and messages); the function is
//!   called only with valid arguments.
//!
//! ```
//! use driftless_gotmpl::{FuncMap, Function, Signature, ArgType, TemplateSet, Value};
//! let mut funcs = FuncMap::new();
//! funcs.add("upper", Signature::fixed(&[ArgType::String]), |_, a| {
//!     Ok(Value::from(a[0].as_str().unwrap_or_default().to_uppercase()))
//! });
//! let mut set = TemplateSet::with_funcs(funcs);
//! set.parse("t", "{{ range $k, $v := . }}{{ $k | upper }}={{ $v }};{{ end }}").unwrap();
//! let data = Value::from(serde_json::json!({"b": 2, "a": [1, "x"]}));
//! assert_eq!(set.execute("t", &data).unwrap(), "A=[1 x];B=2;");
//! ```

mod ast;
mod builtins;
mod error;
mod exec;
mod fmt;
mod func;
mod lexer;
mod map;
mod parser;
mod printf;
mod strconv;
mod template;
mod value;

pub use error::{Error, ExecError, Location, ParseError};
pub use fmt::{format_float, quote, quote_ascii};
pub use func::{ArgType, FuncCtx, FuncError, FuncMap, FuncResult, Function, Signature};
pub use map::Map;
pub use printf::sprintf;
pub use template::{MissingKey, TemplateSet};
pub use value::{Object, Value};

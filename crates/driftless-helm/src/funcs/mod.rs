//! Helm's template functions: Sprig v3 (as Helm ships it, without `env`
//! and `expandenv`) and Helm's own (`toYaml`, `include`, `tpl`, `required`,
//! `lookup`, ...), for the `driftless-gotmpl` engine.
//!
//! # Public API (for the chart renderer)
//! - [`register`]`(&mut FuncMap, &FuncOptions)`: the single entry point; adds
//!   every function to a [`driftless_gotmpl::FuncMap`].
//! - [`FuncOptions`]: the [`Lookup`] provider (default: [`EmptyLookup`], an
//!   empty map as `helm template` gives), the random seed (`None` = OS
//!   randomness; `Some(n)` = reproducible `randAlphaNum`, `uuidv4`, ...),
//!   a fixed clock for `now` (tests), and `lint_mode` (`required` gives "").
//! - [`Lookup`]: `lookup apiVersion kind namespace name` for live objects.
//!
//! ```
//! use driftless_gotmpl::{FuncMap, TemplateSet, Value};
//! use driftless_helm::funcs::{register, FuncOptions};
//! let mut funcs = FuncMap::new();
//! register(&mut funcs, &FuncOptions::default());
//! let mut set = TemplateSet::with_funcs(funcs);
//! set.parse("t", r#"{{ dict "b" 1 "a" (list "x" "yes") | toYaml }}"#).unwrap();
//! assert_eq!(set.execute("t", &Value::Nil).unwrap(), "a:\n- x\n- \"yes\"\nb: 1");
//! ```
//!
//! Differences from Helm are listed in `docs/helm-functions.md`.

use std::sync::{Arc, Mutex};

use driftless_gotmpl::{ArgType, FuncCtx, FuncMap, FuncResult, Signature, Value};

pub mod conv;
mod crypto;
pub mod dates;
mod defaults;
mod dicts;
mod encoding;
mod from_toml;
mod helm;
mod lists;
mod math;
mod misc;
mod regexes;
pub mod semver;
pub mod strings;
mod urls;

/// Live-object lookups for Helm's `lookup` function.
pub trait Lookup: Send + Sync {
    /// The object (or, with an empty `name`, a `v1.List`-style map with
    /// `items`) as JSON; `Ok(None)` when it does not exist (Helm then gives
    /// an empty map). `namespace` is empty for cluster-scoped kinds.
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Option<serde_json::Value>, String>;
}

/// The offline lookup: always an empty map, as `helm template` gives.
#[derive(Debug, Default, Clone, Copy)]
pub struct EmptyLookup;

impl Lookup for EmptyLookup {
    fn lookup(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: &str,
    ) -> Result<Option<serde_json::Value>, String> {
        Ok(None)
    }
}

/// Settings for [`register`].
#[derive(Clone)]
pub struct FuncOptions {
    /// Provider for `lookup`.
    pub lookup: Arc<dyn Lookup>,
    /// Seed for the random functions; `None` uses OS randomness.
    pub seed: Option<u64>,
    /// Fixed "now" for `now`, `ago`, `dateModify` (tests); `None` = clock.
    pub now: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Helm's lint mode: `required` gives "" instead of failing.
    pub lint_mode: bool,
}

impl Default for FuncOptions {
    fn default() -> Self {
        FuncOptions {
            lookup: Arc::new(EmptyLookup),
            seed: None,
            now: None,
            lint_mode: false,
        }
    }
}

impl std::fmt::Debug for FuncOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FuncOptions")
            .field("seed", &self.seed)
            .field("now", &self.now)
            .field("lint_mode", &self.lint_mode)
            .finish_non_exhaustive()
    }
}

/// Shared random source of one registration.
pub(crate) type Rng = Arc<Mutex<rand::rngs::StdRng>>;

/// Registers all functions into `funcs` (replacing same-named ones).
pub fn register(funcs: &mut FuncMap, opts: &FuncOptions) {
    use rand::SeedableRng;
    let rng: Rng = Arc::new(Mutex::new(match opts.seed {
        Some(s) => rand::rngs::StdRng::seed_from_u64(s),
        None => rand::rngs::StdRng::from_os_rng(),
    }));
    strings::register(funcs);
    lists::register(funcs);
    dicts::register(funcs);
    math::register(funcs);
    defaults::register(funcs);
    encoding::register(funcs, rng.clone());
    regexes::register(funcs);
    semver::register(funcs);
    dates::register(funcs, opts.now);
    let fixed_now = opts.now;
    crypto::register(funcs, rng.clone(), move || {
        fixed_now.unwrap_or_else(|| chrono::Utc::now().fixed_offset())
    });
    urls::register(funcs);
    from_toml::register(funcs);
    misc::register(funcs);
    helm::register(funcs, opts);
}

/// Adds a function with fixed parameter types.
pub(crate) fn add(
    m: &mut FuncMap,
    name: &str,
    params: &[ArgType],
    f: impl Fn(&[Value]) -> FuncResult + Send + Sync + 'static,
) {
    m.add(name, Signature::fixed(params), move |_, a| f(a));
}

/// Adds a function with fixed parameters and a variadic tail.
pub(crate) fn add_var(
    m: &mut FuncMap,
    name: &str,
    params: &[ArgType],
    rest: ArgType,
    f: impl Fn(&[Value]) -> FuncResult + Send + Sync + 'static,
) {
    m.add(name, Signature::variadic(params, rest), move |_, a| f(a));
}

/// Adds a `func(...interface{})`.
pub(crate) fn variadic(
    m: &mut FuncMap,
    name: &str,
    f: impl Fn(&[Value]) -> FuncResult + Send + Sync + 'static,
) {
    add_var(m, name, &[], ArgType::Any, f);
}

/// Adds a function that needs the engine context.
pub(crate) fn add_ctx(
    m: &mut FuncMap,
    name: &str,
    sig: Signature,
    f: impl Fn(&FuncCtx<'_>, &[Value]) -> FuncResult + Send + Sync + 'static,
) {
    m.add(name, sig, f);
}

#[cfg(test)]
mod oracle_tests;
#[cfg(test)]
pub(crate) mod testutil;

//! Lua scripts in Argo CD's format: health checks and resource actions.
//!
//! A [`LuaScript`] is data: a name (used in errors), its source, and whether
//! it may use the open standard libraries (`string`, `math`) as Argo CD's
//! `useOpenLibs` allows. Running one (see [`crate::vm`]) compiles it once per
//! thread and reuses the compiled function for every object.

use driftless_core::{Health, HealthStatus};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The limits one run of a script must stay within.
///
/// Argo CD gives a script one second; memory is not limited there. Driftless
/// also caps what one run may allocate so a bad script cannot exhaust the
/// controller's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Wall-clock time of one run.
    pub time: Duration,
    /// Bytes one run may allocate on top of what the Lua state already holds.
    pub memory: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            time: Duration::from_secs(1),
            memory: 32 << 20,
        }
    }
}

/// What went wrong running a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptErrorKind {
    /// The source does not compile.
    Syntax,
    /// The script raised an error (or hit a Lua runtime error).
    Runtime,
    /// The run took longer than its time budget.
    Timeout,
    /// The run allocated more than its memory budget.
    Memory,
    /// The script returned something other than what its kind of script must return.
    Output,
}

/// An error of one script, naming the script and, where Lua knows it, the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// The script's name (e.g. `argoproj.io/Rollout/health.lua`).
    pub script: String,
    /// The line the error happened on, when known.
    pub line: Option<usize>,
    /// The kind of failure.
    pub kind: ScriptErrorKind,
    /// What happened, without the script name and line.
    pub message: String,
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "Lua script {}:{line}: {}", self.script, self.message),
            None => write!(f, "Lua script {}: {}", self.script, self.message),
        }
    }
}

impl std::error::Error for ScriptError {}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// One Lua script with its name; cheap to clone.
#[derive(Clone)]
pub struct LuaScript {
    pub(crate) id: u64,
    name: Arc<str>,
    source: Arc<str>,
    open_libs: bool,
}

impl std::fmt::Debug for LuaScript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LuaScript")
            .field("name", &self.name)
            .field("open_libs", &self.open_libs)
            .finish()
    }
}

impl LuaScript {
    /// A script named `name` (shown in errors). `open_libs` gives it the
    /// `string` and `math` libraries besides the base, `table` and safe `os`
    /// functions every script has (Argo CD's `useOpenLibs`; its built-in
    /// scripts always have them).
    pub fn new(name: impl Into<String>, source: impl Into<String>, open_libs: bool) -> Self {
        LuaScript {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            name: Arc::from(name.into()),
            source: Arc::from(source.into()),
            open_libs,
        }
    }

    /// The name errors use.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The Lua source.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the script has the open standard libraries.
    pub fn open_libs(&self) -> bool {
        self.open_libs
    }

    /// Compiles the script without running it, to report syntax errors early.
    pub fn check(&self) -> Result<(), ScriptError> {
        crate::vm::with_vm(|vm| vm.compile(self).map(|_| ()))
    }

    /// Runs the script with `obj` as the global `obj` (and `extra` globals,
    /// such as an action's `actionParams`) and returns what it returned,
    /// converted to JSON the way Argo CD converts it (an empty table is `[]`).
    pub fn run(
        &self,
        obj: &Value,
        extra: &[(&str, &Value)],
        budget: Budget,
    ) -> Result<Value, ScriptError> {
        crate::vm::with_vm(|vm| vm.run(self, obj, extra, budget))
    }

    /// Runs the script as a health check: it must return a table with a
    /// `status` (one of Argo CD's health codes) and an optional `message`.
    /// An unknown status gives Unknown "Lua returned an invalid health status",
    /// as in Argo CD.
    pub fn health(&self, obj: &Value, budget: Budget) -> Result<Health, ScriptError> {
        let out = self.run(obj, &[], budget)?;
        health_from_output(self, &out)
    }

    pub(crate) fn error(&self, kind: ScriptErrorKind, message: impl Into<String>) -> ScriptError {
        ScriptError {
            script: self.name.to_string(),
            line: None,
            kind,
            message: message.into(),
        }
    }
}

fn health_from_output(script: &LuaScript, out: &Value) -> Result<Health, ScriptError> {
    let text = |key: &str| -> Result<String, ScriptError> {
        match out.get(key) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(script.error(
                ScriptErrorKind::Output,
                format!("health {key} must be a string, not {other}"),
            )),
        }
    };
    // `run` only returns tables: an object, or a list (`[]` when empty).
    if let Value::Array(items) = out
        && !items.is_empty()
    {
        return Err(script.error(
            ScriptErrorKind::Output,
            "health script returned a list, not a table with status and message",
        ));
    }
    let status = text("status")?;
    let message = text("message")?;
    Ok(match crate::parse_status(&status) {
        Some(status) => Health::new(status, message),
        None => Health::new(
            HealthStatus::Unknown,
            "Lua returned an invalid health status",
        ),
    })
}

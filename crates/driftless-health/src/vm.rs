//! The embedded Lua runtime: one sandboxed Lua 5.2 state per thread, each
//! script compiled once per state, a time and memory budget per run.
//!
//! Argo CD runs scripts with gopher-lua (Lua 5.1 plus `goto`). Lua 5.2 runs
//! them unchanged: it has `goto`, numbers are doubles printed like 5.1's, and
//! the 5.1 functions the scripts use (`table.getn`, `unpack`) are provided.
//! Every run gets a fresh global table whose misses fall through to a shared,
//! read-mostly base, so a script's globals never leak into the next run.

use crate::script::{Budget, LuaScript, ScriptError, ScriptErrorKind};
use mlua::{Function, HookTriggers, Lua, LuaOptions, StdLib, Table, VmState};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Instant;

/// Compiled scripts kept per thread before the cache is emptied (user scripts
/// of discarded registries would otherwise accumulate).
const MAX_COMPILED: usize = 2048;

/// Instructions between two checks of the time budget.
const HOOK_EVERY: u32 = 1000;

/// Builds the two base environments from the full standard library.
const PRELUDE: &str = r#"
local G = ...
local function copy(t) local c = {} for k, v in pairs(t) do c[k] = v end return c end
local tbl = copy(G.table)
tbl.getn = function(t) return #t end
tbl.unpack = tbl.unpack or G.unpack
local safe_os = { time = G.os.time, date = G.os.date, clock = G.os.clock, difftime = G.os.difftime }
local str, math = copy(G.string), copy(G.math)
local function base(modules)
  local env = {}
  for _, k in ipairs({ "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall",
      "rawequal", "rawget", "rawlen", "rawset", "select", "setmetatable", "tonumber",
      "tostring", "type", "xpcall", "_VERSION" }) do
    env[k] = G[k]
  end
  env.unpack = tbl.unpack
  env.print = function() end
  for name, m in pairs(modules) do env[name] = m end
  env.require = function(name)
    local m = modules[name]
    if m == nil then error("module '" .. tostring(name) .. "' not found", 2) end
    return m
  end
  return env
end
return base({ table = tbl, os = safe_os }),
  base({ table = tbl, os = safe_os, string = str, math = math })
"#;

/// Wraps `pcall`/`xpcall` so a spent time or memory budget cannot be caught by the script.
const GUARD: &str = r#"
local env, spent = ...
local pcall, xpcall, pack, unpack = env.pcall, env.xpcall, env.table.pack, env.table.unpack
local function check(r)
  if spent() or (not r[1] and r[2] == "not enough memory") then error(r[2], 0) end
  return unpack(r, 1, r.n)
end
env.pcall = function(...) return check(pack(pcall(...))) end
env.xpcall = function(...) return check(pack(xpcall(...))) end
"#;

pub(crate) struct Vm {
    lua: Lua,
    /// `{__index = base}` for the restricted and the open base environments.
    restricted: Table,
    open: Table,
    compiled: HashMap<u64, Function>,
    deadline: Rc<Cell<Option<Instant>>>,
    spent: Rc<Cell<Option<BudgetSpent>>>,
}

#[derive(Clone, Copy)]
enum BudgetSpent {
    Time(Option<usize>),
}

thread_local! {
    static VM: RefCell<Option<Vm>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's Lua state, creating it on first use.
pub(crate) fn with_vm<R>(
    f: impl FnOnce(&mut Vm) -> Result<R, ScriptError>,
) -> Result<R, ScriptError> {
    VM.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(Vm::new().expect("creating the Lua state"));
        }
        f(slot.as_mut().expect("just created"))
    })
}

impl Vm {
    fn new() -> mlua::Result<Vm> {
        let libs = StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::OS;
        let lua = Lua::new_with(libs, LuaOptions::default())?;
        let (restricted, open): (Table, Table) =
            lua.load(PRELUDE).set_name("=prelude").call(lua.globals())?;
        let deadline: Rc<Cell<Option<Instant>>> = Rc::new(Cell::new(None));
        let spent: Rc<Cell<Option<BudgetSpent>>> = Rc::new(Cell::new(None));
        let spent_fn = {
            let spent = spent.clone();
            lua.create_function(move |_, ()| Ok(spent.get().is_some()))?
        };
        for env in [&restricted, &open] {
            lua.load(GUARD)
                .set_name("=guard")
                .call::<()>((env.clone(), spent_fn.clone()))?;
        }
        let restricted = index_meta(&lua, restricted)?;
        let open = index_meta(&lua, open)?;
        let (d, s) = (deadline.clone(), spent.clone());
        lua.set_global_hook(
            HookTriggers::new().every_nth_instruction(HOOK_EVERY),
            move |_, debug| {
                if let Some(deadline) = d.get()
                    && Instant::now() >= deadline
                {
                    let line = debug.current_line();
                    s.set(Some(BudgetSpent::Time(line)));
                    return Err(mlua::Error::runtime("time budget exceeded"));
                }
                Ok(VmState::Continue)
            },
        )?;
        Ok(Vm {
            lua,
            restricted,
            open,
            compiled: HashMap::new(),
            deadline,
            spent,
        })
    }

    pub(crate) fn compile(&mut self, script: &LuaScript) -> Result<Function, ScriptError> {
        if let Some(f) = self.compiled.get(&script.id) {
            return Ok(f.clone());
        }
        if self.compiled.len() >= MAX_COMPILED {
            self.compiled.clear();
        }
        // The run's globals come in as the chunk's argument: `_ENV` is set
        // on the script's first line, so every line keeps its number.
        let source = format!("local _ENV = ...; {}", script.source());
        let f = self
            .lua
            .load(source)
            .set_name(format!("={}", script.name()))
            .into_function()
            .map_err(|e| lua_error(script, ScriptErrorKind::Syntax, &e))?;
        self.compiled.insert(script.id, f.clone());
        Ok(f)
    }

    pub(crate) fn run(
        &mut self,
        script: &LuaScript,
        obj: &Value,
        extra: &[(&str, &Value)],
        budget: Budget,
    ) -> Result<Value, ScriptError> {
        let func = self.compile(script)?;
        let lua = &self.lua;
        let base = if script.open_libs() {
            &self.open
        } else {
            &self.restricted
        };
        let runtime = |e: mlua::Error| lua_error(script, ScriptErrorKind::Runtime, &e);
        let env = lua.create_table().map_err(runtime)?;
        env.set_metatable(Some(base.clone())).map_err(runtime)?;
        env.raw_set("obj", crate::convert::to_lua(lua, obj).map_err(runtime)?)
            .map_err(runtime)?;
        for (name, value) in extra {
            env.raw_set(*name, crate::convert::to_lua(lua, value).map_err(runtime)?)
                .map_err(runtime)?;
        }

        let used = lua.used_memory();
        let _ = lua.set_memory_limit(used.saturating_add(budget.memory));
        self.spent.set(None);
        self.deadline.set(Some(Instant::now() + budget.time));
        let result = func.call::<mlua::MultiValue>(env);
        self.deadline.set(None);
        let _ = lua.set_memory_limit(0);
        let spent = self.spent.take();

        let values = match (result, spent) {
            (_, Some(BudgetSpent::Time(line))) => {
                let mut e = script.error(
                    ScriptErrorKind::Timeout,
                    format!("ran longer than its time budget of {:?}", budget.time),
                );
                e.line = line;
                return Err(e);
            }
            (Err(e), None) => {
                let kind = if is_memory_error(&e) {
                    ScriptErrorKind::Memory
                } else {
                    ScriptErrorKind::Runtime
                };
                let mut err = lua_error(script, kind.clone(), &e);
                if kind == ScriptErrorKind::Memory {
                    err.message = format!(
                        "allocated more than its memory budget of {} bytes",
                        budget.memory
                    );
                }
                return Err(err);
            }
            (Ok(values), None) => values,
        };
        // Argo CD takes the value on top of the stack: the last one returned.
        let ret = values.into_iter().last().unwrap_or(mlua::Value::Nil);
        if !matches!(ret, mlua::Value::Table(_)) {
            return Err(script.error(
                ScriptErrorKind::Output,
                format!(
                    "expect table output from Lua script, not {}",
                    ret.type_name()
                ),
            ));
        }
        crate::convert::to_json(&ret).map_err(|m| script.error(ScriptErrorKind::Output, m))
    }
}

/// The metatable `{__index = base}` given to every run's globals.
fn index_meta(lua: &Lua, base: Table) -> mlua::Result<Table> {
    let m = lua.create_table()?;
    m.raw_set("__index", base)?;
    Ok(m)
}

fn is_memory_error(e: &mlua::Error) -> bool {
    match e {
        mlua::Error::MemoryError(_) => true,
        // Re-raised by the `pcall` guard.
        mlua::Error::RuntimeError(m) => m.starts_with("not enough memory"),
        mlua::Error::CallbackError { cause, .. } => is_memory_error(cause),
        _ => false,
    }
}

/// Turns a Lua error into a [`ScriptError`], splitting off the
/// `name:line:` prefix Lua puts in front of the message.
fn lua_error(script: &LuaScript, kind: ScriptErrorKind, e: &mlua::Error) -> ScriptError {
    let text = match e {
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        mlua::Error::RuntimeError(m) => m.clone(),
        mlua::Error::CallbackError { cause, .. } => cause.to_string(),
        other => other.to_string(),
    };
    // Only the first line: the rest is a traceback.
    let first = text.lines().next().unwrap_or_default();
    let mut err = script.error(kind, first);
    let prefix = format!("{}:", script.name());
    if let Some(rest) = first.strip_prefix(&prefix)
        && let Some((line, msg)) = rest.split_once(':')
        && let Ok(line) = line.parse()
    {
        err.line = Some(line);
        err.message = msg.trim_start().to_string();
    }
    err
}

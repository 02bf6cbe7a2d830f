//! JSON ⇄ Lua values, the way Argo CD converts them.
//!
//! Into Lua: objects and arrays become tables (arrays 1-based, `null`
//! elements dropped as gopher-lua's `Append` drops `nil`), `null` becomes
//! `nil`, numbers become Lua numbers. Out of Lua: a table with a sequence
//! part becomes an array, an empty table `[]`, any other table an object
//! (its keys must be strings), as `gopher-json` encodes them.

use mlua::{Lua, Table, Value as LuaValue};
use serde_json::{Map, Number, Value};

/// Deepest nesting converted out of Lua; deeper means a cycle or a runaway script.
const MAX_DEPTH: usize = 256;

/// Converts a JSON value into a Lua value.
pub(crate) fn to_lua(lua: &Lua, v: &Value) -> mlua::Result<LuaValue> {
    Ok(match v {
        Value::Null => LuaValue::Nil,
        Value::Bool(b) => LuaValue::Boolean(*b),
        Value::Number(n) => LuaValue::Number(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => LuaValue::String(lua.create_string(s)?),
        Value::Array(items) => {
            let t = lua.create_table_with_capacity(items.len(), 0)?;
            let mut i = 0;
            for item in items.iter().filter(|x| !x.is_null()) {
                i += 1;
                t.raw_set(i, to_lua(lua, item)?)?;
            }
            LuaValue::Table(t)
        }
        Value::Object(map) => {
            let t = lua.create_table_with_capacity(0, map.len())?;
            for (k, item) in map {
                if !item.is_null() {
                    t.raw_set(k.as_str(), to_lua(lua, item)?)?;
                }
            }
            LuaValue::Table(t)
        }
    })
}

/// Converts a Lua value returned by a script into JSON.
pub(crate) fn to_json(v: &LuaValue) -> Result<Value, String> {
    value(v, 0)
}

fn value(v: &LuaValue, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "cannot encode a table nested more than {MAX_DEPTH} levels deep (recursive table?)"
        ));
    }
    Ok(match v {
        LuaValue::Nil => Value::Null,
        LuaValue::Boolean(b) => Value::Bool(*b),
        LuaValue::Integer(i) => Value::from(*i),
        LuaValue::Number(n) => number(*n)?,
        LuaValue::String(s) => Value::String(s.to_string_lossy()),
        LuaValue::Table(t) => table(t, depth)?,
        other => return Err(format!("cannot encode {} to JSON", other.type_name())),
    })
}

fn number(n: f64) -> Result<Value, String> {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        return Ok(Value::from(n as i64));
    }
    Number::from_f64(n)
        .map(Value::Number)
        .ok_or_else(|| format!("cannot encode the number {n} to JSON"))
}

fn table(t: &Table, depth: usize) -> Result<Value, String> {
    let len = t.raw_len();
    if len > 0 {
        let mut items = Vec::with_capacity(len);
        for i in 1..=len {
            let item: LuaValue = t.raw_get(i).map_err(|e| e.to_string())?;
            items.push(value(&item, depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    let mut entries = Vec::new();
    for pair in t.pairs::<LuaValue, LuaValue>() {
        let (k, item) = pair.map_err(|e| e.to_string())?;
        let key = match &k {
            LuaValue::String(s) => s.to_string_lossy(),
            other => {
                return Err(format!(
                    "cannot encode a table with a {} key to JSON",
                    other.type_name()
                ));
            }
        };
        entries.push((key, value(&item, depth + 1)?));
    }
    if entries.is_empty() {
        return Ok(Value::Array(Vec::new()));
    }
    // Lua's iteration order is arbitrary; sorted keys keep the output stable.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Value::Object(entries.into_iter().collect::<Map<_, _>>()))
}

//! The Lua runtime: errors naming script and line, time and memory budgets,
//! the sandbox, and isolation between runs.

use driftless_health::{Budget, HealthStatus, LuaScript, ScriptErrorKind};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn obj() -> Value {
    json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"replicas": 3, "items": [1, null, 2]}, "status": {"phase": "Ready"}})
}

/// A short time budget, for the time tests.
fn tight() -> Budget {
    Budget {
        time: Duration::from_millis(100),
        memory: 1 << 20,
    }
}

/// A small memory budget with time to spare even on a loaded machine.
fn small_memory() -> Budget {
    Budget {
        time: Duration::from_secs(30),
        memory: 1 << 20,
    }
}

#[test]
fn a_syntax_error_names_the_script_and_line() {
    let s = LuaScript::new("example.com/Widget/health.lua", "hs = {}\nif then\n", true);
    let e = s.check().unwrap_err();
    assert_eq!(e.kind, ScriptErrorKind::Syntax);
    assert_eq!(e.line, Some(2));
    assert_eq!(e.script, "example.com/Widget/health.lua");
    assert!(
        e.to_string()
            .starts_with("Lua script example.com/Widget/health.lua:2: "),
        "{e}"
    );
}

#[test]
fn a_runtime_error_names_the_script_and_line() {
    let src = "local hs = {}\nlocal x = obj.status.missing.field\nreturn hs";
    let e = LuaScript::new("w.lua", src, true)
        .health(&obj(), Budget::default())
        .unwrap_err();
    assert_eq!(e.kind, ScriptErrorKind::Runtime);
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("attempt to index"), "{e}");

    let e = LuaScript::new("w.lua", "\n\nerror('boom')", true)
        .health(&obj(), Budget::default())
        .unwrap_err();
    assert_eq!((e.line, e.message.as_str()), (Some(3), "boom"));
}

#[test]
fn an_endless_loop_is_stopped_by_the_time_budget() {
    let start = Instant::now();
    let src = "local n = 0\nwhile true do\n  n = n + 1\nend";
    let e = LuaScript::new("loop.lua", src, true)
        .health(&obj(), tight())
        .unwrap_err();
    assert_eq!(e.kind, ScriptErrorKind::Timeout);
    assert!(matches!(e.line, Some(2..=4)), "{e:?}");
    assert!(e.to_string().contains("time budget of 100ms"), "{e}");
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn pcall_cannot_swallow_a_spent_time_budget() {
    let src = "while true do pcall(function() while true do end end) end";
    let e = LuaScript::new("pcall.lua", src, true)
        .health(&obj(), tight())
        .unwrap_err();
    assert_eq!(e.kind, ScriptErrorKind::Timeout);
}

#[test]
fn a_runaway_allocation_is_stopped_by_the_memory_budget() {
    let src = "local t = {}\nfor i = 1, 1e9 do t[i] = string.rep('x', 100) .. i end\nreturn t";
    let e = LuaScript::new("mem.lua", src, true)
        .health(&obj(), small_memory())
        .unwrap_err();
    assert_eq!(e.kind, ScriptErrorKind::Memory, "{e}");
    assert!(
        e.to_string().contains("memory budget of 1048576 bytes"),
        "{e}"
    );
    // The state is still usable afterwards.
    let ok = LuaScript::new("ok.lua", "return {status = 'Healthy'}", true);
    assert_eq!(
        ok.health(&obj(), small_memory()).unwrap().status,
        HealthStatus::Healthy
    );
}

#[test]
fn pcall_cannot_swallow_a_spent_memory_budget() {
    let src = "local ok, err = pcall(function()\n  local t = {}\n  for i = 1, 1e9 do t[i] = string.rep('y', 100) .. i end\nend)\nreturn {status = 'Healthy', message = tostring(err)}";
    let e = LuaScript::new("mem-pcall.lua", src, true)
        .health(&obj(), small_memory())
        .unwrap_err();
    assert_eq!(e.kind, ScriptErrorKind::Memory, "{e}");
}

#[test]
fn the_returned_table_decides_and_a_bad_return_is_an_error() {
    let h = LuaScript::new(
        "ok.lua",
        "hs = {}\nhs.status = 'Degraded'\nhs.message = obj.status.phase .. ' ' .. obj.spec.replicas\nreturn hs",
        false,
    )
    .health(&obj(), Budget::default())
    .unwrap();
    // Numbers print as Lua 5.1 prints them: 3, not 3.0.
    assert_eq!(
        (h.status, h.message.as_str()),
        (HealthStatus::Degraded, "Ready 3")
    );

    let h = LuaScript::new("bad.lua", "return {status = 'Fine'}", true)
        .health(&obj(), Budget::default())
        .unwrap();
    assert_eq!(
        (h.status, h.message.as_str()),
        (
            HealthStatus::Unknown,
            "Lua returned an invalid health status"
        )
    );

    let e = LuaScript::new("nil.lua", "local x = 1", true)
        .health(&obj(), Budget::default())
        .unwrap_err();
    assert_eq!(e.kind, ScriptErrorKind::Output);
    assert_eq!(e.message, "expect table output from Lua script, not nil");
}

#[test]
fn globals_of_one_run_do_not_leak_into_the_next() {
    let s = LuaScript::new(
        "leak.lua",
        "local seen = leaked\nleaked = 1\ntable_copy = table\nreturn {status = seen and 'Degraded' or 'Healthy'}",
        true,
    );
    for _ in 0..3 {
        let h = s.health(&obj(), Budget::default()).unwrap();
        assert_eq!(h.status, HealthStatus::Healthy);
    }
}

#[test]
fn the_sandbox_offers_argo_cds_libraries_and_nothing_dangerous() {
    let run = |src: &str, open: bool| {
        LuaScript::new("libs.lua", src, open)
            .run(&obj(), &[], Budget::default())
            .map_err(|e| e.to_string())
    };
    // Every script: base, table (with 5.1's getn), the safe os, require("os").
    let out = run(
        "local os = require('os')\nreturn {n = table.getn(obj.spec.items), t = type(os.time()), \
         d = os.date('!%Y', 0), exec = type(os.execute), io = type(io), dofile = type(dofile), \
         load = type(load), s = type(string)}",
        false,
    )
    .unwrap();
    // `null` elements are dropped, as gopher-lua drops nil.
    assert_eq!(
        out,
        json!({"d": "1970", "dofile": "nil", "exec": "nil", "io": "nil", "load": "nil",
            "n": 2, "s": "nil", "t": "number"})
    );
    // Open libraries add string and math.
    let out = run(
        "return {f = string.find('abc', 'b'), m = math.max(1, 2), u = ('x'):upper()}",
        true,
    )
    .unwrap();
    assert_eq!(out, json!({"f": 2, "m": 2, "u": "X"}));
    assert!(
        run("return {require('io')}", true)
            .unwrap_err()
            .contains("module 'io' not found")
    );
}

#[test]
fn goto_runs_as_in_gopher_lua() {
    let src = "for i = 1, 3 do\n  if i == 2 then goto continue end\n  last = i\n  ::continue::\nend\nreturn {status = 'Healthy', message = tostring(last)}";
    let h = LuaScript::new("goto.lua", src, true)
        .health(&obj(), Budget::default())
        .unwrap();
    assert_eq!(h.message, "3");
}

#[test]
fn scripts_run_on_many_threads_at_once() {
    let s = LuaScript::new(
        "t.lua",
        "return {status = 'Healthy', message = obj.metadata.name}",
        true,
    );
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let s = s.clone();
            std::thread::spawn(move || {
                let o = json!({"metadata": {"name": format!("w{i}")}});
                s.health(&o, Budget::default()).unwrap().message
            })
        })
        .collect();
    let names: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(names, ["w0", "w1", "w2", "w3"]);
}

#[test]
fn a_list_is_not_a_health() {
    let e = LuaScript::new("list.lua", "return {'Healthy'}", true)
        .health(&obj(), Budget::default())
        .unwrap_err();
    assert_eq!(e.kind, ScriptErrorKind::Output);
    assert!(e.message.contains("returned a list"), "{e}");
}

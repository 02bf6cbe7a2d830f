//! Test helper: render a template with all functions registered.

use driftless_gotmpl::{FuncMap, TemplateSet, Value};

use super::{FuncOptions, register};

/// Renders `tpl` with `data`, seed 1, returning output or the error text.
pub fn render_with(tpl: &str, data: serde_json::Value) -> Result<String, String> {
    let mut funcs = FuncMap::new();
    register(
        &mut funcs,
        &FuncOptions {
            seed: Some(1),
            ..FuncOptions::default()
        },
    );
    let mut set = TemplateSet::with_funcs(funcs);
    set.parse("t", tpl).map_err(|e| e.to_string())?;
    set.execute("t", &Value::from(data))
        .map_err(|e| e.to_string())
}

/// Renders `tpl` with no data; panics on error.
pub fn render(tpl: &str) -> String {
    render_with(tpl, serde_json::Value::Null).unwrap_or_else(|e| panic!("{tpl}: {e}"))
}

/// Asserts each `(template, expected output)` pair.
pub fn check(cases: &[(&str, &str)]) {
    let mut bad = Vec::new();
    for (t, want) in cases {
        match render_with(t, serde_json::Value::Null) {
            Ok(got) if got == *want => {}
            Ok(got) => bad.push(format!("{t}\n  want {want:?}\n   got {got:?}")),
            Err(e) => bad.push(format!("{t}\n  want {want:?}\n error {e}")),
        }
    }
    assert!(bad.is_empty(), "{} failing:\n{}", bad.len(), bad.join("\n"));
}

/// Asserts each template fails with an error containing the text.
pub fn check_err(cases: &[(&str, &str)]) {
    for (t, want) in cases {
        match render_with(t, serde_json::Value::Null) {
            Ok(got) => panic!("{t}: expected error {want:?}, got {got:?}"),
            Err(e) => assert!(e.contains(want), "{t}: error {e:?} lacks {want:?}"),
        }
    }
}

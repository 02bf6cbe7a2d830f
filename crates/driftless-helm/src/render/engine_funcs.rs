//! The functions Helm's engine itself binds to a render (`include`, `tpl`,
//! `required`, `fail`), with the exact error texts Helm's engine gives
//! (`required`/`fail` messages are wrapped so that the top-level error reads
//! `execution error at (file:line:col): message`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use driftless_gotmpl::{ArgType, FuncError, FuncMap, Signature, Value};

/// Name of Helm's root template; `tpl` texts are parsed under it.
pub const ROOT_TEMPLATE: &str = "gotpl";

/// Deepest nesting of `include`, as Helm's `recursionMaxNums`.
const MAX_INCLUDE_DEPTH: usize = 1000;

/// Wraps a `required`/`fail` message as Helm does, so the error can be
/// recognised at the top (`execution error at (...): msg`).
pub fn warn_wrap(msg: &str) -> String {
    format!("HELM[{msg}]HELM")
}

/// Adds `include`, `tpl`, `required` and `fail` to `funcs` (replacing
/// same-named ones), with Helm's error texts.
pub fn add_engine_funcs(funcs: &mut FuncMap) {
    let depth = Arc::new(AtomicUsize::new(0));
    let d = depth.clone();
    funcs.add(
        "include",
        Signature::fixed(&[ArgType::String, ArgType::Any]),
        move |ctx, args| {
            let name = args[0].as_str().unwrap_or_default().to_string();
            if !ctx.set().has_template(&name) {
                return Err(FuncError::msg(format!(
                    "template: no template {} associated with template {}",
                    driftless_gotmpl::quote(&name),
                    driftless_gotmpl::quote(ROOT_TEMPLATE)
                )));
            }
            if d.fetch_add(1, Ordering::SeqCst) > MAX_INCLUDE_DEPTH {
                d.fetch_sub(1, Ordering::SeqCst);
                return Err(FuncError::msg(format!(
                    "rendering template has a nested reference name: {name}: unable to execute template"
                )));
            }
            let r = ctx.execute_template(&name, &args[1]);
            d.fetch_sub(1, Ordering::SeqCst);
            Ok(Value::from(r?))
        },
    );
    funcs.add(
        "tpl",
        Signature::fixed(&[ArgType::String, ArgType::Any]),
        |ctx, args| {
            let text = args[0].as_str().unwrap_or_default();
            let out = ctx
                .execute_text(ROOT_TEMPLATE, text, &args[1])
                .map_err(|e| match e {
                    driftless_gotmpl::Error::Parse(p) => FuncError::msg(format!(
                        "cannot parse template {}: {p}",
                        driftless_gotmpl::quote(text)
                    )),
                    other => FuncError::msg(format!(
                        "error during tpl function execution for {}: {other}",
                        driftless_gotmpl::quote(text)
                    )),
                })?;
            Ok(Value::from(out.replace("<no value>", "")))
        },
    );
    funcs.add(
        "required",
        Signature::fixed(&[ArgType::String, ArgType::Any]),
        |_, args| {
            let missing = match &args[1] {
                Value::Nil | Value::NoValue => true,
                Value::String(s) => s.is_empty(),
                _ => false,
            };
            if missing {
                Err(FuncError::msg(warn_wrap(
                    args[0].as_str().unwrap_or_default(),
                )))
            } else {
                Ok(args[1].clone())
            }
        },
    );
    funcs.add("fail", Signature::fixed(&[ArgType::String]), |_, args| {
        Err(FuncError::msg(warn_wrap(
            args[0].as_str().unwrap_or_default(),
        )))
    });
}

//! Jsonnet files of directory sources, evaluated in process with
//! `rsjsonnet-lang` (see docs/render.md for why that implementation), with
//! Argo CD's options: top-level arguments, external variables and library
//! paths. Imports are read through [`SourceFs`] and confined to the
//! repository; evaluation is bounded in stack depth and time.

mod report;
mod worker;

use crate::docs::{self, Document};
use crate::paths::{join, resolve_inside};
use crate::{EntryKind, FsError, RenderError, RenderOptions, SourceFs};
use driftless_core::Provenance;
use report::Source;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;
use worker::{Found, Job, Var};

/// Evaluations abandoned after their time limit that are still running.
static RUNAWAY: AtomicUsize = AtomicUsize::new(0);
/// Above this many runaway evaluations, new ones are refused.
const MAX_RUNAWAY: usize = 2;

const RUNNING: u8 = 0;
const DONE: u8 = 1;
const ABANDONED: u8 = 2;

enum Msg {
    Find {
        dir: String,
        path: String,
        reply: mpsc::Sender<Result<Found, String>>,
    },
    Done(Result<String, String>),
}

fn fail(file: &str, message: impl Into<String>) -> RenderError {
    RenderError::Jsonnet {
        file: file.to_string(),
        message: message.into(),
    }
}

/// The library search paths: the source directory, then `libs` (relative to
/// the repository root; later ones take precedence, as in go-jsonnet).
fn search_paths(source_dir: &str, opts: &RenderOptions) -> Result<Vec<String>, RenderError> {
    let mut out = vec![source_dir.to_string()];
    for lib in &opts.jsonnet.libs {
        let p = join("", lib)
            .ok_or_else(|| FsError::PathEscapes(format!("jsonnet library path {lib}")))?;
        out.push(p);
    }
    Ok(out)
}

/// Finds `path` imported from a file in directory `dir`: relative to `dir`,
/// then in the library paths, last first. Leaving the repository is refused.
fn find_import(
    fs: &dyn SourceFs,
    opts: &RenderOptions,
    libs: &[String],
    dir: &str,
    path: &str,
) -> Result<Found, String> {
    if path.is_empty() || path.starts_with('/') {
        return Err(format!(
            "import {path:?}: only relative paths inside the repository can be imported"
        ));
    }
    let escapes = || format!("import {path:?} leaves the repository");
    for base in std::iter::once(dir).chain(libs.iter().rev().map(String::as_str)) {
        let hops = opts.limits.max_symlink_hops;
        let (real, kind) = resolve_inside(fs, base, path, hops)
            .map_err(|e| format!("import {path:?}: {e}"))?
            .ok_or_else(escapes)?;
        if kind == Some(EntryKind::File) {
            let bytes = fs
                .read_file(&real, opts.limits.max_file_size)
                .map_err(|e| format!("import {path:?}: {e}"))?;
            return Ok(Found { real, bytes });
        }
    }
    Err(format!(
        "couldn't open import {path:?}: no match locally or in the Jsonnet library paths"
    ))
}

fn vars(list: &[crate::JsonnetVar], env: &[(String, String)]) -> Vec<Var> {
    list.iter()
        .map(|v| Var {
            name: v.name.clone(),
            value: crate::env::envsubst(&v.value, env),
            code: v.code,
        })
        .collect()
}

/// Evaluates the Jsonnet file `real` (shown as `logical`) of the directory
/// source at `source_dir` into documents: one object, or each item of an array.
pub(crate) fn render_file(
    fs: &dyn SourceFs,
    real: &str,
    logical: &str,
    source_dir: &str,
    opts: &RenderOptions,
) -> Result<Vec<Document>, RenderError> {
    let text = fs.read_file(real, opts.limits.max_file_size)?;
    let libs = search_paths(source_dir, opts)?;
    let env = opts.env.vars(source_dir);
    let job = Job {
        entry: Source {
            shown: logical.to_string(),
            real: real.to_string(),
            text,
        },
        tlas: vars(&opts.jsonnet.tlas, &env),
        ext_vars: vars(&opts.jsonnet.ext_vars, &env),
        max_stack: opts.jsonnet.max_stack,
    };
    let json = run(job, logical, opts, &mut |dir, path| {
        find_import(fs, opts, &libs, dir, path)
    })?;
    to_documents(logical, &json, opts.limits.max_depth)
}

/// Runs the job on a worker thread, serving its imports, until it finishes or
/// the time limit passes (the worker is then abandoned and counted).
fn run(
    job: Job,
    logical: &str,
    opts: &RenderOptions,
    serve: &mut dyn FnMut(&str, &str) -> Result<Found, String>,
) -> Result<String, RenderError> {
    if RUNAWAY.load(Ordering::SeqCst) >= MAX_RUNAWAY {
        return Err(fail(
            logical,
            "refused: earlier Jsonnet evaluations are still running past their time limit",
        ));
    }
    let state = Arc::new(AtomicU8::new(RUNNING));
    let (tx, rx) = mpsc::channel::<Msg>();
    let worker_state = state.clone();
    std::thread::Builder::new()
        .name("jsonnet".into())
        .stack_size(16 << 20)
        .spawn(move || {
            let finder_tx = tx.clone();
            let mut find = move |dir: &str, path: &str| {
                let (reply, answer) = mpsc::channel();
                let asked = Msg::Find {
                    dir: dir.to_string(),
                    path: path.to_string(),
                    reply,
                };
                finder_tx.send(asked).map_err(|_| "evaluation abandoned")?;
                answer
                    .recv()
                    .unwrap_or_else(|_| Err("evaluation abandoned".into()))
            };
            let result = worker::evaluate(job, &mut find);
            let _ = tx.send(Msg::Done(result));
            if worker_state.swap(DONE, Ordering::SeqCst) == ABANDONED {
                RUNAWAY.fetch_sub(1, Ordering::SeqCst);
            }
        })
        .map_err(|source| RenderError::Io {
            context: "starting the Jsonnet evaluator".into(),
            source,
        })?;
    let deadline = Instant::now() + opts.jsonnet.timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(Msg::Find { dir, path, reply }) => {
                let _ = reply.send(serve(&dir, &path));
            }
            Ok(Msg::Done(result)) => return result.map_err(fail_at),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                RUNAWAY.fetch_add(1, Ordering::SeqCst);
                if state
                    .compare_exchange(RUNNING, ABANDONED, Ordering::SeqCst, Ordering::SeqCst)
                    .is_err()
                {
                    RUNAWAY.fetch_sub(1, Ordering::SeqCst);
                }
                return Err(fail(
                    logical,
                    format!(
                        "evaluation ran longer than {} s",
                        opts.jsonnet.timeout.as_secs_f64()
                    ),
                ));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(fail(logical, "the Jsonnet evaluator stopped unexpectedly"));
            }
        }
    }
}

/// Evaluator messages already start with `file:line:col`.
fn fail_at(message: String) -> RenderError {
    RenderError::JsonnetEval { message }
}

/// The evaluated JSON as documents: an object, or each non-null item of an array.
fn to_documents(file: &str, json: &str, max_depth: usize) -> Result<Vec<Document>, RenderError> {
    let mut docs = docs::parse_json(file, json, max_depth)?;
    let Some(doc) = docs.pop() else {
        return Ok(Vec::new());
    };
    match doc.value {
        Value::Object(_) => Ok(vec![doc]),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items.into_iter().filter(|v| !v.is_null()) {
                if !item.is_object() {
                    return Err(fail(
                        file,
                        format!("array item {} is not an object", out.len() + 1),
                    ));
                }
                let n = out.len();
                out.push(Document {
                    value: item,
                    provenance: Provenance::file(file, n, 1),
                });
            }
            Ok(out)
        }
        other => Err(fail(
            file,
            format!(
                "the result must be an object or an array of objects, not {}",
                kind_name(&other)
            ),
        )),
    }
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

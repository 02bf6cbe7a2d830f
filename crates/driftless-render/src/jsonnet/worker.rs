//! One Jsonnet evaluation, run on its own thread. Every file it imports is
//! asked of the render thread (which reads through `SourceFs` and enforces
//! the repository's bounds), so the worker owns nothing borrowed and can be
//! abandoned when it overruns its time.

use super::report::{self, ImportFailure, Source, Sources};
use crate::paths::parent;
use rsjsonnet_lang::arena::Arena;
use rsjsonnet_lang::interner::InternedStr;
use rsjsonnet_lang::program::{
    Callbacks, EvalStackTraceItem, ImportError, NativeError, Program, Thunk, Value,
};
use rsjsonnet_lang::span::SpanId;
use std::collections::HashMap;

/// A file found for an import.
pub(crate) struct Found {
    /// Its real repository path.
    pub real: String,
    /// Its contents.
    pub bytes: Vec<u8>,
}

/// Resolves `import "path"` written in a file of directory `from_dir`.
pub(crate) type Finder<'a> = dyn FnMut(&str, &str) -> Result<Found, String> + 'a;

/// A top-level argument or external variable, after substitution.
#[derive(Clone)]
pub(crate) struct Var {
    pub name: String,
    pub value: String,
    pub code: bool,
}

/// What to evaluate.
pub(crate) struct Job {
    pub entry: Source,
    pub tlas: Vec<Var>,
    pub ext_vars: Vec<Var>,
    pub max_stack: usize,
}

struct Cb<'p, 'f> {
    sources: Sources,
    find: &'f mut Finder<'f>,
    thunks: HashMap<String, Thunk<'p>>,
    texts: HashMap<String, Vec<u8>>,
    import_failure: Option<ImportFailure>,
}

impl<'p> Cb<'p, '_> {
    fn fetch(&mut self, program: &Program<'p>, from: SpanId, path: &str) -> Result<Found, String> {
        let (ctx, _, _) = program.span_manager().get_span(from);
        let dir = self
            .sources
            .get(&ctx)
            .map(|s| parent(&s.real).to_string())
            .unwrap_or_default();
        (self.find)(&dir, path)
    }

    fn fail<T>(&mut self, why: String) -> Result<T, ImportError> {
        self.import_failure = Some(ImportFailure::Plain(why));
        Err(ImportError)
    }
}

impl<'p> Callbacks<'p> for Cb<'p, '_> {
    fn import(
        &mut self,
        program: &mut Program<'p>,
        from: SpanId,
        path: &str,
    ) -> Result<Thunk<'p>, ImportError> {
        let found = match self.fetch(program, from, path) {
            Ok(f) => f,
            Err(why) => return self.fail(why),
        };
        if let Some(t) = self.thunks.get(&found.real) {
            return Ok(t.clone());
        }
        let (ctx, _) = program
            .span_manager_mut()
            .insert_source_context(found.bytes.len());
        self.sources.insert(
            ctx,
            Source {
                shown: found.real.clone(),
                real: found.real.clone(),
                text: found.bytes.clone(),
            },
        );
        match program.load_source(ctx, &found.bytes, true, &found.real) {
            Ok(t) => {
                self.thunks.insert(found.real, t.clone());
                Ok(t)
            }
            Err(e) => {
                let why = report::load_error(program.span_manager(), &self.sources, &e);
                self.import_failure = Some(ImportFailure::Located(why));
                Err(ImportError)
            }
        }
    }

    fn import_str(
        &mut self,
        program: &mut Program<'p>,
        from: SpanId,
        path: &str,
    ) -> Result<String, ImportError> {
        let bytes = self.import_bin(program, from, path)?;
        match String::from_utf8(bytes) {
            Ok(s) => Ok(s),
            Err(_) => self.fail(format!("importstr {path:?}: file is not UTF-8")),
        }
    }

    fn import_bin(
        &mut self,
        program: &mut Program<'p>,
        from: SpanId,
        path: &str,
    ) -> Result<Vec<u8>, ImportError> {
        match self.fetch(program, from, path) {
            Ok(f) => Ok(self.texts.entry(f.real).or_insert(f.bytes).clone()),
            Err(why) => self.fail(why),
        }
    }

    fn trace(&mut self, _: &mut Program<'p>, message: &str, _: &[EvalStackTraceItem]) {
        tracing::debug!("jsonnet trace: {message}");
    }

    fn native_call(
        &mut self,
        _: &mut Program<'p>,
        _: InternedStr<'p>,
        _: &[Value<'p>],
    ) -> Result<Value<'p>, NativeError> {
        Err(NativeError)
    }
}

/// The later of repeated names wins, as on the `jsonnet` command line.
fn last_wins(vars: &[Var]) -> Vec<&Var> {
    let mut out: Vec<&Var> = Vec::new();
    for v in vars {
        out.retain(|o| o.name != v.name);
        out.push(v);
    }
    out
}

/// Loads a source into the program, remembering it for error locations.
fn load<'p>(
    program: &mut Program<'p>,
    cb: &mut Cb<'p, '_>,
    src: Source,
) -> Result<Thunk<'p>, String> {
    let (ctx, _) = program
        .span_manager_mut()
        .insert_source_context(src.text.len());
    let text = src.text.clone();
    let shown = src.shown.clone();
    cb.sources.insert(ctx, src);
    let loaded = program.load_source(ctx, &text, true, &shown);
    loaded.map_err(|e| report::load_error(program.span_manager(), &cb.sources, &e))
}

/// Evaluates the job; the manifested JSON text, or `file:line:col: message`.
pub(crate) fn evaluate(job: Job, find: &mut Finder<'_>) -> Result<String, String> {
    let arena = Arena::new();
    let mut program = Program::new(&arena);
    program.set_max_stack(job.max_stack);
    let mut cb = Cb {
        sources: Sources::new(),
        find,
        thunks: HashMap::new(),
        texts: HashMap::new(),
        import_failure: None,
    };
    let snippet = |kind: &str, v: &Var, entry: &Source| Source {
        shown: format!("<{kind}:{}>", v.name),
        real: entry.real.clone(),
        text: v.value.clone().into_bytes(),
    };
    for v in last_wins(&job.ext_vars) {
        let thunk = if v.code {
            load(&mut program, &mut cb, snippet("extvar", v, &job.entry))?
        } else {
            program.value_to_thunk(&Value::string(&v.value))
        };
        let name = program.intern_str(&v.name);
        program.add_ext_var(name, &thunk);
    }
    let mut tlas = Vec::new();
    for v in last_wins(&job.tlas) {
        let thunk = if v.code {
            load(
                &mut program,
                &mut cb,
                snippet("top-level-arg", v, &job.entry),
            )?
        } else {
            program.value_to_thunk(&Value::string(&v.value))
        };
        tlas.push((program.intern_str(&v.name), thunk));
    }
    let entry = load(&mut program, &mut cb, job.entry)?;
    let fail = |program: &Program<'_>, cb: &Cb<'_, '_>, e| {
        report::eval_error(
            program.span_manager(),
            &cb.sources,
            &e,
            cb.import_failure.as_ref(),
        )
    };
    let mut value = match program.eval_value(&entry, &mut cb) {
        Ok(v) => v,
        Err(e) => return Err(fail(&program, &cb, e)),
    };
    if value.is_function() {
        value = match program.eval_call(&entry, &[], &tlas, &mut cb) {
            Ok(v) => v,
            Err(e) => return Err(fail(&program, &cb, e)),
        };
    }
    program
        .manifest_json(&value, false)
        .map_err(|e| fail(&program, &cb, e))
}

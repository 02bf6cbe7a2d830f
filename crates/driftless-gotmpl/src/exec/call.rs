//! Function calls: Go's `evalCall` argument checks, the `call` builtin
//! and user functions.

use super::*;
use crate::ast::Arg;
use crate::builtins::{self, Builtin};
use crate::func::{ArgType, FuncCtx, Function};

/// A parameter list seen uniformly for builtins and functions.
pub(super) enum Sig<'s> {
    Builtin((&'static [Param], Option<Param>)),
    Func(&'s crate::func::Signature),
}

pub(super) enum Params<'s> {
    Builtin(&'static [Param]),
    Func(&'s [ArgType]),
}

impl Params<'_> {
    fn len(&self) -> usize {
        match self {
            Params::Builtin(p) => p.len(),
            Params::Func(p) => p.len(),
        }
    }
    fn get(&self, i: usize) -> Param {
        match self {
            Params::Builtin(p) => p[i],
            Params::Func(p) => Param::Go(p[i]),
        }
    }
}

impl<'s> Sig<'s> {
    fn params(&self) -> Params<'s> {
        match self {
            Sig::Builtin((p, _)) => Params::Builtin(p),
            Sig::Func(s) => Params::Func(&s.params),
        }
    }
    fn variadic(&self) -> Option<Param> {
        match self {
            Sig::Builtin((_, v)) => *v,
            Sig::Func(s) => s.variadic.map(Param::Go),
        }
    }
}

pub(super) enum Callee {
    Builtin(Builtin),
    Func(Function),
}

impl<'t> State<'_, 't> {
    pub(super) fn eval_call(
        &mut self,
        dot: &Dot,
        callee: Callee,
        node: At<'t>,
        name: &str,
        args: Option<&'t [Arg]>,
        final_: Option<Value>,
    ) -> R<Value> {
        let args: &'t [Arg] = match args {
            Some(a) if !a.is_empty() => &a[1..],
            _ => &[],
        };
        let sig = match &callee {
            Callee::Builtin(b) => Sig::Builtin(b.signature()),
            Callee::Func(f) => Sig::Func(f.signature()),
        };
        let params = sig.params();
        let variadic = sig.variadic();
        let num_in = args.len() + usize::from(final_.is_some());
        let num_fixed = if variadic.is_some() {
            params.len()
        } else {
            args.len()
        };
        if variadic.is_some() {
            if num_in < num_fixed {
                return self.err(format!(
                    "wrong number of args for {name}: want at least {} got {}",
                    params.len(),
                    args.len()
                ));
            }
        } else if num_in != params.len() {
            return self.err(format!(
                "wrong number of args for {name}: want {} got {num_in}",
                params.len()
            ));
        }

        // and/or short-circuit, returning the deciding operand.
        if let Callee::Builtin(b @ (Builtin::And | Builtin::Or)) = callee {
            let want = b == Builtin::Or;
            let mut v = Value::NoValue;
            for a in args {
                v = self.eval_arg(dot, Param::Reflect, a)?;
                if v.is_true() == want {
                    return Ok(v);
                }
            }
            if let Some(f) = final_ {
                v = f;
            }
            return Ok(v);
        }

        let mut argv: Vec<Value> = Vec::with_capacity(num_in);
        let mut i = 0;
        while i < num_fixed && i < args.len() {
            argv.push(self.eval_arg(dot, params.get(i), &args[i])?);
            i += 1;
        }
        if let Some(vt) = variadic {
            while i < args.len() {
                argv.push(self.eval_arg(dot, vt, &args[i])?);
                i += 1;
            }
        }
        if let Some(f) = final_ {
            let t = match variadic {
                Some(vt) => {
                    if num_in - 1 < num_fixed {
                        params.get(num_in - 1)
                    } else {
                        vt
                    }
                }
                None => params.get(params.len() - 1),
            };
            argv.push(self.validate_type(f, t)?);
        }

        let result = match &callee {
            Callee::Builtin(Builtin::Call) => {
                let callee_name = match args.first() {
                    Some(a) => a.to_string(),
                    None => crate::fmt::to_v(&argv[0]),
                };
                self.call_builtin_call(&callee_name, &argv)
            }
            Callee::Builtin(b) => builtins::call(*b, &argv).map_err(CallErr::Msg),
            Callee::Func(f) => self.call_func(f, name, &argv),
        };
        match result {
            Ok(v) => Ok(v),
            Err(e) => {
                self.at(node);
                let mut err = self.errorf(format!("error calling {name}: {}", e.message()));
                if let CallErr::Nested(_, cause) = e {
                    err.cause = Some(cause);
                }
                Err(err)
            }
        }
    }

    fn call_func(&self, f: &Function, name: &str, argv: &[Value]) -> Result<Value, CallErr> {
        let ctx = FuncCtx {
            set: self.set,
            depth: self.depth,
            func_name: name,
            template_name: &self.tree.name,
        };
        grow(|| f.call(&ctx, argv)).map_err(|e| match e {
            crate::func::FuncError::Template(t) => CallErr::Nested(t.to_string(), t),
            e => CallErr::Msg(e.to_string()),
        })
    }

    /// Go's `call` builtin: `call fn args...`.
    fn call_builtin_call(&self, callee_name: &str, argv: &[Value]) -> Result<Value, CallErr> {
        let (fnv, rest) = argv.split_first().expect("call has a function argument");
        let f = match fnv {
            Value::Nil | Value::NoValue => return Err(CallErr::Msg("call of nil".into())),
            Value::Func(f) => f.clone(),
            other => {
                return Err(CallErr::Msg(format!(
                    "non-function {callee_name} of type {}",
                    other.type_name()
                )));
            }
        };
        let sig = f.signature();
        let num_in = sig.params.len();
        if sig.variadic.is_some() {
            if rest.len() < num_in {
                return Err(CallErr::Msg(format!(
                    "wrong number of args for {callee_name}: got {} want at least {num_in}",
                    rest.len()
                )));
            }
        } else if rest.len() != num_in {
            return Err(CallErr::Msg(format!(
                "wrong number of args for {callee_name}: got {} want {num_in}",
                rest.len()
            )));
        }
        let mut args = Vec::with_capacity(rest.len());
        for (i, a) in rest.iter().enumerate() {
            let t = sig
                .params
                .get(i)
                .copied()
                .or(sig.variadic)
                .unwrap_or(ArgType::Any);
            args.push(prepare_arg(a, t).map_err(|e| CallErr::Msg(format!("arg {i}: {e}")))?);
        }
        self.call_func(&f, callee_name, &args)
    }
}

/// An error from a called function, before the engine wraps it.
enum CallErr {
    Msg(String),
    Nested(String, Box<crate::error::Error>),
}

impl CallErr {
    fn message(&self) -> &str {
        match self {
            CallErr::Msg(m) | CallErr::Nested(m, _) => m,
        }
    }
}

/// Go's `prepareArg` for the `call` builtin.
fn prepare_arg(v: &Value, t: ArgType) -> Result<Value, String> {
    if v.is_nil() {
        return match t {
            ArgType::Any | ArgType::List | ArgType::Map => Ok(Value::Nil),
            _ => Err(format!("value is nil; should be of type {}", t.go_name())),
        };
    }
    let ok = t.accepts(v) || matches!((t, v), (ArgType::Int, Value::Uint(_)));
    if ok {
        if let (ArgType::Int, Value::Uint(u)) = (t, v) {
            return Ok(Value::Int(*u as i64));
        }
        return Ok(v.clone());
    }
    Err(format!(
        "value has type {}; should be {}",
        v.type_name(),
        t.go_name()
    ))
}

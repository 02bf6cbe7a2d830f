//! Evaluation of pipelines, commands, fields, variables and arguments
//! (Go's `evalPipeline`, `evalCommand`, `evalField`, `evalArg`, ...).

use super::call::Callee;
use super::*;
use crate::ast::{Arg, Command, Number, Pipe};
use crate::builtins::Builtin;
use crate::func::ArgType;

impl<'t> State<'_, 't> {
    pub(super) fn eval_pipeline(&mut self, dot: &Dot, pipe: &'t Pipe) -> R<Value> {
        self.at(At::Pipe(pipe));
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.take())?;
            value = Some(unwrap_nil(v));
        }
        let v = value.unwrap_or_default();
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, v.clone(), false)?;
            } else {
                self.vars.push(Var {
                    name,
                    val: v.clone(),
                    iface: false,
                });
            }
        }
        Ok(v)
    }

    pub(super) fn not_a_function(&self, args: &[Arg], final_: &Option<Value>) -> R<()> {
        if args.len() > 1 || final_.is_some() {
            return self.err(format!("can't give argument to non-function {}", args[0]));
        }
        Ok(())
    }

    pub(super) fn eval_command(
        &mut self,
        dot: &Dot,
        cmd: &'t Command,
        final_: Option<Value>,
    ) -> R<Value> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { .. } => return self.eval_field_node(dot, first, &cmd.args, final_),
            Arg::Chain { .. } => return self.eval_chain_node(dot, first, Some(&cmd.args), final_),
            Arg::Ident { pos: _, name } => {
                return self.eval_function(dot, first, name, At::Cmd(cmd), Some(&cmd.args), final_);
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &final_)?;
                return grow(|| self.eval_pipeline(dot, p));
            }
            Arg::Variable { .. } => {
                return self.eval_variable_node(dot, first, Some(&cmd.args), final_);
            }
            _ => {}
        }
        self.at(At::Arg(first));
        self.not_a_function(&cmd.args, &final_)?;
        match first {
            Arg::Bool { val, .. } => Ok(Value::Bool(*val)),
            Arg::Dot { .. } => Ok(dot.v.clone()),
            Arg::Nil { .. } => self.err("nil is not a command".into()),
            Arg::Number { num, .. } => self.ideal_constant(first, num),
            Arg::String { text, .. } => Ok(Value::String(text.clone())),
            _ => self.err(format!(
                "can't evaluate command {}",
                crate::fmt::quote(&first.to_string())
            )),
        }
    }

    pub(super) fn ideal_constant(&mut self, node: &'t Arg, n: &Number) -> R<Value> {
        self.at(At::Arg(node));
        let t = n.text.as_str();
        let is_hex_int = t.len() > 2
            && t.starts_with('0')
            && matches!(t.as_bytes()[1], b'x' | b'X')
            && !t.contains(['p', 'P']);
        let is_rune = t.starts_with('\'');
        if n.is_float && !is_hex_int && !is_rune && t.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Value::Float(n.float));
        }
        if n.is_int {
            return Ok(Value::Int(n.int));
        }
        if n.is_uint {
            return self.err(format!("{t} overflows int"));
        }
        Ok(Value::NoValue)
    }

    pub(super) fn eval_field_node(
        &mut self,
        dot: &Dot,
        field: &'t Arg,
        args: &'t [Arg],
        final_: Option<Value>,
    ) -> R<Value> {
        self.at(At::Arg(field));
        let Arg::Field { idents, .. } = field else {
            unreachable!("field node")
        };
        self.eval_field_chain(
            dot,
            dot.v.clone(),
            dot.iface,
            field,
            idents,
            Some(args),
            final_,
        )
    }

    pub(super) fn eval_chain_node(
        &mut self,
        dot: &Dot,
        chain: &'t Arg,
        args: Option<&'t [Arg]>,
        final_: Option<Value>,
    ) -> R<Value> {
        self.at(At::Arg(chain));
        let Arg::Chain { node, fields, .. } = chain else {
            unreachable!("chain node")
        };
        if let Arg::Nil { .. } = node.as_ref() {
            return self.err(format!("indirection through explicit nil in {chain}"));
        }
        let pipe = self.eval_arg_untyped(dot, node)?;
        self.eval_field_chain(dot, pipe, false, chain, fields, args, final_)
    }

    pub(super) fn eval_variable_node(
        &mut self,
        dot: &Dot,
        var: &'t Arg,
        args: Option<&'t [Arg]>,
        final_: Option<Value>,
    ) -> R<Value> {
        self.at(At::Arg(var));
        let Arg::Variable { idents, .. } = var else {
            unreachable!("variable node")
        };
        let (value, iface) = self.var_value(&idents[0])?;
        if idents.len() == 1 {
            if let Some(a) = args {
                self.not_a_function(a, &final_)?;
            } else if final_.is_some() {
                return self.err(format!("can't give argument to non-function {var}"));
            }
            return Ok(value);
        }
        self.eval_field_chain(dot, value, iface, var, &idents[1..], args, final_)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn eval_field_chain(
        &mut self,
        dot: &Dot,
        mut receiver: Value,
        mut iface: bool,
        node: &'t Arg,
        idents: &[String],
        args: Option<&'t [Arg]>,
        final_: Option<Value>,
    ) -> R<Value> {
        let n = idents.len();
        for ident in &idents[..n - 1] {
            (receiver, iface) = self.eval_field(dot, ident, node, None, None, receiver, iface)?;
        }
        Ok(self
            .eval_field(dot, &idents[n - 1], node, args, final_, receiver, iface)?
            .0)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn eval_field(
        &mut self,
        dot: &Dot,
        name: &str,
        node: &'t Arg,
        args: Option<&'t [Arg]>,
        final_: Option<Value>,
        receiver: Value,
        iface: bool,
    ) -> R<(Value, bool)> {
        let has_args = args.is_some_and(|a| a.len() > 1) || final_.is_some();
        match &receiver {
            Value::NoValue => {
                if self.set.missing_key() == MissingKey::Error {
                    return self.err(format!(
                        "nil data; no entry for key {}",
                        crate::fmt::quote(name)
                    ));
                }
                Ok((Value::NoValue, false))
            }
            Value::Nil => self.err(format!("nil pointer evaluating interface {{}}.{name}")),
            Value::Object(o) => {
                if let Some(m) = o.method(name) {
                    let v =
                        self.eval_call(dot, Callee::Func(m), At::Arg(node), name, args, final_)?;
                    return Ok((v, false));
                }
                if let Some(v) = o.field(name) {
                    if has_args {
                        return self.err(format!(
                            "{name} has arguments but cannot be invoked as function"
                        ));
                    }
                    return Ok((v, false));
                }
                let typ = if iface {
                    "interface {}".to_string()
                } else {
                    o.type_name()
                };
                self.err(format!("can't evaluate field {name} in type {typ}"))
            }
            Value::Map(m) => {
                if has_args {
                    return self.err(format!("{name} is not a method but has arguments"));
                }
                let iface = m.elem_zero().is_none();
                match m.get(name) {
                    Some(v) => Ok((v, iface)),
                    None => match self.set.missing_key() {
                        MissingKey::Default => Ok((Value::NoValue, false)),
                        MissingKey::Zero => match m.elem_zero() {
                            Some(z) => Ok((z.clone(), false)),
                            None => Ok((Value::Nil, true)),
                        },
                        MissingKey::Error => self.err(format!(
                            "map has no entry for key {}",
                            crate::fmt::quote(name)
                        )),
                    },
                }
            }
            other => {
                let typ = if iface {
                    "interface {}".to_string()
                } else {
                    other.type_name()
                };
                self.err(format!("can't evaluate field {name} in type {typ}"))
            }
        }
    }

    pub(super) fn eval_function(
        &mut self,
        dot: &Dot,
        ident: &'t Arg,
        name: &str,
        node: At<'t>,
        args: Option<&'t [Arg]>,
        final_: Option<Value>,
    ) -> R<Value> {
        self.at(At::Arg(ident));
        let callee = if let Some(f) = self.set.funcs().get(name) {
            Callee::Func(f.clone())
        } else if let Some(b) = Builtin::from_name(name) {
            Callee::Builtin(b)
        } else {
            return self.err(format!(
                "{} is not a defined function",
                crate::fmt::quote(name)
            ));
        };
        self.eval_call(dot, callee, node, name, args, final_)
    }

    /// Evaluates a chain's base with no expected type (Go's `evalArg(dot, nil, n)`).
    pub(super) fn eval_arg_untyped(&mut self, dot: &Dot, n: &'t Arg) -> R<Value> {
        self.at(At::Arg(n));
        match n {
            Arg::Pipe(p) => self.eval_pipeline(dot, p),
            Arg::Ident { name, .. } => self.eval_function(dot, n, name, At::Arg(n), None, None),
            _ => self.eval_arg(dot, Param::Go(ArgType::Any), n),
        }
    }

    pub(super) fn eval_arg(&mut self, dot: &Dot, t: Param, n: &'t Arg) -> R<Value> {
        self.at(At::Arg(n));
        match n {
            Arg::Dot { .. } => return self.validate_type(dot.v.clone(), t),
            Arg::Nil { .. } => {
                return match t {
                    Param::Reflect => Ok(Value::NoValue),
                    Param::Go(ArgType::Any | ArgType::List | ArgType::Map) => Ok(Value::Nil),
                    Param::Go(g) => self.err(format!("cannot assign nil to {}", g.go_name())),
                };
            }
            Arg::Field { .. } => {
                let v = self.eval_field_node(dot, n, std::slice::from_ref(n), None)?;
                return self.validate_type(v, t);
            }
            Arg::Variable { .. } => {
                let v = self.eval_variable_node(dot, n, None, None)?;
                return self.validate_type(v, t);
            }
            Arg::Pipe(p) => {
                let v = grow(|| self.eval_pipeline(dot, p))?;
                return self.validate_type(v, t);
            }
            Arg::Ident { name, .. } => {
                let v = self.eval_function(dot, n, name, At::Arg(n), None, None)?;
                return self.validate_type(v, t);
            }
            Arg::Chain { .. } => {
                let v = self.eval_chain_node(dot, n, None, None)?;
                return self.validate_type(v, t);
            }
            _ => {}
        }
        match t {
            Param::Reflect | Param::Go(ArgType::Any) => self.eval_empty_interface(n),
            Param::Go(ArgType::Bool) => match n {
                Arg::Bool { val, .. } => Ok(Value::Bool(*val)),
                _ => self.err(format!("expected bool; found {n}")),
            },
            Param::Go(ArgType::String) => match n {
                Arg::String { text, .. } => Ok(Value::String(text.clone())),
                _ => self.err(format!("expected string; found {n}")),
            },
            Param::Go(ArgType::Int) => match n {
                Arg::Number { num, .. } if num.is_int => Ok(Value::Int(num.int)),
                _ => self.err(format!("expected integer; found {n}")),
            },
            Param::Go(ArgType::Float) => match n {
                Arg::Number { num, .. } if num.is_float => Ok(Value::Float(num.float)),
                _ => self.err(format!("expected float; found {n}")),
            },
            Param::Go(g @ (ArgType::List | ArgType::Map | ArgType::Named(_))) => {
                self.err(format!("can't handle {n} for arg of type {}", g.go_name()))
            }
        }
    }

    pub(super) fn eval_empty_interface(&mut self, n: &'t Arg) -> R<Value> {
        self.at(At::Arg(n));
        match n {
            Arg::Bool { val, .. } => Ok(Value::Bool(*val)),
            Arg::Number { num, .. } => self.ideal_constant(n, num),
            Arg::String { text, .. } => Ok(Value::String(text.clone())),
            _ => self.err(format!(
                "can't handle assignment of {n} to empty interface argument"
            )),
        }
    }

    pub(super) fn validate_type(&self, v: Value, t: Param) -> R<Value> {
        let g = match t {
            Param::Reflect => return Ok(v),
            Param::Go(g) => g,
        };
        if let Value::NoValue = v {
            return match g {
                ArgType::Any | ArgType::List | ArgType::Map => Ok(Value::Nil),
                _ => self.err(format!("invalid value; expected {}", g.go_name())),
            };
        }
        let ok = g.accepts(&v);
        if ok {
            return Ok(v);
        }
        let got = if let Value::Nil = v {
            "interface {}".to_string()
        } else {
            v.type_name()
        };
        self.err(format!(
            "wrong type for value; expected {}; got {got}",
            g.go_name()
        ))
    }
}

//! The executor, following Go's `text/template/exec.go`: the same
//! evaluation order, nil handling, error nodes and messages.

use crate::ast::{Arg, Branch, Command, List, Node, Number, Pipe, Tree};
use crate::builtins::{self, Builtin};
use crate::error::{ExecError, Location};
use crate::func::{ArgType, FuncCtx, Function};
use crate::template::{MissingKey, TemplateSet};
use crate::value::Value;

/// Go's `maxExecDepth`.
pub(crate) const MAX_EXEC_DEPTH: usize = 100_000;

type R<T> = Result<T, ExecError>;

/// Executes `tree` with `data` as dot and `$`.
pub(crate) fn execute(
    set: &TemplateSet,
    tree: &Tree,
    data: &Value,
    out: &mut String,
    depth: usize,
) -> R<()> {
    let data = unwrap_nil(data.clone());
    let mut st = State {
        set,
        tree,
        out,
        vars: vec![Var {
            name: "$",
            val: data.clone(),
            iface: false,
        }],
        depth,
        node: At::None,
    };
    let dot = Dot {
        v: data,
        iface: false,
    };
    grow(|| st.walk_list(&dot, &tree.root)).map(|_| ())
}

/// Runs `f` with enough stack for deep template recursion.
fn grow<T>(f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(128 * 1024, 2 * 1024 * 1024, f)
}

/// A nil interface becomes "no value" (Go's `reflect.ValueOf(nil)`).
fn unwrap_nil(v: Value) -> Value {
    if let Value::Nil = v {
        Value::NoValue
    } else {
        v
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

/// The node an error is reported at (Go's `s.node`).
#[derive(Clone, Copy)]
enum At<'t> {
    None,
    Node(&'t Node),
    Pipe(&'t Pipe),
    Cmd(&'t Command),
    Arg(&'t Arg),
}

/// Dot, remembering whether it came out of an `interface{}` container
/// (only matters for Go's type names in error messages).
struct Dot {
    v: Value,
    iface: bool,
}

struct Var<'t> {
    name: &'t str,
    val: Value,
    iface: bool,
}

/// A parameter type: a Go type, or `reflect.Value` (builtins see values
/// unconverted, including "no value").
#[derive(Clone, Copy)]
pub(crate) enum Param {
    Go(ArgType),
    Reflect,
}

/// A parameter list seen uniformly for builtins and functions.
enum Sig<'s> {
    Builtin((&'static [Param], Option<Param>)),
    Func(&'s crate::func::Signature),
}

enum Params<'s> {
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

enum Callee {
    Builtin(Builtin),
    Func(Function),
}

struct State<'a, 't> {
    set: &'a TemplateSet,
    tree: &'t Tree,
    out: &'a mut String,
    vars: Vec<Var<'t>>,
    depth: usize,
    node: At<'t>,
}

impl<'a, 't> State<'a, 't> {
    fn at(&mut self, n: At<'t>) {
        self.node = n;
    }

    fn errorf(&self, message: String) -> ExecError {
        let pos_ctx = match self.node {
            At::None => None,
            At::Node(n) => Some((crate::parser::node_pos(n), n.to_string())),
            At::Pipe(p) => Some((p.pos, p.to_string())),
            At::Cmd(c) => Some((c.pos, c.to_string())),
            At::Arg(a) => Some((a.pos(), a.to_string())),
        };
        let location = pos_ctx.map(|(pos, context)| {
            let (line, col) = self.tree.source.line_col(pos);
            Location {
                parse_name: self.tree.source.name.clone(),
                line,
                col,
                context,
            }
        });
        ExecError {
            template: self.tree.name.clone(),
            location,
            message,
            cause: None,
        }
    }

    fn err<T>(&self, message: String) -> R<T> {
        Err(self.errorf(message))
    }

    // ---- walking ----

    fn walk_list(&mut self, dot: &Dot, list: &'t List) -> R<Flow> {
        for n in &list.nodes {
            let f = self.walk(dot, n)?;
            if f != Flow::Normal {
                return Ok(f);
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Dot, node: &'t Node) -> R<Flow> {
        self.at(At::Node(node));
        match node {
            Node::Text { text } => self.out.push_str(text),
            Node::Action { pipe, .. } => {
                let val = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.print_value(node, &val)?;
                }
            }
            Node::If(b) => return grow(|| self.walk_if_with(false, dot, b)),
            Node::With(b) => return grow(|| self.walk_if_with(true, dot, b)),
            Node::Range(b) => return grow(|| self.walk_range(dot, node, b)),
            Node::Template { name, pipe, .. } => {
                self.walk_template(dot, node, name, pipe.as_ref())?
            }
            Node::Break { .. } => return Ok(Flow::Break),
            Node::Continue { .. } => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn walk_if_with(&mut self, with: bool, dot: &Dot, b: &'t Branch) -> R<Flow> {
        let mark = self.vars.len();
        let r = (|| {
            let val = self.eval_pipeline(dot, &b.pipe)?;
            if val.is_true() {
                if with {
                    let d = Dot {
                        v: val,
                        iface: false,
                    };
                    self.walk_list(&d, &b.list)
                } else {
                    self.walk_list(dot, &b.list)
                }
            } else if let Some(e) = &b.else_list {
                self.walk_list(dot, e)
            } else {
                Ok(Flow::Normal)
            }
        })();
        self.vars.truncate(mark);
        r
    }

    fn walk_range(&mut self, dot: &Dot, node: &'t Node, r: &'t Branch) -> R<Flow> {
        self.at(At::Node(node));
        let mark = self.vars.len();
        let res = self.walk_range_inner(dot, r);
        self.vars.truncate(mark);
        res.map(|_| Flow::Normal)
    }

    fn walk_range_inner(&mut self, dot: &Dot, r: &'t Branch) -> R<()> {
        let val = self.eval_pipeline(dot, &r.pipe)?;
        let mark = self.vars.len();
        let mut ran = false;
        match &val {
            Value::List(l) if !l.is_empty() => {
                for (i, e) in l.iter().enumerate() {
                    if self.one_iteration(r, mark, Value::from(i), e.clone(), true)? == Flow::Break
                    {
                        break;
                    }
                }
                ran = true;
            }
            Value::Bytes(b) if !b.is_empty() => {
                for (i, e) in b.iter().enumerate() {
                    let e = Value::Uint(u64::from(*e));
                    if self.one_iteration(r, mark, Value::from(i), e, false)? == Flow::Break {
                        break;
                    }
                }
                ran = true;
            }
            Value::Map(m) if !m.is_empty() => {
                for (k, v) in m.entries() {
                    if self.one_iteration(r, mark, Value::from(k), v, true)? == Flow::Break {
                        break;
                    }
                }
                ran = true;
            }
            Value::Int(_) | Value::Uint(_) => {
                if r.pipe.decl.len() > 1 {
                    return self.err(format!(
                        "can't use {} to iterate over more than one variable",
                        crate::fmt::to_v(&val)
                    ));
                }
                let n: u64 = match val {
                    Value::Int(i) => i.max(0) as u64,
                    Value::Uint(u) => u,
                    _ => 0,
                };
                for i in 0..n {
                    let e = match val {
                        Value::Uint(_) => Value::Uint(i),
                        _ => Value::Int(i as i64),
                    };
                    ran = true;
                    if self.one_iteration(r, mark, Value::NoValue, e, false)? == Flow::Break {
                        break;
                    }
                }
            }
            Value::List(_) | Value::Bytes(_) | Value::Map(_) | Value::NoValue | Value::Nil => {}
            _ => {
                return self.err(format!(
                    "range can't iterate over {}",
                    crate::fmt::to_v(&val)
                ));
            }
        }
        if !ran && let Some(e) = &r.else_list {
            self.walk_list(dot, e)?;
        }
        Ok(())
    }

    fn one_iteration(
        &mut self,
        r: &'t Branch,
        mark: usize,
        index: Value,
        elem: Value,
        iface: bool,
    ) -> R<Flow> {
        let decl = &r.pipe.decl;
        if !decl.is_empty() {
            if r.pipe.is_assign {
                if decl.len() > 1 {
                    self.set_var(&decl[0], index.clone(), false)?;
                } else {
                    self.set_var(&decl[0], elem.clone(), iface)?;
                }
            } else {
                let n = self.vars.len();
                self.vars[n - 1].val = elem.clone();
                self.vars[n - 1].iface = iface;
            }
        }
        if decl.len() > 1 {
            if r.pipe.is_assign {
                self.set_var(&decl[1], elem.clone(), iface)?;
            } else {
                let n = self.vars.len();
                self.vars[n - 2].val = index;
                self.vars[n - 2].iface = false;
            }
        }
        let d = Dot { v: elem, iface };
        let f = self.walk_list(&d, &r.list);
        self.vars.truncate(mark);
        f
    }

    fn walk_template(
        &mut self,
        dot: &Dot,
        node: &'t Node,
        name: &str,
        pipe: Option<&'t Pipe>,
    ) -> R<()> {
        self.at(At::Node(node));
        let Some(tree) = self.set.lookup(name) else {
            return self.err(format!("template {} not defined", crate::fmt::quote(name)));
        };
        if self.depth >= MAX_EXEC_DEPTH {
            return self.err(format!(
                "exceeded maximum template depth ({MAX_EXEC_DEPTH})"
            ));
        }
        let new_dot = match pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Value::NoValue,
        };
        let mut st = State {
            set: self.set,
            tree: &tree,
            out: &mut *self.out,
            vars: vec![Var {
                name: "$",
                val: new_dot.clone(),
                iface: false,
            }],
            depth: self.depth + 1,
            node: At::None,
        };
        let d = Dot {
            v: new_dot,
            iface: false,
        };
        grow(|| st.walk_list(&d, &tree.root)).map(|_| ())
    }

    fn print_value(&mut self, node: &'t Node, v: &Value) -> R<()> {
        self.at(At::Node(node));
        match v {
            Value::Func(_) => self.err(format!("can't print {} of type {}", node, v.type_name())),
            _ => {
                let _ = crate::fmt::write_v(self.out, v, false);
                Ok(())
            }
        }
    }

    // ---- variables ----

    fn set_var(&mut self, name: &str, val: Value, iface: bool) -> R<()> {
        for v in self.vars.iter_mut().rev() {
            if v.name == name {
                v.val = val;
                v.iface = iface;
                return Ok(());
            }
        }
        self.err(format!("undefined variable: {name}"))
    }

    fn var_value(&self, name: &str) -> R<(Value, bool)> {
        for v in self.vars.iter().rev() {
            if v.name == name {
                return Ok((v.val.clone(), v.iface));
            }
        }
        self.err(format!("undefined variable: {name}"))
    }

    // ---- evaluation ----

    fn eval_pipeline(&mut self, dot: &Dot, pipe: &'t Pipe) -> R<Value> {
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

    fn not_a_function(&self, args: &[Arg], final_: &Option<Value>) -> R<()> {
        if args.len() > 1 || final_.is_some() {
            return self.err(format!("can't give argument to non-function {}", args[0]));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Dot, cmd: &'t Command, final_: Option<Value>) -> R<Value> {
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

    fn ideal_constant(&mut self, node: &'t Arg, n: &Number) -> R<Value> {
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

    fn eval_field_node(
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

    fn eval_chain_node(
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

    fn eval_variable_node(
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
    fn eval_field_chain(
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
    fn eval_field(
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
                match m.get(name) {
                    Some(v) => Ok((v, true)),
                    None => match self.set.missing_key() {
                        MissingKey::Default => Ok((Value::NoValue, false)),
                        MissingKey::Zero => Ok((Value::Nil, true)),
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

    fn eval_function(
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

    fn eval_call(
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

    /// Evaluates a chain's base with no expected type (Go's `evalArg(dot, nil, n)`).
    fn eval_arg_untyped(&mut self, dot: &Dot, n: &'t Arg) -> R<Value> {
        self.at(At::Arg(n));
        match n {
            Arg::Pipe(p) => self.eval_pipeline(dot, p),
            Arg::Ident { name, .. } => self.eval_function(dot, n, name, At::Arg(n), None, None),
            _ => self.eval_arg(dot, Param::Go(ArgType::Any), n),
        }
    }

    fn eval_arg(&mut self, dot: &Dot, t: Param, n: &'t Arg) -> R<Value> {
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
            Param::Go(g @ (ArgType::List | ArgType::Map)) => {
                self.err(format!("can't handle {n} for arg of type {}", g.go_name()))
            }
        }
    }

    fn eval_empty_interface(&mut self, n: &'t Arg) -> R<Value> {
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

    fn validate_type(&self, v: Value, t: Param) -> R<Value> {
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
        let ok = match g {
            ArgType::Any => true,
            ArgType::String => matches!(v, Value::String(_)),
            ArgType::Int => matches!(v, Value::Int(_)),
            ArgType::Float => matches!(v, Value::Float(_)),
            ArgType::Bool => matches!(v, Value::Bool(_)),
            ArgType::List => matches!(v, Value::List(_)),
            ArgType::Map => matches!(v, Value::Map(_)),
        };
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
    let ok = match t {
        ArgType::Any => true,
        ArgType::String => matches!(v, Value::String(_)),
        ArgType::Int => matches!(v, Value::Int(_) | Value::Uint(_)),
        ArgType::Float => matches!(v, Value::Float(_)),
        ArgType::Bool => matches!(v, Value::Bool(_)),
        ArgType::List => matches!(v, Value::List(_)),
        ArgType::Map => matches!(v, Value::Map(_)),
    };
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

//! The executor, following Go's `text/template/exec.go`: the same
//! evaluation order, nil handling, error nodes and messages.

use crate::ast::{Arg, Branch, Command, List, Node, Pipe, Tree};
use crate::error::{ExecError, Location};
use crate::func::ArgType;
use crate::template::{MissingKey, TemplateSet};
use crate::value::Value;

mod call;
mod eval;

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
        // A Go map or slice type with methods (Helm's `.Files`) ranges over its data.
        let val = match val {
            Value::Object(o) => o.to_value().unwrap_or(Value::Object(o)),
            v => v,
        };
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
            Value::Int(_) | Value::Int64(_) | Value::Uint(_) => {
                if r.pipe.decl.len() > 1 {
                    return self.err(format!(
                        "can't use {} to iterate over more than one variable",
                        crate::fmt::to_v(&val)
                    ));
                }
                let n: u64 = match val {
                    Value::Int(i) | Value::Int64(i) => i.max(0) as u64,
                    Value::Uint(u) => u,
                    _ => 0,
                };
                for i in 0..n {
                    let e = match val {
                        Value::Uint(_) => Value::Uint(i),
                        Value::Int64(_) => Value::Int64(i as i64),
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
                let _ = crate::fmt::write_v(self.out, v, 0);
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
}

//! Parse and execution errors, formatted exactly as Go's text/template.

use std::fmt;

/// Any error of the engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The template text does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Execution failed.
    #[error(transparent)]
    Exec(#[from] ExecError),
}

/// A syntax error: `template: NAME:LINE: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Name of the template (file) being parsed.
    pub name: String,
    /// 1-based line of the offending token.
    pub line: usize,
    /// Go's message, e.g. `unexpected "}" in operand`.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "template: {}:{}: {}", self.name, self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Where an execution error happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Name of the template text the node was parsed from (Go's
    /// `ParseName`, e.g. the file holding a `define`).
    pub parse_name: String,
    /// 1-based line.
    pub line: usize,
    /// Byte column, 0-based as Go reports it.
    pub col: usize,
    /// The failing node printed as Go prints it (`.Values.x`,
    /// `include "a" .`).
    pub context: String,
}

/// An execution error: `template: FILE:LINE:COL: executing "NAME" at
/// <EXPR>: MESSAGE` (or `template: NAME: MESSAGE` without a node).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecError {
    /// Name of the template being executed (Go's `s.tmpl.Name()`).
    pub template: String,
    /// Where, if the error is tied to a node.
    pub location: Option<Location>,
    /// The message, e.g. `error calling fail: boom` or
    /// `map has no entry for key "x"`.
    pub message: String,
    /// For `error calling F: ...` where `F` failed executing a nested
    /// template (Helm's `include`/`tpl`): that error, structured. Its text
    /// is already part of `message`.
    pub cause: Option<Box<Error>>,
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(l) => write!(
                f,
                "template: {}:{}:{}: executing {:?} at <{}>: {}",
                l.parse_name,
                l.line,
                l.col,
                GoQuoted(&self.template),
                l.context,
                self.message
            ),
            None if self.template.is_empty() => write!(f, "template: {}", self.message),
            None => write!(f, "template: {}: {}", self.template, self.message),
        }
    }
}

impl std::error::Error for ExecError {}

/// Debug-formats a string as Go's `%q` does.
pub(crate) struct GoQuoted<'a>(pub &'a str);

impl fmt::Debug for GoQuoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::fmt::quote(self.0))
    }
}

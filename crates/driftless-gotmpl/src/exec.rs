//! The executor (being implemented).

use crate::ast::Tree;
use crate::error::ExecError;
use crate::template::TemplateSet;
use crate::value::Value;

pub(crate) fn execute(
    _set: &TemplateSet,
    tree: &Tree,
    _data: &Value,
    _out: &mut String,
    _depth: usize,
) -> Result<(), ExecError> {
    Err(ExecError {
        template: tree.name.clone(),
        location: None,
        message: "execution not implemented yet".into(),
    })
}

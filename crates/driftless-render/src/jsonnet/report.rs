//! Jsonnet errors as `file:line:column: message`, from rsjsonnet's error values.

use rsjsonnet_lang::program::{EvalError, EvalErrorKind, EvalStackTraceItem, LoadError};
use rsjsonnet_lang::span::{SpanContextId, SpanId, SpanManager};
use std::collections::HashMap;

/// A source loaded into the evaluator: where it came from and its text.
pub(crate) struct Source {
    /// The path shown in messages (repository-relative).
    pub shown: String,
    /// The real repository path (after symlinks), for relative imports.
    pub real: String,
    /// The text, for line and column numbers.
    pub text: Vec<u8>,
}

/// The sources of one evaluation, by span context.
pub(crate) type Sources = HashMap<SpanContextId, Source>;

/// `file:line:col` of a span, when it is in one of `sources` (not the stdlib).
pub(crate) fn locate(spans: &SpanManager, sources: &Sources, span: SpanId) -> Option<String> {
    let (ctx, start, _) = spans.get_span(span);
    let src = sources.get(&ctx)?;
    let before = &src.text[..start.min(src.text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    Some(format!("{}:{line}:{column}", src.shown))
}

fn trace_span(item: &EvalStackTraceItem) -> Option<SpanId> {
    match item {
        EvalStackTraceItem::Expr { span }
        | EvalStackTraceItem::Variable { span, .. }
        | EvalStackTraceItem::Import { span } => Some(*span),
        EvalStackTraceItem::Call { span, .. }
        | EvalStackTraceItem::ArrayItem { span, .. }
        | EvalStackTraceItem::ObjectField { span, .. } => *span,
        _ => None,
    }
}

/// The text a span covers, when it is in one of `sources`.
fn span_text(spans: &SpanManager, sources: &Sources, span: SpanId) -> Option<String> {
    let (ctx, start, end) = spans.get_span(span);
    let text = &sources.get(&ctx)?.text;
    let piece = text.get(start..end.min(text.len()))?;
    Some(String::from_utf8_lossy(piece).into_owned())
}

/// Jsonnet's spelling of an operator.
fn op_symbol(op: rsjsonnet_lang::ast::BinaryOp) -> &'static str {
    use rsjsonnet_lang::ast::BinaryOp as B;
    match op {
        B::Add => "+",
        B::Sub => "-",
        B::Mul => "*",
        B::Div => "/",
        B::Rem => "%",
        B::Shl => "<<",
        B::Shr => ">>",
        B::Lt => "<",
        B::Le => "<=",
        B::Gt => ">",
        B::Ge => ">=",
        B::Eq => "==",
        B::Ne => "!=",
        B::In => "in",
        B::BitwiseAnd => "&",
        B::BitwiseOr => "|",
        B::BitwiseXor => "^",
        B::LogicAnd => "&&",
        B::LogicOr => "||",
    }
}

/// The message and own span of an evaluation error.
fn eval_message(kind: &EvalErrorKind) -> (String, Option<SpanId>) {
    use EvalErrorKind as K;
    let t = |t: &rsjsonnet_lang::program::EvalErrorValueType| format!("{t:?}").to_lowercase();
    match kind {
        K::StackOverflow => ("max stack frames exceeded".into(), None),
        K::InfiniteRecursion => ("infinite recursion".into(), None),
        K::ExplicitError { span, message } => (message.clone(), Some(*span)),
        K::AssertFailed { span, message } => (
            message
                .clone()
                .unwrap_or_else(|| "assertion failed".to_string()),
            Some(*span),
        ),
        K::AssertEqualFailed { lhs, rhs } => (format!("assertion failed: {lhs} != {rhs}"), None),
        K::UnknownObjectField { span, field_name } => {
            (format!("field does not exist: {field_name}"), Some(*span))
        }
        K::ImportFailed { span, path } => (format!("couldn't import {path:?}"), Some(*span)),
        K::UnknownExtVar { name } => (format!("undefined external variable: {name}"), None),
        K::CallParamNotBound { span, param_name } => (
            format!("function parameter {param_name} not bound in call"),
            *span,
        ),
        K::UnknownCallParam { span, param_name } => {
            (format!("function has no parameter {param_name}"), *span)
        }
        K::InvalidBinaryOpTypes {
            span,
            op,
            lhs_type,
            rhs_type,
        } => (
            format!(
                "binary operator {} does not operate on {} and {}",
                op_symbol(*op),
                t(lhs_type),
                t(rhs_type)
            ),
            *span,
        ),
        K::InvalidIndexedType { span, got_type } => (
            format!("cannot index a value of type {}", t(got_type)),
            Some(*span),
        ),
        K::CondIsNotBool { span, got_type } => (
            format!("condition must be boolean, got {}", t(got_type)),
            Some(*span),
        ),
        K::CalleeIsNotFunction { span, got_type } => (
            format!("only functions can be called, got {}", t(got_type)),
            *span,
        ),
        K::ManifestFunction => ("couldn't manifest function as JSON".into(), None),
        K::DivByZero { span } => ("division by zero".into(), *span),
        K::InvalidStdFuncArgType {
            func_name,
            arg_index,
            got_type,
            ..
        } => (
            format!(
                "std.{func_name}: argument {} has the wrong type {}",
                arg_index + 1,
                t(got_type)
            ),
            None,
        ),
        K::Other { span, message } => (message.clone(), *span),
        other => (without_spans(&format!("{other:?}")), None),
    }
}

/// A `Debug` rendering with `span: SpanId(..)` fields dropped, as a last resort.
fn without_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find("span: ") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail.find([',', '}']).unwrap_or(tail.len());
        rest = tail[end..].trim_start_matches(',').trim_start();
    }
    out.push_str(rest);
    out
}

/// Why the last import failed: a message, or a located error in the imported file.
pub(crate) enum ImportFailure {
    /// Not found, refused, unreadable.
    Plain(String),
    /// The imported file does not parse: `file:line:col: message` there.
    Located(String),
}

/// `file:line:col: message` for an evaluation error. `import_failure` is the
/// reason the last failed import gave, when the error is an import failure.
pub(crate) fn eval_error(
    spans: &SpanManager,
    sources: &Sources,
    err: &EvalError,
    import_failure: Option<&ImportFailure>,
) -> String {
    let (mut message, own) = eval_message(&err.kind);
    let mut located = None;
    if let (EvalErrorKind::ImportFailed { .. }, Some(why)) = (&err.kind, import_failure) {
        match why {
            ImportFailure::Plain(m) => message = m.clone(),
            ImportFailure::Located(m) => located = Some(m.clone()),
        }
    }
    let at = own
        .and_then(|s| locate(spans, sources, s))
        .or_else(|| {
            err.stack_trace
                .iter()
                .rev()
                .filter_map(trace_span)
                .find_map(|s| locate(spans, sources, s))
        })
        .unwrap_or_else(|| "<jsonnet>".into());
    match located {
        Some(inner) => format!("{inner} (imported at {at})"),
        None => format!("{at}: {message}"),
    }
}

/// `file:line:col: message` for a lexing, parsing or analysis error.
pub(crate) fn load_error(spans: &SpanManager, sources: &Sources, err: &LoadError) -> String {
    use rsjsonnet_lang::lexer::LexError as L;
    use rsjsonnet_lang::program::AnalyzeError as A;
    let (span, message) = match err {
        LoadError::Lex(e) => {
            let span = match e {
                L::InvalidChar { span, .. }
                | L::InvalidUtf8 { span, .. }
                | L::UnfinishedMultilineComment { span }
                | L::LeadingZeroInNumber { span }
                | L::MissingFracDigits { span }
                | L::MissingExpDigits { span }
                | L::MissingDigitAfterUnderscore { span }
                | L::ExpOverflow { span }
                | L::InvalidEscapeInString { span, .. }
                | L::IncompleteUnicodeEscape { span }
                | L::InvalidUtf16EscapeSequence { span, .. }
                | L::UnfinishedString { span }
                | L::MissingLineBreakAfterTextBlockStart { span }
                | L::MissingWhitespaceTextBlockStart { span }
                | L::InvalidTextBlockTermination { span } => *span,
            };
            (span, without_spans(&format!("{e:?}")))
        }
        LoadError::Parse(rsjsonnet_lang::parser::ParseError::Expected {
            span, instead, ..
        }) => {
            let what = match instead {
                rsjsonnet_lang::parser::ActualToken::EndOfFile => "end of file".to_string(),
                _ => format!("{:?}", span_text(spans, sources, *span).unwrap_or_default()),
            };
            (*span, format!("unexpected: {what}"))
        }
        LoadError::Analyze(e) => match e {
            A::UnknownVariable { span, name } => (*span, format!("unknown variable: {name}")),
            A::SelfOutsideObject { self_span: span } => {
                (*span, "can't use self outside of an object".into())
            }
            A::SuperOutsideObject { super_span: span } => {
                (*span, "can't use super outside of an object".into())
            }
            A::DollarOutsideObject { dollar_span: span } => (
                *span,
                "no top-level object found ($ outside an object)".into(),
            ),
            A::RepeatedLocalName {
                repeated_span: span,
                name,
                ..
            } => (*span, format!("duplicate local var: {name}")),
            A::RepeatedFieldName {
                repeated_span: span,
                name,
                ..
            } => (*span, format!("duplicate field: {name}")),
            A::RepeatedParamName {
                repeated_span: span,
                name,
                ..
            } => (*span, format!("duplicate parameter: {name}")),
            A::PositionalArgAfterNamed { arg_span: span } => {
                (*span, "positional argument after a named argument".into())
            }
            A::TextBlockAsImportPath { span } => {
                (*span, "block string literals not allowed in imports".into())
            }
            A::ComputedImportPath { span } => (*span, "computed imports are not allowed".into()),
        },
    };
    let at = locate(spans, sources, span).unwrap_or_else(|| "<jsonnet>".into());
    format!("{at}: {message}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_without_spans() {
        assert_eq!(
            super::without_spans("NumberNan { span: Some(SpanId(3)) }"),
            "NumberNan { }"
        );
        assert_eq!(
            super::without_spans("X { span: SpanId(1), got_type: Null }"),
            "X { got_type: Null }"
        );
    }
}

//! Checks of the generated Applications that Argo CD makes before writing
//! them: here, unique names (project and destination checks need the cluster
//! and belong to the caller).

use std::collections::HashSet;

use serde_json::Value;

/// A generated Application that must not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// Index in the generated list.
    pub index: usize,
    /// The Application's name.
    pub name: String,
    /// Argo CD's message.
    pub message: String,
}

/// Argo CD's duplicate-name check: every Application after the first of a
/// name is an error `ApplicationSet <set> contains applications with
/// duplicate name: <name>`; an empty name is an error too.
///
/// ```
/// use serde_json::json;
/// let apps = vec![json!({"metadata": {"name": "a"}}), json!({"metadata": {"name": "a"}})];
/// let errs = driftless_appset::validate("guestbook", &apps);
/// assert_eq!(errs[0].index, 1);
/// assert_eq!(errs[0].message, "ApplicationSet guestbook contains applications with duplicate name: a");
/// ```
pub fn validate(set_name: &str, apps: &[Value]) -> Vec<ValidationError> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (index, app) in apps.iter().enumerate() {
        let name = app
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let message = if !seen.insert(name.clone()) {
            format!("ApplicationSet {set_name} contains applications with duplicate name: {name}")
        } else if name.is_empty() {
            format!("ApplicationSet {set_name} generated an application without a name")
        } else {
            continue;
        };
        out.push(ValidationError {
            index,
            name,
            message,
        });
    }
    out
}

/// The message Argo CD puts in the `ErrorOccurred` condition for validation
/// errors: the last one, with `(and N more)` when there are several.
pub fn validation_message(errors: &[ValidationError]) -> Option<String> {
    let last = errors.last()?;
    Some(if errors.len() > 1 {
        format!("{} (and {} more)", last.message, errors.len() - 1)
    } else {
        last.message.clone()
    })
}

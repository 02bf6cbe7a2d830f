//! Go's `fmt.Sprintf` verbs.

use crate::value::Value;

/// Go's `fmt.Sprintf(format, args...)` over template values.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let _ = args;
    format.to_string()
}

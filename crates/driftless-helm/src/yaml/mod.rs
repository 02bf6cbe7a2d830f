//! Helm-compatible YAML: the emitter behind `toYaml` and the YAML 1.1
//! reader behind `fromYaml` (and values files).
//!
//! Helm goes through `sigs.k8s.io/yaml`, which converts between YAML and
//! JSON with go-yaml v2. The consequences reproduced here:
//! - output keys are sorted in go-yaml's natural order (`a2` before `a10`);
//! - strings that would read back as another type are quoted (`"yes"`,
//!   `"1.0"`, `"2001-12-14"`, `""`), multi-line strings use literal blocks
//!   (`|`, `|-`, `|+`, `|2-`), long lines are folded at 80 columns;
//! - numbers print as after a JSON round trip (`1e+06` → `1000000`,
//!   `0.000001` → `1e-06`);
//! - reading uses YAML 1.1 scalars (`yes`/`on` are booleans, `0777` octal).
//!
//! ```
//! use serde_json::json;
//! assert_eq!(driftless_helm::yaml::to_yaml(&json!({"port": 80, "on": "on"})).unwrap(),
//!            "\"on\": \"on\"\nport: 80");
//! ```

pub mod parse;

// The emitter is shared with the CLI's YAML output.
pub use driftless_core::yaml::{emit, gofloat, resolve, sort};

pub use emit::{UnsupportedValue, to_yaml_document};
pub use parse::{YamlError, duplicate_keys, from_yaml};

/// Why Helm's `toYaml` gives up on a value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ToYamlError {
    /// A number JSON cannot hold (NaN, infinities).
    #[error(transparent)]
    Unsupported(#[from] UnsupportedValue),
    /// A string with a character go-yaml's reader refuses (DEL, C1
    /// controls other than NEL, U+FFFE, U+FFFF), which `encoding/json`
    /// leaves raw on Helm's way from JSON to YAML.
    #[error("yaml: control characters are not allowed")]
    ControlCharacter,
}

/// Helm's `toYaml`: the document without its final newline. Fails where
/// Helm's does, so that `toYaml` gives `""` and `mustToYaml` an error: on
/// values JSON cannot hold (NaN, infinities) and on strings go-yaml's
/// reader refuses.
pub fn to_yaml(v: &serde_json::Value) -> Result<String, ToYamlError> {
    check_finite(v)?;
    if has_control_character(v) {
        return Err(ToYamlError::ControlCharacter);
    }
    let mut s = to_yaml_document(v);
    if s.ends_with('\n') {
        s.pop();
    }
    Ok(s)
}

fn refused_by_reader(c: char) -> bool {
    matches!(c, '\u{7f}' | '\u{fffe}' | '\u{ffff}')
        || (('\u{80}'..='\u{9f}').contains(&c) && c != '\u{85}')
}

fn has_control_character(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.chars().any(refused_by_reader),
        serde_json::Value::Array(a) => a.iter().any(has_control_character),
        serde_json::Value::Object(o) => o
            .iter()
            .any(|(k, v)| k.chars().any(refused_by_reader) || has_control_character(v)),
        _ => false,
    }
}

fn check_finite(v: &serde_json::Value) -> Result<(), UnsupportedValue> {
    match v {
        serde_json::Value::Number(n) => emit::number_text(n).map(|_| ()),
        serde_json::Value::Array(a) => a.iter().try_for_each(check_finite),
        serde_json::Value::Object(o) => o.values().try_for_each(check_finite),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;

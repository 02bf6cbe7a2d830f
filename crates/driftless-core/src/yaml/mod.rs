//! YAML output that Kubernetes tools read back unchanged.
//!
//! kubectl, Helm and the API server read YAML through `sigs.k8s.io/yaml`,
//! that is go-yaml v2 with YAML 1.1 scalar rules: `on`, `yes`, `y`, `off`,
//! `no`, `n` are booleans, `~` and `null` are null, `0777` is octal,
//! `1:20` is sexagesimal, `2001-12-14` a timestamp, `=` the value key and
//! `<<` the merge key. A YAML 1.2 emitter writes such strings plain, and a
//! ConfigMap value `"on"` comes back as `true`. This module makes go-yaml
//! v2's own emitter decisions (as Helm's `toYaml`, [`to_yaml_document`]),
//! plus quoting of `<<` and `=` in [`to_string`]: every string that
//! would read back as something else is quoted, keys are sorted in go-yaml's
//! natural order (`a2` before `a10`), multi-line strings use literal blocks,
//! long lines fold at 80 columns, numbers print as Go prints them.
//!
//! ```
//! use serde_json::json;
//! // `n` as a key is the boolean false to go-yaml v2, so it is quoted too.
//! let v = json!({"data": {"a": "on", "b": "0777", "c": "x", "n": 5}});
//! assert_eq!(
//!     driftless_core::yaml::to_string(&v),
//!     "data:\n  a: \"on\"\n  b: \"0777\"\n  c: x\n  \"n\": 5\n"
//! );
//! ```

pub mod emit;
pub mod gofloat;
pub mod resolve;
pub mod sort;

pub use emit::{UnsupportedValue, to_safe_yaml_document, to_yaml_document};

/// One YAML document for `v`, ending in a newline, that go-yaml v2 (and so
/// kubectl and the API server) reads back as exactly `v`. This is Helm's
/// `toYaml` text except that a `<<` or `=` string is quoted (go-yaml v2
/// writes `<<` plain and then reads it as a merge key).
pub fn to_string(v: &serde_json::Value) -> String {
    to_safe_yaml_document(v)
}

/// Several documents, each introduced by `---` (as `kubectl get -o yaml`
/// of several objects and `helm template` separate them).
pub fn to_string_multi<'a>(docs: impl IntoIterator<Item = &'a serde_json::Value>) -> String {
    let mut out = String::new();
    for d in docs {
        out.push_str("---\n");
        out.push_str(&to_string(d));
    }
    out
}

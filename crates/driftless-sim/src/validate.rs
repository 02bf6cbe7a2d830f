//! Server-side validation of objects (names, labels, a few per-kind rules), answered
//! with `422 Invalid` and field causes like a real API server.

use serde_json::Value;

use crate::registry::ResourceType;
use crate::status::{ApiError, Cause};

const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Whether `s` is a DNS-1123 subdomain (most object names).
pub fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

fn is_label_value(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            && s.as_bytes()[0].is_ascii_alphanumeric()
            && s.as_bytes()[s.len() - 1].is_ascii_alphanumeric())
}

fn is_qualified_name(s: &str) -> bool {
    let (prefix, name) = match s.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    prefix.is_none_or(is_dns_subdomain) && !name.is_empty() && is_label_value(name)
}

/// Validates an object before it is stored (`old` is the stored object on updates).
pub fn validate(rt: &ResourceType, obj: &Value, old: Option<&Value>) -> Result<(), ApiError> {
    let mut causes = Vec::new();
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if old.is_none() {
        let rbac = rt.group == "rbac.authorization.k8s.io";
        let label_only = rt.group.is_empty() && (rt.kind == "Namespace" || rt.kind == "Service");
        if rbac {
            if name.contains('/') || name.contains('%') || name == "." || name == ".." {
                causes.push(Cause::new(
                    "FieldValueInvalid",
                    format!("Invalid value: {name:?}: may not contain '/' or '%'"),
                    "metadata.name",
                ));
            }
        } else if label_only {
            if !is_dns_label(name) {
                causes.push(Cause::new(
                    "FieldValueInvalid",
                    format!("Invalid value: {name:?}: {LABEL_MSG}"),
                    "metadata.name",
                ));
            }
        } else if !is_dns_subdomain(name) {
            causes.push(Cause::new(
                "FieldValueInvalid",
                format!("Invalid value: {name:?}: {SUBDOMAIN_MSG}"),
                "metadata.name",
            ));
        }
    }
    if let Some(labels) = obj.pointer("/metadata/labels").and_then(Value::as_object) {
        for (k, v) in labels {
            if !is_qualified_name(k) {
                causes.push(Cause::new(
                    "FieldValueInvalid",
                    format!("Invalid value: {k:?}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"),
                    "metadata.labels",
                ));
            }
            match v.as_str() {
                Some(s) if is_label_value(s) => {}
                _ => causes.push(Cause::new(
                    "FieldValueInvalid",
                    format!("Invalid value: {v}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"),
                    "metadata.labels",
                )),
            }
        }
    }
    if let (Some(old), Some(new_ns)) = (old, obj.pointer("/metadata/namespace"))
        && old.pointer("/metadata/namespace") != Some(new_ns)
    {
        causes.push(Cause::new(
            "FieldValueInvalid",
            "field is immutable",
            "metadata.namespace",
        ));
    }
    validate_kind(rt, obj, old, &mut causes);
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(&rt.group, &rt.kind, name, causes))
    }
}

fn validate_kind(rt: &ResourceType, obj: &Value, old: Option<&Value>, causes: &mut Vec<Cause>) {
    if !rt.custom {
        let errs = match old {
            None => crate::defaults::validate(&rt.group, &rt.kind, obj),
            Some(old) => crate::defaults::validate_update(&rt.group, &rt.kind, old, obj),
        };
        causes.extend(
            errs.into_iter()
                .map(|e| Cause::new(e.reason(), e.message(), e.field.clone())),
        );
    }
    if (rt.group.as_str(), rt.kind.as_str()) == ("apiextensions.k8s.io", "CustomResourceDefinition")
    {
        {
            let group = obj
                .pointer("/spec/group")
                .and_then(Value::as_str)
                .unwrap_or("");
            let plural = obj
                .pointer("/spec/names/plural")
                .and_then(Value::as_str)
                .unwrap_or("");
            let name = obj
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            if name != format!("{plural}.{group}") {
                causes.push(Cause::new(
                    "FieldValueInvalid",
                    format!("Invalid value: {name:?}: must be spec.names.plural+\".\"+spec.group"),
                    "metadata.name",
                ));
            }
            if obj
                .pointer("/spec/names/kind")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                causes.push(Cause::new(
                    "FieldValueRequired",
                    "Required value",
                    "spec.names.kind",
                ));
            }
            let versions = obj.pointer("/spec/versions").and_then(Value::as_array);
            if versions.is_none_or(|v| v.is_empty()) {
                causes.push(Cause::new(
                    "FieldValueRequired",
                    "Required value",
                    "spec.versions",
                ));
            } else if let Some(vs) = versions {
                let storage = vs
                    .iter()
                    .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
                    .count();
                if storage != 1 {
                    causes.push(Cause::new(
                        "FieldValueInvalid",
                        "Invalid value: []string{}: must have exactly one version marked as storage version".to_string(),
                        "spec.versions",
                    ));
                }
            }
            if let Some(old) = old
                && old.pointer("/spec/scope") != obj.pointer("/spec/scope")
            {
                causes.push(Cause::new(
                    "FieldValueInvalid",
                    "field is immutable",
                    "spec.scope",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_dns_subdomain("web.example-1"));
        assert!(!is_dns_subdomain("Bad_Name"));
        assert!(is_qualified_name("app.kubernetes.io/name"));
        assert!(!is_label_value("-x"));
    }
}

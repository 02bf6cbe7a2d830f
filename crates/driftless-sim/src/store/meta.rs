//! Metadata helpers: timestamps, key order, continue tokens.

use base64::Engine;
use serde_json::{Map, Value, json};

use crate::registry::ResourceType;
use crate::status::ApiError;

/// The current time as Kubernetes writes it (`2024-01-02T03:04:05Z`).
pub fn now_rfc3339() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A copy of a stored object as served in the requested version.
pub(crate) fn for_version(obj: &Value, rt: &ResourceType) -> Value {
    let mut o = obj.clone();
    if let Some(m) = o.as_object_mut() {
        m.insert("apiVersion".into(), json!(rt.api_version()));
    }
    o
}

const META_ORDER: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

/// Puts `kind`, `apiVersion`, `metadata` first and metadata keys in the order a
/// real server serialises them.
pub(crate) fn normalize_order(obj: &mut Value) {
    let Some(m) = obj.as_object_mut() else { return };
    let mut out = Map::new();
    for k in ["kind", "apiVersion", "metadata"] {
        if let Some(v) = m.shift_remove(k) {
            out.insert(k.into(), v);
        }
    }
    if let Some(Value::Object(meta)) = out.get_mut("metadata") {
        let mut ordered = Map::new();
        for k in META_ORDER {
            if let Some(v) = meta.shift_remove(*k) {
                ordered.insert((*k).into(), v);
            }
        }
        ordered.append(meta);
        *meta = ordered;
    }
    out.append(m);
    *m = out;
}

/// Encodes a continue token like the real server (base64url JSON, no padding).
pub(crate) fn encode_continue(rv: u64, ns: &str, name: &str, with_ns: bool) -> String {
    let start = if with_ns && !ns.is_empty() {
        format!("{ns}/{name}\u{0}")
    } else {
        format!("{name}\u{0}")
    };
    let body = json!({"v": "meta.k8s.io/v1", "rv": rv, "start": start});
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(body.to_string())
}

/// Decodes a continue token into the (namespace, name) to continue after.
pub(crate) fn decode_continue(token: &str) -> Result<(String, String), ApiError> {
    let bad = || {
        ApiError::bad_request(
            "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
        )
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .map_err(|_| bad())?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let start = v.get("start").and_then(Value::as_str).ok_or_else(bad)?;
    let start = start.trim_end_matches('\u{0}');
    Ok(match start.split_once('/') {
        Some((ns, name)) => (ns.to_string(), name.to_string()),
        None => (String::new(), start.to_string()),
    })
}

/// Random suffix for `generateName` (5 lowercase consonants/digits, like Kubernetes).
pub(crate) fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let u = uuid::Uuid::new_v4();
    u.as_bytes()
        .iter()
        .take(5)
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect()
}

/// The object without metadata, status, kind and apiVersion (what `generation` tracks).
pub(crate) fn spec_part(obj: &Value) -> Value {
    let mut o = obj.clone();
    if let Some(m) = o.as_object_mut() {
        for k in ["metadata", "status", "kind", "apiVersion"] {
            m.shift_remove(k);
        }
    }
    o
}

/// Equality ignoring `resourceVersion` and managedFields timestamps (no-op detection).
pub(crate) fn same_content(a: &Value, b: &Value) -> bool {
    fn strip(v: &Value) -> Value {
        let mut v = v.clone();
        if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.shift_remove("resourceVersion");
            if let Some(Value::Array(mf)) = meta.get_mut("managedFields") {
                for e in mf {
                    if let Some(m) = e.as_object_mut() {
                        m.shift_remove("time");
                    }
                }
            }
        }
        v
    }
    strip(a) == strip(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_token_round_trip() {
        let t = encode_continue(465, "", "kube-root-ca.crt", false);
        assert_eq!(
            t,
            "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NDY1LCJzdGFydCI6Imt1YmUtcm9vdC1jYS5jcnRcdTAwMDAifQ"
        );
        assert_eq!(
            decode_continue(&t).unwrap(),
            (String::new(), "kube-root-ca.crt".to_string())
        );
    }
}

//! Helpers shared by the workload controllers: pod templates, hashes, scaling arithmetic.

use serde_json::{Map, Value, json};

use super::world::{controller_ref, name, namespace};

/// Kubernetes' `rand.SafeEncodeString` alphabet (no vowels, no confusable digits).
const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// A JSON value as a canonical string (object keys sorted), for hashing.
pub fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", json!(k), canonical(&m[*k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

/// A template hash in the style of `pod-template-hash` / `controller-revision-hash`:
/// FNV-32a of the canonical template, its decimal digits encoded with the safe alphabet.
///
/// ```
/// use driftless_sim::controllers::common::template_hash;
/// let h = template_hash(&serde_json::json!({"spec": {"containers": []}}));
/// assert!(h.len() >= 8 && h.chars().all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)));
/// ```
pub fn template_hash(tpl: &Value) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in canonical(tpl).bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h.to_string()
        .bytes()
        .map(|b| SAFE[(b as usize) % SAFE.len()] as char)
        .collect()
}

/// A random 5-character name suffix.
pub fn suffix() -> String {
    crate::defaults::random_suffix()
}

/// A Pod built from a pod template, owned (as controller) by `owner`.
pub fn pod_from_template(
    tpl: &Value,
    owner: &Value,
    pod_name: &str,
    generate_prefix: Option<&str>,
    extra_labels: &[(&str, String)],
) -> Value {
    let mut labels: Map<String, Value> = tpl
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (k, v) in extra_labels {
        labels.insert((*k).to_string(), json!(v));
    }
    let mut meta = json!({
        "name": pod_name,
        "namespace": namespace(owner),
        "labels": labels,
        "ownerReferences": [controller_ref(owner)],
    });
    if let Some(g) = generate_prefix {
        meta["generateName"] = json!(g);
    }
    if let Some(a) = tpl
        .pointer("/metadata/annotations")
        .filter(|a| a.as_object().is_some_and(|m| !m.is_empty()))
    {
        meta["annotations"] = a.clone();
    }
    if let Some(f) = tpl.pointer("/metadata/finalizers") {
        meta["finalizers"] = f.clone();
    }
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": tpl.get("spec").cloned().unwrap_or_else(|| json!({})),
    })
}

/// Resolves an int-or-percent (`maxSurge`, `maxUnavailable`) against `total`,
/// rounding up or down as Kubernetes does.
///
/// ```
/// use driftless_sim::controllers::common::int_or_percent;
/// use serde_json::json;
/// assert_eq!(int_or_percent(&json!("25%"), 3, true), 1);
/// assert_eq!(int_or_percent(&json!("25%"), 3, false), 0);
/// assert_eq!(int_or_percent(&json!(2), 3, false), 2);
/// ```
pub fn int_or_percent(v: &Value, total: i64, round_up: bool) -> i64 {
    match v {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => match s.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) {
            Some(p) if round_up => (p * total + 99) / 100,
            Some(p) => p * total / 100,
            None => s.parse().unwrap_or(0),
        },
        _ => 0,
    }
}

/// Removes zero-valued integer fields (Go's `omitempty`) except `keep`.
pub fn omit_zero(status: &mut Value, keep: &[&str]) {
    if let Some(m) = status.as_object_mut() {
        m.retain(|k, v| keep.contains(&k.as_str()) || v.as_i64() != Some(0));
    }
}

/// The template's labels without `key` (to compare a child's template with its parent's).
pub fn template_without_label(tpl: &Value, key: &str) -> Value {
    let mut t = tpl.clone();
    if let Some(l) = t
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        l.shift_remove(key);
    }
    t
}

/// `namespace/name` of an object.
pub fn key(o: &Value) -> String {
    format!("{}/{}", namespace(o), name(o))
}

/// A resource quantity (`500m`, `2`, `128Mi`, `1G`, `1e3`) as a number of base units.
///
/// ```
/// use driftless_sim::controllers::common::quantity;
/// use serde_json::json;
/// assert_eq!(quantity(&json!("500m")), Some(0.5));
/// assert_eq!(quantity(&json!("2Gi")), Some(2.0 * 1024.0 * 1024.0 * 1024.0));
/// assert_eq!(quantity(&json!(3)), Some(3.0));
/// ```
pub fn quantity(v: &Value) -> Option<f64> {
    if let Some(n) = v.as_f64() {
        return Some(n);
    }
    let s = v.as_str()?.trim();
    let split = s
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" => 1024.0,
        "Mi" => 1024.0f64.powi(2),
        "Gi" => 1024.0f64.powi(3),
        "Ti" => 1024.0f64.powi(4),
        _ => return None,
    };
    Some(n * mult)
}

//! Encoding of responses as Kubernetes protobuf (`application/vnd.kubernetes.protobuf`) for
//! clients that prefer it (kubectl's and client-go's typed clients), with the field table the
//! decoder uses (`protobuf.rs`). Objects of kinds without a protobuf schema stay JSON.

use base64::Engine;
use serde_json::{Map, Value};

use super::protobuf::{INT_OR_STRING, META, QUANTITY, RAW_JSON, table};

fn varint(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn key(num: u32, wire: u8, out: &mut Vec<u8>) {
    varint((u64::from(num) << 3) | u64::from(wire), out);
}

fn bytes(num: u32, b: &[u8], out: &mut Vec<u8>) {
    key(num, 2, out);
    varint(b.len() as u64, out);
    out.extend_from_slice(b);
}

fn int_field(num: u32, v: i64, out: &mut Vec<u8>) {
    key(num, 0, out);
    varint(v as u64, out);
}

/// Seconds and nanoseconds of an RFC 3339 time.
fn time_parts(v: &Value) -> Option<(i64, i64)> {
    let t = chrono::DateTime::parse_from_rfc3339(v.as_str()?).ok()?;
    Some((t.timestamp(), i64::from(t.timestamp_subsec_nanos())))
}

/// Go's `time.ParseDuration` for the `1h2m3s` forms the decoder writes.
fn duration_nanos(s: &str) -> i64 {
    let mut total = 0f64;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let mut unit = c.to_string();
        if c == 'm' && chars.peek() == Some(&'s') {
            unit.push(chars.next().unwrap_or('s'));
        }
        let n: f64 = num.parse().unwrap_or(0.0);
        num.clear();
        total += n * match unit.as_str() {
            "h" => 3600e9,
            "m" => 60e9,
            "s" => 1e9,
            "ms" => 1e6,
            _ => 0.0,
        };
    }
    total as i64
}

/// The message bytes of `v` as definition `ty`.
pub(crate) fn message(ty: &str, v: &Value) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    match ty {
        INT_OR_STRING => {
            match v {
                Value::String(s) => {
                    int_field(1, 1, &mut out);
                    bytes(3, s.as_bytes(), &mut out);
                }
                other => {
                    int_field(1, 0, &mut out);
                    int_field(2, other.as_i64().unwrap_or(0), &mut out);
                }
            }
            return Some(out);
        }
        QUANTITY => {
            let s = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            bytes(1, s.as_bytes(), &mut out);
            return Some(out);
        }
        t if RAW_JSON.contains(&t) => {
            bytes(1, &serde_json::to_vec(v).ok()?, &mut out);
            return Some(out);
        }
        t if matches!(t.strip_prefix(META), Some("Time" | "MicroTime")) => {
            if let Some((s, n)) = time_parts(v) {
                int_field(1, s, &mut out);
                int_field(2, n, &mut out);
            }
            return Some(out);
        }
        t if t.strip_prefix(META) == Some("Duration") => {
            int_field(1, duration_nanos(v.as_str().unwrap_or("")), &mut out);
            return Some(out);
        }
        _ => {}
    }
    let obj = v.as_object()?;
    fields(ty, obj, &mut out)?;
    Some(out)
}

fn fields(ty: &str, obj: &Map<String, Value>, out: &mut Vec<u8>) -> Option<()> {
    for (num, name, card, fty) in table().messages.get(ty)? {
        if card == "inline" {
            let mut inner = Vec::new();
            fields(fty, obj, &mut inner)?;
            bytes(*num, &inner, out);
            continue;
        }
        let Some(v) = obj.get(name) else { continue };
        if v.is_null() {
            continue;
        }
        match card.as_str() {
            "one" => value(*num, fty, v, out)?,
            "list" => {
                for item in v.as_array()? {
                    value(*num, fty, item, out)?;
                }
            }
            "map" => {
                for (k, item) in v.as_object()? {
                    let mut entry = Vec::new();
                    bytes(1, k.as_bytes(), &mut entry);
                    value(2, fty, item, &mut entry)?;
                    bytes(*num, &entry, out);
                }
            }
            _ => {}
        }
    }
    Some(())
}

/// One field `num` of type `ty` holding `v`.
fn value(num: u32, ty: &str, v: &Value, out: &mut Vec<u8>) -> Option<()> {
    match ty {
        "string" => bytes(num, v.as_str()?.as_bytes(), out),
        "bytes" => {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(v.as_str()?)
                .ok()?;
            bytes(num, &raw, out);
        }
        "bool" => int_field(num, i64::from(v.as_bool()?), out),
        "int32" | "int64" => int_field(num, v.as_i64()?, out),
        "uint32" | "uint64" => {
            key(num, 0, out);
            varint(v.as_u64()?, out);
        }
        "double" => {
            key(num, 1, out);
            out.extend_from_slice(&v.as_f64()?.to_bits().to_le_bytes());
        }
        "float" => {
            key(num, 5, out);
            out.extend_from_slice(&(v.as_f64()? as f32).to_bits().to_le_bytes());
        }
        msg => bytes(num, &message(msg, v)?, out),
    }
    Some(())
}

/// The protobuf envelope (`k8s\0` + `runtime.Unknown`) of an object of `api_version`/`kind`,
/// or None when the kind has no protobuf schema or the object does not fit it.
pub(crate) fn encode(api_version: &str, kind: &str, obj: &Value) -> Option<Vec<u8>> {
    let def = table().kinds.get(&format!("{api_version}/{kind}"))?;
    let raw = message(def, obj)?;
    let mut type_meta = Vec::new();
    bytes(1, api_version.as_bytes(), &mut type_meta);
    bytes(2, kind.as_bytes(), &mut type_meta);
    let mut out = b"k8s\0".to_vec();
    bytes(1, &type_meta, &mut out);
    bytes(2, &raw, &mut out);
    bytes(3, b"", &mut out);
    bytes(4, b"", &mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_round_trip_through_protobuf() {
        let objects = [
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "namespace": "default", "labels": {"a": "b"},
                    "creationTimestamp": "2024-01-02T03:04:05Z", "generation": 2},
                "spec": {"replicas": 0, "selector": {"matchLabels": {"a": "b"}},
                    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
                    "template": {"metadata": {"labels": {"a": "b"}},
                        "spec": {"containers": [{"name": "c", "image": "nginx",
                            "resources": {"limits": {"cpu": "500m"}},
                            "livenessProbe": {"httpGet": {"path": "/", "port": 8080}}}],
                            "volumes": [{"name": "v", "configMap": {"name": "cm", "defaultMode": 420}}]}}},
                "status": {}}),
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                "data": {"pw": "aHVudGVyMg=="}, "type": "Opaque"}),
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"},
                "spec": {"rules": [{"host": "a.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                    "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}),
        ];
        for obj in objects {
            let av = obj["apiVersion"].as_str().unwrap();
            let kind = obj["kind"].as_str().unwrap();
            let pb = encode(av, kind, &obj).unwrap();
            assert_eq!(super::super::protobuf::decode(&pb).unwrap(), obj, "{kind}");
        }
    }
}

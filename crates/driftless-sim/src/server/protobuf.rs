//! Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`)
//! for the kinds kubectl's typed generators send (`kubectl create namespace|configmap|
//! secret|serviceaccount|deployment`). Other kinds answer `415 Unsupported Media Type`.
//!
//! The envelope is the magic `k8s\0` followed by a `runtime.Unknown` message
//! (1: typeMeta{1: apiVersion, 2: kind}, 2: raw); `raw` is the object's message, whose
//! field numbers are those of Kubernetes' `generated.proto` files.

use base64::Engine;
use serde_json::{Map, Value, json};

use crate::status::ApiError;

/// A field of a message: number, JSON name and type.
#[derive(Clone, Copy)]
enum Ty {
    Str,
    Int,
    Bool,
    StrList,
    StrMap,
    BytesMap,
    Msg(&'static [(u32, &'static str, Ty)]),
    MsgList(&'static [(u32, &'static str, Ty)]),
}

const OBJECT_META: &[(u32, &str, Ty)] = &[
    (1, "name", Ty::Str),
    (2, "generateName", Ty::Str),
    (3, "namespace", Ty::Str),
    (7, "generation", Ty::Int),
    (11, "labels", Ty::StrMap),
    (12, "annotations", Ty::StrMap),
    (14, "finalizers", Ty::StrList),
];

const CONFIG_MAP: &[(u32, &str, Ty)] = &[
    (1, "metadata", Ty::Msg(OBJECT_META)),
    (2, "data", Ty::StrMap),
    (3, "binaryData", Ty::BytesMap),
    (4, "immutable", Ty::Bool),
];

const SECRET: &[(u32, &str, Ty)] = &[
    (1, "metadata", Ty::Msg(OBJECT_META)),
    (2, "data", Ty::BytesMap),
    (3, "type", Ty::Str),
    (4, "stringData", Ty::StrMap),
    (5, "immutable", Ty::Bool),
];

const NAMESPACE_SPEC: &[(u32, &str, Ty)] = &[(1, "finalizers", Ty::StrList)];

const NAMESPACE: &[(u32, &str, Ty)] = &[
    (1, "metadata", Ty::Msg(OBJECT_META)),
    (2, "spec", Ty::Msg(NAMESPACE_SPEC)),
];

const LABEL_SELECTOR: &[(u32, &str, Ty)] = &[(1, "matchLabels", Ty::StrMap)];

const CONTAINER_PORT: &[(u32, &str, Ty)] = &[
    (1, "name", Ty::Str),
    (3, "containerPort", Ty::Int),
    (4, "protocol", Ty::Str),
];

const RESOURCES: &[(u32, &str, Ty)] = &[];

const CONTAINER: &[(u32, &str, Ty)] = &[
    (1, "name", Ty::Str),
    (2, "image", Ty::Str),
    (3, "command", Ty::StrList),
    (4, "args", Ty::StrList),
    (6, "ports", Ty::MsgList(CONTAINER_PORT)),
    (8, "resources", Ty::Msg(RESOURCES)),
];

const POD_SPEC: &[(u32, &str, Ty)] = &[(2, "containers", Ty::MsgList(CONTAINER))];

const POD_TEMPLATE: &[(u32, &str, Ty)] = &[
    (1, "metadata", Ty::Msg(OBJECT_META)),
    (2, "spec", Ty::Msg(POD_SPEC)),
];

const STRATEGY: &[(u32, &str, Ty)] = &[(1, "type", Ty::Str)];

const DEPLOYMENT_SPEC: &[(u32, &str, Ty)] = &[
    (1, "replicas", Ty::Int),
    (2, "selector", Ty::Msg(LABEL_SELECTOR)),
    (3, "template", Ty::Msg(POD_TEMPLATE)),
    (4, "strategy", Ty::Msg(STRATEGY)),
];

const DEPLOYMENT: &[(u32, &str, Ty)] = &[
    (1, "metadata", Ty::Msg(OBJECT_META)),
    (2, "spec", Ty::Msg(DEPLOYMENT_SPEC)),
];

const SERVICE_ACCOUNT: &[(u32, &str, Ty)] = &[
    (1, "metadata", Ty::Msg(OBJECT_META)),
    (3, "automountServiceAccountToken", Ty::Bool),
];

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.b.get(self.i)?;
            self.i += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.varint()?).ok()?;
        let s = self.b.get(self.i..self.i.checked_add(n)?)?;
        self.i += n;
        Some(s)
    }

    /// Next (field number, wire type, payload) — payload is the bytes for length-delimited
    /// fields, the varint value otherwise.
    fn field(&mut self) -> Option<Option<(u32, Payload<'a>)>> {
        if self.i >= self.b.len() {
            return Some(None);
        }
        let key = self.varint()?;
        let num = u32::try_from(key >> 3).ok()?;
        let payload = match key & 7 {
            0 => Payload::Varint(self.varint()?),
            2 => Payload::Bytes(self.bytes()?),
            1 => {
                self.i += 8;
                Payload::Varint(0)
            }
            5 => {
                self.i += 4;
                Payload::Varint(0)
            }
            _ => return None,
        };
        Some(Some((num, payload)))
    }
}

enum Payload<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

fn map_entry(b: &[u8]) -> Option<(String, Vec<u8>)> {
    let mut r = Reader { b, i: 0 };
    let (mut k, mut v) = (String::new(), Vec::new());
    while let Some((num, p)) = r.field()? {
        if let Payload::Bytes(x) = p {
            match num {
                1 => k = String::from_utf8(x.to_vec()).ok()?,
                2 => v = x.to_vec(),
                _ => {}
            }
        }
    }
    Some((k, v))
}

fn message(b: &[u8], fields: &[(u32, &str, Ty)]) -> Option<Value> {
    let mut r = Reader { b, i: 0 };
    let mut out = Map::new();
    while let Some((num, p)) = r.field()? {
        let Some((_, name, ty)) = fields.iter().find(|f| f.0 == num) else {
            continue;
        };
        let name = (*name).to_string();
        match (ty, p) {
            (Ty::Str, Payload::Bytes(x)) => {
                out.insert(name, json!(String::from_utf8(x.to_vec()).ok()?));
            }
            (Ty::Int, Payload::Varint(v)) => {
                out.insert(name, json!(v as i64));
            }
            (Ty::Bool, Payload::Varint(v)) => {
                out.insert(name, json!(v != 0));
            }
            (Ty::StrList, Payload::Bytes(x)) => {
                let e = out.entry(name).or_insert_with(|| json!([]));
                e.as_array_mut()?
                    .push(json!(String::from_utf8(x.to_vec()).ok()?));
            }
            (Ty::StrMap, Payload::Bytes(x)) => {
                let (k, v) = map_entry(x)?;
                let e = out.entry(name).or_insert_with(|| json!({}));
                e.as_object_mut()?
                    .insert(k, json!(String::from_utf8(v).ok()?));
            }
            (Ty::BytesMap, Payload::Bytes(x)) => {
                let (k, v) = map_entry(x)?;
                let e = out.entry(name).or_insert_with(|| json!({}));
                e.as_object_mut()?.insert(
                    k,
                    json!(base64::engine::general_purpose::STANDARD.encode(v)),
                );
            }
            (Ty::Msg(inner), Payload::Bytes(x)) => {
                out.insert(name, message(x, inner)?);
            }
            (Ty::MsgList(inner), Payload::Bytes(x)) => {
                let item = message(x, inner)?;
                let e = out.entry(name).or_insert_with(|| json!([]));
                e.as_array_mut()?.push(item);
            }
            _ => return None,
        }
    }
    Some(Value::Object(out))
}

/// Decodes a protobuf body into the JSON object it encodes.
pub(crate) fn decode(body: &[u8]) -> Result<Value, ApiError> {
    let unsupported = |what: &str| {
        ApiError::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml ({what})"
            ),
        )
    };
    let Some(rest) = body.strip_prefix(b"k8s\0") else {
        return Err(unsupported("missing protobuf envelope"));
    };
    let mut r = Reader { b: rest, i: 0 };
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), &[][..]);
    while let Some(Some((num, p))) = r.field() {
        match (num, p) {
            (1, Payload::Bytes(tm)) => {
                let meta = message(tm, &[(1, "apiVersion", Ty::Str), (2, "kind", Ty::Str)])
                    .unwrap_or_default();
                api_version = meta["apiVersion"].as_str().unwrap_or("").to_string();
                kind = meta["kind"].as_str().unwrap_or("").to_string();
            }
            (2, Payload::Bytes(x)) => raw = x,
            _ => {}
        }
    }
    let fields = match (api_version.as_str(), kind.as_str()) {
        ("v1", "ConfigMap") => CONFIG_MAP,
        ("v1", "Secret") => SECRET,
        ("v1", "Namespace") => NAMESPACE,
        ("v1", "ServiceAccount") => SERVICE_ACCOUNT,
        ("apps/v1", "Deployment") => DEPLOYMENT,
        _ => {
            return Err(unsupported(&format!(
                "protobuf is decoded only for ConfigMap, Secret, Namespace, ServiceAccount and Deployment, not {api_version}/{kind}"
            )));
        }
    };
    let obj = message(raw, fields).ok_or_else(|| unsupported("malformed protobuf"))?;
    let mut out = Map::new();
    out.insert("apiVersion".into(), json!(api_version));
    out.insert("kind".into(), json!(kind));
    if let Value::Object(m) = obj {
        out.extend(m);
    }
    Ok(Value::Object(out))
}

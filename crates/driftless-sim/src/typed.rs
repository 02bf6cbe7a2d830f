//! Typed decoding of built-in kinds: what kube-apiserver's Go JSON decoder refuses.
//!
//! A real API server decodes a request body into its Go structs; a value of the wrong JSON
//! type is a `400 BadRequest` such as `ConfigMap in version "v1" cannot be handled as a
//! ConfigMap: json: cannot unmarshal bool into Go struct field ConfigMap.data of type string`.
//! [`check`] walks the object along the embedded Kubernetes schema (`driftless-patch`) and
//! reports the error the decoder would: the first type mismatch in document order, unless a
//! custom decoder (int-or-string, quantity, time) fails later, which stops decoding at once.
//! Go type names come from the schema (`int32`, `[]v1.Container`, `map[string]string`), and
//! from `named_types` where Go uses a named type the schema does not show.

use driftless_patch::schema::{Schema, Shape, TypeRef};
use serde_json::Value;

use crate::named_types::named_type;
use crate::quantity;
use crate::registry::ResourceType;
use crate::status::ApiError;

const INT_OR_STRING: &str = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const TIME: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
const MICRO_TIME: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";
/// Types whose Go decoders take any JSON value.
const FREE_FORM: &[&str] = &[
    "io.k8s.apimachinery.pkg.runtime.RawExtension",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray",
];

/// Checks that `obj` decodes into the Go type of the built-in kind `rt` (custom resources and
/// kinds without a schema pass); the error is the API server's `400 BadRequest`.
pub fn check(rt: &ResourceType, obj: &Value) -> Result<(), ApiError> {
    if rt.custom {
        return Ok(());
    }
    let Some(ty) = Schema::builtin().for_kind(&rt.group, &rt.version, &rt.kind) else {
        return Ok(());
    };
    decode_error(&rt.kind, obj, ty).map_or(Ok(()), |e| {
        Err(ApiError::bad_request(format!(
            "{kind} in version \"{v}\" cannot be handled as a {kind}: {e}",
            kind = rt.kind,
            v = rt.version
        )))
    })
}

/// Checks the result of a JSON, merge or strategic merge patch: the API server decodes the
/// patched object and answers `422 Invalid` on the `patch` field with the patched JSON.
pub fn check_patched(rt: &ResourceType, obj: &Value) -> Result<(), ApiError> {
    if rt.custom {
        return Ok(());
    }
    let Some(ty) = Schema::builtin().for_kind(&rt.group, &rt.version, &rt.kind) else {
        return Ok(());
    };
    match decode_error(&rt.kind, obj, ty) {
        None => Ok(()),
        Some(e) => {
            let js = serde_json::to_string(obj).unwrap_or_default();
            Err(ApiError::invalid(
                "",
                "",
                "",
                vec![crate::status::Cause::new(
                    "FieldValueInvalid",
                    format!("Invalid value: {js:?}: {e}"),
                    "patch",
                )],
            ))
        }
    }
}

/// The Go decoder's error for `obj` as a `kind` of type `ty` (None when it decodes).
pub fn decode_error(kind: &str, obj: &Value, ty: TypeRef<'_>) -> Option<String> {
    let mut d = Decoder { saved: None };
    let mut path = Vec::new();
    match d.value(obj, ty, kind, &mut path, None) {
        Err(stop) => Some(stop),
        Ok(()) => d.saved,
    }
}

struct Decoder {
    /// The first type mismatch (Go's `saveError`: decoding goes on after it).
    saved: Option<String>,
}

/// What a JSON value is called in Go's `UnmarshalTypeError`.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_error(what: &str, strukt: &str, path: &[String], go: &str) -> String {
    format!(
        "json: cannot unmarshal {what} into Go struct field {strukt}.{} of type {go}",
        path.join(".")
    )
}

/// The Go package-qualified name of a definition: `io.k8s.api.core.v1.Container` → `v1.Container`.
fn qualified(def: &str) -> String {
    let mut parts = def.rsplit('.');
    let name = parts.next().unwrap_or(def);
    match parts.next() {
        Some(pkg) => format!("{pkg}.{name}"),
        None => name.to_string(),
    }
}

/// The Go type of a schema position, as the decoder names it in errors.
fn go_type(ty: TypeRef<'_>) -> String {
    if let Some(def) = ty.definition_name() {
        return match def {
            INT_OR_STRING => "intstr.IntOrString".into(),
            QUANTITY => "resource.Quantity".into(),
            _ => qualified(def),
        };
    }
    match (ty.type_name(), ty.format()) {
        (Some("string"), Some("byte")) => "[]uint8".into(),
        (Some("string"), _) => "string".into(),
        (Some("integer"), Some("int32")) => "int32".into(),
        (Some("integer"), _) => "int64".into(),
        (Some("number"), _) => "float64".into(),
        (Some("boolean"), _) => "bool".into(),
        (Some("array"), _) => format!("[]{}", go_type(ty.items())),
        (Some("object"), _) if ty.shape() == Shape::Map => match ty.field("") {
            Some(v) => format!("map[string]{}", go_type(v)),
            None => "map[string]interface {}".into(),
        },
        _ => "interface {}".into(),
    }
}

impl Decoder {
    fn save(&mut self, e: String) {
        self.saved.get_or_insert(e);
    }

    /// Decodes `v` at `path` (field names from the object's root) inside Go struct `strukt`.
    /// `named` is the Go named type of this field, when it has one. `Err` stops decoding.
    fn value(
        &mut self,
        v: &Value,
        ty: TypeRef<'_>,
        strukt: &str,
        path: &mut Vec<String>,
        named: Option<&str>,
    ) -> Result<(), String> {
        if v.is_null() {
            return Ok(());
        }
        let def = ty.definition_name();
        match def {
            Some(INT_OR_STRING) => return int_or_string(v, strukt, path),
            Some(QUANTITY) => {
                return match quantity::from_json(v) {
                    Ok(_) => Ok(()),
                    Err(e) => Err(e.to_string()),
                };
            }
            Some(TIME) | Some(MICRO_TIME) => return time(v, strukt, path),
            Some(d) if FREE_FORM.contains(&d) => return Ok(()),
            _ => {}
        }
        let go = || named.map(str::to_string).unwrap_or_else(|| go_type(ty));
        let mismatch = |d: &mut Self, what: String| {
            d.save(type_error(&what, strukt, path, &go()));
            Ok(())
        };
        match ty.shape() {
            Shape::Struct => {
                let Value::Object(m) = v else {
                    return mismatch(self, json_kind(v).into());
                };
                let name = def
                    .map(|d| d.rsplit('.').next().unwrap_or(d))
                    .unwrap_or(strukt);
                for (k, fv) in m {
                    if !ty.has_declared_field(k) {
                        continue;
                    }
                    let Some(fty) = ty.field(k) else { continue };
                    let named = named_type(name, k);
                    path.push(k.clone());
                    let r = self.value(fv, fty, name, path, named);
                    path.pop();
                    r?;
                }
                Ok(())
            }
            Shape::Map => {
                let Value::Object(m) = v else {
                    return mismatch(self, json_kind(v).into());
                };
                let Some(vty) = ty.field("") else {
                    return Ok(());
                };
                let elem = named.and_then(map_value_type);
                for fv in m.values() {
                    self.value(fv, vty, strukt, path, elem.as_deref())?;
                }
                Ok(())
            }
            Shape::List => {
                let Value::Array(a) = v else {
                    return mismatch(self, json_kind(v).into());
                };
                let elem = named.and_then(|n| n.strip_prefix("[]"));
                for item in a {
                    self.value(item, ty.items(), strukt, path, elem)?;
                }
                Ok(())
            }
            Shape::Scalar => self.scalar(v, ty, strukt, path, &go()),
            Shape::Untyped => Ok(()),
        }
    }

    fn scalar(
        &mut self,
        v: &Value,
        ty: TypeRef<'_>,
        strukt: &str,
        path: &[String],
        go: &str,
    ) -> Result<(), String> {
        let ok = match (ty.type_name(), v) {
            (Some("string"), Value::String(s)) => {
                if ty.format() == Some("byte")
                    && let Some(at) = base64_error(s)
                {
                    self.save(format!("illegal base64 data at input byte {at}"));
                }
                true
            }
            (Some("boolean"), Value::Bool(_)) => true,
            (Some("number"), Value::Number(_)) => true,
            (Some("integer"), Value::Number(n)) => {
                if !fits_integer(n, ty.format()) {
                    self.save(type_error(&format!("number {n}"), strukt, path, go));
                }
                true
            }
            _ => false,
        };
        if !ok {
            self.save(type_error(json_kind(v), strukt, path, go));
        }
        Ok(())
    }
}

/// The value type of a named map type (`v1.ResourceList` holds quantities).
fn map_value_type(named: &str) -> Option<String> {
    named
        .strip_prefix("map[string]")
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

fn fits_integer(n: &serde_json::Number, format: Option<&str>) -> bool {
    match n.as_i64() {
        Some(i) if format == Some("int32") => i32::try_from(i).is_ok(),
        Some(_) => true,
        None => false,
    }
}

/// `intstr.IntOrString`: a string, or else whatever decodes into an `int32`.
fn int_or_string(v: &Value, strukt: &str, path: &[String]) -> Result<(), String> {
    match v {
        Value::String(_) => Ok(()),
        Value::Number(n) if fits_integer(n, Some("int32")) => Ok(()),
        Value::Number(n) => Err(type_error(&format!("number {n}"), strukt, path, "int32")),
        other => Err(type_error(json_kind(other), strukt, path, "int32")),
    }
}

/// `metav1.Time`: an RFC 3339 string (decoded into a Go `string` first).
fn time(v: &Value, strukt: &str, path: &[String]) -> Result<(), String> {
    let Value::String(s) = v else {
        return Err(type_error(json_kind(v), strukt, path, "string"));
    };
    if s.is_empty() || chrono::DateTime::parse_from_rfc3339(s).is_ok() {
        return Ok(());
    }
    Err(format!(
        "parsing time {s:?} as \"2006-01-02T15:04:05Z07:00\": cannot parse {s:?} as \"2006\""
    ))
}

/// Where Go's `base64.StdEncoding` stops reading `s`, if it is not valid base64.
fn base64_error(s: &str) -> Option<usize> {
    use base64::Engine;
    let clean: String = s.chars().filter(|c| *c != '\n' && *c != '\r').collect();
    if base64::engine::general_purpose::STANDARD
        .decode(&clean)
        .is_ok()
    {
        return None;
    }
    let bytes = clean.as_bytes();
    let valid = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
    let first_bad = bytes.iter().position(|b| !valid(*b));
    Some(match first_bad {
        Some(i) if bytes[i] == b'=' => {
            // Padding is only valid in the last quantum.
            let quantum = i - i % 4;
            if bytes.len().is_multiple_of(4) && i >= bytes.len() - 2 {
                quantum
            } else {
                i.min(quantum + 4).min(bytes.len())
            }
        }
        Some(i) => i,
        None => bytes.len() - bytes.len() % 4,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(group: &str, version: &str, kind: &str, obj: Value) -> Option<String> {
        let ty = Schema::builtin().for_kind(group, version, kind).unwrap();
        decode_error(kind, &obj, ty)
    }

    #[test]
    fn recorded_refusals() {
        assert_eq!(
            err("", "v1", "Secret", json!({"data": {"a": 5}})).unwrap(),
            "json: cannot unmarshal number into Go struct field Secret.data of type []uint8"
        );
        assert_eq!(
            err(
                "",
                "v1",
                "Service",
                json!({"spec": {"ports": [{"port": 80, "targetPort": true}]}})
            )
            .unwrap(),
            "json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32"
        );
        assert_eq!(
            err(
                "",
                "v1",
                "Pod",
                json!({"spec": {"containers": {"name": "c"}}})
            )
            .unwrap(),
            "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container"
        );
        assert_eq!(
            err(
                "apps",
                "v1",
                "StatefulSet",
                json!({"spec": {"replicas": 1.5}})
            )
            .unwrap(),
            "json: cannot unmarshal number 1.5 into Go struct field StatefulSetSpec.spec.replicas of type int32"
        );
        assert_eq!(
            err("", "v1", "ConfigMap", json!({"data": ["a"]})).unwrap(),
            "json: cannot unmarshal array into Go struct field ConfigMap.data of type map[string]string"
        );
    }

    #[test]
    fn first_mismatch_wins_unless_a_custom_decoder_stops() {
        let obj = json!({"spec": {"replicas": "three", "template": {"spec": {"containers": [
            {"name": "c", "image": "x", "ports": [{"containerPort": "http"}]}]}}}});
        assert_eq!(
            err("apps", "v1", "Deployment", obj).unwrap(),
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
        );
        let obj = json!({"spec": {"replicas": "three", "strategy": {"rollingUpdate": {"maxSurge": [1]}}}});
        assert_eq!(
            err("apps", "v1", "Deployment", obj).unwrap(),
            "json: cannot unmarshal array into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32"
        );
    }

    #[test]
    fn named_types_quantities_and_bytes() {
        let pod = |c: Value| json!({"spec": {"containers": [c]}});
        assert_eq!(
            err(
                "",
                "v1",
                "Pod",
                pod(json!({"name": "c", "imagePullPolicy": 1}))
            )
            .unwrap(),
            "json: cannot unmarshal number into Go struct field Container.spec.containers.imagePullPolicy of type v1.PullPolicy"
        );
        assert_eq!(
            err(
                "",
                "v1",
                "Pod",
                pod(json!({"name": "c", "resources": {"limits": {"cpu": "1ki"}}}))
            )
            .unwrap(),
            "unable to parse quantity's suffix"
        );
        assert_eq!(
            err(
                "",
                "v1",
                "Pod",
                pod(json!({"name": "c", "resources": {"limits": ["1"]}}))
            )
            .unwrap(),
            "json: cannot unmarshal array into Go struct field ResourceRequirements.spec.containers.resources.limits of type v1.ResourceList"
        );
        assert!(
            err(
                "",
                "v1",
                "Pod",
                pod(json!({"name": "c", "resources": {"limits": {"cpu": 1, "memory": "1Gi"}}}))
            )
            .is_none()
        );
        assert_eq!(
            err("", "v1", "Secret", json!({"data": {"a": "abc$"}})).unwrap(),
            "illegal base64 data at input byte 3"
        );
        assert!(
            err(
                "",
                "v1",
                "Secret",
                json!({"data": {"a": "YWJj"}, "metadata": {"labels": null}})
            )
            .is_none()
        );
        assert_eq!(
            err(
                "",
                "v1",
                "ConfigMap",
                json!({"metadata": {"labels": {"a": true}}})
            )
            .unwrap(),
            "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string"
        );
        assert_eq!(
            err("", "v1", "ConfigMap", json!({"metadata": "x"})).unwrap(),
            "json: cannot unmarshal string into Go struct field ConfigMap.metadata of type v1.ObjectMeta"
        );
    }
}

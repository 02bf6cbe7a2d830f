//! The validation a real API server does that GitOps tools commonly trip over:
//! selectors matching template labels, required containers and images, restart
//! policies, Service ports, and immutable fields on update. Errors carry the
//! field path, reason and message exactly as the API server words them.

use serde_json::{Map, Value};

/// The kind of a field error (`details.causes[].reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorKind {
    /// `FieldValueInvalid`.
    Invalid,
    /// `FieldValueRequired`.
    Required,
    /// `FieldValueForbidden`.
    Forbidden,
    /// `FieldValueNotSupported`.
    NotSupported,
    /// `FieldValueDuplicate`.
    Duplicate,
}

/// One validation error, as `field.Error` in Kubernetes.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The kind of error.
    pub kind: FieldErrorKind,
    /// The field path, e.g. `spec.template.metadata.labels`.
    pub field: String,
    /// The offending value, formatted as Go's `%#v` would (for Invalid, NotSupported, Duplicate).
    pub value: String,
    /// Detail text (for NotSupported: the supported values, already quoted).
    pub detail: String,
}

impl FieldError {
    /// An `Invalid value` error.
    pub fn invalid(field: &str, value: String, detail: String) -> Self {
        Self {
            kind: FieldErrorKind::Invalid,
            field: field.into(),
            value,
            detail,
        }
    }

    /// A `Required value` error.
    pub fn required(field: &str, detail: &str) -> Self {
        Self {
            kind: FieldErrorKind::Required,
            field: field.into(),
            value: String::new(),
            detail: detail.into(),
        }
    }

    /// A `Forbidden` error.
    pub fn forbidden(field: &str, detail: &str) -> Self {
        Self {
            kind: FieldErrorKind::Forbidden,
            field: field.into(),
            value: String::new(),
            detail: detail.into(),
        }
    }

    /// An `Unsupported value` error with the supported values.
    pub fn not_supported(field: &str, value: &str, supported: &[&str]) -> Self {
        let list: Vec<String> = supported.iter().map(|s| format!("\"{s}\"")).collect();
        Self {
            kind: FieldErrorKind::NotSupported,
            field: field.into(),
            value: go_str(value),
            detail: list.join(", "),
        }
    }

    /// A `Duplicate value` error.
    pub fn duplicate(field: &str, value: &str) -> Self {
        Self {
            kind: FieldErrorKind::Duplicate,
            field: field.into(),
            value: go_str(value),
            detail: String::new(),
        }
    }

    /// The cause's `reason`, e.g. `FieldValueInvalid`.
    pub fn reason(&self) -> &'static str {
        match self.kind {
            FieldErrorKind::Invalid => "FieldValueInvalid",
            FieldErrorKind::Required => "FieldValueRequired",
            FieldErrorKind::Forbidden => "FieldValueForbidden",
            FieldErrorKind::NotSupported => "FieldValueNotSupported",
            FieldErrorKind::Duplicate => "FieldValueDuplicate",
        }
    }

    /// The cause's `message`, e.g. ``Invalid value: map[string]string{"a":"c"}: `selector` does not match template `labels` ``.
    pub fn message(&self) -> String {
        let with = |head: String| {
            if self.detail.is_empty() {
                head
            } else {
                format!("{head}: {}", self.detail)
            }
        };
        match self.kind {
            FieldErrorKind::Invalid => with(format!("Invalid value: {}", self.value)),
            FieldErrorKind::Required => with("Required value".into()),
            FieldErrorKind::Forbidden => with("Forbidden".into()),
            FieldErrorKind::NotSupported => format!(
                "Unsupported value: {}: supported values: {}",
                self.value, self.detail
            ),
            FieldErrorKind::Duplicate => format!("Duplicate value: {}", self.value),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message())
    }
}

/// A Go-quoted string (`%q`).
fn go_str(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// A `map[string]string` as Go's `%#v` prints it (sorted keys).
fn go_map(m: Option<&Map<String, Value>>) -> String {
    let Some(m) = m else {
        return "map[string]string(nil)".into();
    };
    let mut kv: Vec<(&String, &Value)> = m.iter().collect();
    kv.sort_by(|a, b| a.0.cmp(b.0));
    let body: Vec<String> = kv
        .iter()
        .map(|(k, v)| format!("{}:{}", go_str(k), go_str(v.as_str().unwrap_or_default())))
        .collect();
    format!("map[string]string{{{}}}", body.join(", "))
}

/// A `metav1.LabelSelector` as Go's `%#v` prints it (roughly).
fn go_selector(sel: &Value) -> String {
    let ml = sel.get("matchLabels").and_then(Value::as_object);
    let exprs = match sel.get("matchExpressions").and_then(Value::as_array) {
        Some(e) if !e.is_empty() => format!("[]v1.LabelSelectorRequirement{{{}}}", e.len()),
        _ => "[]v1.LabelSelectorRequirement(nil)".into(),
    };
    format!(
        "&v1.LabelSelector{{MatchLabels:{}, MatchExpressions:{exprs}}}",
        go_map(ml)
    )
}

/// Checks an object of a built-in kind after defaulting; an empty result means valid.
///
/// ```
/// use serde_json::json;
/// let d = json!({"spec": {"selector": {"matchLabels": {"a": "b"}},
///     "template": {"metadata": {"labels": {"a": "c"}}, "spec": {"containers": []}}}});
/// let errs = driftless_sim::defaults::validate("apps", "Deployment", &d);
/// assert_eq!(errs[0].field, "spec.template.metadata.labels");
/// assert_eq!(errs[1].to_string(), "spec.template.spec.containers: Required value");
/// let lease = json!({"spec": {"holderIdentity": "a", "leaseDurationSeconds": 0}});
/// let errs = driftless_sim::defaults::validate("coordination.k8s.io", "Lease", &lease);
/// assert_eq!(errs[0].to_string(), "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0");
/// ```
pub fn validate(group: &str, kind: &str, obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match (group, kind) {
        ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet") => {
            replicas(obj, &mut errs);
            selector_matches(obj, kind, &mut errs);
            let policy = obj
                .pointer("/spec/template/spec/restartPolicy")
                .and_then(Value::as_str)
                .unwrap_or("Always");
            pod_spec(
                obj.pointer("/spec/template/spec"),
                "spec.template.spec",
                &mut errs,
            );
            if policy != "Always" {
                errs.push(FieldError::not_supported(
                    "spec.template.spec.restartPolicy",
                    policy,
                    &["Always"],
                ));
            }
            if kind == "Deployment" {
                let ty = obj
                    .pointer("/spec/strategy/type")
                    .and_then(Value::as_str)
                    .unwrap_or("RollingUpdate");
                if ty == "Recreate"
                    && obj
                        .pointer("/spec/strategy/rollingUpdate")
                        .is_some_and(|v| !v.is_null())
                {
                    errs.push(FieldError::forbidden(
                        "spec.strategy.rollingUpdate",
                        "may not be specified when strategy `type` is 'Recreate'",
                    ));
                }
            }
        }
        ("batch", "Job") => {
            pod_spec(
                obj.pointer("/spec/template/spec"),
                "spec.template.spec",
                &mut errs,
            );
            let policy = obj
                .pointer("/spec/template/spec/restartPolicy")
                .and_then(Value::as_str)
                .unwrap_or("");
            if policy != "Never" && policy != "OnFailure" {
                errs.push(FieldError::not_supported(
                    "spec.template.spec.restartPolicy",
                    policy,
                    &["OnFailure", "Never"],
                ));
            }
        }
        ("batch", "CronJob") => {
            let schedule = obj
                .pointer("/spec/schedule")
                .and_then(Value::as_str)
                .unwrap_or("");
            if schedule.is_empty() {
                errs.push(FieldError::required("spec.schedule", ""));
            } else if let Err(e) = crate::controllers::cron::Schedule::parse(schedule) {
                errs.push(FieldError::invalid(
                    "spec.schedule",
                    go_str(schedule),
                    e.to_string(),
                ));
            }
            pod_spec(
                obj.pointer("/spec/jobTemplate/spec/template/spec"),
                "spec.jobTemplate.spec.template.spec",
                &mut errs,
            );
        }
        ("", "Pod") => pod_spec(obj.get("spec"), "spec", &mut errs),
        ("", "Service") => service(obj, &mut errs),
        ("coordination.k8s.io", "Lease") => lease(obj, &mut errs),
        _ => {}
    }
    errs
}

/// The API server's `ValidateLeaseSpec`.
fn lease(obj: &Value, errs: &mut Vec<FieldError>) {
    let int = |f: &str| obj.pointer(&format!("/spec/{f}")).and_then(Value::as_i64);
    if let Some(d) = int("leaseDurationSeconds")
        && d <= 0
    {
        errs.push(FieldError::invalid(
            "spec.leaseDurationSeconds",
            d.to_string(),
            "must be greater than 0".into(),
        ));
    }
    if let Some(t) = int("leaseTransitions")
        && t < 0
    {
        errs.push(FieldError::invalid(
            "spec.leaseTransitions",
            t.to_string(),
            "must be greater than or equal to 0".into(),
        ));
    }
    let text = |f: &str| {
        obj.pointer(&format!("/spec/{f}"))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    if !text("preferredHolder").is_empty() && text("strategy").is_empty() {
        errs.push(FieldError::forbidden(
            "spec.preferredHolder",
            "may only be specified if `strategy` is defined",
        ));
    }
}

fn replicas(obj: &Value, errs: &mut Vec<FieldError>) {
    if let Some(r) = obj.pointer("/spec/replicas").and_then(Value::as_i64)
        && r < 0
    {
        errs.push(FieldError::invalid(
            "spec.replicas",
            r.to_string(),
            "must be greater than or equal to 0".into(),
        ));
    }
}

fn selector_matches(obj: &Value, kind: &str, errs: &mut Vec<FieldError>) {
    let Some(sel) = obj.pointer("/spec/selector").filter(|s| !s.is_null()) else {
        errs.push(FieldError::required("spec.selector", ""));
        return;
    };
    let ml = sel.get("matchLabels").and_then(Value::as_object);
    let exprs = sel.get("matchExpressions").and_then(Value::as_array);
    if ml.is_none_or(Map::is_empty) && exprs.is_none_or(Vec::is_empty) {
        let what = kind.to_lowercase();
        errs.push(FieldError::invalid(
            "spec.selector",
            go_selector(sel),
            format!("empty selector is invalid for {what}"),
        ));
        return;
    }
    let labels = obj
        .pointer("/spec/template/metadata/labels")
        .and_then(Value::as_object);
    if !crate::controllers::selector_matches(sel, labels) {
        errs.push(FieldError::invalid(
            "spec.template.metadata.labels",
            go_map(labels),
            "`selector` does not match template `labels`".into(),
        ));
    }
}

fn pod_spec(spec: Option<&Value>, path: &str, errs: &mut Vec<FieldError>) {
    let containers = spec
        .and_then(|s| s.get("containers"))
        .and_then(Value::as_array);
    let Some(containers) = containers.filter(|c| !c.is_empty()) else {
        errs.push(FieldError::required(&format!("{path}.containers"), ""));
        return;
    };
    let mut names = std::collections::HashSet::new();
    let init = spec
        .and_then(|s| s.get("initContainers"))
        .and_then(Value::as_array);
    let groups = [
        (
            "initContainers",
            init.map(Vec::as_slice).unwrap_or_default(),
        ),
        ("containers", containers.as_slice()),
    ];
    for (key, list) in groups {
        for (i, c) in list.iter().enumerate() {
            let at = format!("{path}.{key}[{i}]");
            let name = c.get("name").and_then(Value::as_str).unwrap_or("");
            if name.is_empty() {
                errs.push(FieldError::required(&format!("{at}.name"), ""));
            } else if !names.insert(name.to_string()) {
                errs.push(FieldError::duplicate(&format!("{at}.name"), name));
            }
            if c.get("image")
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim()
                .is_empty()
            {
                errs.push(FieldError::required(&format!("{at}.image"), ""));
            }
        }
    }
}

fn service(obj: &Value, errs: &mut Vec<FieldError>) {
    let ty = obj
        .pointer("/spec/type")
        .and_then(Value::as_str)
        .unwrap_or("ClusterIP");
    let supported = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    if !supported.contains(&ty) {
        errs.push(FieldError::not_supported("spec.type", ty, &supported));
        return;
    }
    let ports = obj
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let headless = obj.pointer("/spec/clusterIP").and_then(Value::as_str) == Some("None");
    if ty == "ExternalName" {
        if obj
            .pointer("/spec/externalName")
            .and_then(Value::as_str)
            .unwrap_or("")
            .is_empty()
        {
            errs.push(FieldError::required("spec.externalName", ""));
        }
    } else if ports.is_empty() && !headless {
        errs.push(FieldError::required("spec.ports", ""));
    }
    let mut names = std::collections::HashSet::new();
    for (i, p) in ports.iter().enumerate() {
        let name = p.get("name").and_then(Value::as_str).unwrap_or("");
        if ports.len() > 1 && name.is_empty() {
            errs.push(FieldError::required(&format!("spec.ports[{i}].name"), ""));
        } else if !name.is_empty() && !names.insert(name.to_string()) {
            errs.push(FieldError::duplicate(
                &format!("spec.ports[{i}].name"),
                name,
            ));
        }
        let port = p.get("port").and_then(Value::as_i64).unwrap_or(0);
        if !(1..=65535).contains(&port) {
            errs.push(FieldError::invalid(
                &format!("spec.ports[{i}].port"),
                port.to_string(),
                "must be between 1 and 65535, inclusive".into(),
            ));
        }
        if ty == "ClusterIP" && p.get("nodePort").and_then(Value::as_i64).unwrap_or(0) != 0 {
            errs.push(FieldError::forbidden(
                &format!("spec.ports[{i}].nodePort"),
                "may not be used when `type` is 'ClusterIP'",
            ));
        }
    }
}

/// Checks an update of a built-in kind against the stored version: the
/// immutable fields (`spec.selector` of workloads, a Job's selector and
/// template, StatefulSet spec fields, a Service's cluster IP), then [`validate`].
pub fn validate_update(group: &str, kind: &str, old: &Value, new: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let changed = |p: &str| old.pointer(p) != new.pointer(p);
    match (group, kind) {
        ("apps", "Deployment" | "ReplicaSet" | "DaemonSet") if changed("/spec/selector") => {
            let sel = new
                .pointer("/spec/selector")
                .cloned()
                .unwrap_or(Value::Null);
            errs.push(FieldError::invalid(
                "spec.selector",
                go_selector(&sel),
                "field is immutable".into(),
            ));
        }
        ("apps", "StatefulSet") => {
            let mutable = [
                "replicas",
                "ordinals",
                "template",
                "updateStrategy",
                "persistentVolumeClaimRetentionPolicy",
                "minReadySeconds",
            ];
            let strip = |v: &Value| {
                let mut s = v
                    .get("spec")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                for k in mutable {
                    s.shift_remove(k);
                }
                s
            };
            if strip(old) != strip(new) {
                errs.push(FieldError::forbidden(
                    "spec",
                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
                ));
            }
        }
        ("batch", "Job") => {
            if changed("/spec/selector") {
                let sel = new
                    .pointer("/spec/selector")
                    .cloned()
                    .unwrap_or(Value::Null);
                errs.push(FieldError::invalid(
                    "spec.selector",
                    go_selector(&sel),
                    "field is immutable".into(),
                ));
            }
            if changed("/spec/template") {
                let tpl = new
                    .pointer("/spec/template")
                    .map(Value::to_string)
                    .unwrap_or_default();
                errs.push(FieldError::invalid(
                    "spec.template",
                    tpl,
                    "field is immutable".into(),
                ));
            }
            if changed("/spec/completions") {
                let v = new
                    .pointer("/spec/completions")
                    .map(Value::to_string)
                    .unwrap_or_else(|| "null".into());
                errs.push(FieldError::invalid(
                    "spec.completions",
                    v,
                    "field is immutable".into(),
                ));
            }
        }
        ("", "Service") => {
            let old_ip = old
                .pointer("/spec/clusterIP")
                .and_then(Value::as_str)
                .unwrap_or("");
            let new_ip = new
                .pointer("/spec/clusterIP")
                .and_then(Value::as_str)
                .unwrap_or("");
            let old_ty = old
                .pointer("/spec/type")
                .and_then(Value::as_str)
                .unwrap_or("ClusterIP");
            let new_ty = new
                .pointer("/spec/type")
                .and_then(Value::as_str)
                .unwrap_or("ClusterIP");
            if !old_ip.is_empty()
                && old_ip != new_ip
                && old_ty != "ExternalName"
                && new_ty != "ExternalName"
            {
                errs.push(FieldError::invalid(
                    "spec.clusterIPs[0]",
                    go_str(new_ip),
                    "may not change once set".into(),
                ));
            }
        }
        ("", "ConfigMap" | "Secret") => immutable_data(kind, old, new, &mut errs),
        ("", "Pod") => pod_update(old, new, &mut errs),
        ("", "PersistentVolumeClaim") => {
            let strip = |v: &Value| {
                let mut s = v.get("spec").cloned().unwrap_or(Value::Null);
                if let Some(m) = s.as_object_mut() {
                    m.shift_remove("volumeAttributesClassName");
                    m.shift_remove("volumeName");
                    if let Some(r) = m.get_mut("resources").and_then(Value::as_object_mut) {
                        r.shift_remove("requests");
                    }
                }
                s
            };
            if strip(old) != strip(new) {
                errs.push(FieldError::forbidden(
                    "spec",
                    "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
                ));
            }
        }
        _ => {}
    }
    errs.extend(validate(group, kind, new));
    errs
}

/// ConfigMaps and Secrets marked `immutable: true` keep their data (and stay immutable);
/// a Secret's `type` never changes.
fn immutable_data(kind: &str, old: &Value, new: &Value, errs: &mut Vec<FieldError>) {
    const MSG: &str = "field is immutable when `immutable` is set";
    if kind == "Secret" {
        let ty = |v: &Value| {
            v.get("type")
                .and_then(Value::as_str)
                .unwrap_or("Opaque")
                .to_string()
        };
        if ty(old) != ty(new) {
            errs.push(FieldError::invalid(
                "type",
                go_str(&ty(new)),
                "field is immutable".into(),
            ));
        }
    }
    if old.get("immutable").and_then(Value::as_bool) != Some(true) {
        return;
    }
    if new.get("immutable").and_then(Value::as_bool) != Some(true) {
        errs.push(FieldError::forbidden("immutable", MSG));
    }
    for field in ["data", "binaryData"] {
        let empty = Value::Object(Map::new());
        let get = |v: &Value| {
            v.get(field)
                .filter(|d| !d.is_null())
                .cloned()
                .unwrap_or_else(|| empty.clone())
        };
        if get(old) != get(new) {
            errs.push(FieldError::forbidden(field, MSG));
        }
    }
}

/// Pod specs are immutable except container images, `activeDeadlineSeconds`,
/// added tolerations, `terminationGracePeriodSeconds`, removed scheduling gates
/// and the binding of `nodeName` (what the scheduler does).
fn pod_update(old: &Value, new: &Value, errs: &mut Vec<FieldError>) {
    let strip = |v: &Value| {
        let mut s = v.get("spec").cloned().unwrap_or(Value::Null);
        if let Some(m) = s.as_object_mut() {
            for k in [
                "activeDeadlineSeconds",
                "tolerations",
                "terminationGracePeriodSeconds",
                "schedulingGates",
            ] {
                m.shift_remove(k);
            }
            let bound_now = old
                .pointer("/spec/nodeName")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty);
            if bound_now {
                m.shift_remove("nodeName");
            }
            for list in ["containers", "initContainers", "ephemeralContainers"] {
                if let Some(Value::Array(cs)) = m.get_mut(list) {
                    for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                        c.shift_remove("image");
                    }
                }
            }
        }
        s
    };
    if strip(old) != strip(new) {
        errs.push(FieldError::forbidden(
            "spec",
            "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
        ));
    }
}

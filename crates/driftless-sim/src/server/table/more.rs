//! Table columns of the cluster-scoped and infrastructure kinds (admission, storage, scheduling,
//! discovery, certificates, node, aggregation), as kube-apiserver 1.32 prints them.

use serde_json::{Value, json};

use super::{AGE_DESC, Cells, Col, NAME_DESC, arr, c, num, obj_age, or_none, st};

fn flag(o: &Value, p: &str) -> Value {
    json!(o.pointer(p).and_then(Value::as_bool).unwrap_or(false))
}

/// `<unset>` for an empty value.
fn or_unset(s: String) -> String {
    if s.is_empty() { "<unset>".into() } else { s }
}

/// Columns and cells of `group/kind`, for the kinds this module knows.
pub(super) fn columns(group: &str, kind: &str) -> Option<(Vec<Col>, Cells)> {
    let name = c("Name", "string", 0, NAME_DESC);
    let age = || c("Age", "string", 0, AGE_DESC);
    Some(match (group, kind) {
        ("scheduling.k8s.io", "PriorityClass") => (
            vec![
                name,
                c("Value", "integer", 0, "The value of this priority class."),
                c(
                    "Global-Default",
                    "boolean",
                    0,
                    "globalDefault specifies whether this PriorityClass should be considered as the default priority.",
                ),
                age(),
                c(
                    "PreemptionPolicy",
                    "string",
                    0,
                    "PreemptionPolicy is the Policy for preempting pods with lower priority.",
                ),
            ],
            Box::new(|o| {
                vec![
                    json!(num(o, "/value")),
                    flag(o, "/globalDefault"),
                    obj_age(o),
                    json!(st(o, "/preemptionPolicy")),
                ]
            }),
        ),
        ("discovery.k8s.io", "EndpointSlice") => (
            vec![
                name,
                c("AddressType", "string", 0, "The IP protocol for this slice"),
                c("Ports", "string", 0, "The ports of this slice"),
                c("Endpoints", "string", 0, "The endpoints of this slice"),
                age(),
            ],
            Box::new(|o| {
                let ports: Vec<String> = arr(o, "/ports")
                    .iter()
                    .map(|p| match p.get("port").and_then(Value::as_i64) {
                        Some(n) => n.to_string(),
                        None => "<unset>".into(),
                    })
                    .collect();
                let addrs: Vec<&str> = arr(o, "/endpoints")
                    .iter()
                    .flat_map(|e| arr(e, "/addresses"))
                    .filter_map(Value::as_str)
                    .collect();
                let mut shown = addrs.iter().take(3).copied().collect::<Vec<_>>().join(",");
                if addrs.len() > 3 {
                    shown.push_str(&format!(" + {} more...", addrs.len() - 3));
                }
                vec![
                    json!(st(o, "/addressType")),
                    json!(if ports.is_empty() {
                        "<unset>".into()
                    } else {
                        ports.join(",")
                    }),
                    json!(or_unset(shown)),
                    obj_age(o),
                ]
            }),
        ),
        ("networking.k8s.io", "IngressClass") => (
            vec![
                name,
                c(
                    "Controller",
                    "string",
                    0,
                    "Controller that is responsible for handling this class",
                ),
                c(
                    "Parameters",
                    "string",
                    0,
                    "A reference to a resource with additional parameters",
                ),
                age(),
            ],
            Box::new(|o| {
                let p = o.pointer("/spec/parameters");
                let params = match p {
                    Some(p) => {
                        let group = st(p, "/apiGroup");
                        let kind = if group.is_empty() {
                            st(p, "/kind").to_string()
                        } else {
                            format!("{}.{group}", st(p, "/kind"))
                        };
                        format!("{kind}/{}", st(p, "/name"))
                    }
                    None => String::new(),
                };
                vec![
                    json!(st(o, "/spec/controller")),
                    json!(or_none(params)),
                    obj_age(o),
                ]
            }),
        ),
        ("node.k8s.io", "RuntimeClass") => (
            vec![
                name,
                c("Handler", "string", 0, "The name of the CRI handler"),
                age(),
            ],
            Box::new(|o| vec![json!(st(o, "/handler")), obj_age(o)]),
        ),
        ("certificates.k8s.io", "CertificateSigningRequest") => (
            vec![
                name,
                age(),
                c("SignerName", "string", 0, "The name of the signer"),
                c(
                    "Requestor",
                    "string",
                    0,
                    "The user who requested the certificate",
                ),
                c(
                    "RequestedDuration",
                    "string",
                    0,
                    "The requested duration of the certificate",
                ),
                c(
                    "Condition",
                    "string",
                    0,
                    "The state of the certificate signing request",
                ),
            ],
            Box::new(|o| {
                let conds: Vec<&str> = arr(o, "/status/conditions")
                    .iter()
                    .map(|c| st(c, "/type"))
                    .collect();
                let duration = o
                    .pointer("/spec/expirationSeconds")
                    .and_then(Value::as_i64)
                    .map(super::human_duration)
                    .unwrap_or_else(|| "<none>".into());
                vec![
                    obj_age(o),
                    json!(st(o, "/spec/signerName")),
                    json!(st(o, "/spec/username")),
                    json!(duration),
                    json!(if conds.is_empty() {
                        "Pending".into()
                    } else {
                        conds.join(",")
                    }),
                ]
            }),
        ),
        ("apiregistration.k8s.io", "APIService") => (
            vec![
                name,
                c(
                    "Service",
                    "string",
                    0,
                    "The reference to the service that hosts this API endpoint.",
                ),
                c(
                    "Available",
                    "string",
                    0,
                    "Whether this service is available.",
                ),
                age(),
            ],
            Box::new(|o| {
                let svc = match o.pointer("/spec/service") {
                    Some(s) if s.is_object() => {
                        format!("{}/{}", st(s, "/namespace"), st(s, "/name"))
                    }
                    _ => "Local".into(),
                };
                let avail = arr(o, "/status/conditions")
                    .iter()
                    .find(|c| st(c, "/type") == "Available")
                    .map(|c| match st(c, "/status") {
                        "True" => "True".to_string(),
                        s => format!("{s} ({})", st(c, "/reason")),
                    })
                    .unwrap_or_else(|| "Unknown".into());
                vec![json!(svc), json!(avail), obj_age(o)]
            }),
        ),
        (
            "admissionregistration.k8s.io",
            "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration",
        ) => (
            vec![
                name,
                c(
                    "Webhooks",
                    "integer",
                    0,
                    "Webhooks indicates the number of webhooks in the configuration.",
                ),
                age(),
            ],
            Box::new(|o| vec![json!(arr(o, "/webhooks").len()), obj_age(o)]),
        ),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy") => (
            vec![
                name,
                c(
                    "Validations",
                    "integer",
                    0,
                    "Validations indicates the number of validation rules defined in this configuration",
                ),
                c(
                    "ParamKind",
                    "string",
                    0,
                    "ParamKind specifies the kind of resources used to parameterize this policy",
                ),
                age(),
            ],
            Box::new(|o| {
                let pk = match o.pointer("/spec/paramKind") {
                    Some(p) if p.is_object() => {
                        format!("{}/{}", st(p, "/apiVersion"), st(p, "/kind"))
                    }
                    _ => String::new(),
                };
                vec![
                    json!(arr(o, "/spec/validations").len()),
                    json!(or_unset(pk)),
                    obj_age(o),
                ]
            }),
        ),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding") => (
            vec![
                name,
                c(
                    "PolicyName",
                    "string",
                    0,
                    "PolicyName indicates the policy definition which the policy binding binded to",
                ),
                c(
                    "ParamRef",
                    "string",
                    0,
                    "ParamRef indicates the param resource which sets the configration param",
                ),
                age(),
            ],
            Box::new(|o| {
                let pr = match o.pointer("/spec/paramRef") {
                    Some(p) if p.is_object() => match st(p, "/namespace") {
                        "" => st(p, "/name").to_string(),
                        ns => format!("{ns}/{}", st(p, "/name")),
                    },
                    _ => String::new(),
                };
                vec![
                    json!(st(o, "/spec/policyName")),
                    json!(or_unset(pr)),
                    obj_age(o),
                ]
            }),
        ),
        ("storage.k8s.io", "CSIDriver") => (
            vec![
                name,
                c(
                    "AttachRequired",
                    "boolean",
                    0,
                    "Indicates this CSI volume driver requires an attach operation",
                ),
                c(
                    "PodInfoOnMount",
                    "boolean",
                    0,
                    "Indicates this CSI volume driver requires additional pod information during mount operations",
                ),
                c(
                    "StorageCapacity",
                    "boolean",
                    0,
                    "Indicates this CSI volume driver supports storage capacity tracking",
                ),
                c(
                    "TokenRequests",
                    "string",
                    0,
                    "Indicates this CSI volume driver requires pod service account tokens",
                ),
                c(
                    "RequiresRepublish",
                    "boolean",
                    0,
                    "Indicates this CSI volume driver requires repeated NodePublishVolume calls",
                ),
                c(
                    "Modes",
                    "string",
                    0,
                    "Indicates volume lifecycle modes supported by this CSI volume driver",
                ),
                age(),
            ],
            Box::new(|o| {
                let tokens: Vec<&str> = arr(o, "/spec/tokenRequests")
                    .iter()
                    .map(|t| match st(t, "/audience") {
                        "" => "<api-server-default>",
                        a => a,
                    })
                    .collect();
                let modes: Vec<&str> = arr(o, "/spec/volumeLifecycleModes")
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                vec![
                    json!(
                        o.pointer("/spec/attachRequired")
                            .and_then(Value::as_bool)
                            .unwrap_or(true)
                    ),
                    flag(o, "/spec/podInfoOnMount"),
                    flag(o, "/spec/storageCapacity"),
                    json!(if tokens.is_empty() {
                        "<unset>".into()
                    } else {
                        tokens.join(",")
                    }),
                    flag(o, "/spec/requiresRepublish"),
                    json!(if modes.is_empty() {
                        "<none>".into()
                    } else {
                        modes.join(",")
                    }),
                    obj_age(o),
                ]
            }),
        ),
        ("storage.k8s.io", "CSINode") => (
            vec![
                name,
                c(
                    "Drivers",
                    "integer",
                    0,
                    "Drivers indicates the number of CSI drivers registered on the node",
                ),
                age(),
            ],
            Box::new(|o| vec![json!(arr(o, "/spec/drivers").len()), obj_age(o)]),
        ),
        ("storage.k8s.io", "CSIStorageCapacity") => (
            vec![
                name,
                c(
                    "StorageClassName",
                    "string",
                    0,
                    "The name of the StorageClass that the reported capacity applies to",
                ),
                c("Capacity", "string", 0, "The reported capacity"),
                age(),
            ],
            Box::new(|o| {
                vec![
                    json!(st(o, "/storageClassName")),
                    json!(or_unset(st(o, "/capacity").to_string())),
                    obj_age(o),
                ]
            }),
        ),
        ("storage.k8s.io", "VolumeAttachment") => (
            vec![
                name,
                c(
                    "Attacher",
                    "string",
                    0,
                    "Attacher indicates the name of the volume driver that MUST handle this request.",
                ),
                c("PV", "string", 0, "Name of the persistent volume to attach"),
                c(
                    "Node",
                    "string",
                    0,
                    "The node that the volume should be attached to.",
                ),
                c(
                    "Attached",
                    "boolean",
                    0,
                    "Indicates the volume is successfully attached.",
                ),
                age(),
            ],
            Box::new(|o| {
                vec![
                    json!(st(o, "/spec/attacher")),
                    json!(st(o, "/spec/source/persistentVolumeName")),
                    json!(st(o, "/spec/nodeName")),
                    flag(o, "/status/attached"),
                    obj_age(o),
                ]
            }),
        ),
        _ => return None,
    })
}

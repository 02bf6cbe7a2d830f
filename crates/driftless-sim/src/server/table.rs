//! `Table` output (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): the columns
//! `kubectl get` (and `-o wide`, priority 1) shows for each kind.

use serde_json::{Value, json};

use crate::registry::ResourceType;

mod more;

const NAME_DESC: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: http://kubernetes.io/docs/user-guide/identifiers#names";
const AGE_DESC: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/// What each row's `object` holds (`includeObject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeObject {
    /// Nothing.
    None,
    /// `PartialObjectMetadata` (default).
    Metadata,
    /// The full object.
    Object,
}

struct Col {
    name: String,
    ty: String,
    priority: u8,
    desc: String,
}

fn c(name: &str, ty: &str, priority: u8, desc: &str) -> Col {
    Col {
        name: name.into(),
        ty: ty.into(),
        priority,
        desc: desc.into(),
    }
}

fn st<'a>(o: &'a Value, p: &str) -> &'a str {
    o.pointer(p).and_then(Value::as_str).unwrap_or("")
}

fn num(o: &Value, p: &str) -> i64 {
    o.pointer(p).and_then(Value::as_i64).unwrap_or(0)
}

fn arr<'a>(o: &'a Value, p: &str) -> &'a [Value] {
    o.pointer(p)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn or_none(s: String) -> String {
    if s.is_empty() { "<none>".into() } else { s }
}

/// kubectl's `HumanDuration` of the time since an RFC 3339 timestamp.
pub fn age(ts: &str) -> String {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(ts) else {
        return "<unknown>".into();
    };
    let secs = (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds();
    human_duration(secs)
}

/// Formats seconds as kubectl does (`5s`, `3m2s`, `4h`, `2d3h`, `1y20d`).
pub fn human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    let s = secs.max(0);
    if s < 120 {
        return format!("{s}s");
    }
    let m = s / 60;
    if m < 10 {
        return if s % 60 == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{}s", s % 60)
        };
    }
    if m < 180 {
        return format!("{m}m");
    }
    let h = m / 60;
    if h < 8 {
        return if m % 60 == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{}m", m % 60)
        };
    }
    if h < 48 {
        return format!("{h}h");
    }
    if h < 24 * 8 {
        return if h % 24 == 0 {
            format!("{}d", h / 24)
        } else {
            format!("{}d{}h", h / 24, h % 24)
        };
    }
    if h < 24 * 365 * 2 {
        return format!("{}d", h / 24);
    }
    if h < 24 * 365 * 8 {
        let d = h / 24;
        return if d % 365 == 0 {
            format!("{}y", d / 365)
        } else {
            format!("{}y{}d", d / 365, d % 365)
        };
    }
    format!("{}y", h / 24 / 365)
}

fn obj_age(o: &Value) -> Value {
    json!(age(st(o, "/metadata/creationTimestamp")))
}

fn containers(o: &Value, spec: &str) -> (Value, Value) {
    let cs = arr(o, &format!("{spec}/containers"));
    let names: Vec<&str> = cs.iter().map(|c| st(c, "/name")).collect();
    let images: Vec<&str> = cs.iter().map(|c| st(c, "/image")).collect();
    (json!(names.join(",")), json!(images.join(",")))
}

fn selector_string(sel: Option<&Value>) -> String {
    let Some(sel) = sel else {
        return "<none>".into();
    };
    let mut parts = Vec::new();
    if let Some(m) = sel.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in m {
            parts.push(format!("{k}={}", v.as_str().unwrap_or("")));
        }
    }
    for e in sel
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = st(e, "/key");
        let vals: Vec<&str> = arr(e, "/values").iter().filter_map(Value::as_str).collect();
        match st(e, "/operator") {
            "In" => parts.push(format!("{key} in ({})", vals.join(","))),
            "NotIn" => parts.push(format!("{key} notin ({})", vals.join(","))),
            "Exists" => parts.push(key.to_string()),
            "DoesNotExist" => parts.push(format!("!{key}")),
            _ => {}
        }
    }
    if parts.is_empty() {
        "<none>".into()
    } else {
        parts.join(",")
    }
}

fn map_selector(o: &Value, p: &str) -> String {
    match o.pointer(p).and_then(Value::as_object) {
        Some(m) if !m.is_empty() => {
            let mut v: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect();
            v.sort();
            v.join(",")
        }
        _ => "<none>".into(),
    }
}

fn pod_status(o: &Value) -> String {
    if o.pointer("/metadata/deletionTimestamp").is_some() {
        return "Terminating".into();
    }
    let mut reason = st(o, "/status/reason").to_string();
    if reason.is_empty() {
        reason = st(o, "/status/phase").to_string();
    }
    for cs in arr(o, "/status/containerStatuses").iter().rev() {
        if let Some(w) = cs.pointer("/state/waiting/reason").and_then(Value::as_str) {
            reason = w.to_string();
        } else if let Some(t) = cs.pointer("/state/terminated") {
            let r = st(t, "/reason");
            reason = if r.is_empty() {
                format!("ExitCode:{}", num(t, "/exitCode"))
            } else {
                r.to_string()
            };
        }
    }
    if reason.is_empty() {
        "Pending".into()
    } else {
        reason
    }
}

fn ports_string(o: &Value) -> String {
    let ps: Vec<String> = arr(o, "/spec/ports")
        .iter()
        .map(|p| {
            let proto = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
            match p.get("nodePort").and_then(Value::as_i64) {
                Some(np) if np > 0 => format!("{}:{np}/{proto}", num(p, "/port")),
                _ => format!("{}/{proto}", num(p, "/port")),
            }
        })
        .collect();
    if ps.is_empty() {
        "<none>".into()
    } else {
        ps.join(",")
    }
}

fn lb_ingress(o: &Value) -> Vec<String> {
    arr(o, "/status/loadBalancer/ingress")
        .iter()
        .map(|i| {
            let ip = st(i, "/ip");
            if ip.is_empty() {
                st(i, "/hostname").to_string()
            } else {
                ip.to_string()
            }
        })
        .collect()
}

/// Computes the cells (after Name) of one row.
type Cells = Box<dyn Fn(&Value) -> Vec<Value>>;

fn columns_and_cells(rt: &ResourceType) -> (Vec<Col>, Cells) {
    let name = c("Name", "string", 0, NAME_DESC);
    let agec = c("Age", "string", 0, AGE_DESC);
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("apps", "Deployment") => (
            vec![
                name,
                c("Ready", "string", 0, "Number of the pod with ready state"),
                c(
                    "Up-to-date",
                    "string",
                    0,
                    "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
                ),
                c(
                    "Available",
                    "string",
                    0,
                    "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
                ),
                agec,
                c(
                    "Containers",
                    "string",
                    1,
                    "Names of each container in the template.",
                ),
                c(
                    "Images",
                    "string",
                    1,
                    "Images referenced by each container in the template.",
                ),
                c(
                    "Selector",
                    "string",
                    1,
                    "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
                ),
            ],
            Box::new(|o| {
                let (cn, im) = containers(o, "/spec/template/spec");
                let desired = o
                    .pointer("/spec/replicas")
                    .and_then(Value::as_i64)
                    .unwrap_or(1);
                vec![
                    json!(format!("{}/{desired}", num(o, "/status/readyReplicas"))),
                    json!(num(o, "/status/updatedReplicas")),
                    json!(num(o, "/status/availableReplicas")),
                    obj_age(o),
                    cn,
                    im,
                    json!(selector_string(o.pointer("/spec/selector"))),
                ]
            }),
        ),
        ("apps", "ReplicaSet") => (
            vec![
                name,
                c(
                    "Desired",
                    "integer",
                    0,
                    "Replicas is the number of desired replicas.",
                ),
                c(
                    "Current",
                    "integer",
                    0,
                    "Replicas is the most recently observed number of replicas.",
                ),
                c(
                    "Ready",
                    "integer",
                    0,
                    "The number of ready replicas for this replica set.",
                ),
                agec,
                c(
                    "Containers",
                    "string",
                    1,
                    "Names of each container in the template.",
                ),
                c(
                    "Images",
                    "string",
                    1,
                    "Images referenced by each container in the template.",
                ),
                c(
                    "Selector",
                    "string",
                    1,
                    "Selector is a label query over pods that should match the replica count.",
                ),
            ],
            Box::new(|o| {
                let (cn, im) = containers(o, "/spec/template/spec");
                vec![
                    json!(
                        o.pointer("/spec/replicas")
                            .and_then(Value::as_i64)
                            .unwrap_or(1)
                    ),
                    json!(num(o, "/status/replicas")),
                    json!(num(o, "/status/readyReplicas")),
                    obj_age(o),
                    cn,
                    im,
                    json!(selector_string(o.pointer("/spec/selector"))),
                ]
            }),
        ),
        ("apps", "StatefulSet") => (
            vec![
                name,
                c("Ready", "string", 0, "Number of the pod with ready state"),
                agec,
                c(
                    "Containers",
                    "string",
                    1,
                    "Names of each container in the template.",
                ),
                c(
                    "Images",
                    "string",
                    1,
                    "Images referenced by each container in the template.",
                ),
            ],
            Box::new(|o| {
                let (cn, im) = containers(o, "/spec/template/spec");
                let desired = o
                    .pointer("/spec/replicas")
                    .and_then(Value::as_i64)
                    .unwrap_or(1);
                vec![
                    json!(format!("{}/{desired}", num(o, "/status/readyReplicas"))),
                    obj_age(o),
                    cn,
                    im,
                ]
            }),
        ),
        ("apps", "DaemonSet") => (
            vec![
                name,
                c(
                    "Desired",
                    "integer",
                    0,
                    "The total number of nodes that should be running the daemon pod.",
                ),
                c(
                    "Current",
                    "integer",
                    0,
                    "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.",
                ),
                c(
                    "Ready",
                    "integer",
                    0,
                    "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.",
                ),
                c(
                    "Up-to-date",
                    "integer",
                    0,
                    "The total number of nodes that are running updated daemon pod",
                ),
                c(
                    "Available",
                    "integer",
                    0,
                    "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)",
                ),
                c(
                    "Node Selector",
                    "string",
                    0,
                    "NodeSelector is a selector which must be true for the pod to fit on a node.",
                ),
                agec,
                c(
                    "Containers",
                    "string",
                    1,
                    "Names of each container in the template.",
                ),
                c(
                    "Images",
                    "string",
                    1,
                    "Images referenced by each container in the template.",
                ),
                c(
                    "Selector",
                    "string",
                    1,
                    "A label query over pods that are managed by the daemon set.",
                ),
            ],
            Box::new(|o| {
                let (cn, im) = containers(o, "/spec/template/spec");
                vec![
                    json!(num(o, "/status/desiredNumberScheduled")),
                    json!(num(o, "/status/currentNumberScheduled")),
                    json!(num(o, "/status/numberReady")),
                    json!(num(o, "/status/updatedNumberScheduled")),
                    json!(num(o, "/status/numberAvailable")),
                    json!(map_selector(o, "/spec/template/spec/nodeSelector")),
                    obj_age(o),
                    cn,
                    im,
                    json!(selector_string(o.pointer("/spec/selector"))),
                ]
            }),
        ),
        ("batch", "Job") => (
            vec![
                name,
                c("Status", "string", 0, "Status of the job."),
                c(
                    "Completions",
                    "string",
                    0,
                    "The completion status of the job.",
                ),
                c(
                    "Duration",
                    "string",
                    0,
                    "Time required to complete the job.",
                ),
                agec,
                c(
                    "Containers",
                    "string",
                    1,
                    "Names of each container in the template.",
                ),
                c(
                    "Images",
                    "string",
                    1,
                    "Images referenced by each container in the template.",
                ),
                c(
                    "Selector",
                    "string",
                    1,
                    "A label query over pods that should match the pod count.",
                ),
            ],
            Box::new(|o| {
                let (cn, im) = containers(o, "/spec/template/spec");
                let completions = match o.pointer("/spec/completions").and_then(Value::as_i64) {
                    Some(n) => format!("{}/{n}", num(o, "/status/succeeded")),
                    None => format!(
                        "{}/1 of {}",
                        num(o, "/status/succeeded"),
                        o.pointer("/spec/parallelism")
                            .and_then(Value::as_i64)
                            .unwrap_or(1)
                    ),
                };
                let conds = arr(o, "/status/conditions");
                let has = |t: &str| {
                    conds
                        .iter()
                        .any(|c| st(c, "/type") == t && st(c, "/status") == "True")
                };
                let status = if has("Complete") {
                    "Complete"
                } else if has("Failed") {
                    "Failed"
                } else if o.pointer("/metadata/deletionTimestamp").is_some() {
                    "Terminating"
                } else if o.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
                    "Suspended"
                } else {
                    "Running"
                };
                let start = st(o, "/status/startTime");
                let duration = if start.is_empty() {
                    String::new()
                } else {
                    let end = st(o, "/status/completionTime");
                    let s = chrono::DateTime::parse_from_rfc3339(start).ok();
                    let e = if end.is_empty() {
                        Some(chrono::Utc::now().fixed_offset())
                    } else {
                        chrono::DateTime::parse_from_rfc3339(end).ok()
                    };
                    match (s, e) {
                        (Some(s), Some(e)) => human_duration((e - s).num_seconds()),
                        _ => String::new(),
                    }
                };
                vec![
                    json!(status),
                    json!(completions),
                    json!(duration),
                    obj_age(o),
                    cn,
                    im,
                    json!(selector_string(o.pointer("/spec/selector"))),
                ]
            }),
        ),
        ("batch", "CronJob") => (
            vec![
                name,
                c(
                    "Schedule",
                    "string",
                    0,
                    "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.",
                ),
                c(
                    "Timezone",
                    "string",
                    0,
                    "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones",
                ),
                c(
                    "Suspend",
                    "boolean",
                    0,
                    "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions. Defaults to false.",
                ),
                c(
                    "Active",
                    "integer",
                    0,
                    "A list of pointers to currently running jobs.",
                ),
                c(
                    "Last Schedule",
                    "string",
                    0,
                    "Information when was the last time the job was successfully scheduled.",
                ),
                agec,
                c(
                    "Containers",
                    "string",
                    1,
                    "Names of each container in the template.",
                ),
                c(
                    "Images",
                    "string",
                    1,
                    "Images referenced by each container in the template.",
                ),
                c(
                    "Selector",
                    "string",
                    1,
                    "A label query over pods that should match the pod count.",
                ),
            ],
            Box::new(|o| {
                let (cn, im) = containers(o, "/spec/jobTemplate/spec/template/spec");
                let last = st(o, "/status/lastScheduleTime");
                let tz = st(o, "/spec/timeZone");
                vec![
                    json!(st(o, "/spec/schedule")),
                    json!(if tz.is_empty() { "<none>" } else { tz }),
                    json!(
                        o.pointer("/spec/suspend")
                            .and_then(Value::as_bool)
                            .unwrap_or(false)
                    ),
                    json!(arr(o, "/status/active").len()),
                    json!(if last.is_empty() {
                        "<none>".to_string()
                    } else {
                        age(last)
                    }),
                    obj_age(o),
                    cn,
                    im,
                    json!(selector_string(
                        o.pointer("/spec/jobTemplate/spec/selector")
                    )),
                ]
            }),
        ),
        ("", "Pod") => (
            vec![
                name,
                c(
                    "Ready",
                    "string",
                    0,
                    "The aggregate readiness state of this pod for accepting traffic.",
                ),
                c(
                    "Status",
                    "string",
                    0,
                    "The aggregate status of the containers in this pod.",
                ),
                c(
                    "Restarts",
                    "string",
                    0,
                    "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
                ),
                agec,
                c(
                    "IP",
                    "string",
                    1,
                    "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
                ),
                c(
                    "Node",
                    "string",
                    1,
                    "NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.",
                ),
                c(
                    "Nominated Node",
                    "string",
                    1,
                    "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.",
                ),
                c(
                    "Readiness Gates",
                    "string",
                    1,
                    "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates",
                ),
            ],
            Box::new(|o| {
                let total = arr(o, "/spec/containers").len();
                let statuses = arr(o, "/status/containerStatuses");
                let ready = statuses
                    .iter()
                    .filter(|s| s.get("ready").and_then(Value::as_bool) == Some(true))
                    .count();
                let restarts: i64 = statuses.iter().map(|s| num(s, "/restartCount")).sum();
                let ip = st(o, "/status/podIP");
                let node = st(o, "/spec/nodeName");
                let nominated = st(o, "/status/nominatedNodeName");
                vec![
                    json!(format!("{ready}/{total}")),
                    json!(pod_status(o)),
                    json!(restarts.to_string()),
                    obj_age(o),
                    json!(or_none(ip.into())),
                    json!(or_none(node.into())),
                    json!(or_none(nominated.into())),
                    json!("<none>"),
                ]
            }),
        ),
        ("", "Namespace") => (
            vec![
                name,
                c("Status", "string", 0, "The status of the namespace"),
                agec,
            ],
            Box::new(|o| vec![json!(st(o, "/status/phase")), obj_age(o)]),
        ),
        ("", "ConfigMap") => (
            vec![
                name,
                c(
                    "Data",
                    "string",
                    0,
                    "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
                ),
                agec,
            ],
            Box::new(|o| {
                let n = o
                    .get("data")
                    .and_then(Value::as_object)
                    .map_or(0, |m| m.len())
                    + o.get("binaryData")
                        .and_then(Value::as_object)
                        .map_or(0, |m| m.len());
                vec![json!(n), obj_age(o)]
            }),
        ),
        ("", "Secret") => (
            vec![
                name,
                c("Type", "string", 0, "The type of the secret"),
                c("Data", "string", 0, "The number of entries in the secret"),
                agec,
            ],
            Box::new(|o| {
                let n = o
                    .get("data")
                    .and_then(Value::as_object)
                    .map_or(0, |m| m.len());
                vec![json!(st(o, "/type")), json!(n), obj_age(o)]
            }),
        ),
        ("", "ServiceAccount") => (
            vec![
                name,
                c(
                    "Secrets",
                    "string",
                    0,
                    "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
                ),
                agec,
            ],
            Box::new(|o| vec![json!(arr(o, "/secrets").len()), obj_age(o)]),
        ),
        ("", "Service") => (
            vec![
                name,
                c("Type", "string", 0, "The type of the service"),
                c("Cluster-IP", "string", 0, "The cluster IP of the service"),
                c("External-IP", "string", 0, "The external IP of the service"),
                c("Port(s)", "string", 0, "The ports of the service"),
                agec,
                c(
                    "Selector",
                    "string",
                    1,
                    "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/",
                ),
            ],
            Box::new(|o| {
                let ty = st(o, "/spec/type");
                let mut ext: Vec<String> = arr(o, "/spec/externalIPs")
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect();
                let external = match ty {
                    "ExternalName" => st(o, "/spec/externalName").to_string(),
                    "LoadBalancer" => {
                        ext.extend(lb_ingress(o));
                        if ext.is_empty() {
                            "<pending>".into()
                        } else {
                            ext.join(",")
                        }
                    }
                    _ => {
                        if ext.is_empty() {
                            "<none>".into()
                        } else {
                            ext.join(",")
                        }
                    }
                };
                let ip = st(o, "/spec/clusterIP");
                vec![
                    json!(if ty.is_empty() { "ClusterIP" } else { ty }),
                    json!(or_none(ip.into())),
                    json!(external),
                    json!(ports_string(o)),
                    obj_age(o),
                    json!(map_selector(o, "/spec/selector")),
                ]
            }),
        ),
        ("", "Endpoints") => (
            vec![
                name,
                c("Endpoints", "string", 0, "Endpoints of the service"),
                agec,
            ],
            Box::new(|o| {
                let mut eps = Vec::new();
                for s in arr(o, "/subsets") {
                    for a in arr(s, "/addresses") {
                        for p in arr(s, "/ports") {
                            eps.push(format!("{}:{}", st(a, "/ip"), num(p, "/port")));
                        }
                        if arr(s, "/ports").is_empty() {
                            eps.push(st(a, "/ip").to_string());
                        }
                    }
                }
                let more = eps.len().saturating_sub(3);
                eps.truncate(3);
                let mut text = if eps.is_empty() {
                    "<none>".to_string()
                } else {
                    eps.join(",")
                };
                if more > 0 {
                    text.push_str(&format!(" + {more} more..."));
                }
                vec![json!(text), obj_age(o)]
            }),
        ),
        ("", "Event") => (
            vec![
                c("Last Seen", "string", 0, "Time when last event occurred"),
                c("Type", "string", 0, "Type of the event"),
                c("Reason", "string", 0, "Reason of the event"),
                c("Object", "string", 0, "Object this event is about"),
                c("Subobject", "string", 1, "Subobject this event is about"),
                c("Source", "string", 1, "Source of the event"),
                c("Message", "string", 0, "Message of the event"),
                c("First Seen", "string", 1, "Time when first event occurred"),
                c(
                    "Count",
                    "string",
                    1,
                    "Number of times this event has occurred",
                ),
                c("Name", "string", 1, "Name of the event"),
            ],
            Box::new(|o| {
                let last = [
                    st(o, "/lastTimestamp"),
                    st(o, "/eventTime"),
                    st(o, "/metadata/creationTimestamp"),
                ]
                .into_iter()
                .find(|s| !s.is_empty())
                .unwrap_or("");
                let first = [st(o, "/firstTimestamp"), st(o, "/eventTime")]
                    .into_iter()
                    .find(|s| !s.is_empty())
                    .unwrap_or(last);
                let object = format!(
                    "{}/{}",
                    st(o, "/involvedObject/kind").to_lowercase(),
                    st(o, "/involvedObject/name")
                );
                let comp = [st(o, "/source/component"), st(o, "/reportingComponent")]
                    .into_iter()
                    .find(|s| !s.is_empty())
                    .unwrap_or("");
                vec![
                    json!(age(last)),
                    json!(st(o, "/type")),
                    json!(st(o, "/reason")),
                    json!(object),
                    json!(st(o, "/involvedObject/fieldPath")),
                    json!(comp),
                    json!(st(o, "/message").trim()),
                    json!(age(first)),
                    json!(
                        o.get("count")
                            .and_then(Value::as_i64)
                            .unwrap_or(1)
                            .to_string()
                    ),
                    json!(st(o, "/metadata/name")),
                ]
            }),
        ),
        ("", "PersistentVolumeClaim") => (
            vec![
                name,
                c("Status", "string", 0, "Status of the PVC"),
                c("Volume", "string", 0, "The volume bound to this PVC"),
                c("Capacity", "string", 0, "Capacity of the bound volume"),
                c(
                    "Access Modes",
                    "string",
                    0,
                    "Access modes of the bound volume",
                ),
                c("StorageClass", "string", 0, "StorageClass of the pvc"),
                c(
                    "VolumeAttributesClass",
                    "string",
                    0,
                    "VolumeAttributesClass of the pvc",
                ),
                agec,
                c("VolumeMode", "string", 1, "VolumeMode of the pvc"),
            ],
            Box::new(|o| {
                let modes: Vec<String> = arr(o, "/status/accessModes")
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|m| {
                        match m {
                            "ReadWriteOnce" => "RWO",
                            "ReadOnlyMany" => "ROX",
                            "ReadWriteMany" => "RWX",
                            "ReadWriteOncePod" => "RWOP",
                            x => x,
                        }
                        .to_string()
                    })
                    .collect();
                let cap = st(o, "/status/capacity/storage");
                let sc = st(o, "/spec/storageClassName");
                let vac = st(o, "/spec/volumeAttributesClassName");
                vec![
                    json!(st(o, "/status/phase")),
                    json!(st(o, "/spec/volumeName")),
                    json!(cap),
                    json!(modes.join(",")),
                    json!(if sc.is_empty() { "<unset>" } else { sc }),
                    json!(if vac.is_empty() { "<unset>" } else { vac }),
                    obj_age(o),
                    json!(st(o, "/spec/volumeMode")),
                ]
            }),
        ),
        ("networking.k8s.io", "Ingress") => (
            vec![
                name,
                c(
                    "Class",
                    "string",
                    0,
                    "The name of the IngressClass resource that should be used for ingress",
                ),
                c(
                    "Hosts",
                    "string",
                    0,
                    "Hosts that incoming requests are matched against before the ingress rule",
                ),
                c(
                    "Address",
                    "string",
                    0,
                    "Address is a list containing ingress points for the load-balancer",
                ),
                c(
                    "Ports",
                    "string",
                    0,
                    "Ports of TLS configurations that open",
                ),
                agec,
            ],
            Box::new(|o| {
                let hosts: Vec<&str> = arr(o, "/spec/rules")
                    .iter()
                    .map(|r| st(r, "/host"))
                    .map(|h| if h.is_empty() { "*" } else { h })
                    .collect();
                let class = st(o, "/spec/ingressClassName");
                let ports = if arr(o, "/spec/tls").is_empty() {
                    "80"
                } else {
                    "80, 443"
                };
                vec![
                    json!(if class.is_empty() { "<none>" } else { class }),
                    json!(if hosts.is_empty() {
                        "*".to_string()
                    } else {
                        hosts.join(",")
                    }),
                    json!(lb_ingress(o).join(",")),
                    json!(ports),
                    obj_age(o),
                ]
            }),
        ),
        ("networking.k8s.io", "NetworkPolicy") => (
            vec![
                name,
                c(
                    "Pod-Selector",
                    "string",
                    0,
                    "podSelector selects the pods to which this NetworkPolicy object applies. The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods. In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace.",
                ),
                agec,
            ],
            Box::new(|o| {
                let s = selector_string(o.pointer("/spec/podSelector"));
                vec![
                    json!(if s == "<none>" {
                        "<none>".to_string()
                    } else {
                        s
                    }),
                    obj_age(o),
                ]
            }),
        ),
        ("autoscaling", "HorizontalPodAutoscaler") => (
            vec![
                name,
                c("Reference", "string", 0, "reference to the target resource"),
                c(
                    "Targets",
                    "string",
                    0,
                    "the current and desired metric values",
                ),
                c(
                    "MinPods",
                    "string",
                    0,
                    "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.",
                ),
                c(
                    "MaxPods",
                    "string",
                    0,
                    "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.",
                ),
                c(
                    "Replicas",
                    "string",
                    0,
                    "current number of replicas of pods managed by this autoscaler",
                ),
                agec,
            ],
            Box::new(|o| {
                let r = format!(
                    "{}/{}",
                    st(o, "/spec/scaleTargetRef/kind"),
                    st(o, "/spec/scaleTargetRef/name")
                );
                let targets: Vec<String> = arr(o, "/spec/metrics")
                    .iter()
                    .map(|m| {
                        let name = m
                            .pointer("/resource/name")
                            .and_then(Value::as_str)
                            .unwrap_or("metric");
                        let target = m
                            .pointer("/resource/target/averageUtilization")
                            .and_then(Value::as_i64)
                            .map(|t| format!("{t}%"))
                            .unwrap_or_else(|| "<unset>".into());
                        format!("{name}: <unknown>/{target}")
                    })
                    .collect();
                vec![
                    json!(r),
                    json!(if targets.is_empty() {
                        "<none>".to_string()
                    } else {
                        targets.join(", ")
                    }),
                    json!(
                        o.pointer("/spec/minReplicas")
                            .and_then(Value::as_i64)
                            .unwrap_or(1)
                    ),
                    json!(num(o, "/spec/maxReplicas")),
                    json!(num(o, "/status/currentReplicas")),
                    obj_age(o),
                ]
            }),
        ),
        ("policy", "PodDisruptionBudget") => (
            vec![
                name,
                c(
                    "Min Available",
                    "string",
                    0,
                    "The minimum number of pods that must be available",
                ),
                c(
                    "Max Unavailable",
                    "string",
                    0,
                    "The maximum number of pods that may be unavailable",
                ),
                c(
                    "Allowed Disruptions",
                    "integer",
                    0,
                    "Calculated number of pods that may be disrupted at this time",
                ),
                agec,
            ],
            Box::new(|o| {
                let f = |p: &str| match o.pointer(p) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => "N/A".into(),
                };
                vec![
                    json!(f("/spec/minAvailable")),
                    json!(f("/spec/maxUnavailable")),
                    json!(num(o, "/status/disruptionsAllowed")),
                    obj_age(o),
                ]
            }),
        ),
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => (
            vec![
                name,
                c(
                    "Role",
                    "string",
                    0,
                    "RoleRef is the reference to the role that this binding grants.",
                ),
                agec,
                c("Users", "string", 1, "Users in the binding"),
                c("Groups", "string", 1, "Groups in the binding"),
                c(
                    "ServiceAccounts",
                    "string",
                    1,
                    "ServiceAccounts in the binding",
                ),
            ],
            Box::new(|o| {
                let subj = |k: &str| -> String {
                    arr(o, "/subjects")
                        .iter()
                        .filter(|s| st(s, "/kind") == k)
                        .map(|s| {
                            if k == "ServiceAccount" {
                                format!("{}/{}", st(s, "/namespace"), st(s, "/name"))
                            } else {
                                st(s, "/name").to_string()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                vec![
                    json!(format!(
                        "{}/{}",
                        st(o, "/roleRef/kind"),
                        st(o, "/roleRef/name")
                    )),
                    obj_age(o),
                    json!(subj("User")),
                    json!(subj("Group")),
                    json!(subj("ServiceAccount")),
                ]
            }),
        ),
        ("coordination.k8s.io", "Lease") => (
            vec![
                name,
                c("Holder", "string", 0, "The holder of the lease"),
                agec,
            ],
            Box::new(|o| vec![json!(st(o, "/spec/holderIdentity")), obj_age(o)]),
        ),
        ("", "Node") => (
            vec![
                name,
                c("Status", "string", 0, "The status of the node"),
                c("Roles", "string", 0, "The roles of the node"),
                agec,
                c(
                    "Version",
                    "string",
                    0,
                    "Kubelet Version reported by the node.",
                ),
                c("Internal-IP", "string", 1, "List of internal IPs."),
                c("External-IP", "string", 1, "List of external IPs."),
                c(
                    "OS-Image",
                    "string",
                    1,
                    "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
                ),
                c(
                    "Kernel-Version",
                    "string",
                    1,
                    "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
                ),
                c(
                    "Container-Runtime",
                    "string",
                    1,
                    "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
                ),
            ],
            Box::new(|o| {
                let ready = arr(o, "/status/conditions")
                    .iter()
                    .any(|c| st(c, "/type") == "Ready" && st(c, "/status") == "True");
                let addr = |t: &str| {
                    arr(o, "/status/addresses")
                        .iter()
                        .filter(|a| st(a, "/type") == t)
                        .map(|a| st(a, "/address"))
                        .next()
                        .unwrap_or("<none>")
                        .to_string()
                };
                let mut roles: Vec<String> = o
                    .pointer("/metadata/labels")
                    .and_then(Value::as_object)
                    .map(|m| {
                        m.keys()
                            .filter_map(|k| {
                                k.strip_prefix("node-role.kubernetes.io/").map(String::from)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                roles.sort();
                vec![
                    json!(if ready { "Ready" } else { "NotReady" }),
                    json!(if roles.is_empty() {
                        "<none>".into()
                    } else {
                        roles.join(",")
                    }),
                    obj_age(o),
                    json!(st(o, "/status/nodeInfo/kubeletVersion")),
                    json!(addr("InternalIP")),
                    json!(addr("ExternalIP")),
                    json!(st(o, "/status/nodeInfo/osImage")),
                    json!(st(o, "/status/nodeInfo/kernelVersion")),
                    json!(st(o, "/status/nodeInfo/containerRuntimeVersion")),
                ]
            }),
        ),
        ("storage.k8s.io", "StorageClass") => (
            vec![
                name,
                c(
                    "Provisioner",
                    "string",
                    0,
                    "Indicates the type of the provisioner.",
                ),
                c(
                    "ReclaimPolicy",
                    "string",
                    0,
                    "Indicates the type of the reclaim policy.",
                ),
                c(
                    "VolumeBindingMode",
                    "string",
                    0,
                    "Indicates the type of volume binding mode.",
                ),
                c(
                    "AllowVolumeExpansion",
                    "string",
                    0,
                    "Indicates whether the storage class allow volume expand.",
                ),
                agec,
            ],
            Box::new(|o| {
                let def = o
                    .pointer("/metadata/annotations/storageclass.kubernetes.io~1is-default-class")
                    .and_then(Value::as_str)
                    == Some("true");
                let _ = def;
                vec![
                    json!(st(o, "/provisioner")),
                    json!(or_none(st(o, "/reclaimPolicy").into())),
                    json!(or_none(st(o, "/volumeBindingMode").into())),
                    json!(
                        o.get("allowVolumeExpansion")
                            .and_then(Value::as_bool)
                            .unwrap_or(false)
                            .to_string()
                    ),
                    obj_age(o),
                ]
            }),
        ),
        ("apps", "ControllerRevision") => (
            vec![
                name,
                c("Controller", "string", 0, "Controller of the object"),
                c(
                    "Revision",
                    "string",
                    0,
                    "Revision indicates the revision of the state represented by Data.",
                ),
                agec,
            ],
            Box::new(|o| {
                let ctrl = arr(o, "/metadata/ownerReferences")
                    .iter()
                    .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
                    .map(|r| {
                        format!(
                            "{}.{}/{}",
                            st(r, "/kind").to_lowercase(),
                            st(r, "/apiVersion").split('/').next().unwrap_or(""),
                            st(r, "/name")
                        )
                    })
                    .unwrap_or_else(|| "<none>".into());
                vec![json!(ctrl), json!(num(o, "/revision")), obj_age(o)]
            }),
        ),
        _ if rt.custom => custom_columns(rt),
        (g, k) if let Some(cols) = more::columns(g, k) => cols,
        _ => (
            vec![name, c("Created At", "date", 0, AGE_DESC)],
            Box::new(|o| vec![json!(st(o, "/metadata/creationTimestamp"))]),
        ),
    }
}

/// Columns of a custom resource: Name, its `additionalPrinterColumns` (jsonPath), or Age.
fn custom_columns(rt: &ResourceType) -> (Vec<Col>, Cells) {
    let mut cols = vec![c("Name", "string", 0, NAME_DESC)];
    let pcs: Vec<Value> = rt.printer_columns.clone();
    if pcs.is_empty() {
        cols.push(c("Age", "date", 0, AGE_DESC));
        return (
            cols,
            Box::new(|o| vec![json!(st(o, "/metadata/creationTimestamp"))]),
        );
    }
    for pc in &pcs {
        let ty = if st(pc, "/type").is_empty() {
            "string"
        } else {
            st(pc, "/type")
        };
        cols.push(c(
            st(pc, "/name"),
            ty,
            num(pc, "/priority") as u8,
            st(pc, "/description"),
        ));
    }
    (
        cols,
        Box::new(move |o| {
            pcs.iter()
                .map(|pc| {
                    let path = st(pc, "/jsonPath").trim_start_matches('.');
                    let ptr = format!("/{}", path.replace('.', "/"));
                    let v = o.pointer(&ptr).cloned().unwrap_or(Value::Null);
                    if st(pc, "/type") == "date"
                        && let Some(s) = v.as_str()
                    {
                        return json!(s);
                    }
                    v
                })
                .collect()
        }),
    )
}

fn partial_metadata(o: &Value) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
        "metadata": o.get("metadata").cloned().unwrap_or(json!({}))})
}

/// A Table of `items` of type `rt`.
pub fn table(
    rt: &ResourceType,
    items: &[Value],
    include: IncludeObject,
    list_meta: Value,
) -> Value {
    let (cols, cells) = columns_and_cells(rt);
    let defs: Vec<Value> = cols
        .iter()
        .map(|c| json!({"name": c.name, "type": c.ty, "format": if c.name == "Name" { "name" } else { "" },
            "description": c.desc, "priority": c.priority}))
        .collect();
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let mut cs = vec![json!(st(o, "/metadata/name"))];
            if rt.group.is_empty() && rt.kind == "Event" {
                cs.clear();
            }
            cs.extend(cells(o));
            let mut row = json!({"cells": cs});
            match include {
                IncludeObject::None => {}
                IncludeObject::Metadata => row["object"] = partial_metadata(o),
                IncludeObject::Object => row["object"] = o.clone(),
            }
            row
        })
        .collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": list_meta,
        "columnDefinitions": defs, "rows": rows})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_like_kubectl() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(125), "2m5s");
        assert_eq!(human_duration(600), "10m");
        assert_eq!(human_duration(3 * 3600 + 60), "3h1m");
        assert_eq!(human_duration(50 * 3600), "2d2h");
    }
}

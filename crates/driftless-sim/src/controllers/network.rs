//! Service networking: Endpoints from the ready pods a Service selects, a
//! load-balancer address for `type: LoadBalancer` Services (as a cloud
//! controller would) and for Ingresses (as an ingress controller would).

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::world::{
    Action, World, annotation, deleting, event, name, namespace, now, pod_ready, pod_terminated,
    uid,
};

/// The address the simulated ingress controller publishes on every Ingress.
pub const INGRESS_IP: &str = "172.18.255.200";
const LB_BASE: [u8; 3] = [172, 18, 255];
const TRIGGER: &str = "endpoints.kubernetes.io/last-change-trigger-time";

fn selector_matches_map(sel: &Map<String, Value>, labels: Option<&Map<String, Value>>) -> bool {
    sel.iter()
        .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}

/// The port a Service port targets on `pod` (numbers as they are, names looked up in the containers).
fn target_port(port: &Value, pod: &Value) -> Option<i64> {
    match port.get("targetPort").or_else(|| port.get("port")) {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => {
            if let Ok(n) = s.parse() {
                return Some(n);
            }
            pod.pointer("/spec/containers")?
                .as_array()?
                .iter()
                .find_map(|c| {
                    c.get("ports")?.as_array()?.iter().find_map(|p| {
                        (p.get("name").and_then(Value::as_str) == Some(s.as_str()))
                            .then(|| p.get("containerPort").and_then(Value::as_i64))
                            .flatten()
                    })
                })
        }
        _ => None,
    }
}

/// The Endpoints object a Service with a selector should have (without resourceVersion).
pub fn endpoints_for(svc: &Value, world: &World) -> Option<Value> {
    let sel = svc
        .pointer("/spec/selector")
        .and_then(Value::as_object)
        .filter(|s| !s.is_empty())?;
    if svc.pointer("/spec/type").and_then(Value::as_str) == Some("ExternalName") {
        return None;
    }
    let ns = namespace(svc);
    let mut pods: Vec<&Value> = world
        .in_ns("Pod", ns)
        .map(|p| &**p)
        .filter(|p| !deleting(p) && !pod_terminated(p))
        .filter(|p| {
            p.pointer("/status/podIP")
                .and_then(Value::as_str)
                .is_some_and(|ip| !ip.is_empty())
        })
        .filter(|p| {
            selector_matches_map(
                sel,
                p.pointer("/metadata/labels").and_then(Value::as_object),
            )
        })
        .collect();
    pods.sort_by_key(|p| {
        p.pointer("/status/podIP")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    });
    let publish = svc
        .pointer("/spec/publishNotReadyAddresses")
        .and_then(Value::as_bool)
        == Some(true);
    let svc_ports: Vec<Value> = svc
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let address = |p: &Value| {
        let mut a = json!({"ip": p.pointer("/status/podIP").cloned().unwrap_or(Value::Null),
            "targetRef": {"kind": "Pod", "namespace": namespace(p), "name": name(p), "uid": uid(p)}});
        if let Some(n) = p.pointer("/spec/nodeName") {
            a["nodeName"] = n.clone();
        }
        if let Some(h) = p.pointer("/spec/hostname") {
            a["hostname"] = h.clone();
        }
        a
    };
    let mut ready = Vec::new();
    let mut not_ready = Vec::new();
    for p in &pods {
        if pod_ready(p) || publish {
            ready.push(address(p));
        } else {
            not_ready.push(address(p));
        }
    }
    let ports: Vec<Value> = svc_ports
        .iter()
        .filter_map(|sp| {
            let port = pods.first().and_then(|p| target_port(sp, p)).or_else(|| sp.get("targetPort").and_then(Value::as_i64))?;
            let mut e = json!({"port": port, "protocol": sp.get("protocol").cloned().unwrap_or(json!("TCP"))});
            if let Some(n) = sp.get("name").filter(|n| n.as_str().is_some_and(|s| !s.is_empty())) {
                e["name"] = n.clone();
            }
            if let Some(a) = sp.get("appProtocol") {
                e["appProtocol"] = a.clone();
            }
            Some(e)
        })
        .collect();
    let mut labels = svc
        .pointer("/metadata/labels")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if svc.pointer("/spec/clusterIP").and_then(Value::as_str) == Some("None") {
        labels["service.kubernetes.io/headless"] = json!("");
    }
    let mut ep = json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": name(svc), "namespace": ns, "labels": labels}});
    if !pods.is_empty() && !ports.is_empty() {
        let mut subset = json!({});
        if !ready.is_empty() {
            subset["addresses"] = json!(ready);
        }
        if !not_ready.is_empty() {
            subset["notReadyAddresses"] = json!(not_ready);
        }
        subset["ports"] = json!(ports);
        ep["subsets"] = json!([subset]);
    }
    Some(ep)
}

/// Endpoints changes for all Services.
pub fn reconcile_endpoints(world: &World) -> Vec<Action> {
    let mut actions = Vec::new();
    let mut wanted = HashSet::new();
    for svc in world.of("Service") {
        if deleting(svc) {
            continue;
        }
        let Some(mut want) = endpoints_for(svc, world) else {
            continue;
        };
        wanted.insert((namespace(svc).to_string(), name(svc).to_string()));
        match world.get("Endpoints", namespace(svc), name(svc)) {
            None => {
                want["metadata"]["annotations"] = json!({TRIGGER: now()});
                actions.push(Action::Create(want));
            }
            Some(cur) => {
                let same = cur.get("subsets") == want.get("subsets")
                    && cur.pointer("/metadata/labels") == want.pointer("/metadata/labels");
                if !same {
                    let mut u = (**cur).clone();
                    u["metadata"]["labels"] = want["metadata"]["labels"].clone();
                    u["metadata"]["annotations"][TRIGGER] = json!(now());
                    match want.get("subsets") {
                        Some(s) => u["subsets"] = s.clone(),
                        None => {
                            u.as_object_mut().map(|m| m.shift_remove("subsets"));
                        }
                    }
                    actions.push(Action::Update(u));
                }
            }
        }
    }
    // Endpoints this controller made for Services that are gone (or lost their selector).
    for ep in world.of("Endpoints") {
        let key = (namespace(ep).to_string(), name(ep).to_string());
        if annotation(ep, TRIGGER).is_some() && !wanted.contains(&key) && !deleting(ep) {
            actions.push(Action::delete(ep));
        }
    }
    actions
}

/// Load-balancer addresses for `type: LoadBalancer` Services and for Ingresses.
pub fn reconcile_load_balancers(world: &World) -> Vec<Action> {
    let mut actions = Vec::new();
    let ingress_ip = |v: &Value| {
        v.pointer("/status/loadBalancer/ingress/0/ip")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let mut used: HashSet<String> = world
        .of("Service")
        .iter()
        .filter_map(|s| ingress_ip(s))
        .collect();
    used.insert(INGRESS_IP.to_string());
    for svc in world.of("Service") {
        if deleting(svc) {
            continue;
        }
        let is_lb = svc.pointer("/spec/type").and_then(Value::as_str) == Some("LoadBalancer");
        let has = ingress_ip(svc).is_some();
        if is_lb && !has {
            let requested = svc
                .pointer("/spec/loadBalancerIP")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            let ip = requested.or_else(|| {
                (201..=254)
                    .map(|n| format!("{}.{}.{}.{n}", LB_BASE[0], LB_BASE[1], LB_BASE[2]))
                    .find(|ip| !used.contains(ip))
            });
            let Some(ip) = ip else { continue };
            used.insert(ip.clone());
            let mut s = (**svc).clone();
            s["status"]["loadBalancer"] = json!({"ingress": [{"ip": ip, "ipMode": "VIP"}]});
            actions.push(Action::UpdateStatus(s));
            actions.push(Action::Event(event(
                svc,
                "Normal",
                "EnsuringLoadBalancer",
                "Ensuring load balancer",
                "service-controller",
            )));
            actions.push(Action::Event(event(
                svc,
                "Normal",
                "EnsuredLoadBalancer",
                "Ensured load balancer",
                "service-controller",
            )));
        } else if !is_lb && has {
            let mut s = (**svc).clone();
            s["status"]["loadBalancer"] = json!({});
            actions.push(Action::UpdateStatus(s));
        }
    }
    for ing in world.of("Ingress") {
        if deleting(ing) || ingress_ip(ing).is_some() {
            continue;
        }
        let mut i = (**ing).clone();
        i["status"]["loadBalancer"] = json!({"ingress": [{"ip": INGRESS_IP}]});
        actions.push(Action::UpdateStatus(i));
        actions.push(Action::Event(event(
            ing,
            "Normal",
            "Sync",
            "Scheduled for sync",
            "ingress-controller",
        )));
    }
    actions
}

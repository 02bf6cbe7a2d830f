//! Cluster IP and node port allocation for Services, as the API server's
//! service registry does (single-stack IPv4, `10.96.0.0/12`, node ports
//! `30000-32767`). Allocation is sequential, so a fresh cluster is deterministic.

use std::collections::HashSet;
use std::net::Ipv4Addr;

use serde_json::{Value, json};

use super::validate::FieldError;

/// An allocation failed (the value is taken, out of range, or the range is full).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: {}", .0.field, .0.message())]
pub struct AllocationError(pub FieldError);

/// Tracks the cluster IPs and node ports in use. Rebuild it after a restart
/// by calling [`ServiceAllocator::observe`] for each stored Service.
///
/// ```
/// use driftless_sim::defaults::ServiceAllocator;
/// use serde_json::json;
/// let mut alloc = ServiceAllocator::new();
/// let mut svc = json!({"spec": {"type": "NodePort", "ports": [{"port": 80}]}});
/// alloc.allocate(&mut svc, None).unwrap();
/// assert_eq!(svc["spec"]["clusterIP"], "10.96.0.1");
/// assert_eq!(svc["spec"]["clusterIPs"][0], "10.96.0.1");
/// assert_eq!(svc["spec"]["ports"][0]["nodePort"], 30000);
/// ```
#[derive(Debug, Clone)]
pub struct ServiceAllocator {
    base: u32,
    size: u32,
    next_ip: u32,
    ips: HashSet<u32>,
    ports: HashSet<u16>,
    next_port: u16,
}

const PORT_MIN: u16 = 30000;
const PORT_MAX: u16 = 32767;

impl Default for ServiceAllocator {
    fn default() -> Self {
        Self::new()
    }
}

impl ServiceAllocator {
    /// An allocator for the service CIDR `10.96.0.0/12`.
    pub fn new() -> Self {
        Self {
            base: u32::from(Ipv4Addr::new(10, 96, 0, 0)),
            size: 1 << 20,
            next_ip: 1,
            ips: HashSet::new(),
            ports: HashSet::new(),
            next_port: PORT_MIN,
        }
    }

    /// Marks the IPs and ports of an existing Service as used.
    pub fn observe(&mut self, svc: &Value) {
        let (ips, ports) = self.held(svc);
        self.ips.extend(ips);
        self.ports.extend(ports);
    }

    /// Frees the IPs and ports of a deleted Service.
    pub fn release(&mut self, svc: &Value) {
        let (ips, ports) = self.held(svc);
        for ip in ips {
            self.ips.remove(&ip);
        }
        for p in ports {
            self.ports.remove(&p);
        }
    }

    /// Fills in `clusterIP`/`clusterIPs`, `nodePort`s and `healthCheckNodePort`
    /// of a (defaulted) Service, checking requested values are free. `old` is the
    /// stored version on update (its values count as free for this Service).
    /// On a dry run, call [`ServiceAllocator::release`] afterwards.
    pub fn allocate(
        &mut self,
        svc: &mut Value,
        old: Option<&Value>,
    ) -> Result<(), AllocationError> {
        let (old_ips, old_ports) = old.map(|o| self.held(o)).unwrap_or_default();
        let ty = svc
            .pointer("/spec/type")
            .and_then(Value::as_str)
            .unwrap_or("ClusterIP")
            .to_string();
        let Some(spec) = svc.get_mut("spec").and_then(Value::as_object_mut) else {
            return Ok(());
        };
        let mut new_ips = Vec::new();
        let mut new_ports = Vec::new();
        if ty != "ExternalName" {
            let requested = spec
                .get("clusterIP")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .or_else(|| {
                    spec.get("clusterIPs")
                        .and_then(|v| v.get(0))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                });
            let ip = match requested.as_deref() {
                Some("None") => None,
                Some(s) => {
                    let bad = |detail: &str| {
                        AllocationError(FieldError::invalid(
                            "spec.clusterIPs",
                            format!("[]string{{\"{s}\"}}"),
                            format!("failed to allocate IP {s}: {detail}"),
                        ))
                    };
                    let ip: Ipv4Addr = s.parse().map_err(|_| bad("not a valid IP"))?;
                    let off = u32::from(ip).wrapping_sub(self.base);
                    if off == 0 || off >= self.size {
                        return Err(bad(
                            "the provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/12",
                        ));
                    }
                    if self.ips.contains(&off) && !old_ips.contains(&off) {
                        return Err(bad("provided IP is already allocated"));
                    }
                    new_ips.push(off);
                    Some(ip)
                }
                None => {
                    let off = self.free_ip().ok_or_else(|| {
                        AllocationError(FieldError::invalid(
                            "spec.clusterIPs",
                            "[]string(nil)".into(),
                            "failed to allocate IP: range is full".into(),
                        ))
                    })?;
                    new_ips.push(off);
                    Some(Ipv4Addr::from(self.base + off))
                }
            };
            match ip {
                Some(ip) => {
                    spec.insert("clusterIP".into(), json!(ip.to_string()));
                    spec.insert("clusterIPs".into(), json!([ip.to_string()]));
                }
                None => {
                    spec.insert("clusterIP".into(), json!("None"));
                    spec.insert("clusterIPs".into(), json!(["None"]));
                }
            }
        }
        let needs_node_ports = ty == "NodePort"
            || (ty == "LoadBalancer"
                && spec
                    .get("allocateLoadBalancerNodePorts")
                    .and_then(Value::as_bool)
                    != Some(false));
        if let Some(Value::Array(ports)) = spec.get_mut("ports") {
            for (i, p) in ports.iter_mut().enumerate() {
                let Some(p) = p.as_object_mut() else { continue };
                let requested = p
                    .get("nodePort")
                    .and_then(Value::as_u64)
                    .filter(|n| *n != 0);
                if !needs_node_ports && ty != "LoadBalancer" {
                    p.shift_remove("nodePort");
                    continue;
                }
                match requested {
                    Some(n) => {
                        let n = self.check_port(
                            n,
                            &old_ports,
                            &new_ports,
                            &format!("spec.ports[{i}].nodePort"),
                        )?;
                        new_ports.push(n);
                    }
                    None if needs_node_ports => {
                        let n = self.free_port(&new_ports).ok_or_else(|| {
                            AllocationError(FieldError::invalid(
                                &format!("spec.ports[{i}].nodePort"),
                                "0".into(),
                                "range is full".into(),
                            ))
                        })?;
                        p.insert("nodePort".into(), json!(n));
                        new_ports.push(n);
                    }
                    None => {}
                }
            }
        }
        let local = spec.get("externalTrafficPolicy").and_then(Value::as_str) == Some("Local");
        if ty == "LoadBalancer" && local {
            match spec
                .get("healthCheckNodePort")
                .and_then(Value::as_u64)
                .filter(|n| *n != 0)
            {
                Some(n) => new_ports.push(self.check_port(
                    n,
                    &old_ports,
                    &new_ports,
                    "spec.healthCheckNodePort",
                )?),
                None => {
                    let n = self.free_port(&new_ports).ok_or_else(|| {
                        AllocationError(FieldError::invalid(
                            "spec.healthCheckNodePort",
                            "0".into(),
                            "range is full".into(),
                        ))
                    })?;
                    spec.insert("healthCheckNodePort".into(), json!(n));
                    new_ports.push(n);
                }
            }
        } else {
            spec.shift_remove("healthCheckNodePort");
        }
        for ip in old_ips {
            self.ips.remove(&ip);
        }
        for p in old_ports {
            self.ports.remove(&p);
        }
        self.ips.extend(new_ips);
        self.ports.extend(new_ports);
        Ok(())
    }

    fn check_port(
        &self,
        n: u64,
        old: &[u16],
        taken: &[u16],
        field: &str,
    ) -> Result<u16, AllocationError> {
        let invalid = |detail: &str| {
            AllocationError(FieldError::invalid(
                field,
                n.to_string(),
                detail.to_string(),
            ))
        };
        let port = u16::try_from(n)
            .ok()
            .filter(|p| (PORT_MIN..=PORT_MAX).contains(p));
        let port = port.ok_or_else(|| {
            invalid(
                "provided port is not in the valid range. The range of valid ports is 30000-32767",
            )
        })?;
        if (self.ports.contains(&port) && !old.contains(&port)) || taken.contains(&port) {
            return Err(invalid("provided port is already allocated"));
        }
        Ok(port)
    }

    fn free_ip(&mut self) -> Option<u32> {
        for _ in 0..self.size {
            let off = self.next_ip;
            self.next_ip = if self.next_ip + 2 >= self.size {
                1
            } else {
                self.next_ip + 1
            };
            if !self.ips.contains(&off) {
                return Some(off);
            }
        }
        None
    }

    fn free_port(&mut self, taken: &[u16]) -> Option<u16> {
        for _ in PORT_MIN..=PORT_MAX {
            let p = self.next_port;
            self.next_port = if p == PORT_MAX { PORT_MIN } else { p + 1 };
            if !self.ports.contains(&p) && !taken.contains(&p) {
                return Some(p);
            }
        }
        None
    }

    fn held(&self, svc: &Value) -> (Vec<u32>, Vec<u16>) {
        let mut ips = Vec::new();
        if let Some(ip) = svc
            .pointer("/spec/clusterIP")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<Ipv4Addr>().ok())
        {
            let off = u32::from(ip).wrapping_sub(self.base);
            if off < self.size {
                ips.push(off);
            }
        }
        let mut ports: Vec<u16> = svc
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| p.get("nodePort").and_then(Value::as_u64))
                    .filter_map(|n| u16::try_from(n).ok())
                    .collect()
            })
            .unwrap_or_default();
        if let Some(h) = svc
            .pointer("/spec/healthCheckNodePort")
            .and_then(Value::as_u64)
            .and_then(|n| u16::try_from(n).ok())
        {
            ports.push(h);
        }
        (ips, ports)
    }
}

/// On update, a Service keeps its allocated cluster IPs, node ports and health
/// check node port when the new version omits them (`patchAllocatedValues`).
pub(crate) fn keep_allocated(old: &Value, new: &mut Value) {
    let new_type = new
        .pointer("/spec/type")
        .and_then(Value::as_str)
        .unwrap_or("ClusterIP")
        .to_string();
    let Some(spec) = new.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    if new_type != "ExternalName" {
        let empty = spec
            .get("clusterIP")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty);
        if empty
            && let Some(ip) = old
                .pointer("/spec/clusterIP")
                .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
        {
            spec.insert("clusterIP".into(), ip.clone());
            if let Some(ips) = old.pointer("/spec/clusterIPs") {
                spec.insert("clusterIPs".into(), ips.clone());
            }
        }
    }
    let old_ports: Vec<Value> = old
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if new_type == "NodePort" || new_type == "LoadBalancer" {
        if let Some(Value::Array(ports)) = spec.get_mut("ports") {
            for p in ports.iter_mut().filter_map(Value::as_object_mut) {
                if p.get("nodePort").and_then(Value::as_u64).unwrap_or(0) != 0 {
                    continue;
                }
                let key = |v: &serde_json::Map<String, Value>| {
                    (
                        v.get("port").cloned(),
                        v.get("protocol")
                            .and_then(Value::as_str)
                            .unwrap_or("TCP")
                            .to_string(),
                    )
                };
                let by_name = old_ports
                    .iter()
                    .filter_map(Value::as_object)
                    .find(|o| o.get("name") == p.get("name") && key(o) == key(p));
                let found = by_name.or_else(|| {
                    old_ports
                        .iter()
                        .filter_map(Value::as_object)
                        .find(|o| key(o) == key(p))
                });
                if let Some(n) = found
                    .and_then(|o| o.get("nodePort"))
                    .filter(|n| n.as_u64().unwrap_or(0) != 0)
                {
                    p.insert("nodePort".into(), n.clone());
                }
            }
        }
        if spec
            .get("healthCheckNodePort")
            .and_then(Value::as_u64)
            .unwrap_or(0)
            == 0
            && let Some(h) = old.pointer("/spec/healthCheckNodePort")
        {
            spec.insert("healthCheckNodePort".into(), h.clone());
        }
    }
}

//! Cluster-level controllers: CRD name acceptance, PVC binding (a dynamic
//! provisioner creating PersistentVolumes), PVC/PV protection finalizers, and
//! the simulated Nodes.

use serde_json::{Value, json};

use super::world::{Action, World, deleting, event, name, namespace, now, set_condition, uid};

/// The provisioner named on simulated PersistentVolumes.
pub const PROVISIONER: &str = "driftless.dev/sim-provisioner";

/// `NamesAccepted` and `Established` for CRDs.
pub fn reconcile_crds(world: &World) -> Vec<Action> {
    let mut actions = Vec::new();
    let ts = now();
    for crd in world.of("CustomResourceDefinition") {
        if deleting(crd) {
            continue;
        }
        let old = crd.get("status").cloned().unwrap_or_else(|| json!({}));
        let mut st = old.clone();
        let mut names = crd
            .pointer("/spec/names")
            .cloned()
            .unwrap_or_else(|| json!({}));
        if let Some(k) = names
            .get("kind")
            .and_then(Value::as_str)
            .map(str::to_string)
        {
            if names.get("singular").is_none() {
                names["singular"] = json!(k.to_lowercase());
            }
            if names.get("listKind").is_none() {
                names["listKind"] = json!(format!("{k}List"));
            }
        }
        st["acceptedNames"] = names;
        set_condition(
            &mut st,
            json!({"type": "NamesAccepted", "status": "True", "lastTransitionTime": ts, "reason": "NoConflicts", "message": "no conflicts found"}),
            false,
        );
        set_condition(
            &mut st,
            json!({"type": "Established", "status": "True", "lastTransitionTime": ts, "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"}),
            false,
        );
        let storage: Vec<Value> = crd
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .map(|vs| {
                vs.iter()
                    .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
                    .filter_map(|v| v.get("name").cloned())
                    .collect()
            })
            .unwrap_or_default();
        let mut stored: Vec<Value> = st
            .get("storedVersions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for s in storage {
            if !stored.contains(&s) {
                stored.push(s);
            }
        }
        st["storedVersions"] = json!(stored);
        if st != old {
            let mut c = (**crd).clone();
            c["status"] = st;
            actions.push(Action::UpdateStatus(c));
        }
    }
    actions
}

fn pod_uses_claim(world: &World, ns: &str, claim: &str) -> bool {
    world.in_ns("Pod", ns).any(|p| {
        !super::world::pod_terminated(p)
            && p.pointer("/spec/volumes")
                .and_then(Value::as_array)
                .is_some_and(|vs| {
                    vs.iter().any(|v| {
                        v.pointer("/persistentVolumeClaim/claimName")
                            .and_then(Value::as_str)
                            == Some(claim)
                    })
                })
    })
}

fn without_finalizer(o: &Value, f: &str) -> Option<Value> {
    let fs = o.pointer("/metadata/finalizers")?.as_array()?;
    if !fs.iter().any(|x| x.as_str() == Some(f)) {
        return None;
    }
    let mut u = o.clone();
    let kept: Vec<Value> = fs
        .iter()
        .filter(|x| x.as_str() != Some(f))
        .cloned()
        .collect();
    u["metadata"]["finalizers"] = json!(kept);
    Some(u)
}

/// Dynamic provisioning and binding of PVCs, and the protection finalizers.
pub fn reconcile_storage(world: &World) -> Vec<Action> {
    let mut actions = Vec::new();
    for pvc in world.of("PersistentVolumeClaim") {
        let ns = namespace(pvc);
        let pv_name = format!("pvc-{}", uid(pvc));
        if deleting(pvc) {
            if !pod_uses_claim(world, ns, name(pvc))
                && let Some(u) = without_finalizer(pvc, "kubernetes.io/pvc-protection")
            {
                actions.push(Action::Update(u));
            }
            continue;
        }
        let volume = pvc
            .pointer("/spec/volumeName")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let size = pvc
            .pointer("/spec/resources/requests/storage")
            .cloned()
            .unwrap_or(json!("1Gi"));
        let access = pvc
            .pointer("/spec/accessModes")
            .cloned()
            .unwrap_or(json!(["ReadWriteOnce"]));
        match volume {
            None => {
                let class = pvc
                    .pointer("/spec/storageClassName")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let wait = world.get("StorageClass", "", class).is_some_and(|sc| {
                    sc.get("volumeBindingMode").and_then(Value::as_str)
                        == Some("WaitForFirstConsumer")
                });
                if wait && !pod_uses_claim(world, ns, name(pvc)) {
                    // WaitForFirstConsumer: stays Pending until a pod uses the claim.
                    continue;
                }
                if world.get("PersistentVolume", "", &pv_name).is_none() {
                    let mut spec = json!({
                        "capacity": {"storage": size},
                        "accessModes": access,
                        "persistentVolumeReclaimPolicy": "Delete",
                        "volumeMode": pvc.pointer("/spec/volumeMode").cloned().unwrap_or(json!("Filesystem")),
                        "claimRef": {"kind": "PersistentVolumeClaim", "namespace": ns, "name": name(pvc), "uid": uid(pvc), "apiVersion": "v1",
                                     "resourceVersion": pvc.pointer("/metadata/resourceVersion").cloned().unwrap_or(Value::Null)},
                        "hostPath": {"path": format!("/var/lib/driftless-sim/{pv_name}"), "type": ""},
                    });
                    if let Some(sc) = pvc.pointer("/spec/storageClassName") {
                        spec["storageClassName"] = sc.clone();
                    }
                    actions.push(Action::Create(json!({"apiVersion": "v1", "kind": "PersistentVolume",
                        "metadata": {"name": pv_name, "annotations": {"pv.kubernetes.io/provisioned-by": PROVISIONER}}, "spec": spec})));
                    actions.push(Action::Event(event(
                        pvc,
                        "Normal",
                        "ProvisioningSucceeded",
                        &format!("Successfully provisioned volume {pv_name}"),
                        PROVISIONER,
                    )));
                }
                let mut u = (**pvc).clone();
                u["spec"]["volumeName"] = json!(pv_name);
                for (k, v) in [
                    ("pv.kubernetes.io/bind-completed", "yes"),
                    ("pv.kubernetes.io/bound-by-controller", "yes"),
                    ("volume.beta.kubernetes.io/storage-provisioner", PROVISIONER),
                    ("volume.kubernetes.io/storage-provisioner", PROVISIONER),
                ] {
                    u["metadata"]["annotations"][k] = json!(v);
                }
                actions.push(Action::Update(u));
            }
            Some(v) => {
                let pv = world.get("PersistentVolume", "", v);
                let capacity = pv
                    .and_then(|p| p.pointer("/spec/capacity").cloned())
                    .unwrap_or_else(|| json!({"storage": size}));
                let st = json!({"phase": "Bound", "accessModes": access, "capacity": capacity});
                if pvc.get("status") != Some(&st) && pv.is_some() {
                    let mut u = (**pvc).clone();
                    u["status"] = st;
                    actions.push(Action::UpdateStatus(u));
                }
            }
        }
    }
    for pv in world.of("PersistentVolume") {
        let claim_ns = pv
            .pointer("/spec/claimRef/namespace")
            .and_then(Value::as_str)
            .unwrap_or("");
        let claim = pv
            .pointer("/spec/claimRef/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let claim_obj = world.get("PersistentVolumeClaim", claim_ns, claim);
        let bound = claim_obj.is_some_and(|c| {
            !claim.is_empty() && c.pointer("/metadata/uid") == pv.pointer("/spec/claimRef/uid")
        });
        if deleting(pv) {
            if !bound && let Some(u) = without_finalizer(pv, "kubernetes.io/pv-protection") {
                actions.push(Action::Update(u));
            }
            continue;
        }
        let phase = pv
            .pointer("/status/phase")
            .and_then(Value::as_str)
            .unwrap_or("");
        if bound && phase != "Bound" {
            let mut u = (**pv).clone();
            u["status"] = json!({"phase": "Bound"});
            actions.push(Action::UpdateStatus(u));
        } else if !bound && !claim.is_empty() && phase == "Bound" {
            let reclaim = pv
                .pointer("/spec/persistentVolumeReclaimPolicy")
                .and_then(Value::as_str)
                .unwrap_or("Retain");
            if reclaim == "Delete" {
                actions.push(Action::delete(pv));
            } else {
                let mut u = (**pv).clone();
                u["status"] = json!({"phase": "Released"});
                actions.push(Action::UpdateStatus(u));
            }
        }
    }
    actions
}

/// The internal IP of the `i`-th simulated node.
pub fn node_ip(i: usize) -> String {
    format!("172.18.0.{}", i + 2)
}

/// A Node object and its Ready status for a simulated node.
pub fn node_object(node: &str, i: usize) -> Value {
    let ts = now();
    let cond = |ty: &str, st: &str, reason: &str, msg: &str| json!({"type": ty, "status": st, "lastHeartbeatTime": ts, "lastTransitionTime": ts, "reason": reason, "message": msg});
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": node, "labels": {
            "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            "kubernetes.io/hostname": node, "kubernetes.io/os": "linux", "type": "driftless-sim"}},
        "spec": {"podCIDR": format!("10.244.{i}.0/24"), "podCIDRs": [format!("10.244.{i}.0/24")]},
        "status": {
            "capacity": {"cpu": "8", "ephemeral-storage": "100Gi", "memory": "32Gi", "pods": "110"},
            "allocatable": {"cpu": "8", "ephemeral-storage": "100Gi", "memory": "32Gi", "pods": "110"},
            "conditions": [
                cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [{"type": "InternalIP", "address": node_ip(i)}, {"type": "Hostname", "address": node}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "machineID": "", "systemUUID": "", "bootID": "", "kernelVersion": "6.1.0", "osImage": "driftless-sim",
                "containerRuntimeVersion": "containerd://1.7.22", "kubeletVersion": "v1.32.0", "kubeProxyVersion": "v1.32.0",
                "operatingSystem": "linux", "architecture": "amd64",
            },
        },
    })
}

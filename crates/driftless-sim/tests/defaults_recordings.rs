//! Replays the request bodies of the real kube-apiserver recordings
//! (`shared/kube-apiserver-1.24/0*-default-*.json`) through the defaulting,
//! create preparation and Service allocation, and compares with the recorded
//! responses — adjusted where Kubernetes 1.32 answers differently (documented
//! in `adjust_to_1_32`).

use std::path::PathBuf;

use driftless_sim::defaults::{
    ServiceAllocator, apply_defaults, prepare_for_create, tracks_generation,
};
use serde_json::{Value, json};

fn shared_dir() -> PathBuf {
    if let Ok(d) = std::env::var("DRIFTLESS_SHARED") {
        return PathBuf::from(d);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

fn recordings() -> Vec<(String, Value)> {
    let dir = shared_dir().join("kube-apiserver-1.24");
    let mut out = Vec::new();
    for e in
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("recordings at {}: {e}", dir.display()))
    {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name.contains("-default-") && name.ends_with(".json") {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            out.push((name, v));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The 1.32 answer for a 1.24 recording.
fn adjust_to_1_32(kind: &str, body: &mut Value) {
    match kind {
        "Job" => {
            // 1.27+: `batch.kubernetes.io/` labels; the selector uses only the new one.
            let uid = body["spec"]["selector"]["matchLabels"]["controller-uid"].clone();
            let name = body["metadata"]["name"].clone();
            for ptr in ["/metadata/labels", "/spec/template/metadata/labels"] {
                let labels = body.pointer_mut(ptr).unwrap();
                labels["batch.kubernetes.io/controller-uid"] = uid.clone();
                labels["batch.kubernetes.io/job-name"] = name.clone();
            }
            body["spec"]["selector"]["matchLabels"] =
                json!({"batch.kubernetes.io/controller-uid": uid});
            // 1.29+ (JobPodReplacementPolicy beta).
            body["spec"]["podReplacementPolicy"] = json!("TerminatingOrFailed");
        }
        "StatefulSet" => {
            // 1.27+ (StatefulSetAutoDeletePVC beta).
            body["spec"]["persistentVolumeClaimRetentionPolicy"] =
                json!({"whenDeleted": "Retain", "whenScaled": "Retain"});
        }
        "NetworkPolicy" => {
            // NetworkPolicyStatus was removed in 1.27.
            body.as_object_mut().unwrap().shift_remove("status");
        }
        _ => {}
    }
}

/// Replays one request body as the store does on create.
fn simulate(req: &Value, path: &str, uid: &str, alloc: &mut ServiceAllocator) -> Value {
    let api_version = req["apiVersion"].as_str().unwrap();
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let kind = req["kind"].as_str().unwrap().to_string();
    let mut obj = req.clone();
    apply_defaults(group, version, &kind, &mut obj);
    let meta = obj["metadata"].as_object_mut().unwrap();
    let ns = path
        .split("/namespaces/")
        .nth(1)
        .and_then(|r| r.split('/').next());
    if let Some(ns) = ns.filter(|_| kind != "Namespace") {
        meta.insert("namespace".into(), json!(ns));
    }
    meta.insert("uid".into(), json!(uid));
    if tracks_generation(group, &kind) {
        meta.insert("generation".into(), json!(1));
    }
    prepare_for_create(group, version, &kind, &mut obj);
    if kind == "Service" {
        alloc.allocate(&mut obj, None).unwrap();
    }
    obj
}

/// Replaces values a real server allocates at random by placeholders.
fn scrub(v: &mut Value) {
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "managedFields",
        ] {
            meta.shift_remove(k);
        }
    }
    if let Some(spec) = v.get_mut("spec").and_then(Value::as_object_mut) {
        for k in ["clusterIP", "clusterIPs"] {
            if spec.contains_key(k) {
                spec.insert(k.into(), json!("<allocated>"));
            }
        }
        if let Some(Value::Array(ports)) = spec.get_mut("ports") {
            for p in ports {
                if let Some(n) = p.get_mut("nodePort") {
                    assert!(n.as_u64().is_some(), "nodePort must be a number: {n}");
                    *n = json!("<allocated>");
                }
            }
        }
    }
    // The ServiceAccount token volume has a random suffix.
    let text = v.to_string();
    let re_scrubbed = scrub_suffix(&text);
    *v = serde_json::from_str(&re_scrubbed).unwrap();
}

fn scrub_suffix(s: &str) -> String {
    let marker = "kube-api-access-";
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(marker) {
        out.push_str(&rest[..i + marker.len()]);
        out.push_str("XXXXX");
        rest = &rest[i + marker.len() + 5..];
    }
    out.push_str(rest);
    out
}

#[test]
fn defaulting_matches_real_api_server_recordings() {
    let recs = recordings();
    assert_eq!(recs.len(), 18, "expected the 18 defaulting recordings");
    let mut alloc = ServiceAllocator::new();
    let mut failures = Vec::new();
    for (name, rec) in recs {
        let req = &rec["request"]["body"];
        let path = rec["request"]["path"].as_str().unwrap();
        let kind = req["kind"].as_str().unwrap().to_string();
        let mut expected = rec["response"]["body"].clone();
        let uid = expected["spec"]["selector"]["matchLabels"]["controller-uid"]
            .as_str()
            .unwrap_or("0f0e0d0c-0b0a-4908-8706-050403020100")
            .to_string();
        adjust_to_1_32(&kind, &mut expected);
        let mut got = simulate(req, path, &uid, &mut alloc);
        scrub(&mut got);
        scrub(&mut expected);
        if got != expected {
            failures.push(format!(
                "{name}:\n expected {}\n      got {}",
                serde_json::to_string(&expected).unwrap(),
                serde_json::to_string(&got).unwrap()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn namespace_create_matches_recording() {
    let rec: Value = serde_json::from_str(
        &std::fs::read_to_string(
            shared_dir().join("kube-apiserver-1.24/006-create-namespace.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut got = simulate(
        &rec["request"]["body"],
        "/api/v1/namespaces",
        "u",
        &mut ServiceAllocator::new(),
    );
    let mut expected = rec["response"]["body"].clone();
    scrub(&mut got);
    scrub(&mut expected);
    assert_eq!(got, expected);
}

#[test]
fn invalid_deployment_causes_match_recording() {
    let rec: Value = serde_json::from_str(
        &std::fs::read_to_string(shared_dir().join("kube-apiserver-1.24/040-create-invalid.json"))
            .unwrap(),
    )
    .unwrap();
    let mut obj = rec["request"]["body"].clone();
    apply_defaults("apps", "v1", "Deployment", &mut obj);
    let got: Vec<Value> = driftless_sim::defaults::validate("apps", "Deployment", &obj)
        .iter()
        .map(|e| json!({"reason": e.reason(), "message": e.message(), "field": e.field}))
        .collect();
    // metadata.name is checked by the store's generic validation; the kind-specific causes follow it.
    let expected: Vec<Value> = rec["response"]["body"]["details"]["causes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["field"] != "metadata.name")
        .cloned()
        .collect();
    assert_eq!(got, expected);
}

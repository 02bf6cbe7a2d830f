//! Replays the server-side apply and patch recordings of a real kube-apiserver
//! (`shared/kube-apiserver-1.24/025..035`) and compares objects, managedFields and errors.

use driftless_patch::schema::Schema;
use driftless_patch::ssa::{self, ApplyError, ApplyOptions, UpdateOptions};
use driftless_patch::{json_patch, merge_patch, strategic_merge_patch};
use serde_json::Value;
use std::path::PathBuf;

fn shared_dir() -> PathBuf {
    if let Ok(d) = std::env::var("DRIFTLESS_SHARED") {
        return PathBuf::from(d);
    }
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(
        d.exists(),
        "shared material not found at {}; set DRIFTLESS_SHARED",
        d.display()
    );
    d
}

fn recording(prefix: &str) -> Value {
    let dir = shared_dir().join("kube-apiserver-1.24");
    let entry = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("recording {prefix} missing in {}", dir.display()));
    serde_json::from_str(&std::fs::read_to_string(entry).unwrap()).unwrap()
}

fn body(rec: &Value) -> Value {
    rec["response"]["body"].clone()
}

fn request(rec: &Value) -> Value {
    rec["request"]["body"].clone()
}

const TIME: &str = "<time>";

fn opts(manager: &str, force: bool) -> ApplyOptions<'_> {
    ApplyOptions {
        manager,
        force,
        time: Some(TIME),
        ..ApplyOptions::default()
    }
}

fn uopts(manager: &str) -> UpdateOptions<'_> {
    UpdateOptions {
        manager,
        time: Some(TIME),
        subresource: None,
    }
}

fn deploy_ty() -> driftless_patch::schema::TypeRef<'static> {
    Schema::builtin()
        .for_kind("apps", "v1", "Deployment")
        .unwrap()
}

fn managed(obj: &Value) -> Value {
    obj["metadata"]["managedFields"].clone()
}

/// Live state before step `n`: the previous answer, with the controller's concurrent
/// changes (status, annotations, its managedFields entry) taken from the answer of step `n`.
fn live_before(prev: &Value, next: &Value) -> Value {
    let mut live = prev.clone();
    live["status"] = next["status"].clone();
    if let Some(a) = next["metadata"].get("annotations") {
        live["metadata"]["annotations"] = a.clone();
    }
    let kcm = next["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["manager"] == "kube-controller-manager")
        .cloned();
    let mf = live["metadata"]["managedFields"].as_array_mut().unwrap();
    mf.retain(|e| e["manager"] != "kube-controller-manager");
    if let Some(k) = kcm {
        mf.push(k);
    }
    live
}

/// Drops what the simulated server (not this crate) is responsible for: defaulting results are
/// already in `live`, so only server metadata differs.
fn without_server_meta(mut obj: Value) -> Value {
    for f in [
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "namespace",
    ] {
        obj["metadata"].as_object_mut().unwrap().shift_remove(f);
    }
    obj
}

#[test]
fn r025_apply_creates_with_managed_fields() {
    let rec = recording("025");
    let out = ssa::apply_with(None, &request(&rec), &opts("a", false), deploy_ty()).unwrap();
    assert!(out.changed);
    assert_eq!(managed(&out.object), managed(&body(&rec)));
    assert_eq!(out.object["spec"], request(&rec)["spec"]);
}

#[test]
fn r026_conflict_matches_status_body() {
    let created = body(&recording("025"));
    let rec = recording("026");
    let err = ssa::apply_with(
        Some(&created),
        &request(&rec),
        &opts("b", false),
        deploy_ty(),
    )
    .unwrap_err();
    let ApplyError::Conflict(c) = err else {
        panic!("expected conflict, got {err:?}")
    };
    assert_eq!(c.to_status(), body(&rec));
}

fn replay_apply(prev: &str, step: &str, manager: &str, force: bool) {
    let prev = body(&recording(prev));
    let rec = recording(step);
    let want = body(&rec);
    let live = live_before(&prev, &want);
    let out = ssa::apply_with(
        Some(&live),
        &request(&rec),
        &opts(manager, force),
        deploy_ty(),
    )
    .unwrap();
    assert_eq!(
        managed(&out.object),
        managed(&want),
        "managedFields after {step}"
    );
    assert_eq!(
        without_server_meta(out.object),
        without_server_meta(want),
        "object after {step}"
    );
}

#[test]
fn r027_same_value_is_shared() {
    replay_apply("025", "027", "c", false);
}

#[test]
fn r028_force_takes_ownership() {
    replay_apply("027", "028", "b", true);
}

#[test]
fn r029_dropped_field_owned_by_other_stays() {
    replay_apply("028", "029", "a", false);
}

#[test]
fn r030_reapply_is_noop() {
    let live = body(&recording("030"));
    let applied = request(&recording("029"));
    let out = ssa::apply_with(Some(&live), &applied, &opts("a", false), deploy_ty()).unwrap();
    assert!(!out.changed);
    assert_eq!(out.object, live);
}

#[test]
fn r031_merge_patch_records_update_manager() {
    let prev = body(&recording("030"));
    let rec = recording("031");
    let want = body(&rec);
    let patched = merge_patch(&prev, &request(&rec));
    let out = ssa::update(Some(&prev), &patched, &uopts("m"), deploy_ty()).unwrap();
    assert_eq!(managed(&out), managed(&want));
    assert_eq!(without_server_meta(out), without_server_meta(want));
}

#[test]
fn r032_strategic_patch_adds_container_first() {
    let prev = body(&recording("031"));
    let rec = recording("032");
    let want = body(&rec);
    let patched = strategic_merge_patch(&prev, &request(&rec), deploy_ty()).unwrap();
    let names: Vec<&str> = patched["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["side", "c"]);
    assert_eq!(
        patched["spec"]["template"]["spec"]["containers"][0]["image"],
        "busybox"
    );
    // The server defaults the new container; managedFields are computed on the defaulted object.
    let mut defaulted = want.clone();
    defaulted["metadata"]["managedFields"] = prev["metadata"]["managedFields"].clone();
    let out = ssa::update(Some(&prev), &defaulted, &uopts("s"), deploy_ty()).unwrap();
    assert_eq!(managed(&out), managed(&want));
}

#[test]
fn r033_strategic_delete_directive_removes_item_and_empty_manager() {
    let prev = body(&recording("032"));
    let rec = recording("033");
    let want = body(&rec);
    let patched = strategic_merge_patch(&prev, &request(&rec), deploy_ty()).unwrap();
    assert_eq!(patched["spec"], want["spec"]);
    let out = ssa::update(Some(&prev), &patched, &uopts("s"), deploy_ty()).unwrap();
    assert_eq!(managed(&out), managed(&want));
}

#[test]
fn r034_json_patch_replaces_annotations() {
    let prev = body(&recording("033"));
    let rec = recording("034");
    let want = body(&rec);
    let patched = json_patch(&prev, &request(&rec)).unwrap();
    assert_eq!(
        patched["metadata"]["annotations"],
        want["metadata"]["annotations"]
    );
    let out = ssa::update(Some(&prev), &patched, &uopts("j"), deploy_ty()).unwrap();
    assert_eq!(managed(&out), managed(&want));
}

#[test]
fn r035_failed_test_is_422_invalid() {
    let prev = body(&recording("034"));
    let rec = recording("035");
    let err = json_patch(&prev, &request(&rec)).unwrap_err();
    let want = body(&rec);
    assert_eq!(err.http_status() as i64, want["code"].as_i64().unwrap());
    assert_eq!(err.reason(), want["reason"]);
    assert_eq!(err.status_message(), want["message"]);
}

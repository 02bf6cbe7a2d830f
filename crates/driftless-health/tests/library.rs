//! Every health script of Argo CD's library against its own test data
//! (`health_test.yaml`: input file, expected status and message), run
//! through the embedded scripts and through `HealthRegistry::new()`.

use driftless_health::library::Library;
use driftless_health::{Budget, HealthRegistry};
use serde_json::Value;

mod common;
use common::{assert_none_failed, group_kind, root, yaml};

struct Case {
    dir: String,
    input: String,
    obj: Value,
    status: String,
    message: String,
}

/// Every test case of every `health_test.yaml`, by script folder.
fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for (dir, _) in Library::builtin().health_scripts() {
        let spec = yaml(&root().join(&dir).join("health_test.yaml"));
        let tests = spec["tests"].as_array().expect("tests list");
        for t in tests {
            let input = t
                .get("inputPath")
                .or_else(|| t.get("inputpath"))
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{dir}: test without inputPath"));
            let expected = &t["healthStatus"];
            out.push(Case {
                dir: dir.clone(),
                input: input.to_string(),
                obj: yaml(&root().join(&dir).join(input)),
                status: expected["status"].as_str().unwrap_or_default().to_string(),
                message: expected["message"].as_str().unwrap_or_default().to_string(),
            });
        }
    }
    out
}

#[test]
fn every_library_health_script_passes_its_test_data() {
    let lib = Library::builtin();
    let scripts = lib.health_scripts();
    assert_eq!(scripts.len(), 241, "health scripts in the library");
    let cases = cases();
    assert_eq!(cases.len(), 1123, "test cases in the library");
    let mut failures = Vec::new();
    for c in &cases {
        // As in Argo CD's own test, the object's group and kind pick the script.
        let (group, kind) = group_kind(&c.obj);
        let Some(script) = lib.health(&group, &kind) else {
            failures.push(format!(
                "{}/{}: no script for {group}/{kind}",
                c.dir, c.input
            ));
            continue;
        };
        match script.health(&c.obj, Budget::default()) {
            Ok(h) if h.status.to_string() == c.status && h.message == c.message => {}
            Ok(h) => failures.push(format!(
                "{}/{}: got {} {:?}, want {} {:?}",
                c.dir, c.input, h.status, h.message, c.status, c.message
            )),
            Err(e) => failures.push(format!("{}/{}: {e}", c.dir, c.input)),
        }
    }
    assert_none_failed(&failures, cases.len());
}

#[test]
fn the_default_registry_agrees_with_every_library_case() {
    let reg = HealthRegistry::new();
    let mut failures = Vec::new();
    let cases = cases();
    for c in &cases {
        // Argo CD judges an object being deleted before any script runs.
        let deleting = c.obj.pointer("/metadata/deletionTimestamp").is_some();
        let (status, message) = if deleting {
            ("Progressing", "Pending deletion")
        } else {
            (c.status.as_str(), c.message.as_str())
        };
        match reg.assess(&c.obj) {
            Some(h) if h.status.to_string() == status && h.message == message => {}
            got => failures.push(format!(
                "{}/{}: got {:?}, want {status} {message:?}",
                c.dir, c.input, got
            )),
        }
    }
    assert_none_failed(&failures, cases.len());
}

#[test]
fn the_rust_rules_agree_with_the_library_scripts_they_mirror() {
    let mut reg = HealthRegistry::new();
    reg.set_library(false);
    let mirrored = [
        "batch/CronJob",
        "apiextensions.k8s.io/CustomResourceDefinition",
    ];
    let mut checked = 0;
    for c in cases()
        .iter()
        .filter(|c| mirrored.contains(&c.dir.as_str()))
    {
        if c.obj.pointer("/metadata/deletionTimestamp").is_some() {
            continue;
        }
        let h = reg.assess(&c.obj).unwrap();
        assert_eq!(
            (h.status.to_string(), h.message.as_str()),
            (c.status.clone(), c.message.as_str()),
            "{}/{}",
            c.dir,
            c.input
        );
        checked += 1;
    }
    assert!(checked > 10, "only {checked} cases checked");
}

#[test]
fn an_exact_folder_wins_over_a_wildcard_folder() {
    let lib = Library::builtin();
    let name = |g: &str, k: &str| lib.health(g, k).map(|s| s.name().to_string());
    assert_eq!(
        name("ec2.aws.crossplane.io", "VPC").as_deref(),
        Some("_.crossplane.io/_/health.lua")
    );
    assert_eq!(
        name("pkg.crossplane.io", "Provider").as_deref(),
        Some("pkg.crossplane.io/Provider/health.lua")
    );
    assert_eq!(name("crossplane.io", "Bucket"), None);
    assert_eq!(name("example.com", "Widget"), None);
    let rollout = lib.get("argoproj.io", "Rollout").unwrap();
    assert!(rollout.discovery.is_some() && rollout.actions.contains_key("restart"));
}

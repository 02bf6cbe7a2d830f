//! `applicationsSync` policies, preserveResourcesOnDeletion and status
//! conditions.

use driftless_appset::{
    AppSetError, Delete, Outcome, SyncOptions, ValidationError, conditions, needs_set_finalizer,
    plan_set_deletion, plan_sync,
};
use serde_json::{Value, json};

fn set(policy: Option<&str>, preserve: bool) -> Value {
    let mut sp = json!({"preserveResourcesOnDeletion": preserve});
    if let Some(p) = policy {
        sp["applicationsSync"] = json!(p);
    }
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
           "metadata": {"name": "envs", "namespace": "argocd", "uid": "set-uid"},
           "spec": {"syncPolicy": sp, "preservedFields": {"annotations": ["keep-me"]}}})
}

fn owner(name: &str, uid: &str) -> Value {
    json!([{"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "name": name, "uid": uid,
            "controller": true, "blockOwnerDeletion": true}])
}

fn app(name: &str, path: &str) -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
           "metadata": {"name": name, "namespace": "argocd", "ownerReferences": owner("envs", "set-uid"),
                        "finalizers": ["resources-finalizer.argocd.argoproj.io"]},
           "spec": {"project": "default", "source": {"path": path}}})
}

fn live(name: &str, path: &str) -> Value {
    let mut a = app(name, path);
    a["metadata"]["resourceVersion"] = json!("7");
    a["metadata"]["annotations"] =
        json!({"keep-me": "x", "argocd.argoproj.io/refresh": "hard", "drop-me": "y"});
    a["status"] = json!({"sync": {"status": "Synced"}});
    a
}

fn names(v: &[Value]) -> Vec<&str> {
    v.iter()
        .map(|a| a["metadata"]["name"].as_str().unwrap())
        .collect()
}

#[test]
fn policies_decide_creates_updates_deletes() {
    // desired: dev (new), staging (changed), prod (unchanged); live: staging, prod, old.
    let desired = vec![app("dev", "d"), app("staging", "s2"), app("prod", "p")];
    // prod is live exactly as generated (plus server-set fields): no update.
    let mut prod = app("prod", "p");
    prod["metadata"]["resourceVersion"] = json!("3");
    prod["status"] = json!({"health": {"status": "Healthy"}});
    let existing = vec![live("staging", "s1"), prod, live("old", "o")];
    let cases = [
        (Some("create-only"), vec!["dev"], vec![], vec![]),
        (Some("create-update"), vec!["dev"], vec!["staging"], vec![]),
        (Some("create-delete"), vec!["dev"], vec![], vec!["old"]),
        (Some("sync"), vec!["dev"], vec!["staging"], vec!["old"]),
        (None, vec!["dev"], vec!["staging"], vec!["old"]),
    ];
    for (policy, create, update, delete) in cases {
        let plan = plan_sync(
            &set(policy, false),
            &desired,
            &[],
            &existing,
            &SyncOptions::default(),
        )
        .unwrap();
        assert_eq!(names(&plan.create), create, "{policy:?} creates");
        assert_eq!(names(&plan.update), update, "{policy:?} updates");
        let del: Vec<&str> = plan.delete.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(del, delete, "{policy:?} deletes");
        assert!(plan.conflicts.is_empty());
    }
}

#[test]
fn update_keeps_live_metadata_and_preserved_annotations() {
    let desired = vec![app("staging", "s2")];
    let existing = vec![live("staging", "s1")];
    let plan = plan_sync(
        &set(None, false),
        &desired,
        &[],
        &existing,
        &SyncOptions::default(),
    )
    .unwrap();
    let u = &plan.update[0];
    assert_eq!(u["spec"]["source"]["path"], "s2");
    assert_eq!(u["metadata"]["resourceVersion"], "7");
    assert_eq!(u["status"]["sync"]["status"], "Synced");
    assert_eq!(
        u["metadata"]["annotations"],
        json!({"keep-me": "x", "argocd.argoproj.io/refresh": "hard"})
    );
}

#[test]
fn controller_policy_wins_without_override() {
    let opts = SyncOptions {
        allow_policy_override: false,
        policy: driftless_appset::ApplicationsSync::CreateOnly,
        ..SyncOptions::default()
    };
    let plan = plan_sync(
        &set(Some("sync"), false),
        &[],
        &[],
        &[live("old", "o")],
        &opts,
    )
    .unwrap();
    assert!(plan.is_empty());
    assert!(
        plan_sync(
            &set(Some("bogus"), false),
            &[],
            &[],
            &[],
            &SyncOptions::default()
        )
        .is_err()
    );
}

#[test]
fn invalid_apps_are_neither_written_nor_deleted() {
    let desired = vec![app("a", "1"), app("a", "2")];
    let invalid = vec![ValidationError {
        index: 1,
        name: "a".into(),
        message: "dup".into(),
    }];
    let existing = vec![live("a", "1")];
    let plan = plan_sync(
        &set(None, false),
        &desired,
        &invalid,
        &existing,
        &SyncOptions::default(),
    )
    .unwrap();
    assert!(plan.create.is_empty() && plan.delete.is_empty());
    assert_eq!(
        plan.update.len(),
        1,
        "the valid 'a' still drops the non-preserved annotation"
    );
}

#[test]
fn foreign_and_unowned_applications() {
    let mut foreign = live("x", "1");
    foreign["metadata"]["ownerReferences"] = owner("other", "other-uid");
    let mut unowned = live("y", "1");
    unowned["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("ownerReferences");
    let desired = vec![app("x", "2"), app("y", "1")];
    let plan = plan_sync(
        &set(None, false),
        &desired,
        &[],
        &[foreign, unowned.clone()],
        &SyncOptions::default(),
    )
    .unwrap();
    assert_eq!(plan.conflicts.len(), 1);
    assert!(
        plan.conflicts[0]
            .message
            .contains("already owned by another ApplicationSet controller other")
    );
    // the unowned one is adopted: our controller reference is added.
    assert_eq!(names(&plan.update), vec!["y"]);
    assert_eq!(
        plan.update[0]["metadata"]["ownerReferences"],
        owner("envs", "set-uid")
    );
    // an unowned Application is never deleted.
    let plan = plan_sync(
        &set(None, false),
        &[],
        &[],
        &[unowned],
        &SyncOptions::default(),
    )
    .unwrap();
    assert!(plan.delete.is_empty());
}

#[test]
fn preserve_resources_on_deletion() {
    let plan = plan_sync(
        &set(None, true),
        &[],
        &[],
        &[live("old", "o")],
        &SyncOptions::default(),
    )
    .unwrap();
    assert_eq!(
        plan.delete,
        vec![Delete {
            name: "old".into(),
            remove_resources_finalizer: true
        }]
    );
    let plan = plan_sync(
        &set(None, false),
        &[],
        &[],
        &[live("old", "o")],
        &SyncOptions::default(),
    )
    .unwrap();
    assert!(!plan.delete[0].remove_resources_finalizer);
    // a deleted set whose policy forbids deletes orphans its Applications.
    let orphans = plan_set_deletion(
        &set(Some("create-update"), false),
        &[live("a", "1")],
        &SyncOptions::default(),
    )
    .unwrap();
    assert_eq!(orphans[0]["metadata"].get("ownerReferences"), None);
    assert_eq!(
        orphans[0]["metadata"]["finalizers"][0],
        "resources-finalizer.argocd.argoproj.io"
    );
    assert!(
        plan_set_deletion(
            &set(Some("sync"), false),
            &[live("a", "1")],
            &SyncOptions::default()
        )
        .unwrap()
        .is_empty()
    );
    // preserving resources: the children go (garbage collection) without their finalizer.
    let kept = plan_set_deletion(
        &set(Some("sync"), true),
        &[live("a", "1")],
        &SyncOptions::default(),
    )
    .unwrap();
    assert_eq!(kept[0]["metadata"]["finalizers"], json!([]));
    assert_eq!(
        kept[0]["metadata"]["ownerReferences"],
        owner("envs", "set-uid")
    );
    let needs = |p, keep| needs_set_finalizer(&set(p, keep), &SyncOptions::default()).unwrap();
    assert!(!needs(Some("sync"), false));
    assert!(needs(Some("sync"), true));
    assert!(needs(Some("create-update"), false));
}

#[test]
fn status_conditions() {
    let now = "2026-01-02T00:00:00Z";
    let get = |c: &[Value], t: &str| c.iter().find(|x| x["type"] == t).cloned().unwrap();
    let gen_err = AppSetError::Render {
        at: "spec.generators[0].list".into(),
        index: 0,
        message: "boom".into(),
    };
    let c = conditions(&Outcome::GenerationFailed(&gen_err), &[], now);
    assert_eq!(get(&c, "ErrorOccurred")["status"], "True");
    assert_eq!(
        get(&c, "ErrorOccurred")["reason"],
        "RenderTemplateParamsError"
    );
    assert_eq!(get(&c, "ParametersGenerated")["status"], "False");
    assert_eq!(get(&c, "ResourcesUpToDate")["status"], "False");

    let errs = vec![ValidationError {
        index: 1,
        name: "a".into(),
        message: "dup a".into(),
    }];
    let c = conditions(&Outcome::Invalid(&errs), &[], now);
    assert_eq!(
        get(&c, "ErrorOccurred")["reason"],
        "ApplicationValidationError"
    );
    assert_eq!(get(&c, "ParametersGenerated")["status"], "True");

    let earlier = conditions(&Outcome::UpToDate, &[], "2026-01-01T00:00:00Z");
    let mut previous = earlier.clone();
    previous.push(json!({"type": "RolloutProgressing", "status": "False"}));
    let c = conditions(&Outcome::UpToDate, &previous, now);
    assert_eq!(c.len(), 4);
    assert_eq!(
        get(&c, "ResourcesUpToDate")["lastTransitionTime"],
        "2026-01-01T00:00:00Z"
    );
    assert_eq!(
        get(&c, "ResourcesUpToDate")["message"],
        "ApplicationSet up to date"
    );
    let c = conditions(
        &Outcome::WriteFailed {
            reason: "CreateApplicationError",
            message: "denied",
        },
        &earlier,
        now,
    );
    assert_eq!(get(&c, "ResourcesUpToDate")["lastTransitionTime"], now);
    assert_eq!(
        get(&c, "ResourcesUpToDate")["reason"],
        "CreateApplicationError"
    );
}

#[test]
fn ignore_application_differences_keeps_live_values() {
    let mut s = set(None, false);
    s["spec"]["ignoreApplicationDifferences"] = json!([
        {"jsonPointers": ["/spec/syncPolicy"]},
        {"name": "staging", "jsonPointers": ["/spec/source/path"]}
    ]);
    let mut live_app = live("staging", "user-edited");
    live_app["spec"]["syncPolicy"] = json!({"automated": {}});
    live_app["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("annotations");
    // the generated one differs only in ignored fields: nothing to write.
    let plan = plan_sync(
        &s,
        &[app("staging", "s2")],
        &[],
        &[live_app.clone()],
        &SyncOptions::default(),
    )
    .unwrap();
    assert!(plan.is_empty(), "{plan:?}");
    // a real change elsewhere is written, the ignored fields keep their live values.
    let mut changed = app("staging", "s2");
    changed["spec"]["project"] = json!("p2");
    let plan = plan_sync(&s, &[changed], &[], &[live_app], &SyncOptions::default()).unwrap();
    assert_eq!(plan.update[0]["spec"]["source"]["path"], "user-edited");
    assert_eq!(
        plan.update[0]["spec"]["syncPolicy"],
        json!({"automated": {}})
    );
    assert_eq!(plan.update[0]["spec"]["project"], "p2");
    s["spec"]["ignoreApplicationDifferences"] = json!([{"jqPathExpressions": [".spec"]}]);
    assert!(plan_sync(&s, &[], &[], &[], &SyncOptions::default()).is_err());
}

#[test]
fn generated_specs_are_normalized_like_argo_cd() {
    let mut a = app("n", "p");
    a["spec"].as_object_mut().unwrap().remove("project");
    a["spec"]["source"]["helm"] = json!({});
    a["spec"]["source"]["kustomize"] = json!({"namePrefix": ""});
    a["spec"]["syncPolicy"] = json!({});
    let plan = plan_sync(&set(None, false), &[a], &[], &[], &SyncOptions::default()).unwrap();
    assert_eq!(
        plan.create[0]["spec"],
        json!({"source": {"path": "p"}, "project": "default"})
    );
}

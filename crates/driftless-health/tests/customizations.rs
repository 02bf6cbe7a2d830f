//! `argocd-cm` resource customizations: parsing both key forms, and user
//! health scripts taking precedence in `HealthRegistry`.

use driftless_health::customizations::{ResourceOverrides, override_key};
use driftless_health::{Health, HealthRegistry, HealthStatus, ScriptErrorKind};
use serde_json::json;

const BLOCK: &str = r#"
cert-manager.io/Certificate:
  health.lua: |
    return {status = "Suspended", message = "from the block"}
  health.lua.useOpenLibs: true
  ignoreDifferences: |
    jsonPointers:
    - /spec/duration
  actions: |
    discovery.lua: |
      return {renew = {}}
    definitions:
    - name: renew
      action.lua: |
        return obj
  knownTypeFields:
  - field: spec.template
    type: core/v1/PodTemplateSpec
"#;

#[test]
fn both_key_forms_are_read_and_split_keys_win() {
    let cm = [
        ("resource.customizations", BLOCK),
        (
            "resource.customizations.health.cert-manager.io_Certificate",
            "return {status = 'Healthy', message = 'from the split key'}",
        ),
        (
            "resource.customizations.ignoreDifferences.all",
            "managedFieldsManagers:\n- kube-controller-manager",
        ),
        (
            "resource.customizations.ignoreDifferences.Service",
            "jqPathExpressions:\n- .spec.ports[]?.nodePort",
        ),
        (
            "resource.customizations.useOpenLibs.example.com_Widget",
            "true",
        ),
        ("url", "https://argocd.example.com"),
    ];
    let o = ResourceOverrides::from_config_map(cm).unwrap();
    let cert = o.get("cert-manager.io", "Certificate").unwrap();
    assert!(
        cert.health_lua
            .as_deref()
            .unwrap()
            .contains("from the split key")
    );
    assert!(cert.use_open_libs);
    assert_eq!(cert.ignore_differences.json_pointers, ["/spec/duration"]);
    let actions = cert.actions.as_ref().unwrap();
    assert_eq!(actions.definitions[0].name, "renew");
    assert!(actions.discovery_lua.contains("renew"));
    assert_eq!(cert.known_type_fields[0].type_, "core/v1/PodTemplateSpec");
    assert!(o.get("example.com", "Widget").unwrap().use_open_libs);

    // `.all` applies to every kind, beside the kind's own rules.
    let service = o.ignore_differences("", "Service");
    assert_eq!(service.len(), 2);
    assert_eq!(override_key("", "Service"), "Service");
    assert_eq!(
        o.ignore_differences("apps", "Deployment")[0].managed_fields_managers,
        ["kube-controller-manager"]
    );
}

#[test]
fn a_bad_key_or_value_names_the_key() {
    let e = ResourceOverrides::from_config_map([(
        "resource.customizations.ignoreDifferences.apps_Deployment",
        "jsonPointers: [unclosed",
    )])
    .unwrap_err();
    assert_eq!(
        e.key,
        "resource.customizations.ignoreDifferences.apps_Deployment"
    );
    assert!(e.message.starts_with("invalid ignoreDifferences"), "{e}");

    let e = ResourceOverrides::from_config_map([("resource.customizations.health.a_b_c", "x")])
        .unwrap_err();
    assert!(e.to_string().contains("a_b_c"), "{e}");

    let e = ResourceOverrides::from_config_map([(
        "resource.customizations.colour.apps_Deployment",
        "x",
    )])
    .unwrap_err();
    assert!(e.message.contains("colour not supported"), "{e}");
}

fn rollout() -> serde_json::Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "web", "generation": 1},
        "spec": {"replicas": 1}, "status": {"phase": "Paused"}})
}

#[test]
fn user_scripts_win_over_the_library_exact_key_over_wildcard() {
    // The library's Rollout script would say Progressing for this object.
    let lib = HealthRegistry::new().assess(&rollout()).unwrap();
    assert_ne!(lib.message, "user");

    let cm = [
        (
            "resource.customizations.health.argoproj.io_Rollout",
            "return {status = 'Suspended', message = 'user'}",
        ),
        (
            "resource.customizations.health.*.io_*",
            "return {status = 'Degraded', message = 'wildcard'}",
        ),
    ];
    let mut reg = HealthRegistry::new();
    reg.add_customizations(&ResourceOverrides::from_config_map(cm).unwrap())
        .unwrap();
    let h = reg.assess(&rollout()).unwrap();
    assert_eq!(
        (h.status, h.message.as_str()),
        (HealthStatus::Suspended, "user")
    );
    let cert = json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "c"}});
    assert_eq!(reg.assess(&cert).unwrap().message, "wildcard");
    // A core kind the wildcard does not match keeps its built-in rule.
    let pvc = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "p"},
        "status": {"phase": "Bound"}});
    assert_eq!(reg.assess(&pvc).unwrap().status, HealthStatus::Healthy);
}

#[test]
fn a_failing_user_script_is_unknown_with_the_error_and_syntax_errors_are_refused() {
    let cm = [(
        "resource.customizations.health.example.com_Widget",
        "local x = obj.status.nothing.here\nreturn {}",
    )];
    let mut reg = HealthRegistry::new();
    reg.add_customizations(&ResourceOverrides::from_config_map(cm).unwrap())
        .unwrap();
    let w = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "status": {}});
    let h = reg.assess(&w).unwrap();
    assert_eq!(h.status, HealthStatus::Unknown);
    assert!(
        h.message
            .starts_with("Lua script resource.customizations.health.example.com_Widget:1: "),
        "{}",
        h.message
    );

    let bad = [(
        "resource.customizations.health.example.com_Widget",
        "return {",
    )];
    let e = HealthRegistry::new()
        .add_customizations(&ResourceOverrides::from_config_map(bad).unwrap())
        .unwrap_err();
    assert_eq!(e.kind, ScriptErrorKind::Syntax);
    assert_eq!(
        e.script,
        "resource.customizations.health.example.com_Widget"
    );
}

#[test]
fn user_scripts_without_open_libs_lack_string_as_in_argo_cd() {
    let src = "return {status = 'Healthy', message = string.upper('x')}";
    let w = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}});
    let with = |open: &str| {
        let cm = [
            ("resource.customizations.health.example.com_Widget", src),
            (
                "resource.customizations.useOpenLibs.example.com_Widget",
                open,
            ),
        ];
        let mut reg = HealthRegistry::new();
        reg.add_customizations(&ResourceOverrides::from_config_map(cm).unwrap())
            .unwrap();
        reg.assess(&w).unwrap()
    };
    assert_eq!(with("true").message, "X");
    assert_eq!(with("false").status, HealthStatus::Unknown);
}

#[test]
fn argo_workflows_follow_argo_cds_go_rule() {
    let wf = |phase: &str| {
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": "w"},
            "status": {"phase": phase, "message": "child 'build' failed"}})
    };
    let cases = [
        ("", HealthStatus::Progressing),
        ("Pending", HealthStatus::Progressing),
        ("Running", HealthStatus::Progressing),
        ("Succeeded", HealthStatus::Healthy),
        ("Failed", HealthStatus::Degraded),
        ("Error", HealthStatus::Degraded),
        ("Exploded", HealthStatus::Unknown),
    ];
    for (phase, status) in cases {
        assert_eq!(
            driftless_health::assess(&wf(phase)),
            Some(Health::new(status, "child 'build' failed")),
            "{phase}"
        );
    }
}

#[test]
fn user_actions_come_before_the_librarys_and_can_merge_with_them() {
    use driftless_health::actions::{ActionRegistry, Operation};
    let actions = |merge: bool| {
        format!(
            "discovery.lua: |\n  return {{bump = {{iconClass = 'fa fa-up'}}, restart = {{disabled = true}}}}\n\
             mergeBuiltinActions: {merge}\n\
             definitions:\n- name: bump\n  action.lua: |\n    obj.spec.replicas = obj.spec.replicas + tonumber(actionParams['by'])\n    return obj\n"
        )
    };
    let rollout = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "web"}, "spec": {"replicas": 2, "strategy": {"canary": {}}}, "status": {}});

    // The library alone offers Rollout's built-in actions.
    let builtin = ActionRegistry::new().discover(&rollout).unwrap();
    assert!(builtin.iter().any(|a| a.name == "restart" && !a.disabled));
    assert!(!builtin.iter().any(|a| a.name == "bump"));

    for merge in [false, true] {
        let text = actions(merge);
        let cm = [(
            "resource.customizations.actions.argoproj.io_Rollout",
            text.as_str(),
        )];
        let reg = ActionRegistry::with_overrides(&ResourceOverrides::from_config_map(cm).unwrap())
            .unwrap();
        let found = reg.discover(&rollout).unwrap();
        let names: Vec<&str> = found.iter().map(|a| a.name.as_str()).collect();
        assert!(
            names.contains(&"bump") && names.contains(&"restart"),
            "{names:?}"
        );
        // The user's `restart` entry (disabled) wins over the library's.
        assert!(found.iter().find(|a| a.name == "restart").unwrap().disabled);
        assert_eq!(names.contains(&"abort"), merge, "{names:?}");

        let out = reg.run(&rollout, "bump", &[("by", "3")]).unwrap().unwrap();
        assert_eq!(out[0].operation, Operation::Patch);
        assert_eq!(out[0].object["spec"]["replicas"], 5);
        // Actions the user did not define still run from the library.
        let restarted = reg.run(&rollout, "restart", &[]).unwrap().unwrap();
        assert!(restarted[0].object["spec"]["restartAt"].is_string());
        assert!(reg.run(&rollout, "explode", &[]).is_none());
    }
}

//! `deploy/` and `install_manifests` agree, and the install is what the issue asks for.

mod common;

use serde_json::Value;

fn documents(text: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .filter(|v: &Value| !v.is_null())
        .collect()
}

#[test]
fn deploy_files_match_the_function() {
    let root = common::repo_root().join("deploy");
    let generated = driftless_api::install_manifests("argocd").unwrap();
    let path = root.join("install.yaml");
    if std::env::var_os("DRIFTLESS_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(
        on_disk == generated,
        "deploy/install.yaml differs from install_manifests(\"argocd\"); regenerate it with DRIFTLESS_BLESS=1 cargo test -p driftless-api --test install"
    );
    for (file, embedded) in [
        ("application-crd.yaml", driftless_api::APPLICATION_CRD),
        ("appproject-crd.yaml", driftless_api::APPPROJECT_CRD),
        ("applicationset-crd.yaml", driftless_api::APPLICATIONSET_CRD),
    ] {
        assert_eq!(
            std::fs::read_to_string(root.join("crds").join(file)).unwrap(),
            embedded,
            "{file}"
        );
    }
}

#[test]
fn install_holds_the_controller_pieces() {
    let docs = documents(&driftless_api::install_manifests("gitops").unwrap());
    let kinds: Vec<String> = docs
        .iter()
        .map(|d| {
            format!(
                "{}/{}",
                d["kind"].as_str().unwrap(),
                d["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "Namespace/gitops",
            "CustomResourceDefinition/applications.argoproj.io",
            "CustomResourceDefinition/appprojects.argoproj.io",
            "CustomResourceDefinition/applicationsets.argoproj.io",
            "ServiceAccount/driftless-controller",
            "ClusterRole/driftless-controller",
            "ClusterRoleBinding/driftless-controller",
            "Role/driftless-controller-leader-election",
            "RoleBinding/driftless-controller-leader-election",
            "Deployment/driftless-controller",
            "Service/driftless-controller",
        ]
    );
    let by_kind = |k: &str| docs.iter().find(|d| d["kind"] == k).unwrap();
    let deploy = by_kind("Deployment");
    let pod = &deploy["spec"]["template"]["spec"];
    assert_eq!(pod["serviceAccountName"], "driftless-controller");
    let c = &pod["containers"][0];
    let args: Vec<&str> = c["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(args[..3], ["controller", "--namespace", "gitops"]);
    assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(c["ports"][0]["containerPort"], 8080);
    assert!(c["resources"]["requests"]["cpu"].is_string());
    assert!(c["resources"]["requests"]["memory"].is_string());
    assert_eq!(by_kind("Service")["spec"]["ports"][0]["targetPort"], "http");
    // Least privilege: no wildcard verbs, nothing that escalates, no non-resource URLs.
    let rules = by_kind("ClusterRole")["rules"].as_array().unwrap();
    for rule in rules {
        assert!(rule.get("nonResourceURLs").is_none());
        for verb in rule["verbs"].as_array().unwrap() {
            let verb = verb.as_str().unwrap();
            assert!(
                !["*", "escalate", "bind", "impersonate", "deletecollection"].contains(&verb),
                "{verb}"
            );
        }
    }
    let grants = |group: &str, resource: &str, verb: &str| {
        rules.iter().any(|r| {
            let has = |field: &str, x: &str| {
                r[field]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|v| v == x || v == "*")
            };
            has("apiGroups", group) && has("resources", resource) && has("verbs", verb)
        })
    };
    assert!(grants("apps", "deployments", "watch"));
    assert!(grants("", "secrets", "list"));
    assert!(grants("argoproj.io", "applications/status", "patch"));
    assert!(grants("", "events", "create"));
    let role = by_kind("Role");
    assert_eq!(role["metadata"]["namespace"], "gitops");
    assert_eq!(role["rules"][0]["resources"][0], "leases");
}

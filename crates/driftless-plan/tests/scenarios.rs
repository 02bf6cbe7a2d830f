//! Snapshot tests of plans for realistic inputs, and planning errors.

use driftless_core::{Manifest, ObjectKey, Provenance};
use driftless_plan::{Action, LiveObject, Phase, PlanError, PlanOptions, plan};

/// Parses a multi-document YAML stream into manifests.
fn manifests(file: &str, yaml: &str) -> Vec<Manifest> {
    serde_yaml_ng::Deserializer::from_str(yaml)
        .enumerate()
        .map(|(i, doc)| {
            let v: serde_json::Value = serde::Deserialize::deserialize(doc).unwrap();
            Manifest::new(v, Provenance::file(file, i, 0)).unwrap()
        })
        .collect()
}

fn opts() -> PlanOptions {
    PlanOptions {
        prune: true,
        revision: "9f8e7d6c5b4a39281706".into(),
        started_at: 1_717_000_000,
        ..Default::default()
    }
}

const HELM_CHART: &str = r#"
apiVersion: v1
kind: ServiceAccount
metadata: {name: shop, namespace: shop}
---
apiVersion: v1
kind: Secret
metadata: {name: shop-db, namespace: shop}
stringData: {password: hunter2}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: shop-config, namespace: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop, namespace: shop}
---
apiVersion: v1
kind: Service
metadata: {name: shop, namespace: shop}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: shop-db-migrate
  namespace: shop
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-5"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
---
apiVersion: batch/v1
kind: Job
metadata:
  generateName: shop-notify-
  namespace: shop
  annotations:
    helm.sh/hook: post-install
    argocd.argoproj.io/hook-delete-policy: HookSucceeded
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-hook-config
  namespace: shop
  annotations:
    helm.sh/hook: pre-install
    helm.sh/hook-weight: "-10"
---
apiVersion: v1
kind: Pod
metadata:
  name: shop-test-connection
  namespace: shop
  annotations: {helm.sh/hook: test}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: shop-cleanup
  namespace: shop
  annotations: {argocd.argoproj.io/hook: SyncFail}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: carts.shop.example.com
  annotations: {helm.sh/hook: crd-install}
spec:
  group: shop.example.com
  names: {kind: Cart, plural: carts}
"#;

#[test]
fn helm_chart_with_hooks() {
    let desired = manifests("shop/templates/all.yaml", HELM_CHART);
    let live = vec![
        LiveObject::new(ObjectKey::new(
            "apps/v1",
            "Deployment",
            Some("shop"),
            "shop",
        )),
        LiveObject::new(ObjectKey::new(
            "v1",
            "PersistentVolumeClaim",
            Some("shop"),
            "shop-data",
        ))
        .with_annotation("helm.sh/resource-policy", "keep"),
        // A hook left from an earlier sync is never pruned.
        LiveObject::new(ObjectKey::new(
            "batch/v1",
            "Job",
            Some("shop"),
            "shop-notify-abc",
        ))
        .with_annotation("helm.sh/hook", "post-install"),
    ];
    let p = plan(&desired, &live, &opts()).unwrap();
    insta::assert_snapshot!("helm_chart_table", p.to_string());
    insta::assert_json_snapshot!("helm_chart_json", p.to_json());
    let notify = p
        .steps
        .iter()
        .find(|s| s.key.name.starts_with("shop-notify-"))
        .unwrap();
    assert_eq!(notify.key.name, "shop-notify-9f8e7d6-postsync-1717000000");
    assert_eq!(
        notify.object.as_ref().unwrap()["metadata"]["name"],
        notify.key.name.as_str()
    );
    assert_eq!(p.sync_fail_groups().count(), 1);
    // Printed plans never carry object contents (Secret data included).
    assert!(!p.to_json().to_string().contains("hunter2"));
    assert!(!p.to_string().contains("hunter2"));
    // Groups: PreSync -10, PreSync -5, Sync 0, PostSync 0; each ends its wave.
    let groups: Vec<_> = p.wave_groups().collect();
    assert_eq!(groups.len(), 4);
    assert!(groups.windows(2).all(|w| w[0].ends_wave(Some(&w[1]))));
    assert_eq!(groups[2].steps.len(), 6);
}

const CRDS_AND_NAMESPACES: &str = r#"
apiVersion: shop.example.com/v1
kind: Cart
metadata:
  name: default
  namespace: tenants
  annotations: {argocd.argoproj.io/sync-wave: "-1"}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: carts.shop.example.com}
spec:
  group: shop.example.com
  names: {kind: Cart, plural: carts}
---
apiVersion: v1
kind: Namespace
metadata:
  name: tenants
  annotations: {argocd.argoproj.io/sync-wave: "5"}
---
apiVersion: v1
kind: Namespace
metadata: {name: early, annotations: {argocd.argoproj.io/sync-wave: "-9"}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: early}
---
apiVersion: shop.example.com/v1
kind: Secret
metadata: {name: odd-kind, namespace: tenants}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: secrets.shop.example.com}
spec:
  group: shop.example.com
  names: {kind: Secret, plural: secrets}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cart-reader}
"#;

#[test]
fn crds_custom_resources_and_namespaces() {
    let desired = manifests("platform.yaml", CRDS_AND_NAMESPACES);
    let p = plan(&desired, &[], &opts()).unwrap();
    insta::assert_snapshot!("crds_table", p.to_string());
    let find = |kind: &str, name: &str| {
        p.steps
            .iter()
            .find(|s| s.key.kind == kind && s.key.name == name)
            .unwrap()
    };
    // The Namespace and the CRD take the wave of their first dependent.
    assert_eq!(find("Namespace", "tenants").wave, -1);
    assert_eq!(
        find("CustomResourceDefinition", "carts.shop.example.com").wave,
        -1
    );
    // An earlier namespace stays where it is.
    assert_eq!(find("Namespace", "early").wave, -9);
    // A custom resource whose kind sorts before CRDs still waits for its CRD.
    let crd = find("CustomResourceDefinition", "secrets.shop.example.com");
    let odd = find("Secret", "odd-kind");
    assert!(odd.depends_on.contains(&crd.index));
    assert!(odd.level > crd.level);
}

const WAVES_AND_DEPENDS: &str = r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config, namespace: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  annotations:
    driftless.dev/depends-on: StatefulSet/db, ConfigMap/app-config
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: shop
  annotations: {driftless.dev/depends-on: Secret.v1/db-creds}
---
apiVersion: v1
kind: Secret
metadata:
  name: db-creds
  namespace: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
  namespace: shop
  annotations:
    argocd.argoproj.io/sync-wave: "2"
    driftless.dev/depends-on: Deployment.apps/shop/api
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: frontend
  namespace: shop
  annotations: {argocd.argoproj.io/sync-wave: "2"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: tuning
  namespace: shop
  annotations: {argocd.argoproj.io/sync-wave: "not-a-number", helm.sh/hook-weight: "1"}
"#;

#[test]
fn waves_and_explicit_dependencies() {
    // "Secret.v1" is not a group: the reference names group "v1" and must fail.
    let err = plan(&manifests("app.yaml", WAVES_AND_DEPENDS), &[], &opts()).unwrap_err();
    assert!(matches!(err, PlanError::DependencyNotFound { .. }), "{err}");
    let yaml = WAVES_AND_DEPENDS.replace("Secret.v1/db-creds", "Secret/db-creds");
    let p = plan(&manifests("app.yaml", &yaml), &[], &opts()).unwrap();
    insta::assert_snapshot!("waves_depends_table", p.to_string());
    let groups: Vec<(i64, usize, Vec<String>)> = p
        .wave_groups()
        .map(|g| {
            (
                g.wave,
                g.level,
                g.steps.iter().map(|s| s.key.name.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            (0, 0, vec!["db-creds".to_string(), "app-config".to_string()]),
            (0, 1, vec!["db".to_string()]),
            (0, 2, vec!["api".to_string()]),
            (1, 0, vec!["tuning".to_string()]),
            (2, 0, vec!["frontend".to_string(), "frontend".to_string()]),
        ]
    );
}

#[test]
fn prunes_run_in_reverse_wave_order_and_respect_options() {
    let desired = manifests(
        "app.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep-me, namespace: shop}\n",
    );
    let cm = |name: &str| ObjectKey::new("v1", "ConfigMap", Some("shop"), name);
    let live = vec![
        LiveObject::new(cm("keep-me")),
        LiveObject::new(cm("w0")),
        LiveObject::new(cm("w1")).with_annotation("argocd.argoproj.io/sync-wave", "1"),
        LiveObject::new(cm("w3")).with_annotation("argocd.argoproj.io/sync-wave", "3"),
        LiveObject::new(cm("last"))
            .with_annotation("argocd.argoproj.io/sync-options", "PruneLast=true"),
        LiveObject::new(cm("no-prune"))
            .with_annotation("argocd.argoproj.io/sync-options", "Prune=false"),
        LiveObject::new(cm("no-delete"))
            .with_annotation("argocd.argoproj.io/sync-options", "Delete=false"),
    ];
    let p = plan(&desired, &live, &opts()).unwrap();
    insta::assert_snapshot!("prunes_table", p.to_string());
    let waves: Vec<(&str, i64)> = p.prunes().map(|s| (s.key.name.as_str(), s.wave)).collect();
    assert_eq!(waves, [("w3", 0), ("w1", 1), ("w0", 3), ("last", 4)]);

    let all_last = plan(
        &desired,
        &live,
        &PlanOptions {
            prune_last: true,
            ..opts()
        },
    )
    .unwrap();
    // After the last Sync wave, counting the prune waves themselves (gitops-engine).
    assert!(all_last.prunes().all(|s| s.wave == 4));

    let disabled = plan(
        &desired,
        &live,
        &PlanOptions {
            prune: false,
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(disabled.prunes().count(), 0);
    assert_eq!(disabled.kept.len(), 6);
    assert!(disabled.steps.iter().all(|s| s.action == Action::Update));
}

#[test]
fn cycles_are_errors_naming_every_object() {
    let yaml = r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: ns, annotations: {driftless.dev/depends-on: ConfigMap/b}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b, namespace: ns, annotations: {driftless.dev/depends-on: "ConfigMap/c"}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: ns, annotations: {driftless.dev/depends-on: "ConfigMap/ns/a"}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: d, namespace: ns, annotations: {driftless.dev/depends-on: "ConfigMap/a"}}
"#;
    let err = plan(&manifests("cycle.yaml", yaml), &[], &opts()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "dependency cycle between ConfigMap:ns/a -> ConfigMap:ns/b -> ConfigMap:ns/c"
    );
    let PlanError::Cycle { objects } = err else {
        panic!()
    };
    assert_eq!(objects.len(), 3);
}

#[test]
fn depends_on_an_application_names_applications_not_objects() {
    let apps = r#"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: staging, namespace: argocd, annotations: {driftless.dev/depends-on: dev}}
spec: {}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: argocd, annotations: {driftless.dev/depends-on: dev}}
"#;
    let all = manifests("apps.yaml", apps);
    let p =
        plan(&all[..1], &[], &opts()).expect("the Application's annotation is not an object edge");
    assert!(!p.is_empty());
    let err = plan(&all, &[], &opts()).unwrap_err();
    assert!(err.to_string().contains("expected Kind/name"), "{err}");
}

#[test]
fn dependency_errors_are_clear() {
    let later = r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: ns, annotations: {driftless.dev/depends-on: ConfigMap/b}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b, namespace: ns, annotations: {argocd.argoproj.io/sync-wave: "3"}}
"#;
    let err = plan(&manifests("x.yaml", later), &[], &opts()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ConfigMap:ns/a (phase Sync, wave 0) depends on ConfigMap:ns/b which runs later (phase Sync, wave 3); move one of them to another wave"
    );
    let ambiguous = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ns}
---
apiVersion: example.com/v1
kind: Deployment
metadata: {name: web, namespace: ns}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ns, annotations: {argocd.argoproj.io/sync-wave: "1", driftless.dev/depends-on: Deployment/web}}
"#;
    let err = plan(&manifests("x.yaml", ambiguous), &[], &opts()).unwrap_err();
    assert!(
        err.to_string().contains(
            "is ambiguous, it matches apps/Deployment:ns/web, example.com/Deployment:ns/web"
        ),
        "{err}"
    );
    let dup = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    let err = plan(&manifests("dup.yaml", dup), &[], &opts()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ConfigMap:a is rendered twice: dup.yaml (document 1) and dup.yaml (document 2)"
    );
}

#[test]
fn hooks_in_several_phases_and_skip() {
    let yaml = r#"
apiVersion: batch/v1
kind: Job
metadata:
  generateName: check-
  namespace: ns
  annotations: {argocd.argoproj.io/hook: "PreSync,PostSync", helm.sh/hook: pre-install}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: skipped, namespace: ns, annotations: {argocd.argoproj.io/hook: Skip}}
"#;
    let live = vec![LiveObject::new(ObjectKey::new(
        "v1",
        "ConfigMap",
        Some("ns"),
        "skipped",
    ))];
    let p = plan(&manifests("h.yaml", yaml), &live, &opts()).unwrap();
    let hooks: Vec<(Phase, &str)> = p
        .steps
        .iter()
        .map(|s| (s.phase, s.key.name.as_str()))
        .collect();
    assert_eq!(
        hooks,
        [
            (Phase::PreSync, "check-9f8e7d6-presync-1717000000"),
            (Phase::PostSync, "check-9f8e7d6-postsync-1717000000")
        ]
    );
    assert!(
        p.kept.is_empty() && p.prunes().count() == 0,
        "a Skip object is still the application's"
    );
    assert_eq!(p.skipped[0].reason, "argocd.argoproj.io/hook: Skip");
}

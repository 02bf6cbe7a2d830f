//! The plugin and `clusterDecisionResource` generators against a fake plugin
//! service and a fake cluster.

mod common;

use common::fake::{FakeHttp, config_map, secret};
use common::{doc_clusters, set, summary};
use driftless_appset::{HttpResponse, MemCluster, requeue_after};
use driftless_appset::{Inputs, NoGit, generate};
use serde_json::{Value, json};
use std::time::Duration;

const PLUGIN_URL: &str = "http://plugin.argocd.svc:4355/api/v1/getparams.execute";

fn plugin_cluster(token_ref: &str, timeout: Option<&str>) -> MemCluster {
    let mut data = json!({"baseUrl": "http://plugin.argocd.svc:4355/", "token": token_ref});
    if let Some(t) = timeout {
        data["requestTimeout"] = json!(t);
    }
    MemCluster::new(
        "argocd",
        vec![
            config_map("my-plugin", data),
            secret(
                "plugin-secret",
                &[("plugin.myplugin.token", "  s3cr3t-token\n")],
            ),
            secret(
                "argocd-secret",
                &[("plugin.default.token", "default-token")],
            ),
        ],
    )
}

fn plugin_answer(params: Value) -> HttpResponse {
    HttpResponse::json(200, &json!({"output": {"parameters": params}}))
}

const PLUGIN_SET: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: myplugin, namespace: argocd}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - plugin:
      configMapRef: {name: my-plugin}
      input:
        parameters:
          key1: "value1"
          key2: 123
          key3: {nested: true}
      values:
        value1: '{{ .generator.input.parameters.key1 }}-{{ .app }}'
      requeueAfterSeconds: 30
  template:
    metadata:
      name: 'plugin-{{ .app }}'
    spec:
      project: '{{ .values.value1 }}'
      source: {repoURL: 'https://github.com/x/y.git', path: '{{ .config.path }}', targetRevision: HEAD}
      destination: {server: 'https://kubernetes.default.svc', namespace: '{{ .generator.input.parameters.key2 }}'}
"#;

#[test]
fn plugin_go_template_params_input_and_values() {
    let cluster = plugin_cluster("$plugin-secret:plugin.myplugin.token", Some("10"));
    let http = FakeHttp::default().on(
        "POST",
        PLUGIN_URL,
        plugin_answer(json!([
            {"app": "a", "config": {"path": "apps/a"}},
            {"app": "b", "config": {"path": "apps/b"}}
        ])),
    );
    let s = set(PLUGIN_SET);
    let apps = generate(
        &s,
        &Inputs {
            http: &http,
            cluster: &cluster,
            ..Inputs::offline(&NoGit, &[])
        },
    )
    .unwrap();
    assert_eq!(
        summary(
            &apps,
            &[
                "/spec/project",
                "/spec/source/path",
                "/spec/destination/namespace"
            ]
        ),
        vec![
            (
                "plugin-a".into(),
                vec![json!("value1-a"), json!("apps/a"), json!("123")]
            ),
            (
                "plugin-b".into(),
                vec![json!("value1-b"), json!("apps/b"), json!("123")]
            ),
        ]
    );
    let reqs = http.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.header_value("Authorization"), Some("Bearer s3cr3t-token"));
    assert_eq!(r.timeout, Some(Duration::from_secs(10)));
    assert_eq!(
        r.body,
        Some(json!({"applicationSetName": "myplugin",
                    "input": {"parameters": {"key1": "value1", "key2": 123, "key3": {"nested": true}}}}))
    );
    assert_eq!(requeue_after(&s), Some(Duration::from_secs(30)));
}

#[test]
fn plugin_fasttemplate_flattens_and_default_secret() {
    let cluster = plugin_cluster("$plugin.default.token", None);
    let http = FakeHttp::default().on(
        "POST",
        PLUGIN_URL,
        plugin_answer(json!([{"app": "a", "config": {"replicas": 3, "path": "p"}}])),
    );
    let yaml = "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: fast, namespace: argocd}\nspec:\n  generators:\n  - plugin: {configMapRef: {name: my-plugin}, values: {v: '{{app}}-x'}}\n  template:\n    metadata: {name: '{{app}}-{{config.replicas}}-{{values.v}}'}\n    spec: {project: '{{config.path}}'}\n";
    let apps = generate(
        &set(yaml),
        &Inputs {
            http: &http,
            cluster: &cluster,
            ..Inputs::offline(&NoGit, &[])
        },
    )
    .unwrap();
    assert_eq!(apps[0]["metadata"]["name"], "a-3-a-x");
    assert_eq!(apps[0]["spec"]["project"], "p");
    let r = &http.requests()[0];
    assert_eq!(
        r.header_value("Authorization"),
        Some("Bearer default-token")
    );
    assert_eq!(r.timeout, Some(Duration::from_secs(30)));
    assert_eq!(r.body.as_ref().unwrap()["input"], json!({"parameters": {}}));
}

fn plugin_error(cluster: &MemCluster, http: &FakeHttp) -> String {
    generate(
        &set(PLUGIN_SET),
        &Inputs {
            http,
            cluster,
            ..Inputs::offline(&NoGit, &[])
        },
    )
    .unwrap_err()
    .to_string()
}

#[test]
fn plugin_failures_are_clear_and_never_show_the_token() {
    let echo = FakeHttp::default().on(
        "POST",
        PLUGIN_URL,
        HttpResponse::json(500, &json!({"message": "cannot serve s3cr3t-token"})),
    );
    let e = plugin_error(
        &plugin_cluster("$plugin-secret:plugin.myplugin.token", None),
        &echo,
    );
    assert_eq!(
        e,
        format!(
            "spec.generators[0].plugin: error listing params: error get api 'myplugin': POST {PLUGIN_URL}: status 500: cannot serve ***"
        )
    );
    let none = FakeHttp::default();
    let e = plugin_error(&plugin_cluster("plain-token", None), &none);
    assert!(
        e.contains("error fetching Secret token: token is empty, or does not reference a secret key starting with '$'"),
        "{e}"
    );
    assert!(!e.contains("plain-token"), "{e}");
    let e = plugin_error(&plugin_cluster("$plugin-secret:missing", None), &none);
    assert!(
        e.ends_with(
            "error fetching Secret token: key \"missing\" in secret argocd/plugin-secret not found"
        ),
        "{e}"
    );
    let e = plugin_error(
        &plugin_cluster("$plugin-secret:plugin.myplugin.token", Some("soon")),
        &none,
    );
    assert!(
        e.contains("error set requestTimeout: \"soon\" is not an integer"),
        "{e}"
    );
    let e = plugin_error(&MemCluster::new("argocd", vec![]), &none);
    assert!(
        e.contains("error fetching ConfigMap: configmaps \"my-plugin\" not found"),
        "{e}"
    );
    assert!(none.requests().is_empty());
}

fn decision(name: &str, labels: Value, clusters: &[&str]) -> Value {
    json!({"apiVersion": "cluster.open-cluster-management.io/v1beta1", "kind": "PlacementDecision",
           "metadata": {"name": name, "namespace": "argocd", "labels": labels},
           "status": {"decisions": clusters.iter().map(|c| json!({"clusterName": c, "reason": "picked"})).collect::<Vec<_>>()}})
}

fn duck_cluster() -> MemCluster {
    MemCluster::new(
        "argocd",
        vec![
            config_map(
                "ocm-placement",
                json!({"apiVersion": "cluster.open-cluster-management.io/v1beta1",
                       "kind": "placementdecisions", "statusListKey": "decisions", "matchKey": "clusterName"}),
            ),
            decision(
                "prod-placement",
                json!({"cluster.open-cluster-management.io/placement": "prod"}),
                &["production", "unknown-cluster", "in-cluster"],
            ),
            decision(
                "staging-placement",
                json!({"cluster.open-cluster-management.io/placement": "staging"}),
                &["staging"],
            ),
            json!({"apiVersion": "cluster.open-cluster-management.io/v1beta1", "kind": "PlacementDecision",
                   "metadata": {"name": "pending", "namespace": "argocd",
                                "labels": {"cluster.open-cluster-management.io/placement": "prod"}},
                   "status": {}}),
        ],
    )
}

#[test]
fn cluster_decision_resource_matches_decisions_to_clusters() {
    let cluster = duck_cluster();
    let secrets = doc_clusters();
    let yaml = "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: book, namespace: argocd}\nspec:\n  goTemplate: true\n  generators:\n  - clusterDecisionResource:\n      configMapRef: ocm-placement\n      labelSelector:\n        matchLabels: {cluster.open-cluster-management.io/placement: prod}\n      values: {team: '{{ .name }}'}\n  template:\n    metadata: {name: '{{ .clusterName }}-{{ .reason }}-{{ .values.team }}'}\n    spec: {destination: {server: '{{ .server }}', name: '{{ .name }}'}}\n";
    let s = set(yaml);
    let apps = generate(
        &s,
        &Inputs {
            cluster: &cluster,
            ..Inputs::offline(&NoGit, &secrets)
        },
    )
    .unwrap();
    // Values are added as written (Argo CD does not template them here).
    assert_eq!(
        summary(
            &apps,
            &["/spec/destination/server", "/spec/destination/name"]
        ),
        vec![
            (
                "production-picked-{{ .name }}".into(),
                vec![json!("https://2.4.6.8"), json!("production")]
            ),
            (
                "in-cluster-picked-{{ .name }}".into(),
                vec![json!("https://kubernetes.default.svc"), json!("in-cluster")]
            ),
        ]
    );
    assert_eq!(requeue_after(&s), Some(Duration::from_secs(180)));
}

#[test]
fn cluster_decision_resource_by_name_fasttemplate_and_errors() {
    let cluster = duck_cluster();
    let secrets = doc_clusters();
    let run = |generator: &str| {
        let yaml = format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {{name: book, namespace: argocd}}\nspec:\n  generators:\n  - clusterDecisionResource: {generator}\n  template:\n    metadata: {{name: '{{{{name}}}}-{{{{values.tier}}}}'}}\n    spec: {{}}\n"
        );
        generate(
            &set(&yaml),
            &Inputs {
                cluster: &cluster,
                ..Inputs::offline(&NoGit, &secrets)
            },
        )
    };
    let apps =
        run("{configMapRef: ocm-placement, name: prod-placement, values: {tier: gold}}").unwrap();
    let names: Vec<&Value> = apps.iter().map(|a| &a["metadata"]["name"]).collect();
    assert_eq!(names, vec!["production-gold", "in-cluster-gold"]);
    let apps =
        run("{configMapRef: ocm-placement, name: staging-placement, values: {tier: x}}").unwrap();
    assert_eq!(apps[0]["metadata"]["name"], "staging-x");
    let e = run("{configMapRef: ocm-placement, name: x, labelSelector: {matchLabels: {a: b}}}")
        .unwrap_err();
    assert!(
        e.to_string().contains(
            "There is a problem with the definition of the ClusterDecisionResource generator"
        ),
        "{e}"
    );
    let e = run("{configMapRef: ocm-placement, name: nothing-here}").unwrap_err();
    assert_eq!(
        e.to_string(),
        "spec.generators[0].clusterDecisionResource: no clusterDecisionResources found"
    );
    let e = run("{configMapRef: absent, name: x}").unwrap_err();
    assert!(
        e.to_string()
            .contains("error reading configMapRef: configmaps \"absent\" not found"),
        "{e}"
    );
}

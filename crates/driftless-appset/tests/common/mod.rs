//! Shared fixtures: the repositories and cluster Secrets of Argo CD's
//! ApplicationSet documentation examples.

#![allow(dead_code)]

pub mod fake;

use base64::Engine;
use driftless_appset::{Inputs, MemRepo, generate};
use serde_json::{Value, json};

pub const ARGO_REPO: &str = "https://github.com/argoproj/argo-cd.git";

/// The argo-cd repository's `applicationset/examples` folders the docs use.
pub fn argo_repo() -> MemRepo {
    let d = "applicationset/examples/git-generator-directory";
    let f = "applicationset/examples/git-generator-files-discovery";
    MemRepo::new(ARGO_REPO)
        .with_commit("4e1a2b3c4d5e6f708192a3b4c5d6e7f809112233")
        .with_file(&format!("{d}/cluster-addons/argo-workflows/kustomization.yaml"), "")
        .with_file(&format!("{d}/cluster-addons/prometheus-operator/Chart.yaml"), "")
        .with_file(&format!("{d}/excludes/cluster-addons/argo-workflows/kustomization.yaml"), "")
        .with_file(&format!("{d}/excludes/cluster-addons/exclude-helm-guestbook/Chart.yaml"), "")
        .with_file(&format!("{d}/excludes/cluster-addons/prometheus-operator/Chart.yaml"), "")
        .with_file(&format!("{d}/excludes/cluster-addons/.hidden/x.yaml"), "")
        .with_file(&format!("{d}/odd/My_Addon/x.yaml"), "")
        .with_file(
            &format!("{f}/cluster-config/engineering/dev/config.json"),
            r#"{"aws_account": "123456", "asset_id": "11223344",
                "cluster": {"owner": "cluster-admin@company.com", "name": "engineering-dev", "address": "https://1.2.3.4"}}"#,
        )
        .with_file(
            &format!("{f}/cluster-config/engineering/prod/config.json"),
            r#"{"aws_account": "123456", "asset_id": "11223344",
                "cluster": {"owner": "cluster-admin@company.com", "name": "engineering-prod", "address": "https://1.2.3.4"}}"#,
        )
        .with_file(
            &format!("{f}/cluster-config/engineering/multi/clusters.yaml"),
            "- cluster: {name: one, address: https://10.0.0.1}\n  replicas: 2\n- cluster: {name: two, address: https://10.0.0.2}\n  replicas: 3\n",
        )
        .with_file(
            "applicationset/examples/list-generator/list-elementsYaml-example.yaml",
            "key:\n  components:\n    - name: component1\n      chart: podinfo\n      version: \"6.3.2\"\n      namespace: component1\n    - name: component2\n      chart: podinfo\n      version: \"6.3.3\"\n      namespace: component2\n",
        )
        .with_file("envs/dev/web/kustomization.yaml", "")
        .with_file("envs/dev/api/kustomization.yaml", "")
        .with_file("envs/prod/web/kustomization.yaml", "")
}

/// An Argo CD cluster Secret, its `data` base64-encoded as the API returns it.
pub fn cluster_secret(secret_name: &str, name: &str, server: &str, labels: Value) -> Value {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut l = labels;
    l["argocd.argoproj.io/secret-type"] = json!("cluster");
    json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": secret_name, "namespace": "argocd", "labels": l,
                     "annotations": {"owner": "team-a",
                         "kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"config\":\"c2VjcmV0\"}}"}},
        "data": {"name": b64(name), "server": b64(server), "config": b64("{}")}})
}

/// The two clusters of the Cluster and Merge generator docs.
pub fn doc_clusters() -> Vec<Value> {
    vec![
        cluster_secret(
            "cluster-staging",
            "staging",
            "https://1.2.3.4",
            json!({"environment": "staging", "use-kafka": "false"}),
        ),
        cluster_secret(
            "cluster-production",
            "production",
            "https://2.4.6.8",
            json!({"environment": "production"}),
        ),
        json!({"apiVersion": "v1", "kind": "Secret",
               "metadata": {"name": "not-a-cluster", "labels": {"argocd.argoproj.io/secret-type": "repository"}},
               "stringData": {"name": "repo", "server": "https://nope"}}),
    ]
}

pub fn set(yaml: &str) -> Value {
    serde_yaml_ng::from_str(yaml).expect("test ApplicationSet parses")
}

pub fn run(yaml: &str) -> Result<Vec<Value>, driftless_appset::AppSetError> {
    let repo = argo_repo();
    let secrets = doc_clusters();
    generate(&set(yaml), &Inputs::offline(&repo, &secrets))
}

/// `name -> [field at each pointer]` of generated Applications, for compact
/// expectations.
pub fn summary(apps: &[Value], pointers: &[&str]) -> Vec<(String, Vec<Value>)> {
    apps.iter()
        .map(|a| {
            (
                a["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                pointers
                    .iter()
                    .map(|p| a.pointer(p).cloned().unwrap_or(Value::Null))
                    .collect(),
            )
        })
        .collect()
}

//! The types through `kube::Api` against the simulated cluster: CRDs created, an Application
//! with Argo CD's status written through the status subresource and read back unchanged.

mod common;

use driftless_api::{Application, ApplicationStatus};
use driftless_sim::{Cluster, ClusterConfig};
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::json;

#[tokio::test]
async fn application_status_written_and_read_through_kube_api() {
    let cluster = Cluster::start(ClusterConfig::default()).await.unwrap();
    let kc = kube::config::Kubeconfig::from_yaml(cluster.kubeconfig()).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(cfg).unwrap();

    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for text in driftless_api::crds() {
        let crd: CustomResourceDefinition = serde_yaml_ng::from_str(text).unwrap();
        crds.create(&PostParams::default(), &crd).await.unwrap();
    }
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": "argocd"}})).unwrap();
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();

    let (_, fixture) = common::fixtures("Application")
        .into_iter()
        .find(|(n, _)| n.ends_with("full-status.yaml"))
        .unwrap();
    let mut app: Application = serde_json::from_value(fixture.clone()).unwrap();
    let status = app.status.take().unwrap();
    app.spec.extra.clear();
    app.spec
        .source
        .as_mut()
        .unwrap()
        .helm
        .as_mut()
        .unwrap()
        .extra
        .clear();
    for generated in [&mut app.metadata.uid, &mut app.metadata.resource_version] {
        *generated = None;
    }
    app.metadata.creation_timestamp = None;
    app.metadata.generation = None;

    let apps: Api<Application> = Api::namespaced(client.clone(), "argocd");
    let created = apps.create(&PostParams::default(), &app).await.unwrap();
    assert_eq!(created.spec, app.spec);
    assert!(created.status.is_none(), "status is the subresource's");
    assert_eq!(created.operation, app.operation);

    let patch = json!({ "status": serde_json::to_value(&status).unwrap() });
    let patched = apps
        .patch_status("shop-prod", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    assert_eq!(patched.status.as_ref(), Some(&status));

    let read = apps.get("shop-prod").await.unwrap();
    let back: ApplicationStatus = read.status.clone().unwrap();
    assert_eq!(back, status);
    // Unknown status fields (a newer Argo CD's) are kept by the CRD and by the types.
    assert_eq!(back.extra["x-future-status-field"]["anything"], "goes");
    assert_eq!(
        serde_json::to_value(&read).unwrap()["status"],
        fixture["status"]
    );
    let listed = apps.list(&Default::default()).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].name(), "shop-prod");
}

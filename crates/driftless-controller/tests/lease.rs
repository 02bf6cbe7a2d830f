//! Leases against the simulated cluster: one holder at a time, renewal, takeover after expiry
//! with `leaseTransitions + 1` (the old holder's next renewal then fails), an immediate takeover
//! after a release, and the server's validation of a bad Lease.

use driftless_controller::lease::{LeaseLock, is_held};
use driftless_sim::{Cluster, ClusterConfig, ClusterHandle};
use k8s_openapi::api::coordination::v1::Lease;
use kube::api::{Api, PostParams};
use std::time::Duration;

async fn leases() -> (ClusterHandle, Api<Lease>) {
    driftless_runtime::install_crypto_provider();
    let cluster = Cluster::start(ClusterConfig::default()).await.unwrap();
    let kc = kube::config::Kubeconfig::from_yaml(cluster.kubeconfig()).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(cfg).unwrap();
    (cluster, Api::namespaced(client, "default"))
}

#[tokio::test]
async fn one_holder_renewal_takeover_after_expiry_and_release() {
    let (_sim, api) = leases().await;
    let a = LeaseLock::new(api.clone(), "l", "a", Duration::from_secs(1));
    let b = LeaseLock::new(api.clone(), "l", "b", Duration::from_secs(1));
    assert!(a.acquire_or_renew().await.unwrap(), "a creates the Lease");
    assert!(!b.acquire_or_renew().await.unwrap(), "held by a");
    assert!(a.acquire_or_renew().await.unwrap(), "a renews");
    let now = k8s_openapi::jiff::Timestamp::now();
    assert!(is_held(&api.get("l").await.unwrap(), now));

    // a stops renewing: after the lease duration b takes it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !b.acquire_or_renew().await.unwrap() {
        assert!(tokio::time::Instant::now() < deadline, "b never took over");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let spec = api.get("l").await.unwrap().spec.unwrap();
    assert_eq!(spec.holder_identity.as_deref(), Some("b"));
    assert_eq!(spec.lease_transitions, Some(1));
    assert!(!a.acquire_or_renew().await.unwrap(), "a lost it");

    // A release hands it over at once.
    b.release().await.unwrap();
    assert!(a.acquire_or_renew().await.unwrap());
    assert_eq!(
        api.get("l").await.unwrap().spec.unwrap().lease_transitions,
        Some(2)
    );
}

#[tokio::test]
async fn the_server_validates_leases() {
    let (_sim, api) = leases().await;
    let bad: Lease = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "bad"},
        "spec": {"holderIdentity": "x", "leaseDurationSeconds": 0},
    }))
    .unwrap();
    let err = api.create(&PostParams::default(), &bad).await.unwrap_err();
    let kube::Error::Api(e) = err else {
        panic!("{err}")
    };
    assert_eq!(e.code, 422);
    assert!(
        e.message
            .contains("spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"),
        "{}",
        e.message
    );
}

//! A sync waits on a custom resource's health through Argo CD's Lua script for its kind: a
//! cert-manager Certificate (its CRD installed in an earlier wave) holds back the next wave until
//! its status says Ready, which the test sets through the status subresource.

use driftless_e2e::{Env, GitRepo, config_map, reported, settings, target};
use std::time::Duration;

const CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: certificates.cert-manager.io
  annotations: {argocd.argoproj.io/sync-wave: \"-1\"}
spec:
  group: cert-manager.io
  names: {kind: Certificate, plural: certificates, singular: certificate}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
";

const CERT: &str = "apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web-tls
spec: {secretName: web-tls, dnsNames: [shop.example]}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wave_waits_for_a_custom_resource_healthy_by_its_lua_script() {
    let env = Env::start().await;
    let repo = GitRepo::new();
    repo.write("app/crd.yaml", CRD)
        .write("app/cert.yaml", CERT)
        .write(
            "app/after.yaml",
            &config_map("after", "argocd.argoproj.io/sync-wave: \"1\"", "k: v"),
        );
    repo.commit("v1");
    env.namespace("certs");
    let t = target(&repo, "app", "certs", "certs");
    let mut s = settings(&t);
    s.wave_timeout = Duration::from_secs(20);

    // kubectl works on its own thread while this task runs the sync.
    let kubeconfig = env.kubeconfig.clone();
    let kubectl = move |args: &[&str]| {
        std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(args)
            .output()
            .expect("kubectl runs")
    };
    let patcher = std::thread::spawn(move || {
        // The Certificate is created and judged Progressing ("Waiting for certificate"); the
        // next wave does not start.
        let start = std::time::Instant::now();
        while !kubectl(&["get", "certificate/web-tls", "-n", "certs"])
            .status
            .success()
        {
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "certificate never created"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(700));
        let early = kubectl(&["get", "configmap/after", "-n", "certs"])
            .status
            .success();
        let ready = r#"{"status":{"conditions":[{"type":"Ready","status":"True","message":"Certificate is up to date and has not expired"}]}}"#;
        let out = kubectl(&[
            "patch",
            "certificate",
            "web-tls",
            "-n",
            "certs",
            "--subresource=status",
            "--type",
            "merge",
            "-p",
            ready,
        ]);
        assert!(out.status.success(), "{out:?}");
        early
    });
    let result = env
        .sync(&t, &s)
        .await
        .0
        .map(|(_, r)| r)
        .expect("sync succeeds");
    let early = patcher.join().expect("patcher");
    assert!(!early, "wave 1 must wait for the Certificate");
    let cert = reported(&result.objects, "web-tls");
    let health = cert.health.as_ref().expect("health from the Lua script");
    assert_eq!(health.status, driftless_core::HealthStatus::Healthy);
    assert_eq!(
        health.message,
        "Certificate is up to date and has not expired"
    );
    assert!(env.exists(&["configmap/after", "-n", "certs"]));
}

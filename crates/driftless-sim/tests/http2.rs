//! The server speaks HTTP/2 over TLS when the client offers it (ALPN `h2`, as client-go
//! negotiates) and HTTP/1.1 otherwise; checked with curl.

mod common;

use std::process::Command;

fn curl(sim: &common::Sim, version_flag: &str, path: &str) -> (String, String) {
    curl_accept(sim, version_flag, path, "application/json")
}

fn curl_accept(
    sim: &common::Sim,
    version_flag: &str,
    path: &str,
    accept: &str,
) -> (String, String) {
    let ca = sim.dir.path().join("ca.crt");
    std::fs::write(&ca, sim.cluster.ca_pem().unwrap()).unwrap();
    let out = Command::new("curl")
        .args(["-sS", version_flag, "--cacert"])
        .arg(&ca)
        .args([
            "-H",
            &format!("Authorization: Bearer {}", sim.cluster.token()),
        ])
        .args(["-H", &format!("Accept: {accept}")])
        .args(["-w", "\n%{http_version} %{http_code} %{content_type}"])
        .arg(format!("{}{path}", sim.cluster.url()))
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (body, status) = text.rsplit_once('\n').unwrap_or(("", ""));
    (body.to_string(), status.to_string())
}

#[test]
fn http2_and_http1_are_both_served() {
    let sim = common::Sim::start();
    let (body, status) = curl(&sim, "--http2", "/api/v1/namespaces/default");
    assert_eq!(status, "2 200 application/json", "{body}");
    assert!(
        body.contains("\"name\":\"default\"") || body.contains("\"name\": \"default\""),
        "{body}"
    );
    let (_, status) = curl(&sim, "--http1.1", "/version");
    assert_eq!(status, "1.1 200 application/json");
}

#[test]
fn protobuf_is_answered_to_clients_that_prefer_it() {
    let sim = common::Sim::start();
    let pb = "application/vnd.kubernetes.protobuf, application/json";
    let (body, status) = curl_accept(&sim, "--http2", "/api/v1/namespaces/default", pb);
    assert_eq!(status, "2 200 application/vnd.kubernetes.protobuf");
    assert!(
        body.starts_with("k8s\0") && body.contains("Namespace") && body.contains("default"),
        "{body:?}"
    );
    let (body, status) = curl_accept(&sim, "--http2", "/api/v1/namespaces", pb);
    assert_eq!(status, "2 200 application/vnd.kubernetes.protobuf");
    assert!(
        body.contains("NamespaceList") && body.contains("kube-system"),
        "{body:?}"
    );
    // Tables stay JSON.
    let table = "application/json;as=Table;v=v1;g=meta.k8s.io";
    let (_, status) = curl_accept(&sim, "--http2", "/api/v1/namespaces", table);
    assert_eq!(status, "2 200 application/json");
}

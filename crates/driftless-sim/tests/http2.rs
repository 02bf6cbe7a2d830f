//! The server speaks HTTP/2 over TLS when the client offers it (ALPN `h2`, as client-go
//! negotiates) and HTTP/1.1 otherwise; checked with curl.

mod common;

use std::process::Command;

fn curl(sim: &common::Sim, version_flag: &str, path: &str) -> (String, String) {
    let ca = sim.dir.path().join("ca.crt");
    std::fs::write(&ca, sim.cluster.ca_pem().unwrap()).unwrap();
    let out = Command::new("curl")
        .args(["-sS", version_flag, "--cacert"])
        .arg(&ca)
        .args([
            "-H",
            &format!("Authorization: Bearer {}", sim.cluster.token()),
        ])
        .args(["-w", "\n%{http_version} %{http_code}"])
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
    assert_eq!(status, "2 200", "{body}");
    assert!(
        body.contains("\"name\":\"default\"") || body.contains("\"name\": \"default\""),
        "{body}"
    );
    let (_, status) = curl(&sim, "--http1.1", "/version");
    assert_eq!(status, "1.1 200");
}

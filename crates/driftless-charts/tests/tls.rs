//! TLS settings of a chart repository (Argo CD's `insecure`, `tlsClientCertData` /
//! `tlsClientCertKey`) against a real HTTPS server: `openssl s_server -WWW` with a
//! self-signed certificate, optionally asking for a client certificate of a test CA.

mod support;

use driftless_charts::{Auth, ChartCache};
use std::path::Path;
use support::{HttpsServer, certificates, index, make_chart, package};

fn repository(tmp: &Path) -> std::path::PathBuf {
    let repo = tmp.join("repo");
    package(&make_chart(&tmp.join("src"), "web", "1.0.0", "tls"), &repo);
    index(&repo, None);
    repo
}

#[test]
fn insecure_accepts_a_self_signed_server_certificate() {
    let tmp = tempfile::tempdir().unwrap();
    certificates(tmp.path());
    let server = HttpsServer::start(&repository(tmp.path()), tmp.path(), false);
    let cache = ChartCache::new(tmp.path().join("cache")).unwrap();
    let e = cache
        .fetch(&server.url(), "web", "", &Auth::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&server.url()) && e.to_lowercase().contains("certificate"),
        "{e}"
    );
    let insecure = Auth {
        insecure_skip_verify: true,
        ..Auth::default()
    };
    let f = cache.fetch(&server.url(), "web", "", &insecure).unwrap();
    assert_eq!(f.version, "1.0.0");
}

#[test]
fn a_client_certificate_is_presented_when_configured() {
    let tmp = tempfile::tempdir().unwrap();
    certificates(tmp.path());
    let server = HttpsServer::start(&repository(tmp.path()), tmp.path(), true);
    let cache = ChartCache::new(tmp.path().join("cache")).unwrap();
    let insecure = Auth {
        insecure_skip_verify: true,
        ..Auth::default()
    };
    let e = cache
        .fetch(&server.url(), "web", "", &insecure)
        .unwrap_err()
        .to_string();
    assert!(e.contains(&server.url()), "{e}");
    let read = |f: &str| std::fs::read_to_string(tmp.path().join(f)).unwrap();
    let key = read("cli.key");
    let with_cert = Auth {
        client_cert: Some((read("cli.pem"), key.clone())),
        ..insecure.clone()
    };
    let f = cache.fetch(&server.url(), "web", "", &with_cert).unwrap();
    assert_eq!(f.version, "1.0.0");
    assert!(!format!("{with_cert:?}").contains("PRIVATE KEY"));

    let broken = Auth {
        client_cert: Some(("not a certificate".into(), key.clone())),
        ..insecure
    };
    let e = cache
        .fetch(&server.url(), "web", "~1", &broken)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("tlsClientCertData") && !e.contains("PRIVATE KEY"),
        "{e}"
    );
}

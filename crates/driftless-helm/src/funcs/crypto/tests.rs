//! Crypto functions: structure of what they make, Go-made inputs, errors.

use super::super::testutil::{check, check_err, render, render_with};
use x509_parser::prelude::*;

const HELM_CA_CRT: &str = include_str!("testdata/helm-ca.crt");
const HELM_CA_KEY: &str = include_str!("testdata/helm-ca.key");
const HELM_EC_CRT: &str = include_str!("testdata/helm-ec.crt");
const HELM_EC_KEY: &str = include_str!("testdata/helm-ec.key");
const HELM_ED_KEY: &str = include_str!("testdata/helm-ed25519.key");

fn der(pem: &str) -> Vec<u8> {
    super::keys::pem_decode(pem).expect("PEM").1
}

/// Renders `tpl` with `.` = data and splits the `Cert|Key` output.
fn cert_and_key(tpl: &str, data: serde_json::Value) -> (String, String) {
    let out = render_with(tpl, data).unwrap_or_else(|e| panic!("{tpl}: {e}"));
    let (c, k) = out.split_once('|').expect("cert|key");
    (c.to_string(), k.to_string())
}

#[test]
fn ca_and_signed_certificate_chain() {
    let (ca_crt, ca_key) = cert_and_key(
        r#"{{ $ca := genCA "my-ca" 365 }}{{ $ca.Cert }}|{{ $ca.Key }}"#,
        serde_json::Value::Null,
    );
    assert!(ca_key.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    let ca_der = der(&ca_crt);
    let (_, ca) = parse_x509_certificate(&ca_der).unwrap();
    assert_eq!(ca.subject().to_string(), "CN=my-ca");
    assert!(ca.is_ca());
    let days = (ca.validity().not_after.timestamp() - ca.validity().not_before.timestamp()) / 86400;
    assert_eq!(days, 365);
    ca.verify_signature(None).expect("self-signed");

    let (crt, key) = cert_and_key(
        r#"{{ $ca := buildCustomCert (b64enc .crt) (b64enc .key) }}{{ $c := genSignedCert "svc" (list "10.1.2.3") (list "svc.ns.svc" "svc") 30 $ca }}{{ $c.Cert }}|{{ $c.Key }}"#,
        serde_json::json!({"crt": ca_crt, "key": ca_key}),
    );
    assert!(key.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    let d = der(&crt);
    let (_, c) = parse_x509_certificate(&d).unwrap();
    assert_eq!(c.issuer().to_string(), "CN=my-ca");
    assert!(!c.is_ca());
    c.verify_signature(Some(ca.public_key()))
        .expect("signed by the CA");
    let san = c.subject_alternative_name().unwrap().unwrap().value;
    let names: Vec<String> = san.general_names.iter().map(|n| n.to_string()).collect();
    assert_eq!(
        names,
        [
            "DNSName(svc.ns.svc)",
            "DNSName(svc)",
            "IPAddress(0a:01:02:03)"
        ]
    );
}

#[test]
fn go_made_keys_and_ca_are_accepted() {
    // A CA and keys made by helm v4.1.4 (Go's encodings).
    let (crt, key) = cert_and_key(
        r#"{{ $ca := buildCustomCert (b64enc .crt) (b64enc .key) }}{{ $c := genSignedCertWithKey "w" nil nil 1 $ca .ec }}{{ $c.Cert }}|{{ $c.Key }}"#,
        serde_json::json!({"crt": HELM_CA_CRT, "key": HELM_CA_KEY, "ec": HELM_EC_KEY}),
    );
    assert_eq!(key, HELM_EC_KEY, "the given key is returned in Go's form");
    let d = der(&crt);
    let (_, c) = parse_x509_certificate(&d).unwrap();
    let ca_der = der(HELM_CA_CRT);
    let (_, ca) = parse_x509_certificate(&ca_der).unwrap();
    assert_eq!(c.issuer(), ca.subject());
    c.verify_signature(Some(ca.public_key()))
        .expect("signed by the Go CA");

    let (crt, key) = cert_and_key(
        r#"{{ $c := genSelfSignedCertWithKey "ed" nil nil 2 .k }}{{ $c.Cert }}|{{ $c.Key }}"#,
        serde_json::json!({"k": HELM_ED_KEY}),
    );
    assert_eq!(key, HELM_ED_KEY);
    let d = der(&crt);
    let (_, c) = parse_x509_certificate(&d).unwrap();
    c.verify_signature(None).expect("ed25519 self-signed");
    // A Go-made certificate and key pass buildCustomCert unchanged.
    assert_eq!(
        render_with(
            r#"{{ $c := buildCustomCert (b64enc .c) (b64enc .k) }}{{ eq $c.Cert .c }} {{ eq $c.Key .k }}"#,
            serde_json::json!({"c": HELM_EC_CRT, "k": HELM_EC_KEY}),
        )
        .unwrap(),
        "true true"
    );
}

#[test]
fn private_keys_of_each_type() {
    let out = render(
        r#"{{ genPrivateKey "ecdsa" | trunc 31 }}|{{ genPrivateKey "ed25519" | trunc 28 }}|{{ genPrivateKey "nope" }}"#,
    );
    assert_eq!(
        out,
        "-----BEGIN EC PRIVATE KEY-----\n|-----BEGIN PRIVATE KEY-----\n|Unknown type nope"
    );
    let (crt, _) = cert_and_key(
        r#"{{ $c := genSelfSignedCertWithKey "e" nil nil 1 (genPrivateKey "ecdsa") }}{{ $c.Cert }}|{{ $c.Key }}"#,
        serde_json::Value::Null,
    );
    let d = der(&crt);
    let (_, c) = parse_x509_certificate(&d).unwrap();
    c.verify_signature(None).unwrap();
}

/// The INTEGERs of a DER SEQUENCE, as big-endian bytes without sign padding.
fn der_integers(der: &[u8]) -> Vec<Vec<u8>> {
    let next = |b| super::keys::der_next(b).expect("DER");
    let (tag, mut body, rest) = next(der);
    assert_eq!((tag, rest.len()), (0x30, 0), "one SEQUENCE");
    let mut out = Vec::new();
    while !body.is_empty() {
        let (tag, int, rest) = next(body);
        assert_eq!(tag, 0x02, "INTEGER");
        assert!(int[0] & 0x80 == 0, "positive");
        out.push(int.iter().copied().skip_while(|b| *b == 0).collect());
        body = rest;
    }
    out
}

#[test]
fn dsa_private_key_is_sprigs_openssl_structure() {
    let pem = render(r#"{{ genPrivateKey "dsa" }}"#);
    let (label, der) = super::keys::pem_decode(&pem).expect("PEM");
    assert_eq!(label, "DSA PRIVATE KEY");
    let ints = der_integers(&der);
    assert_eq!(ints.len(), 6, "version, p, q, g, y, x");
    assert!(ints[0].is_empty(), "version 0");
    // Go's dsa.L2048N256.
    assert_eq!((ints[1].len(), ints[2].len()), (256, 32));
    // The same numbers make a valid key for RustCrypto (which checks the components), and
    // what x signs, y verifies (y = g^x mod p).
    use ::dsa::signature::{Signer, Verifier};
    let n = |b: &[u8]| ::dsa::BoxedUint::from_be_slice_vartime(b);
    let c = ::dsa::Components::from_components(n(&ints[1]), n(&ints[2]), n(&ints[3])).unwrap();
    let public = ::dsa::VerifyingKey::from_components(c, n(&ints[4])).unwrap();
    let key = ::dsa::SigningKey::from_components(public.clone(), n(&ints[5])).unwrap();
    let sig: ::dsa::Signature = key.sign(b"driftless");
    public.verify(b"driftless", &sig).unwrap();
    // OpenSSL reads it as a 2048-bit DSA key too, when it is installed.
    if let Ok(dir) = tempfile_dir() {
        let file = dir.join("dsa.pem");
        std::fs::write(&file, &pem).unwrap();
        if let Ok(out) = std::process::Command::new("openssl")
            .args(["dsa", "-noout", "-text", "-in"])
            .arg(&file)
            .output()
        {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(text.contains("Private-Key: (2048 bit)"), "{text}");
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// A private scratch directory under the system temp dir.
fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("driftless-dsa-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[test]
fn crypto_errors_as_sprig() {
    check_err(&[
        (
            r#"{{ genSelfSignedCert "a" (list "1.2.3.4" "bad") nil 1 }}"#,
            "error calling genSelfSignedCert: error parsing ip: bad",
        ),
        (
            r#"{{ genSelfSignedCert "a" (list 1) nil 1 }}"#,
            "error calling genSelfSignedCert: error parsing ip: 1 is not a string",
        ),
        (
            r#"{{ genSelfSignedCert "a" nil (list 1) 1 }}"#,
            "error processing alternate dns name: 1 is not a string",
        ),
        (
            r#"{{ genCAWithKey "a" 1 "garbage" }}"#,
            "error calling genCAWithKey: parsing private key: no PEM data in input",
        ),
        (
            r#"{{ genSignedCert "a" nil nil 1 (dict "Cert" "x" "Key" "y") }}"#,
            "wrong type for value; expected sprig.certificate; got map[string]interface {}",
        ),
        (
            r#"{{ buildCustomCert "!!" "x" }}"#,
            "error calling buildCustomCert: unable to decode base64 certificate",
        ),
        (
            r#"{{ buildCustomCert "YWJj" "YWJj" }}"#,
            "error calling buildCustomCert: unable to decode certificate",
        ),
        (
            r#"{{ decryptAES "k" "!!!" }}"#,
            "error calling decryptAES: illegal base64 data at input byte 0",
        ),
        (
            r#"{{ decryptAES "k" "YWJj" }}"#,
            "error calling decryptAES: runtime error: slice bounds out of range [:16] with capacity 3",
        ),
    ]);
}

#[test]
fn passwords_and_aes() {
    check(&[
        // Values computed by helm v4.1.4.
        (
            r#"{{ derivePassword 1 "long" "password" "user" "example.com" }}"#,
            "ZedaFaxcZaso9*",
        ),
        (
            r#"{{ derivePassword 1 "x" "p" "u" "s" }}"#,
            "cannot find password template x",
        ),
        (
            r#"{{ decryptAES "secretkey" "5zk3c4lQPhHGDWX6Pq9shJ6fVPt2Jwa9JLz/jA/wcr2GBCDfIOKAkNVyw868kTD+g5I1sJuvOJcli67jBlLvNg==" }}"#,
            "hello world, this is longer than 16",
        ),
        (
            r#"{{ decryptAES "secretkey" (encryptAES "secretkey" "hello") }}[{{ encryptAES "k" "" }}]"#,
            "hello[]",
        ),
        (r#"{{ htpasswd "a:b" "x" }}"#, "invalid username: a:b"),
    ]);
    let out = render(r#"{{ htpasswd "admin" "pw" }} {{ bcrypt "pw" }}"#);
    let (user_hash, plain) = out.split_once(' ').unwrap();
    let hash = user_hash.strip_prefix("admin:").unwrap();
    assert!(hash.starts_with("$2a$10$") && plain.starts_with("$2a$10$"));
    assert!(bcrypt::verify("pw", hash).unwrap() && bcrypt::verify("pw", plain).unwrap());
    // A Go-made htpasswd hash verifies too.
    assert!(
        bcrypt::verify(
            "pw",
            "$2a$10$ps9XNwciq.5E8.RihGzoAuvHMLL/pK/Ypg661u/LCnq7FgQ.49va."
        )
        .unwrap()
    );
    // Seeded: the same salt each time.
    assert_eq!(
        out,
        render(r#"{{ htpasswd "admin" "pw" }} {{ bcrypt "pw" }}"#)
    );
}

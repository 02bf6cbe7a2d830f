//! Sprig's certificate functions (`genCA`, `genSelfSignedCert`,
//! `genSignedCert`, their `WithKey` forms, `buildCustomCert`) on `rcgen`.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use aws_lc_rs::rsa::KeySize;
use base64::Engine as _;
use driftless_gotmpl::{Object, Value};
use rand::Rng as _;

use super::keys::{PrivKey, pem_decode};
use crate::funcs::Rng;

/// Go's type name of Sprig's certificate struct.
pub const CERT_TYPE: &str = "sprig.certificate";

/// Sprig's `certificate{Cert, Key}` (PEM texts).
#[derive(Debug, Clone)]
pub struct Certificate {
    /// The certificate, PEM.
    pub cert: String,
    /// The private key, PEM.
    pub key: String,
}

impl Object for Certificate {
    fn type_name(&self) -> String {
        CERT_TYPE.into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::from(self.cert.as_str())),
            "Key" => Some(Value::from(self.key.as_str())),
            _ => None,
        }
    }
    fn fmt_go(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{} {}}}", self.cert, self.key)
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn to_value(&self) -> Option<Value> {
        Some(Value::map(
            [
                ("Cert".to_string(), Value::from(self.cert.as_str())),
                ("Key".to_string(), Value::from(self.key.as_str())),
            ]
            .into_iter()
            .collect(),
        ))
    }
}

impl Certificate {
    /// The value templates see.
    pub fn into_value(self) -> Value {
        Value::Object(Arc::new(self))
    }

    /// The certificate behind a `sprig.certificate` argument.
    pub fn from_value(v: &Value) -> Option<Certificate> {
        let Value::Object(o) = v else { return None };
        o.as_any()?.downcast_ref::<Certificate>().cloned()
    }
}

/// What a certificate is made of: common name, SANs, validity.
pub struct Request<'a> {
    /// Subject common name.
    pub cn: String,
    /// `ips` argument (nil = none).
    pub ips: &'a Value,
    /// `alternateDNS` argument (nil = none).
    pub dns: &'a Value,
    /// Days of validity from now.
    pub days: i64,
    /// "Now" for `NotBefore`.
    pub now: chrono::DateTime<chrono::FixedOffset>,
}

/// Sprig's `getNetIPs` / `getAlternateDNSStrs` with their error texts.
fn san_list(
    v: &Value,
    not_string: &str,
    parse: impl Fn(&str) -> Result<rcgen::SanType, String>,
) -> Result<Vec<rcgen::SanType>, String> {
    let items = match v {
        Value::List(l) => l.to_vec(),
        _ => Vec::new(),
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(s) => parse(s),
            other => Err(format!("{not_string}: {other} is not a string")),
        })
        .collect()
}

/// Go's `net.ParseIP` (dotted IPv4, IPv6, IPv4-mapped forms).
fn parse_ip(s: &str) -> Option<IpAddr> {
    if s.contains('%') {
        return None;
    }
    s.parse::<IpAddr>().ok()
}

fn params(req: &Request<'_>, rng: &Rng) -> Result<rcgen::CertificateParams, String> {
    let mut sans = san_list(req.ips, "error parsing ip", |s| {
        parse_ip(s)
            .map(rcgen::SanType::IpAddress)
            .ok_or_else(|| format!("error parsing ip: {s}"))
    })?;
    let dns = san_list(req.dns, "error processing alternate dns name", |s| {
        rcgen::string::Ia5String::try_from(s)
            .map(rcgen::SanType::DnsName)
            .map_err(|_| format!("error processing alternate dns name: {s} is not ASCII"))
    })?;
    // Go writes DNS names before IP addresses.
    let mut all = dns;
    all.append(&mut sans);
    let mut p = rcgen::CertificateParams::default();
    p.subject_alt_names = all;
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name
        .push(rcgen::DnType::CommonName, req.cn.as_str());
    let mut serial = [0u8; 16];
    rng.lock()
        .unwrap_or_else(|e| e.into_inner())
        .fill(&mut serial);
    serial[0] &= 0x7f;
    p.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
    let now = req.now.timestamp();
    let after = now.saturating_add(req.days.saturating_mul(86_400));
    let ts = |secs: i64| {
        time::OffsetDateTime::from_unix_timestamp(secs)
            .map_err(|e| format!("error creating certificate: {e}"))
    };
    p.not_before = ts(now)?;
    p.not_after = ts(after)?;
    p.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
    ];
    p.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    ];
    p.is_ca = rcgen::IsCa::ExplicitNoCa;
    Ok(p)
}

/// The key of a `WithKey` function, or a new RSA 2048 key.
pub fn key_or_new(pem: Option<&str>) -> Result<PrivKey, String> {
    match pem {
        Some(p) => PrivKey::from_pem(p).map_err(|e| format!("parsing private key: {e}")),
        None => PrivKey::generate("rsa", KeySize::Rsa2048)
            .map_err(|e| format!("error generating rsa key: {e}")),
    }
}

fn created(cert: rcgen::Certificate, key: &PrivKey) -> Certificate {
    Certificate {
        cert: super::keys::pem_encode("CERTIFICATE", cert.der()),
        key: key.to_pem(),
    }
}

/// `genCA` / `genCAWithKey`.
pub fn gen_ca(req: &Request<'_>, key: PrivKey, rng: &Rng) -> Result<Certificate, String> {
    let mut p = params(req, rng)?;
    p.subject_alt_names.clear();
    p.key_usages.push(rcgen::KeyUsagePurpose::KeyCertSign);
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let cert = p
        .self_signed(&key)
        .map_err(|e| format!("error creating certificate: {e}"))?;
    Ok(created(cert, &key))
}

/// `genSelfSignedCert` / `genSelfSignedCertWithKey`.
pub fn gen_self_signed(req: &Request<'_>, key: PrivKey, rng: &Rng) -> Result<Certificate, String> {
    let p = params(req, rng)?;
    let cert = p
        .self_signed(&key)
        .map_err(|e| format!("error creating certificate: {e}"))?;
    Ok(created(cert, &key))
}

/// `genSignedCert` / `genSignedCertWithKey`.
pub fn gen_signed(
    req: &Request<'_>,
    key: PrivKey,
    ca: &Certificate,
    rng: &Rng,
) -> Result<Certificate, String> {
    if pem_decode(&ca.cert).is_none() {
        return Err("unable to decode certificate".into());
    }
    let ca_key =
        PrivKey::from_pem(&ca.key).map_err(|e| format!("error parsing private key: {e}"))?;
    let issuer = rcgen::Issuer::from_ca_cert_pem(&ca.cert, ca_key)
        .map_err(|e| format!("error parsing certificate: decodedSignerCert.Bytes: {e}"))?;
    let p = params(req, rng)?;
    let cert = p
        .signed_by(&key, &issuer)
        .map_err(|e| format!("error creating certificate: {e}"))?;
    Ok(created(cert, &key))
}

/// `buildCustomCert`: checks a base64 PEM certificate and key.
pub fn build_custom(b64cert: &str, b64key: &str) -> Result<Certificate, String> {
    let std = base64::engine::general_purpose::STANDARD;
    let cert = std
        .decode(b64cert)
        .map_err(|_| "unable to decode base64 certificate".to_string())?;
    let key = std
        .decode(b64key)
        .map_err(|_| "unable to decode base64 private key".to_string())?;
    let cert = String::from_utf8_lossy(&cert).into_owned();
    let key = String::from_utf8_lossy(&key).into_owned();
    let (_, der) = pem_decode(&cert).ok_or("unable to decode certificate")?;
    x509_parser::parse_x509_certificate(&der)
        .map_err(|e| format!("error parsing certificate: decodedCert.Bytes: {e}"))?;
    PrivKey::from_pem(&key).map_err(|e| format!("error parsing private key: {e}"))?;
    Ok(Certificate { cert, key })
}

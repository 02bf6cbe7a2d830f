//! Private keys as Sprig makes and reads them: generation (RSA, ECDSA P-256,
//! Ed25519 through `aws-lc-rs`), Go's PEM encodings (`RSA PRIVATE KEY`,
//! `EC PRIVATE KEY`, PKCS#8 `PRIVATE KEY`) and signing for `rcgen`.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    self, ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair,
};
use base64::Engine as _;

/// A private key of one of the kinds Sprig handles.
pub enum PrivKey {
    /// RSA, printed as PKCS#1.
    Rsa(RsaKeyPair, Vec<u8>),
    /// ECDSA P-256, printed as SEC 1.
    Ec(EcdsaKeyPair, Vec<u8>),
    /// Ed25519, printed as PKCS#8.
    Ed(Ed25519KeyPair, Vec<u8>),
}

impl std::fmt::Debug for PrivKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.write_str(match self {
            PrivKey::Rsa(..) => "PrivKey::Rsa",
            PrivKey::Ec(..) => "PrivKey::Ec",
            PrivKey::Ed(..) => "PrivKey::Ed",
        })
    }
}

/// Go's `pem.EncodeToMemory`: base64 in 64-column lines.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Go's `pem.Decode` of the first block: its type and bytes.
pub fn pem_decode(text: &str) -> Option<(String, Vec<u8>)> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + 11..];
    let label_end = rest.find("-----")?;
    let label = rest[..label_end].to_string();
    let body = &rest[label_end + 5..];
    let end = body.find(&format!("-----END {label}-----"))?;
    let b64: String = body[..end]
        .lines()
        .filter(|l| !l.contains(':'))
        .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .ok()?;
    Some((label, der))
}

/// One DER element: (tag, contents, rest).
pub(super) fn der_next(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *b.first()?;
    let first = *b.get(1)?;
    let (len, hdr) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*b.get(2 + i)?);
        }
        (len, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    Some((tag, b.get(hdr..end)?, &b[end..]))
}

/// The private key bytes inside a PKCS#8 `PrivateKeyInfo`.
fn pkcs8_inner(pkcs8: &[u8]) -> Option<Vec<u8>> {
    let (_, seq, _) = der_next(pkcs8)?;
    let (_, _version, rest) = der_next(seq)?;
    let (_, _alg, rest) = der_next(rest)?;
    let (tag, key, _) = der_next(rest)?;
    (tag == 0x04).then(|| key.to_vec())
}

impl PrivKey {
    /// A new key of Sprig's `genPrivateKey` type (`rsa` is 4096 bits there,
    /// 2048 for certificates).
    pub fn generate(kind: &str, rsa_bits: KeySize) -> Result<PrivKey, String> {
        let fail = |_| "failed to generate private key".to_string();
        match kind {
            "rsa" | "" => {
                let k = RsaKeyPair::generate(rsa_bits).map_err(fail)?;
                let der = pkcs8_inner(k.as_der().map_err(fail)?.as_ref())
                    .ok_or("failed to generate private key")?;
                Ok(PrivKey::Rsa(k, der))
            }
            "ecdsa" => {
                let k = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).map_err(fail)?;
                let der = k.private_key().as_der().map_err(fail)?.as_ref().to_vec();
                Ok(PrivKey::Ec(k, der))
            }
            "ed25519" => {
                let k = Ed25519KeyPair::generate().map_err(fail)?;
                let der = k.to_pkcs8v1().map_err(fail)?.as_ref().to_vec();
                Ok(PrivKey::Ed(k, der))
            }
            other => Err(format!("Unknown type {other}")),
        }
    }

    /// Sprig's `parsePrivateKeyPEM`, with its error texts.
    pub fn from_pem(text: &str) -> Result<PrivKey, String> {
        let (label, der) = pem_decode(text).ok_or("no PEM data in input")?;
        if label == "PRIVATE KEY" {
            if let Ok(k) = RsaKeyPair::from_pkcs8(&der) {
                let inner = pkcs8_inner(&der).unwrap_or_default();
                return Ok(PrivKey::Rsa(k, inner));
            }
            if let Ok(k) = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &der) {
                let sec1 = k
                    .private_key()
                    .as_der()
                    .map(|d| d.as_ref().to_vec())
                    .unwrap_or_default();
                return Ok(PrivKey::Ec(k, sec1));
            }
            if let Ok(k) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der) {
                let v1 = k
                    .to_pkcs8v1()
                    .map(|d| d.as_ref().to_vec())
                    .unwrap_or_default();
                return Ok(PrivKey::Ed(k, v1));
            }
            return Err("decoding PEM as PKCS#8: unsupported or malformed key".into());
        }
        let Some(kind) = label.strip_suffix(" PRIVATE KEY") else {
            return Err(format!("no private key data in PEM block of type {label}"));
        };
        match kind {
            "RSA" => RsaKeyPair::from_der(&der)
                .map(|k| PrivKey::Rsa(k, der.clone()))
                .map_err(|e| format!("parsing RSA private key from PEM: {e}")),
            "EC" => EcdsaKeyPair::from_private_key_der(&ECDSA_P256_SHA256_ASN1_SIGNING, &der)
                .map(|k| PrivKey::Ec(k, der.clone()))
                .map_err(|e| format!("parsing EC private key from PEM: {e}")),
            "DSA" => Err(
                "parsing DSA private key from PEM: DSA keys are not supported by driftless".into(),
            ),
            _ => Err(format!("invalid private key type {label}")),
        }
    }

    /// The key in Go's PEM form (`pemBlockForKey`).
    pub fn to_pem(&self) -> String {
        match self {
            PrivKey::Rsa(_, der) => pem_encode("RSA PRIVATE KEY", der),
            PrivKey::Ec(_, der) => pem_encode("EC PRIVATE KEY", der),
            PrivKey::Ed(_, der) => pem_encode("PRIVATE KEY", der),
        }
    }
}

impl rcgen::PublicKeyData for PrivKey {
    fn der_bytes(&self) -> &[u8] {
        match self {
            PrivKey::Rsa(k, _) => k.public_key().as_ref(),
            PrivKey::Ec(k, _) => k.public_key().as_ref(),
            PrivKey::Ed(k, _) => k.public_key().as_ref(),
        }
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        match self {
            PrivKey::Rsa(..) => &rcgen::PKCS_RSA_SHA256,
            PrivKey::Ec(..) => &rcgen::PKCS_ECDSA_P256_SHA256,
            PrivKey::Ed(..) => &rcgen::PKCS_ED25519,
        }
    }
}

impl rcgen::SigningKey for PrivKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let rng = SystemRandom::new();
        match self {
            PrivKey::Rsa(k, _) => {
                let mut sig = vec![0; k.public_modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &rng, msg, &mut sig)
                    .map_err(|_| rcgen::Error::RemoteKeyError)?;
                Ok(sig)
            }
            PrivKey::Ec(k, _) => k
                .sign(&rng, msg)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| rcgen::Error::RemoteKeyError),
            PrivKey::Ed(k, _) => Ok(k.sign(msg).as_ref().to_vec()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trip_of_each_kind() {
        for kind in ["ecdsa", "ed25519", "rsa"] {
            let k = PrivKey::generate(kind, KeySize::Rsa2048).unwrap();
            let pem = k.to_pem();
            let again = PrivKey::from_pem(&pem).unwrap();
            assert_eq!(again.to_pem(), pem, "{kind}");
            assert!(pem.lines().all(|l| l.len() <= 64), "{kind}");
        }
        assert_eq!(
            PrivKey::generate("x", KeySize::Rsa2048).unwrap_err(),
            "Unknown type x"
        );
        assert_eq!(
            PrivKey::from_pem("garbage").unwrap_err(),
            "no PEM data in input"
        );
        assert_eq!(
            PrivKey::from_pem(&pem_encode("CERTIFICATE", b"x")).unwrap_err(),
            "no private key data in PEM block of type CERTIFICATE"
        );
    }
}

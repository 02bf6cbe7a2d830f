//! Sprig's crypto functions: `bcrypt`, `htpasswd`, `derivePassword`,
//! `encryptAES`/`decryptAES`, `genPrivateKey` and the certificate functions.
//!
//! Random inputs (bcrypt salts, AES IVs, certificate serial numbers) come
//! from the registration's random source, so they repeat under a seed; key
//! pairs always come from the OS (`aws-lc-rs`), as Go's `crypto/rand` does.

mod certs;
mod dsa;
mod keys;

use aws_lc_rs::cipher::{
    AES_256, DecryptingKey, DecryptionContext, EncryptingKey, EncryptionContext, UnboundCipherKey,
};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::rsa::KeySize;
use base64::Engine as _;
use driftless_gotmpl::{
    ArgType::Int as I, ArgType::List as L, ArgType::Named, ArgType::String as S, FuncError,
    FuncMap, Value,
};
use rand::Rng as _;

use self::certs::{CERT_TYPE, Certificate, Request};
use self::keys::PrivKey;
use super::conv::{arg_int, arg_str, go_string};
use super::{Rng, add};

const STD: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Go's `bcrypt.GenerateFromPassword(pw, 10)` with a salt from `rng`.
pub fn bcrypt_hash(password: &str, rng: &Rng) -> String {
    if password.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .into();
    }
    let mut salt = [0u8; 16];
    rng.lock()
        .unwrap_or_else(|e| e.into_inner())
        .fill(&mut salt);
    match bcrypt::hash_with_salt(password, 10, salt) {
        Ok(h) => h.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

const MASTER_PASSWORD_SEED: &str = "com.lyndir.masterpassword";

fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_chars(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// Sprig's `derivePassword` (the Master Password algorithm: scrypt, then
/// HMAC-SHA256 choosing template characters).
pub fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(templates) = password_templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = MASTER_PASSWORD_SEED.as_bytes().to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let params = match scrypt::Params::new(15, 8, 2) {
        Ok(p) => p,
        Err(e) => return format!("failed to derive password: {e}"),
    };
    if let Err(e) = scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key) {
        return format!("failed to derive password: {e}");
    }
    let mut msg = MASTER_PASSWORD_SEED.as_bytes().to_vec();
    msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
    msg.extend_from_slice(site.as_bytes());
    msg.extend_from_slice(&counter.to_be_bytes());
    let hkey = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &key);
    let tag = aws_lc_rs::hmac::sign(&hkey, &msg);
    let seed = tag.as_ref();
    let temp = templates[usize::from(seed[0]) % templates.len()];
    temp.bytes()
        .enumerate()
        .map(|(i, c)| {
            let chars = template_chars(c);
            char::from(chars[usize::from(seed[i + 1]) % chars.len()])
        })
        .collect()
}

fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let p = password.as_bytes();
    let n = p.len().min(32);
    key[..n].copy_from_slice(&p[..n]);
    key
}

/// Sprig's `encryptAES`: AES-256-CBC, PKCS#7 padding, random IV first,
/// base64.
pub fn encrypt_aes(password: &str, plain: &str, rng: &Rng) -> Result<String, String> {
    if plain.is_empty() {
        return Ok(String::new());
    }
    let key = UnboundCipherKey::new(&AES_256, &aes_key(password)).map_err(|e| e.to_string())?;
    let enc = EncryptingKey::cbc(key).map_err(|e| e.to_string())?;
    let mut iv = [0u8; 16];
    rng.lock().unwrap_or_else(|e| e.into_inner()).fill(&mut iv);
    let mut data = plain.as_bytes().to_vec();
    let pad = 16 - data.len() % 16;
    data.extend(std::iter::repeat_n(pad as u8, pad));
    enc.less_safe_encrypt(&mut data, EncryptionContext::Iv128(FixedLength::from(iv)))
        .map_err(|e| e.to_string())?;
    let mut out = iv.to_vec();
    out.extend_from_slice(&data);
    Ok(STD.encode(out))
}

/// Sprig's `decryptAES`, with Go's panics as errors.
pub fn decrypt_aes(password: &str, crypt64: &str) -> Result<Vec<u8>, String> {
    if crypt64.is_empty() {
        return Ok(Vec::new());
    }
    let crypt = super::encoding::b64_decode_go(crypt64)?;
    if crypt.len() < 16 {
        return Err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            crypt.len()
        ));
    }
    let (iv, body) = crypt.split_at(16);
    if body.len() % 16 != 0 {
        return Err("crypto/cipher: input not full blocks".into());
    }
    if body.is_empty() {
        return Err("runtime error: index out of range [-1]".into());
    }
    let key = UnboundCipherKey::new(&AES_256, &aes_key(password)).map_err(|e| e.to_string())?;
    let dec = DecryptingKey::cbc(key).map_err(|e| e.to_string())?;
    let mut iv16 = [0u8; 16];
    iv16.copy_from_slice(iv);
    let mut data = body.to_vec();
    let plain = dec
        .decrypt(&mut data, DecryptionContext::Iv128(FixedLength::from(iv16)))
        .map_err(|e| e.to_string())?;
    let pad = usize::from(plain[plain.len() - 1]);
    if pad > plain.len() {
        return Err(format!(
            "runtime error: slice bounds out of range [:{}]",
            plain.len() as i64 - pad as i64
        ));
    }
    Ok(plain[..plain.len() - pad].to_vec())
}

fn cert_result(r: Result<Certificate, String>) -> Result<Value, FuncError> {
    r.map(Certificate::into_value).map_err(FuncError::msg)
}

pub(super) fn register(
    m: &mut FuncMap,
    rng: Rng,
    now: impl Fn() -> chrono::DateTime<chrono::FixedOffset> + Clone + Send + Sync + 'static,
) {
    let r = rng.clone();
    add(m, "bcrypt", &[S], move |a| {
        Ok(Value::from(bcrypt_hash(&arg_str(&a[0]), &r)))
    });
    let r = rng.clone();
    add(m, "htpasswd", &[S, S], move |a| {
        let user = arg_str(&a[0]);
        if user.contains(':') {
            return Ok(Value::from(format!("invalid username: {user}")));
        }
        Ok(Value::from(format!(
            "{user}:{}",
            bcrypt_hash(&arg_str(&a[1]), &r)
        )))
    });
    add(m, "derivePassword", &[I, S, S, S, S], |a| {
        Ok(Value::from(derive_password(
            arg_int(&a[0]) as u32,
            &arg_str(&a[1]),
            &arg_str(&a[2]),
            &arg_str(&a[3]),
            &arg_str(&a[4]),
        )))
    });
    let r = rng.clone();
    add(m, "encryptAES", &[S, S], move |a| {
        encrypt_aes(&arg_str(&a[0]), &arg_str(&a[1]), &r)
            .map(Value::from)
            .map_err(FuncError::msg)
    });
    add(m, "decryptAES", &[S, S], |a| {
        decrypt_aes(&arg_str(&a[0]), &arg_str(&a[1]))
            .map(|b| go_string(b.into()))
            .map_err(FuncError::msg)
    });
    add(m, "genPrivateKey", &[S], |a| {
        let kind = arg_str(&a[0]);
        if kind == "dsa" {
            // Sprig returns its failure text as the value, as for the other types.
            return Ok(Value::from(dsa::generate_pem().unwrap_or_else(|e| e)));
        }
        Ok(Value::from(
            match PrivKey::generate(&kind, KeySize::Rsa4096) {
                Ok(k) => k.to_pem(),
                Err(e) => e,
            },
        ))
    });
    add(m, "buildCustomCert", &[S, S], |a| {
        cert_result(certs::build_custom(&arg_str(&a[0]), &arg_str(&a[1])))
    });
    let cert_fns: [(&str, usize); 6] = [
        ("genCA", 0),
        ("genCAWithKey", 0),
        ("genSelfSignedCert", 1),
        ("genSelfSignedCertWithKey", 1),
        ("genSignedCert", 2),
        ("genSignedCertWithKey", 2),
    ];
    for (name, kind) in cert_fns {
        let with_key = name.ends_with("WithKey");
        let mut params: Vec<driftless_gotmpl::ArgType> = if kind == 0 {
            vec![S, I]
        } else {
            vec![S, L, L, I]
        };
        if kind == 2 {
            params.push(Named(CERT_TYPE));
        }
        if with_key {
            params.push(S);
        }
        let r = rng.clone();
        let now = now.clone();
        add(m, name, &params, move |a| {
            let (ips, dns, days) = if kind == 0 {
                (&Value::Nil, &Value::Nil, arg_int(&a[1]))
            } else {
                (&a[1], &a[2], arg_int(&a[3]))
            };
            let req = Request {
                cn: arg_str(&a[0]),
                ips,
                dns,
                days,
                now: now(),
            };
            let pem = with_key.then(|| arg_str(&a[a.len() - 1]));
            let key = match certs::key_or_new(pem.as_deref()) {
                Ok(k) => k,
                Err(e) => return Err(FuncError::msg(e)),
            };
            cert_result(match kind {
                0 => certs::gen_ca(&req, key, &r),
                1 => certs::gen_self_signed(&req, key, &r),
                _ => {
                    let ca = Certificate::from_value(&a[4])
                        .ok_or_else(|| FuncError::msg(format!("expected {CERT_TYPE}")))?;
                    certs::gen_signed(&req, key, &ca, &r)
                }
            })
        });
    }
}

#[cfg(test)]
mod tests;

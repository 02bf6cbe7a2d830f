//! Sprig's `genPrivateKey "dsa"`: a fresh DSA key with new L=2048, N=256 parameters (Go's
//! `dsa.GenerateParameters(..., dsa.L2048N256)`), printed as Sprig prints it: the OpenSSL
//! `DSA PRIVATE KEY` structure `SEQUENCE { version 0, p, q, g, y, x }` in PEM.

use dsa::{Components, KeySize, SigningKey};
use getrandom::SysRng;

use super::keys::pem_encode;

/// A new DSA private key in PEM, or Sprig's failure text.
pub fn generate_pem() -> Result<String, String> {
    let rng = &mut SysRng;
    let components = Components::try_generate_from_rng_with_key_size(rng, KeySize::DSA_2048_256)
        .map_err(|e| format!("failed to generate dsa params: {e}"))?;
    let key = SigningKey::try_generate_from_rng_with_components(rng, components)
        .map_err(|e| format!("failed to generate private key: {e}"))?;
    let public = key.verifying_key();
    let c = public.components();
    let mut body = der_integer(&[0]);
    for n in [
        c.p().to_be_bytes(),
        c.q().to_be_bytes(),
        c.g().to_be_bytes(),
        public.y().to_be_bytes(),
        key.x().to_be_bytes(),
    ] {
        body.extend(der_integer(&n));
    }
    Ok(pem_encode("DSA PRIVATE KEY", &der_tlv(0x30, &body)))
}

/// A DER INTEGER of the unsigned big-endian `n` (minimal, a leading 0 before a high bit).
fn der_integer(n: &[u8]) -> Vec<u8> {
    let digits = match n.iter().position(|b| *b != 0) {
        Some(i) => &n[i..],
        None => &[0u8][..],
    };
    let mut v = Vec::with_capacity(digits.len() + 1);
    if digits[0] & 0x80 != 0 {
        v.push(0);
    }
    v.extend_from_slice(digits);
    der_tlv(0x02, &v)
}

/// A DER tag, length and value.
fn der_tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_integers_are_minimal_and_positive() {
        assert_eq!(der_integer(&[0]), [2, 1, 0]);
        assert_eq!(der_integer(&[0, 0, 5]), [2, 1, 5]);
        assert_eq!(der_integer(&[0x80]), [2, 2, 0, 0x80]);
        assert_eq!(der_tlv(0x30, &[7; 200])[..3], [0x30, 0x81, 200]);
        assert_eq!(der_tlv(0x30, &[7; 300])[..4], [0x30, 0x82, 1, 44]);
    }
}

//! Encodings, hashes, UUIDs and random strings.

use base64::Engine;
use driftless_gotmpl::{ArgType::Int as I, ArgType::String as S, FuncError, FuncMap, Value};
use rand::Rng as _;
use sha2::Digest;

use super::conv::{arg_bytes, arg_int, arg_str, go_string};
use super::{Rng, add};

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 with padding (Go's `base32.StdEncoding`).
pub fn b32enc(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = [2, 4, 5, 7, 8][chunk.len() - 1];
        for i in 0..8 {
            if i < chars {
                out.push(B32[((n >> (35 - 5 * i)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Go's `base32.StdEncoding.DecodeString`, with its error text.
pub fn b32dec(s: &str) -> Result<Vec<u8>, String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut bits: u64 = 0;
    let mut nbits = 0;
    let mut end = b.len();
    while end > 0 && b[end - 1] == b'=' {
        end -= 1;
    }
    if !b.len().is_multiple_of(8) {
        return Err(format!(
            "illegal base32 data at input byte {}",
            b.len() / 8 * 8
        ));
    }
    for (i, &c) in b[..end].iter().enumerate() {
        let Some(v) = B32.iter().position(|&x| x == c) else {
            return Err(format!("illegal base32 data at input byte {i}"));
        };
        bits = (bits << 5) | v as u64;
        nbits += 5;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    Ok(out)
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn rand_from(rng: &Rng, n: i64, alphabet: &[u8]) -> String {
    let mut r = rng.lock().unwrap_or_else(|e| e.into_inner());
    (0..n.max(0))
        .map(|_| alphabet[r.random_range(0..alphabet.len())] as char)
        .collect()
}

const STD: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Go's `base64.StdEncoding.DecodeString`, with its error text.
pub fn b64_decode_go(s: &str) -> Result<Vec<u8>, String> {
    match STD.decode(s) {
        Ok(b) => Ok(b),
        Err(base64::DecodeError::InvalidByte(i, _))
        | Err(base64::DecodeError::InvalidLastSymbol(i, _)) => {
            Err(format!("illegal base64 data at input byte {i}"))
        }
        Err(_) => Err(format!(
            "illegal base64 data at input byte {}",
            s.len() / 4 * 4
        )),
    }
}

pub(super) fn register(m: &mut FuncMap, rng: Rng) {
    add(m, "b64enc", &[S], move |a| {
        Ok(Value::from(STD.encode(arg_bytes(&a[0]))))
    });
    add(m, "b64dec", &[S], move |a| {
        Ok(match b64_decode_go(&arg_str(&a[0])) {
            Ok(b) => go_string(b.into()),
            Err(e) => Value::from(e),
        })
    });
    add(m, "b32enc", &[S], |a| {
        Ok(Value::from(b32enc(&arg_bytes(&a[0]))))
    });
    add(m, "b32dec", &[S], |a| {
        Ok(match b32dec(&arg_str(&a[0])) {
            Ok(b) => go_string(b.into()),
            Err(e) => Value::from(e),
        })
    });
    add(m, "sha1sum", &[S], |a| {
        Ok(Value::from(hex(&sha1::Sha1::digest(arg_bytes(&a[0])))))
    });
    add(m, "sha256sum", &[S], |a| {
        Ok(Value::from(hex(&sha2::Sha256::digest(arg_bytes(&a[0])))))
    });
    add(m, "sha512sum", &[S], |a| {
        Ok(Value::from(hex(&sha2::Sha512::digest(arg_bytes(&a[0])))))
    });
    add(m, "adler32sum", &[S], |a| {
        Ok(Value::from(adler32(&arg_bytes(&a[0])).to_string()))
    });
    let r = rng.clone();
    add(m, "uuidv4", &[], move |_| {
        let mut b = [0u8; 16];
        r.lock().unwrap_or_else(|e| e.into_inner()).fill(&mut b);
        Ok(Value::from(
            uuid::Builder::from_random_bytes(b).into_uuid().to_string(),
        ))
    });
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let ascii: Vec<u8> = (32u8..=126).collect();
    let sets: [(&str, Vec<u8>); 4] = [
        ("randAlphaNum", ALNUM.to_vec()),
        ("randAlpha", ALNUM[..52].to_vec()),
        ("randNumeric", ALNUM[52..].to_vec()),
        ("randAscii", ascii),
    ];
    for (name, set) in sets {
        let r = rng.clone();
        add(m, name, &[I], move |a| {
            Ok(Value::from(rand_from(&r, arg_int(&a[0]), &set)))
        });
    }
    let r = rng.clone();
    add(m, "randInt", &[I, I], move |a| {
        let (lo, hi) = (arg_int(&a[0]), arg_int(&a[1]));
        if hi <= lo {
            return Err(FuncError::msg("invalid argument to Intn"));
        }
        Ok(Value::Int(
            r.lock()
                .unwrap_or_else(|e| e.into_inner())
                .random_range(lo..hi),
        ))
    });
    // xstrings.Shuffle: Fisher-Yates over the runes.
    let r = rng.clone();
    add(m, "shuffle", &[S], move |a| {
        let mut runes: Vec<char> = arg_str(&a[0]).chars().collect();
        let mut g = r.lock().unwrap_or_else(|e| e.into_inner());
        for i in (1..runes.len()).rev() {
            let j = g.random_range(0..=i);
            runes.swap(i, j);
        }
        Ok(Value::from(runes.into_iter().collect::<String>()))
    });
    let r = rng;
    add(m, "randBytes", &[I], move |a| {
        let mut b = vec![0u8; arg_int(&a[0]).max(0) as usize];
        r.lock().unwrap_or_else(|e| e.into_inner()).fill(&mut b[..]);
        Ok(Value::from(
            base64::engine::general_purpose::STANDARD.encode(b),
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{check, render};

    #[test]
    fn encodings_and_hashes() {
        check(&[
            (
                r#"{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }} {{ b64dec "!!" }}"#,
                "aGVsbG8= hello illegal base64 data at input byte 0",
            ),
            (
                r#"{{ b32enc "hello" }} {{ b32dec "NBSWY3DP" }}"#,
                "NBSWY3DP hello",
            ),
            (
                r#"{{ sha1sum "abc" }}"#,
                "a9993e364706816aba3e25717850c26c9cd0d89d",
            ),
            (
                r#"{{ sha256sum "abc" }}"#,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            (r#"{{ adler32sum "Wikipedia" }}"#, "300286872"),
            (r#"{{ randAlphaNum 0 }}"#, ""),
            (r#"[{{ shuffle "" }}] {{ shuffle "a" }}"#, "[] a"),
        ]);
        let s = render(r#"{{ shuffle "héllo wörld" }}"#);
        let mut got: Vec<char> = s.chars().collect();
        let mut want: Vec<char> = "héllo wörld".chars().collect();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "a permutation of the runes: {s}");
        assert_eq!(s, render(r#"{{ shuffle "héllo wörld" }}"#), "seeded");
        let r = render(r#"{{ randAlphaNum 12 }} {{ randNumeric 5 }} {{ uuidv4 }}"#);
        let parts: Vec<&str> = r.split(' ').collect();
        assert_eq!(parts[0].len(), 12);
        assert!(parts[0].chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(parts[1].chars().all(|c| c.is_ascii_digit()) && parts[1].len() == 5);
        assert_eq!(parts[2].len(), 36);
        assert_eq!(&parts[2][14..15], "4");
        // Seeded: reproducible.
        assert_eq!(
            r,
            render(r#"{{ randAlphaNum 12 }} {{ randNumeric 5 }} {{ uuidv4 }}"#)
        );
    }
}

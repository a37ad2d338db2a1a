//! Random tokens, their hashes, and signature checks: the one place secrets are made
//! and compared.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// `bytes` random bytes, in hex.
pub fn token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    hex::encode(buf)
}

/// What the database keeps of a token.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Compares in time independent of where the two differ.
pub fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Whether any of the comma-separated `<prefix><hex>` signatures in `header` is the
/// HMAC-SHA256 of `body` under `key`.
pub fn signature_matches(key: &str, body: &[u8], header: &str, prefix: &str) -> bool {
    header.split(',').any(|part| {
        let Some(hex_sig) = part.trim().strip_prefix(prefix) else {
            return false;
        };
        let Ok(signature) = hex::decode(hex_sig) else {
            return false;
        };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
            return false;
        };
        mac.update(body);
        mac.verify_slice(&signature).is_ok()
    })
}

/// The header value that signs `body` with `key` (for tests, benchmarks and the docs).
pub fn sign(key: &str, body: &[u8], prefix: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    format!("{prefix}{}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_made_with_the_key_matches_and_any_other_does_not() {
        let body = br#"{"event":{}}"#;
        let good = sign("key-1234567890abcdef", body, "v1=");
        assert!(signature_matches(
            "key-1234567890abcdef",
            body,
            &good,
            "v1="
        ));
        assert!(signature_matches(
            "key-1234567890abcdef",
            body,
            &format!("v1=00ff, {good}"),
            "v1="
        ));
        assert!(!signature_matches(
            "another-key-123456789",
            body,
            &good,
            "v1="
        ));
        assert!(!signature_matches(
            "key-1234567890abcdef",
            b"{}",
            &good,
            "v1="
        ));
        assert!(!signature_matches(
            "key-1234567890abcdef",
            body,
            &good,
            "sha256="
        ));
    }
}

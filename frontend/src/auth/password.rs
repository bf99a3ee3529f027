//! Password hashes and the two challenge-response schemes.
//!
//! Nothing here stores or logs a password. What the catalog keeps per account:
//!
//! - `mysql_native_password`: `SHA1(SHA1(password))`, as MySQL's `mysql.user` keeps it;
//! - `caching_sha2_password`: a salted, iterated SHA-256 verifier, checked on full
//!   authentication. After a full authentication succeeds, `SHA256(SHA256(password))` is
//!   kept in memory (the "cache") so later logins take the fast path, as MySQL does.

use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Rounds of the SHA-256 verifier (MySQL's sha256-crypt default is 5000).
const VERIFIER_ROUNDS: u32 = 5000;

/// `SHA1(SHA1(password))`, the stored form for `mysql_native_password`.
pub fn native_stage2(password: &[u8]) -> [u8; 20] {
    let stage1 = Sha1::digest(password);
    Sha1::digest(stage1).into()
}

/// Check a `mysql_native_password` scramble:
/// `response = SHA1(password) XOR SHA1(salt || SHA1(SHA1(password)))`.
pub fn verify_native(salt: &[u8], response: &[u8], stage2: &[u8; 20]) -> bool {
    if response.len() != 20 {
        return false;
    }
    let mut hasher = Sha1::new();
    hasher.update(salt);
    hasher.update(stage2);
    let mask = hasher.finalize();
    let stage1: Vec<u8> = response.iter().zip(mask).map(|(a, b)| a ^ b).collect();
    constant_time_eq(&Sha1::digest(&stage1), stage2)
}

/// `SHA256(SHA256(password))`, the fast-path cache entry of `caching_sha2_password`.
pub fn sha2_stage2(password: &[u8]) -> [u8; 32] {
    let stage1 = Sha256::digest(password);
    Sha256::digest(stage1).into()
}

/// Check a `caching_sha2_password` fast-path scramble:
/// `response = SHA256(password) XOR SHA256(SHA256(SHA256(password)) || salt)`.
pub fn verify_sha2_scramble(salt: &[u8], response: &[u8], stage2: &[u8; 32]) -> bool {
    if response.len() != 32 {
        return false;
    }
    let mut hasher = Sha256::new();
    hasher.update(stage2);
    hasher.update(salt);
    let mask = hasher.finalize();
    let stage1: Vec<u8> = response.iter().zip(mask).map(|(a, b)| a ^ b).collect();
    constant_time_eq(&Sha256::digest(&stage1), stage2)
}

/// A salted, iterated SHA-256 verifier: `"<salt hex>$<digest hex>"`.
pub fn sha2_verifier(password: &[u8], salt: &[u8; 16]) -> String {
    format!(
        "{}${}",
        hex(salt),
        hex(&iterate_sha256(password, salt, VERIFIER_ROUNDS))
    )
}

/// Check a clear-text password (full authentication) against a verifier.
pub fn check_sha2_verifier(password: &[u8], verifier: &str) -> bool {
    let Some((salt, digest)) = verifier.split_once('$') else {
        return false;
    };
    let (Some(salt), Some(digest)) = (unhex(salt), unhex(digest)) else {
        return false;
    };
    constant_time_eq(&iterate_sha256(password, &salt, VERIFIER_ROUNDS), &digest)
}

fn iterate_sha256(password: &[u8], salt: &[u8], rounds: u32) -> [u8; 32] {
    let mut digest: [u8; 32] = Sha256::new()
        .chain_update(salt)
        .chain_update(password)
        .finalize()
        .into();
    for _ in 1..rounds {
        digest = Sha256::new()
            .chain_update(digest)
            .chain_update(password)
            .finalize()
            .into();
    }
    digest
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Random bytes from the system's generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    aws_lc_rs::rand::fill(&mut out).expect("system random generator");
    out
}

/// A 20-byte authentication nonce of printable, non-NUL bytes, as MySQL servers send.
pub fn nonce() -> [u8; 20] {
    let mut salt = random_bytes::<20>();
    for b in &mut salt {
        *b = 0x21 + (*b % 0x5e);
    }
    salt
}

#[cfg(test)]
mod tests {
    use super::*;

    fn native_client(salt: &[u8], password: &[u8]) -> Vec<u8> {
        let stage1 = Sha1::digest(password);
        let stage2 = Sha1::digest(stage1);
        let mask = Sha1::new()
            .chain_update(salt)
            .chain_update(stage2)
            .finalize();
        stage1.iter().zip(mask).map(|(a, b)| a ^ b).collect()
    }

    fn sha2_client(salt: &[u8], password: &[u8]) -> Vec<u8> {
        let stage1 = Sha256::digest(password);
        let stage2 = Sha256::digest(stage1);
        let mask = Sha256::new()
            .chain_update(stage2)
            .chain_update(salt)
            .finalize();
        stage1.iter().zip(mask).map(|(a, b)| a ^ b).collect()
    }

    #[test]
    fn native_scramble_checks_the_password() {
        let salt = nonce();
        let stored = native_stage2(b"secret");
        assert!(verify_native(
            &salt,
            &native_client(&salt, b"secret"),
            &stored
        ));
        assert!(!verify_native(
            &salt,
            &native_client(&salt, b"Secret"),
            &stored
        ));
    }

    #[test]
    fn sha2_scramble_and_verifier_check_the_password() {
        let salt = nonce();
        let cached = sha2_stage2(b"pw");
        assert!(verify_sha2_scramble(
            &salt,
            &sha2_client(&salt, b"pw"),
            &cached
        ));
        assert!(!verify_sha2_scramble(
            &salt,
            &sha2_client(&salt, b"pW"),
            &cached
        ));
        let verifier = sha2_verifier(b"pw", &random_bytes());
        assert!(check_sha2_verifier(b"pw", &verifier));
        assert!(!check_sha2_verifier(b"px", &verifier));
        assert!(!verifier.contains(&hex(b"pw")));
    }
}

//! The RSA key pair for `caching_sha2_password` full authentication without TLS: the
//! client asks for the public key, encrypts `password XOR nonce` with RSA-OAEP (SHA-1),
//! and the server decrypts it. A fresh key pair is generated at every start.

use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::rsa::{KeySize, OaepPrivateDecryptingKey, PrivateDecryptingKey, OAEP_SHA1_MGF1SHA1};
use base64::Engine;
use lakestar_engine::{Error, Result};

pub struct RsaKeyPair {
    private: OaepPrivateDecryptingKey,
    public_pem: String,
}

impl std::fmt::Debug for RsaKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaKeyPair").finish_non_exhaustive()
    }
}

impl RsaKeyPair {
    pub fn generate() -> Result<Self> {
        let key = PrivateDecryptingKey::generate(KeySize::Rsa2048)
            .map_err(|e| Error::internal(format!("generating the RSA key: {e}")))?;
        let der = AsDer::<PublicKeyX509Der>::as_der(&key.public_key())
            .map_err(|e| Error::internal(format!("encoding the RSA key: {e}")))?;
        let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
        let mut public_pem = String::from("-----BEGIN PUBLIC KEY-----\n");
        for line in b64.as_bytes().chunks(64) {
            public_pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
            public_pem.push('\n');
        }
        public_pem.push_str("-----END PUBLIC KEY-----\n");
        let private = OaepPrivateDecryptingKey::new(key)
            .map_err(|e| Error::internal(format!("preparing the RSA key: {e}")))?;
        Ok(Self {
            private,
            public_pem,
        })
    }

    /// The public key as PEM (SubjectPublicKeyInfo), as MySQL sends it.
    pub fn public_pem(&self) -> &str {
        &self.public_pem
    }

    /// Decrypt a client's RSA-encrypted password and undo the nonce mask.
    /// Returns the clear-text password without its trailing NUL.
    pub fn decrypt_password(&self, ciphertext: &[u8], nonce: &[u8]) -> Option<Vec<u8>> {
        let mut plain = vec![0u8; self.private.min_output_size()];
        let plain = self
            .private
            .decrypt(&OAEP_SHA1_MGF1SHA1, ciphertext, &mut plain, None)
            .ok()?;
        let mut password: Vec<u8> = plain
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ nonce[i % nonce.len()])
            .collect();
        if password.last() == Some(&0) {
            password.pop();
        }
        Some(password)
    }
}

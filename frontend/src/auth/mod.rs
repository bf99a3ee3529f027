//! Accounts and authentication: password hashing, the `caching_sha2_password` cache,
//! the RSA key for full authentication without TLS, and the TLS acceptor.
//!
//! The protocol side of the exchange (which packets go when) is in
//! `mysql::authentication`; this module decides whether credentials are right.

pub mod password;
pub mod rsa_key;
pub mod tls;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use lakestar_engine::Result;
use tokio_rustls::TlsAcceptor;

use crate::catalog::{AuthPlugin, CatalogManager, UserEntry};
use rsa_key::RsaKeyPair;

/// What the server needs to authenticate clients.
pub struct Authenticator {
    catalog: Arc<CatalogManager>,
    rsa: RsaKeyPair,
    tls: Option<TlsAcceptor>,
    /// `caching_sha2_password` fast-path entries: user → `SHA256(SHA256(password))`.
    sha2_cache: Mutex<HashMap<String, [u8; 32]>>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    pub fn new(catalog: Arc<CatalogManager>, tls: Option<TlsAcceptor>) -> Result<Self> {
        Ok(Self {
            catalog,
            rsa: RsaKeyPair::generate()?,
            tls,
            sha2_cache: Mutex::new(HashMap::new()),
        })
    }

    pub fn account(&self, user: &str) -> Option<UserEntry> {
        self.catalog.user(user)
    }

    pub fn tls(&self) -> Option<&TlsAcceptor> {
        self.tls.as_ref()
    }

    pub fn rsa(&self) -> &RsaKeyPair {
        &self.rsa
    }

    /// The fast-path entry of `user`, present after a full authentication.
    pub fn cached_sha2(&self, user: &str) -> Option<[u8; 32]> {
        self.sha2_cache
            .lock()
            .expect("cache lock")
            .get(user)
            .copied()
    }

    /// Check a clear-text password (full authentication) and fill the fast-path cache.
    pub fn check_clear_password(&self, account: &UserEntry, password: &[u8]) -> bool {
        let ok = match account.plugin {
            AuthPlugin::CachingSha2Password => {
                password::check_sha2_verifier(password, &account.sha2_verifier)
            }
            AuthPlugin::MysqlNativePassword => password::unhex(&account.native_hash)
                .is_some_and(|h| h.as_slice() == password::native_stage2(password)),
        };
        if ok && account.plugin == AuthPlugin::CachingSha2Password {
            self.sha2_cache
                .lock()
                .expect("cache lock")
                .insert(account.name.clone(), password::sha2_stage2(password));
        }
        ok
    }

    /// Forget the fast-path entry (the password changed or the user was dropped).
    pub fn forget(&self, user: &str) {
        self.sha2_cache.lock().expect("cache lock").remove(user);
    }
}

/// A new account entry holding only hashes of `password`.
pub fn account_entry(name: &str, host: &str, plugin: AuthPlugin, password: &str) -> UserEntry {
    let mut entry = UserEntry {
        name: name.to_string(),
        host: host.to_string(),
        plugin,
        native_hash: String::new(),
        sha2_verifier: String::new(),
    };
    if !password.is_empty() {
        match plugin {
            AuthPlugin::MysqlNativePassword => {
                entry.native_hash = password::hex(&password::native_stage2(password.as_bytes()))
            }
            AuthPlugin::CachingSha2Password => {
                entry.sha2_verifier =
                    password::sha2_verifier(password.as_bytes(), &password::random_bytes())
            }
        }
    }
    entry
}

//! The catalog's content, as persisted.

use std::collections::BTreeMap;

use lakestar_engine::catalog::{DatabaseMeta, ExternalCatalogMeta, TableMeta, ViewMeta};
use lakestar_engine::materialized_view::MaterializedViewMeta;
use serde::{Deserialize, Serialize};

/// One database and its tables.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatabaseEntry {
    pub meta: DatabaseMeta,
    pub tables: BTreeMap<String, TableMeta>,
    /// Logical views; tables and views share one namespace.
    #[serde(default)]
    pub views: BTreeMap<String, ViewMeta>,
    /// Materialized views; each also has its storage table, of the same name, in
    /// `tables`.
    #[serde(default)]
    pub materialized_views: BTreeMap<String, MaterializedViewMeta>,
}

impl DatabaseEntry {
    /// Whether a table or a view has this name.
    pub fn has_relation(&self, name: &str) -> bool {
        self.tables.contains_key(name) || self.views.contains_key(name)
    }
}

/// Everything the internal catalog knows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CatalogState {
    /// Incremented by every change.
    pub version: u64,
    /// Next id for a database or table.
    pub next_id: u64,
    pub databases: BTreeMap<String, DatabaseEntry>,
    /// External catalogs by name.
    #[serde(default)]
    pub catalogs: BTreeMap<String, ExternalCatalogMeta>,
    /// Accounts by user name; `root` is implicit (empty password) until altered.
    #[serde(default)]
    pub users: BTreeMap<String, UserEntry>,
}

/// The authentication plugin of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthPlugin {
    MysqlNativePassword,
    CachingSha2Password,
}

impl AuthPlugin {
    pub fn name(self) -> &'static str {
        match self {
            AuthPlugin::MysqlNativePassword => "mysql_native_password",
            AuthPlugin::CachingSha2Password => "caching_sha2_password",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "mysql_native_password" => Some(AuthPlugin::MysqlNativePassword),
            "caching_sha2_password" => Some(AuthPlugin::CachingSha2Password),
            _ => None,
        }
    }
}

/// One account. Only hashes are kept (see `auth::password`); both empty means no password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserEntry {
    pub name: String,
    /// The host pattern of `'user'@'host'` (kept for SHOW GRANTS; any host may connect).
    pub host: String,
    pub plugin: AuthPlugin,
    /// Hex `SHA1(SHA1(password))` for `mysql_native_password`.
    #[serde(default)]
    pub native_hash: String,
    /// Salted SHA-256 verifier for `caching_sha2_password`.
    #[serde(default)]
    pub sha2_verifier: String,
}

impl UserEntry {
    /// The built-in `root` account: empty password.
    pub fn default_root() -> Self {
        Self {
            name: "root".into(),
            host: "%".into(),
            plugin: AuthPlugin::MysqlNativePassword,
            native_hash: String::new(),
            sha2_verifier: String::new(),
        }
    }

    pub fn has_password(&self) -> bool {
        !self.native_hash.is_empty() || !self.sha2_verifier.is_empty()
    }
}

impl CatalogState {
    pub fn allocate_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

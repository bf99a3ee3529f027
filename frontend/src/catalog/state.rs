//! The catalog's content, as persisted.

use std::collections::BTreeMap;

use lakestar_engine::catalog::{DatabaseMeta, TableMeta};
use serde::{Deserialize, Serialize};

/// One database and its tables.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatabaseEntry {
    pub meta: DatabaseMeta,
    pub tables: BTreeMap<String, TableMeta>,
}

/// Everything the internal catalog knows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CatalogState {
    /// Incremented by every change.
    pub version: u64,
    /// Next id for a database or table.
    pub next_id: u64,
    pub databases: BTreeMap<String, DatabaseEntry>,
}

impl CatalogState {
    pub fn allocate_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

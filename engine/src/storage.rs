//! The contract between the frontend (which owns the catalog) and the storage that holds
//! internal tables' data. The backend implements it over Apache Paimon; the `lakestar`
//! binary hands the implementation to the frontend, which never names the backend.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::catalog::TableProvider;

use crate::catalog::{DatabaseMeta, TableMeta};
use crate::error::Result;

/// How a write opened with [`TableStorage::open_table_for_write`] changes the table. Its
/// caller holds the table's [`WriteLock`] from before it reads the table until the commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// The rows are upserted (PRIMARY KEY tables) or appended: UPDATE.
    Upsert,
    /// The rows retract the rows with their primary keys: DELETE on PRIMARY KEY tables.
    Retract,
    /// The rows replace the whole table: DELETE on DUPLICATE KEY tables.
    Replace,
}

/// How a write into an external catalog's table ([`ExternalCatalogs::open_table_for_write`])
/// changes it.
#[derive(Debug, Clone, PartialEq)]
pub enum ExternalWrite {
    /// INSERT (appends or upserts) and INSERT OVERWRITE of the whole table; the write takes
    /// the table's commit lock itself.
    Insert,
    /// `INSERT OVERWRITE t PARTITION (...)`: replaces only that partition.
    OverwritePartition(Vec<(String, datafusion::scalar::ScalarValue)>),
    /// UPDATE or DELETE, by a caller holding the table's [`WriteLock`].
    Locked(WriteMode),
}

/// A table's write lock: while it is held no other Lakestar statement commits to the table,
/// so a statement that reads the table and writes it back (UPDATE, DELETE) loses nothing.
pub struct WriteLock(pub Box<dyn std::any::Any + Send + Sync>);

impl std::fmt::Debug for WriteLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteLock")
    }
}

/// Storage for internal tables.
#[async_trait]
pub trait TableStorage: Send + Sync + std::fmt::Debug {
    /// Prepare storage for a new database.
    async fn create_database(&self, db: &DatabaseMeta) -> Result<()>;
    /// Remove a database's storage and everything in it.
    async fn drop_database(&self, db: &DatabaseMeta) -> Result<()>;
    /// Create an empty table. If storage for the table already exists (left by a crash
    /// before the catalog recorded it), it is replaced.
    async fn create_table(&self, table: &TableMeta) -> Result<()>;
    /// Remove a table's storage.
    async fn drop_table(&self, table: &TableMeta) -> Result<()>;
    /// Atomically replace the table's contents with nothing.
    async fn truncate_table(&self, table: &TableMeta) -> Result<()>;
    /// A DataFusion table provider that scans one consistent snapshot and writes each
    /// INSERT as one atomic commit. INSERT OVERWRITE through it replaces the whole table.
    async fn open_table(&self, table: &TableMeta) -> Result<Arc<dyn TableProvider>>;
    /// Like [`TableStorage::open_table`], but INSERT OVERWRITE through it replaces only the
    /// partition whose columns have the given values (`INSERT OVERWRITE t PARTITION (...)`),
    /// and every row it writes must belong to that partition.
    async fn open_table_for_partition_overwrite(
        &self,
        table: &TableMeta,
        partition: &[(String, datafusion::scalar::ScalarValue)],
    ) -> Result<Arc<dyn TableProvider>>;
    /// Take the table's write lock (see [`WriteLock`]); it is released when dropped.
    async fn lock_writes(&self, table: &TableMeta) -> Result<WriteLock>;
    /// The table for one write in `mode`, by a caller holding its [`WriteLock`].
    async fn open_table_for_write(
        &self,
        table: &TableMeta,
        mode: WriteMode,
    ) -> Result<Arc<dyn TableProvider>>;
    /// The number of rows in the latest snapshot, when storage knows it exactly without
    /// scanning (information_schema.TABLES.TABLE_ROWS).
    async fn row_count(&self, _table: &TableMeta) -> Result<Option<u64>> {
        Ok(None)
    }
    /// Add a column to a table's storage (nullable there: existing rows read NULL until
    /// rewritten), placed before `before` or last. A stored column of that name left over
    /// from an interrupted ALTER is replaced.
    async fn add_column(
        &self,
        table: &TableMeta,
        column: &crate::catalog::ColumnMeta,
        before: Option<&str>,
    ) -> Result<()>;
    /// Give a table's storage a new name (a materialized view renamed).
    async fn rename_table(&self, table: &TableMeta, new_name: &str) -> Result<()>;
    /// The version of a table's latest data (its Paimon snapshot id; `None` before the
    /// first write), which materialized views record to know whether they are fresh.
    async fn table_version(&self, table: &TableMeta) -> Result<Option<i64>>;
    /// The partitions of a table partitioned by one column, each with the version of its
    /// data (`None` for other tables), which partitioned materialized views record to
    /// refresh, and compensate, only the partitions that changed.
    async fn partition_versions(
        &self,
        _table: &TableMeta,
    ) -> Result<Option<crate::materialized_view::PartitionVersions>> {
        Ok(None)
    }
    /// Remove a column from a table's storage (absent already is fine).
    async fn drop_column(&self, table: &TableMeta, column: &str) -> Result<()>;
    /// Storage names of tables present in storage for a database (for orphan cleanup).
    async fn list_table_storage(&self, db: &DatabaseMeta) -> Result<Vec<String>>;
    /// Remove storage by storage name (for orphan cleanup).
    async fn drop_table_storage(&self, db: &DatabaseMeta, storage_name: &str) -> Result<()>;
}

/// Plain files read in place: StarRocks' `FILES()` table function and `"type"="files"`
/// external catalogs. The backend implements it; the planner calls it while binding.
#[async_trait]
pub trait FileReader: Send + Sync + std::fmt::Debug {
    /// A table over the files at `location` (a file, or a directory whose `k=v/`
    /// subdirectories are Hive partitions) in `format` (`parquet`, `csv` or `json`), with
    /// StarRocks' format properties in `options` (`csv.column_separator`,
    /// `csv.skip_header`).
    async fn open_files(
        &self,
        location: &str,
        format: &str,
        options: &std::collections::BTreeMap<String, String>,
    ) -> Result<Arc<dyn TableProvider>>;

    /// The names of the directories directly under `location` (databases of a files
    /// catalog, or tables of one of its databases), sorted. `options` carries the
    /// object-storage properties (`aws.s3.endpoint`, ...) of remote locations.
    async fn list_directories(
        &self,
        location: &str,
        options: &std::collections::BTreeMap<String, String>,
    ) -> Result<Vec<String>>;

    /// Every file under `location` (hidden files, `.x` and `_x`, left out), with what
    /// identifies its content: materialized views over plain files know from it whether
    /// the files changed.
    async fn list_files(
        &self,
        location: &str,
        options: &std::collections::BTreeMap<String, String>,
    ) -> Result<Vec<FileStamp>>;

    /// The DataFusion runtime every statement runs in: the object stores files are read
    /// from (local and S3-compatible, with a block cache) and the Parquet footer cache.
    fn runtime_env(&self) -> Arc<datafusion::execution::runtime_env::RuntimeEnv>;
}

/// A file and what identifies its content.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileStamp {
    /// The path below the listed location (`dt=2024-01-01/part-0.parquet`).
    pub path: String,
    pub size: u64,
    pub modified_ms: i64,
    pub e_tag: Option<String>,
}

/// The counters of one cache, for `information_schema.cache_stats`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheStats {
    /// What it caches (`paimon_metadata`, `file_data`, ...).
    pub name: String,
    pub capacity_bytes: u64,
    pub used_bytes: u64,
    pub entries: u64,
    pub hits: u64,
    pub misses: u64,
}

/// External catalogs (`CREATE EXTERNAL CATALOG`): the backend opens them, the planner binds
/// three-part names in them.
#[async_trait]
pub trait ExternalCatalogs: Send + Sync + std::fmt::Debug {
    /// Check a definition before it is stored: its type is supported, the properties it
    /// needs are there, and its location can be listed.
    async fn check(&self, meta: &crate::catalog::ExternalCatalogMeta) -> Result<()>;

    /// The catalog as DataFusion sees it, for one statement. A table opened through it
    /// reads one snapshot, the same for every reference to it in the statement.
    fn open(
        &self,
        meta: &crate::catalog::ExternalCatalogMeta,
    ) -> Result<Arc<dyn datafusion::catalog::CatalogProvider>>;

    /// The counters of the caches lake reads go through (metadata and data blocks).
    fn cache_stats(&self) -> Vec<CacheStats>;

    /// The version of an external table's latest data (a Paimon snapshot id), or `None`
    /// where the catalog has no versions (plain files).
    async fn table_version(
        &self,
        meta: &crate::catalog::ExternalCatalogMeta,
        database: &str,
        table: &str,
    ) -> Result<Option<i64>>;

    /// Like [`TableStorage::partition_versions`], for an external table.
    async fn partition_versions(
        &self,
        _meta: &crate::catalog::ExternalCatalogMeta,
        _database: &str,
        _table: &str,
    ) -> Result<Option<crate::materialized_view::PartitionVersions>> {
        Ok(None)
    }
    /// CREATE DATABASE in the catalog; false when it existed and `if_not_exists` is set.
    async fn create_database(
        &self,
        meta: &crate::catalog::ExternalCatalogMeta,
        _database: &str,
        _if_not_exists: bool,
    ) -> Result<bool> {
        Err(read_only(meta))
    }

    /// DROP DATABASE (it must be empty); false when it was absent and `if_exists` is set.
    async fn drop_database(
        &self,
        meta: &crate::catalog::ExternalCatalogMeta,
        _database: &str,
        _if_exists: bool,
    ) -> Result<bool> {
        Err(read_only(meta))
    }

    /// CREATE TABLE `table` (its `database` names the catalog's database; its properties
    /// go to the table format); false when it existed and `if_not_exists` is set.
    async fn create_table(
        &self,
        meta: &crate::catalog::ExternalCatalogMeta,
        _table: &TableMeta,
        _if_not_exists: bool,
    ) -> Result<bool> {
        Err(read_only(meta))
    }

    /// DROP TABLE; false when it was absent and `if_exists` is set.
    async fn drop_table(
        &self,
        meta: &crate::catalog::ExternalCatalogMeta,
        _database: &str,
        _table: &str,
        _if_exists: bool,
    ) -> Result<bool> {
        Err(read_only(meta))
    }

    /// A writable table described as the internal catalog describes its tables (its
    /// `catalog` set), or `None` if it does not exist. Catalogs that cannot be written
    /// answer with an error.
    async fn writable_table(
        &self,
        meta: &crate::catalog::ExternalCatalogMeta,
        _database: &str,
        _table: &str,
    ) -> Result<Option<TableMeta>> {
        Err(read_only(meta))
    }

    /// Take a table's write lock (see [`WriteLock`]).
    async fn lock_writes(
        &self,
        meta: &crate::catalog::ExternalCatalogMeta,
        _table: &TableMeta,
    ) -> Result<WriteLock> {
        Err(read_only(meta))
    }

    /// Like [`TableStorage::row_count`], for a writable external table.
    async fn row_count(
        &self,
        _meta: &crate::catalog::ExternalCatalogMeta,
        _table: &TableMeta,
    ) -> Result<Option<u64>> {
        Ok(None)
    }

    /// The table opened for one write.
    async fn open_table_for_write(
        &self,
        meta: &crate::catalog::ExternalCatalogMeta,
        _table: &TableMeta,
        _write: ExternalWrite,
    ) -> Result<Arc<dyn TableProvider>> {
        Err(read_only(meta))
    }
}

fn read_only(meta: &crate::catalog::ExternalCatalogMeta) -> crate::Error {
    crate::Error::unsupported(format!(
        "Catalog '{}' of type '{}' is read-only",
        meta.name,
        meta.catalog_type()
    ))
}

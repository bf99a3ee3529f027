//! A `"type" = "paimon"` external catalog: the databases and tables of a Paimon
//! filesystem warehouse (local or S3), read through `paimon-datafusion`.
//!
//! Every table a statement names is pinned to the warehouse's latest snapshot when the
//! statement first names it, so a statement that reads a table twice (a self-join, a
//! subquery) reads the same snapshot both times.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use datafusion::catalog::{CatalogProvider, SchemaProvider, TableProvider};
use datafusion::error::Result as DFResult;
use lakestar_engine::{Error, Reason, Result};
use paimon::catalog::Identifier;
use paimon::io::FileBlockCache;
use paimon::table::Table;
use std::ops::Range;

use crate::cache::{BlockCache, LakeCaches};
use paimon::{Catalog, CatalogOptions, FileSystemCatalog, Options};
use paimon_datafusion::PaimonTableProvider;

use super::blocking;

/// StarRocks' property names for S3 access, and the Paimon option each one sets.
const S3_PROPERTIES: &[(&str, &str)] = &[
    ("aws.s3.endpoint", "s3.endpoint"),
    ("aws.s3.access_key", "s3.access-key"),
    ("aws.s3.secret_key", "s3.secret-key"),
    ("aws.s3.region", "s3.region"),
    ("aws.s3.enable_path_style_access", "s3.path-style-access"),
];

/// The Paimon catalog options for a catalog's properties.
pub fn paimon_options(properties: &BTreeMap<String, String>) -> Result<Options> {
    let kind = properties
        .get("paimon.catalog.type")
        .map_or("filesystem", String::as_str);
    if !kind.eq_ignore_ascii_case("filesystem") {
        return Err(Error::unsupported(format!(
            "paimon.catalog.type '{kind}' is not supported; use \"filesystem\""
        )));
    }
    let warehouse = properties.get("paimon.catalog.warehouse").ok_or_else(|| {
        Error::user(
            Reason::InvalidDefinition,
            "A paimon catalog needs a \"paimon.catalog.warehouse\" property",
        )
    })?;
    let mut options = Options::new();
    options.set(CatalogOptions::WAREHOUSE, warehouse.clone());
    for (key, value) in properties {
        if let Some((_, option)) = S3_PROPERTIES.iter().find(|(k, _)| k == key) {
            options.set(*option, value.clone());
        } else if key.starts_with("s3.") || key.starts_with("fs.s3a.") {
            options.set(key.clone(), value.clone());
        }
    }
    Ok(options)
}

/// An opened warehouse: its Paimon catalog and the block cache its tables read through.
pub struct Warehouse {
    pub catalog: Arc<dyn Catalog>,
    cache: Arc<PaimonBlockCache>,
    /// Which files go through the cache: metadata always; data files too when remote.
    whitelist: &'static str,
    /// One commit lock per table this process writes: (database, table) → lock.
    pub(super) commit_locks: CommitLocks,
}

/// Serialises this process's commits to one table: (database, table) → lock.
type CommitLocks = Mutex<HashMap<(String, String), Arc<tokio::sync::Mutex<()>>>>;

impl Warehouse {
    /// Open the warehouse a catalog's properties name.
    pub fn open(properties: &BTreeMap<String, String>, caches: &LakeCaches) -> Result<Self> {
        let catalog = FileSystemCatalog::new(paimon_options(properties)?)
            .map_err(|e| Error::user(Reason::BadValue, format!("cannot open warehouse: {e}")))?;
        let remote = !properties
            .get("paimon.catalog.warehouse")
            .is_some_and(|w| w.starts_with("file:") || w.starts_with('/'));
        Ok(Self {
            catalog: Arc::new(catalog),
            cache: Arc::new(PaimonBlockCache {
                metadata: Arc::clone(&caches.paimon_metadata),
                data: Arc::clone(&caches.paimon_data),
            }),
            whitelist: if remote { "meta,data" } else { "meta" },
            commit_locks: CommitLocks::default(),
        })
    }

    /// A table by name (matched as a statement matches names), if it exists.
    /// The stored name of a database (matched as statements match names), if it exists.
    pub(super) async fn database(&self, name: &str) -> Result<Option<String>> {
        let names = self.catalog.list_databases().await.map_err(paimon_err)?;
        Ok(stored_name(&names, name))
    }

    pub(super) async fn find_table(&self, database: &str, table: &str) -> Result<Option<Table>> {
        let Some(database) = self.database(database).await? else {
            return Ok(None);
        };
        let tables = self
            .catalog
            .list_tables(&database)
            .await
            .map_err(paimon_err)?;
        let Some(table) = stored_name(&tables, table) else {
            return Ok(None);
        };
        self.catalog
            .get_table(&Identifier::new(database, table))
            .await
            .map(Some)
            .map_err(paimon_err)
    }

    /// The partitions of a table with their versions (see
    /// [`crate::partition_versions`]).
    pub async fn partition_versions(
        &self,
        database: &str,
        table: &str,
    ) -> Result<Option<lakestar_engine::materialized_view::PartitionVersions>> {
        match self.find_table(database, table).await? {
            Some(t) => crate::partition_versions::of_table(&t).await,
            None => Ok(None),
        }
    }

    /// The latest snapshot id of a table (names matched as a statement matches them).
    pub async fn table_version(&self, database: &str, table: &str) -> Result<Option<i64>> {
        let Some(table) = self.find_table(database, table).await? else {
            return Ok(None);
        };
        let snapshot = table
            .snapshot_manager()
            .get_latest_snapshot()
            .await
            .map_err(paimon_err)?;
        Ok(snapshot.map(|s| s.id()))
    }

    /// `table` reading through the warehouse's block cache.
    pub(super) fn cached(&self, table: Table) -> Result<Table> {
        let file_io = table
            .file_io()
            .clone()
            .with_file_block_cache(
                Arc::clone(&self.cache) as Arc<dyn FileBlockCache>,
                BLOCK_SIZE,
                self.whitelist,
            )
            .map_err(paimon_err)?;
        Ok(Table::new(
            file_io,
            table.identifier().clone(),
            table.location().to_string(),
            table.schema().clone(),
            None,
        ))
    }
}

/// Size of one cached block of a Paimon file.
const BLOCK_SIZE: u64 = 1 << 20;

/// Routes Paimon's cached blocks to the metadata or the data cache by file kind: snapshot,
/// schema and manifest files are metadata (Paimon caches only immutable ones).
#[derive(Debug)]
struct PaimonBlockCache {
    metadata: Arc<BlockCache>,
    data: Arc<BlockCache>,
}

impl PaimonBlockCache {
    fn route(&self, path: &str) -> &BlockCache {
        let metadata = ["/snapshot/", "/schema/", "/manifest/"]
            .iter()
            .any(|dir| path.contains(dir));
        if metadata {
            &self.metadata
        } else {
            &self.data
        }
    }
}

#[async_trait]
impl FileBlockCache for PaimonBlockCache {
    async fn get(&self, path: &str, range: Range<u64>) -> Option<bytes::Bytes> {
        FileBlockCache::get(self.route(path), path, range).await
    }

    async fn put(&self, path: &str, offset: u64, data: bytes::Bytes) {
        FileBlockCache::put(self.route(path), path, offset, data).await
    }

    async fn invalidate_path(&self, path: &str) {
        FileBlockCache::invalidate_path(self.route(path), path).await
    }

    async fn invalidate_prefix(&self, prefix: &str) {
        FileBlockCache::invalidate_prefix(self.metadata.as_ref(), prefix).await;
        FileBlockCache::invalidate_prefix(self.data.as_ref(), prefix).await;
    }
}

pub(super) fn paimon_err(e: paimon::Error) -> Error {
    Error::storage(format!("paimon: {e}"))
}

/// Tables opened by one statement: (database, table) → provider pinned to one snapshot.
type PinnedTables = Arc<Mutex<HashMap<(String, String), Arc<dyn TableProvider>>>>;

/// One statement's view of a Paimon warehouse.
pub struct PaimonCatalog {
    warehouse: Arc<Warehouse>,
    pinned: PinnedTables,
}

impl std::fmt::Debug for PaimonCatalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaimonCatalog").finish_non_exhaustive()
    }
}

impl PaimonCatalog {
    pub fn new(warehouse: Arc<Warehouse>) -> Self {
        Self {
            warehouse,
            pinned: PinnedTables::default(),
        }
    }
}

/// The stored name matching `name` case-insensitively (Lakestar folds identifiers to lower
/// case; Paimon names keep the case they were created with).
pub(super) fn stored_name(names: &[String], name: &str) -> Option<String> {
    names
        .iter()
        .find(|n| *n == name)
        .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(name)))
        .cloned()
}

impl CatalogProvider for PaimonCatalog {
    fn schema_names(&self) -> Vec<String> {
        let mut names = blocking(self.warehouse.catalog.list_databases()).unwrap_or_default();
        names.sort();
        names
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        // When the warehouse cannot be listed (storage down), the database is assumed to
        // exist, so that opening a table reports the storage error instead of "unknown
        // database".
        let database = match blocking(self.warehouse.catalog.list_databases()) {
            Ok(names) => stored_name(&names, name)?,
            Err(_) => name.to_string(),
        };
        Some(Arc::new(PaimonDatabase {
            warehouse: Arc::clone(&self.warehouse),
            database,
            pinned: Arc::clone(&self.pinned),
        }))
    }
}

struct PaimonDatabase {
    warehouse: Arc<Warehouse>,
    database: String,
    pinned: PinnedTables,
}

impl std::fmt::Debug for PaimonDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaimonDatabase")
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

impl PaimonDatabase {
    async fn open(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        let tables = self
            .warehouse
            .catalog
            .list_tables(&self.database)
            .await
            .map_err(paimon_err)?;
        let Some(table_name) = stored_name(&tables, name) else {
            return Ok(None);
        };
        let key = (self.database.clone(), table_name.clone());
        if let Some(table) = self.pinned.lock().expect("pinned tables").get(&key) {
            return Ok(Some(Arc::clone(table)));
        }
        let table = self
            .warehouse
            .catalog
            .get_table(&Identifier::new(self.database.clone(), table_name))
            .await
            .map_err(paimon_err)?;
        let table = self.warehouse.cached(table)?;
        let snapshot = table
            .snapshot_manager()
            .get_latest_snapshot()
            .await
            .map_err(paimon_err)?;
        let table = match &snapshot {
            Some(snapshot) => table.copy_with_pinned_snapshot(snapshot),
            None => table,
        };
        let provider: Arc<dyn TableProvider> =
            Arc::new(PaimonTableProvider::try_new(table).map_err(Error::from_datafusion)?);
        let mut pinned = self.pinned.lock().expect("pinned tables");
        Ok(Some(Arc::clone(pinned.entry(key).or_insert(provider))))
    }
}

#[async_trait]
impl SchemaProvider for PaimonDatabase {
    fn table_names(&self) -> Vec<String> {
        let mut names =
            blocking(self.warehouse.catalog.list_tables(&self.database)).unwrap_or_default();
        names.sort();
        names
    }

    async fn table(&self, name: &str) -> DFResult<Option<Arc<dyn TableProvider>>> {
        self.open(name).await.map_err(|e| e.into_datafusion())
    }

    fn table_exist(&self, name: &str) -> bool {
        stored_name(&self.table_names(), name).is_some()
    }
}

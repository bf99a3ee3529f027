//! External catalogs: the backend side of `CREATE EXTERNAL CATALOG`.
//!
//! - `"type" = "files"` ([`files_catalog`]): directories of Parquet / CSV / JSON files.
//! - `"type" = "paimon"` ([`paimon_catalog`]): a Paimon filesystem warehouse.
//!
//! [`LakeConnectors`] implements [`ExternalCatalogs`]: it checks definitions and opens a
//! catalog for each statement. Paimon warehouses are opened once per catalog definition
//! and shared by statements.

pub mod files_catalog;
pub mod paimon_catalog;
mod paimon_writes;

pub(crate) use paimon_writes::conflict;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use datafusion::catalog::CatalogProvider;
use datafusion::catalog::TableProvider;
use lakestar_engine::catalog::ExternalCatalogMeta;
use lakestar_engine::catalog::TableMeta;
use lakestar_engine::storage::{
    CacheStats, ExternalCatalogs, ExternalWrite, FileReader, WriteLock,
};

use crate::cache::LakeCaches;
use lakestar_engine::{Error, Reason, Result};

/// Run catalog I/O on this worker (DataFusion's catalog traits are synchronous).
pub(crate) fn blocking<T>(fut: impl std::future::Future<Output = T>) -> T {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(fut))
}

/// An opened Paimon warehouse and the properties it was opened with.
type OpenWarehouse = (BTreeMap<String, String>, Arc<paimon_catalog::Warehouse>);

/// Opens every kind of external catalog Lakestar reads.
pub struct LakeConnectors {
    files: Arc<dyn FileReader>,
    caches: Arc<LakeCaches>,
    warehouses: Mutex<HashMap<String, OpenWarehouse>>,
}

impl std::fmt::Debug for LakeConnectors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LakeConnectors").finish_non_exhaustive()
    }
}

impl LakeConnectors {
    pub fn new(files: Arc<dyn FileReader>, caches: Arc<LakeCaches>) -> Self {
        Self {
            files,
            caches,
            warehouses: Mutex::default(),
        }
    }

    /// The warehouse of a paimon catalog, opened on first use and again when the
    /// definition changed (a catalog dropped and created again under the same name).
    /// The files of a table of a `"type" = "files"` catalog (none if it does not exist).
    async fn table_files(
        &self,
        meta: &ExternalCatalogMeta,
        database: &str,
        table: &str,
    ) -> Result<Vec<lakestar_engine::storage::FileStamp>> {
        let location = meta.properties.get("location").cloned().unwrap_or_default();
        let location = files_catalog::join(&files_catalog::join(&location, database), table);
        self.files.list_files(&location, &meta.properties).await
    }

    fn warehouse(&self, meta: &ExternalCatalogMeta) -> Result<Arc<paimon_catalog::Warehouse>> {
        let mut warehouses = self.warehouses.lock().expect("warehouses");
        if let Some((properties, warehouse)) = warehouses.get(&meta.name) {
            if *properties == meta.properties {
                return Ok(Arc::clone(warehouse));
            }
        }
        let warehouse = Arc::new(paimon_catalog::Warehouse::open(
            &meta.properties,
            &self.caches,
        )?);
        warehouses.insert(
            meta.name.clone(),
            (meta.properties.clone(), Arc::clone(&warehouse)),
        );
        Ok(warehouse)
    }
}

impl LakeConnectors {
    /// The warehouse of a catalog Lakestar can write (a Paimon catalog).
    fn writable(&self, meta: &ExternalCatalogMeta) -> Result<Arc<paimon_catalog::Warehouse>> {
        match meta.catalog_type() {
            "paimon" => self.warehouse(meta),
            other => Err(Error::unsupported(format!(
                "Catalog '{}' of type '{other}' is read-only",
                meta.name
            ))),
        }
    }
}

fn location_error(what: &str, location: &str, e: impl std::fmt::Display) -> Error {
    Error::user(
        Reason::BadValue,
        format!("cannot list {what} '{location}': {e}"),
    )
}

#[async_trait]
impl ExternalCatalogs for LakeConnectors {
    async fn check(&self, meta: &ExternalCatalogMeta) -> Result<()> {
        match meta.catalog_type() {
            "files" => {
                let location = meta.properties.get("location").ok_or_else(|| {
                    Error::user(
                        Reason::InvalidDefinition,
                        "A files catalog needs a \"location\" property",
                    )
                })?;
                self.files
                    .list_directories(location, &meta.properties)
                    .await
                    .map(|_| ())
            }
            "paimon" => {
                let warehouse = paimon_catalog::Warehouse::open(&meta.properties, &self.caches)?;
                let location = &meta.properties["paimon.catalog.warehouse"];
                warehouse
                    .catalog
                    .list_databases()
                    .await
                    .map(|_| ())
                    .map_err(|e| location_error("warehouse", location, e))
            }
            "" => Err(Error::user(
                Reason::InvalidDefinition,
                "An external catalog needs a \"type\" property",
            )),
            other => Err(Error::unsupported(format!(
                "External catalogs of type '{other}' are not supported; use \"paimon\" or \"files\""
            ))),
        }
    }

    fn open(&self, meta: &ExternalCatalogMeta) -> Result<Arc<dyn CatalogProvider>> {
        match meta.catalog_type() {
            "files" => Ok(Arc::new(files_catalog::FilesCatalog::new(
                meta,
                Arc::clone(&self.files),
            ))),
            "paimon" => Ok(Arc::new(paimon_catalog::PaimonCatalog::new(
                self.warehouse(meta)?,
            ))),
            other => Err(Error::unsupported(format!(
                "External catalogs of type '{other}' are not supported"
            ))),
        }
    }

    fn cache_stats(&self) -> Vec<CacheStats> {
        self.caches.stats()
    }

    async fn table_version(
        &self,
        meta: &ExternalCatalogMeta,
        database: &str,
        table: &str,
    ) -> Result<Option<i64>> {
        match meta.catalog_type() {
            "paimon" => self.warehouse(meta)?.table_version(database, table).await,
            "files" => {
                let files = self.table_files(meta, database, table).await?;
                Ok(crate::partition_versions::of_files(&files))
            }
            _ => Ok(None),
        }
    }

    async fn create_database(
        &self,
        meta: &ExternalCatalogMeta,
        database: &str,
        if_not_exists: bool,
    ) -> Result<bool> {
        self.writable(meta)?
            .create_database(database, if_not_exists)
            .await
    }

    async fn drop_database(
        &self,
        meta: &ExternalCatalogMeta,
        database: &str,
        if_exists: bool,
    ) -> Result<bool> {
        self.writable(meta)?
            .drop_database(database, if_exists)
            .await
    }

    async fn create_table(
        &self,
        meta: &ExternalCatalogMeta,
        table: &TableMeta,
        if_not_exists: bool,
    ) -> Result<bool> {
        self.writable(meta)?
            .create_table(table, if_not_exists)
            .await
    }

    async fn drop_table(
        &self,
        meta: &ExternalCatalogMeta,
        database: &str,
        table: &str,
        if_exists: bool,
    ) -> Result<bool> {
        self.writable(meta)?
            .drop_table(database, table, if_exists)
            .await
    }

    async fn writable_table(
        &self,
        meta: &ExternalCatalogMeta,
        database: &str,
        table: &str,
    ) -> Result<Option<TableMeta>> {
        self.writable(meta)?
            .writable_table(&meta.name, database, table)
            .await
    }

    async fn row_count(
        &self,
        meta: &ExternalCatalogMeta,
        table: &TableMeta,
    ) -> Result<Option<u64>> {
        self.writable(meta)?.row_count(table).await
    }

    async fn lock_writes(
        &self,
        meta: &ExternalCatalogMeta,
        table: &TableMeta,
    ) -> Result<WriteLock> {
        self.writable(meta)?.lock_writes(table).await
    }

    async fn open_table_for_write(
        &self,
        meta: &ExternalCatalogMeta,
        table: &TableMeta,
        write: ExternalWrite,
    ) -> Result<Arc<dyn TableProvider>> {
        self.writable(meta)?
            .open_table_for_write(table, write)
            .await
    }

    async fn partition_versions(
        &self,
        meta: &ExternalCatalogMeta,
        database: &str,
        table: &str,
    ) -> Result<Option<lakestar_engine::materialized_view::PartitionVersions>> {
        match meta.catalog_type() {
            "paimon" => {
                self.warehouse(meta)?
                    .partition_versions(database, table)
                    .await
            }
            "files" => {
                let files = self.table_files(meta, database, table).await?;
                Ok(crate::partition_versions::of_file_partitions(&files))
            }
            _ => Ok(None),
        }
    }
}

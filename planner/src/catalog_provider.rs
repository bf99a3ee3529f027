//! DataFusion's view of the internal catalog: `default_catalog.<database>.<table>`.
//!
//! Tables are opened from storage when a statement is bound, so every statement reads the
//! newest committed snapshot of each table it names.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use datafusion::catalog::{CatalogProvider, CatalogProviderList, SchemaProvider, TableProvider};
use datafusion::error::Result as DFResult;
use lakestar_engine::catalog::{CatalogView, DEFAULT_CATALOG};
use lakestar_engine::materialized_view::PartitionVersions;
use lakestar_engine::storage::{ExternalCatalogs, ExternalWrite, TableStorage};
use lakestar_engine::user_err;

/// The list of catalogs a statement can name. One is built per statement; an external
/// catalog is opened once per statement, so every reference to one of its tables reads
/// the same snapshot.
#[derive(Debug)]
pub struct LakestarCatalogList {
    internal: Arc<InternalCatalog>,
    external: Option<Arc<dyn ExternalCatalogs>>,
    opened: Mutex<HashMap<String, Arc<dyn CatalogProvider>>>,
}

impl LakestarCatalogList {
    /// `system` is the `information_schema` the frontend serves, if any.
    pub fn new(
        view: Arc<dyn CatalogView>,
        storage: Arc<dyn TableStorage>,
        system: Option<Arc<dyn SchemaProvider>>,
        external: Option<Arc<dyn ExternalCatalogs>>,
    ) -> Self {
        Self {
            internal: Arc::new(InternalCatalog {
                view,
                storage,
                system,
            }),
            external,
            opened: Mutex::default(),
        }
    }
}

/// Where the versions of tables and their partitions are read from (materialized views'
/// freshness).
#[derive(Clone, Copy)]
pub struct VersionSource<'a> {
    pub view: &'a dyn CatalogView,
    pub storage: &'a dyn TableStorage,
    pub external: Option<&'a dyn ExternalCatalogs>,
}

/// Where a table named `catalog.database.table` lives.
enum Located {
    Internal(lakestar_engine::catalog::TableMeta),
    External(
        lakestar_engine::catalog::ExternalCatalogMeta,
        String,
        String,
    ),
}

impl VersionSource<'_> {
    fn locate(&self, table: &str) -> Option<Located> {
        let parts: Vec<&str> = table.splitn(3, '.').collect();
        let [catalog, database, name] = parts.as_slice() else {
            return None;
        };
        if *catalog == DEFAULT_CATALOG {
            return self.view.table(database, name).map(Located::Internal);
        }
        self.view
            .external_catalog(catalog)
            .map(|meta| Located::External(meta, database.to_string(), name.to_string()))
    }

    /// The version of a table's latest data, by its full name: a Paimon snapshot id, a
    /// hash of a plain-files table's files, or `None` when it has none (no data yet).
    pub async fn table_version(&self, table: &str) -> lakestar_engine::Result<Option<i64>> {
        match (self.locate(table), self.external) {
            (Some(Located::Internal(meta)), _) => self.storage.table_version(&meta).await,
            (Some(Located::External(meta, db, name)), Some(external)) => {
                external.table_version(&meta, &db, &name).await
            }
            _ => Ok(None),
        }
    }

    /// The partitions of a table with their versions, by its full name (`None`: not
    /// partitioned by one column, or unknown).
    pub async fn partition_versions(
        &self,
        table: &str,
    ) -> lakestar_engine::Result<Option<PartitionVersions>> {
        match (self.locate(table), self.external) {
            (Some(Located::Internal(meta)), _) => self.storage.partition_versions(&meta).await,
            (Some(Located::External(meta, db, name)), Some(external)) => {
                external.partition_versions(&meta, &db, &name).await
            }
            _ => Ok(None),
        }
    }
}

impl LakestarCatalogList {
    /// Where this session reads table and partition versions.
    pub fn versions(&self) -> VersionSource<'_> {
        VersionSource {
            view: self.internal.view.as_ref(),
            storage: self.internal.storage.as_ref(),
            external: self.external.as_deref(),
        }
    }

    /// The write target of an UPDATE or DELETE (`mode`), whose caller holds the table's
    /// write lock.
    pub async fn write_target(
        &self,
        meta: &lakestar_engine::catalog::TableMeta,
        mode: lakestar_engine::storage::WriteMode,
    ) -> lakestar_engine::Result<Arc<dyn TableProvider>> {
        match self.external_of(meta)? {
            Some((catalog, external)) => {
                external
                    .open_table_for_write(&catalog, meta, ExternalWrite::Locked(mode))
                    .await
            }
            None => self.internal.storage.open_table_for_write(meta, mode).await,
        }
    }

    /// The write target of an INSERT into a table of an external catalog.
    pub async fn external_insert_target(
        &self,
        meta: &lakestar_engine::catalog::TableMeta,
    ) -> lakestar_engine::Result<Option<Arc<dyn TableProvider>>> {
        match self.external_of(meta)? {
            Some((catalog, external)) => external
                .open_table_for_write(&catalog, meta, ExternalWrite::Insert)
                .await
                .map(Some),
            None => Ok(None),
        }
    }

    /// A writable table of an external catalog (`catalog.database.table`).
    pub async fn external_write_table(
        &self,
        catalog: &str,
        database: &str,
        table: &str,
    ) -> lakestar_engine::Result<lakestar_engine::catalog::TableMeta> {
        let meta = self
            .internal
            .view
            .external_catalog(catalog)
            .ok_or_else(|| user_err!(UnknownDatabase, "Unknown catalog '{catalog}'"))?;
        let external = self
            .external
            .as_ref()
            .ok_or_else(|| lakestar_engine::Error::internal("no external catalogs"))?;
        external
            .writable_table(&meta, database, table)
            .await?
            .ok_or_else(|| user_err!(UnknownTable, "Table '{database}.{table}' doesn't exist"))
    }

    /// The external catalog a table lives in, with the connectors that write it; `None`
    /// for internal tables.
    fn external_of(
        &self,
        meta: &lakestar_engine::catalog::TableMeta,
    ) -> lakestar_engine::Result<
        Option<(
            lakestar_engine::catalog::ExternalCatalogMeta,
            &dyn ExternalCatalogs,
        )>,
    > {
        let Some(name) = &meta.catalog else {
            return Ok(None);
        };
        let catalog = self
            .internal
            .view
            .external_catalog(name)
            .ok_or_else(|| user_err!(UnknownDatabase, "Unknown catalog '{name}'"))?;
        let external = self
            .external
            .as_deref()
            .ok_or_else(|| lakestar_engine::Error::internal("no external catalogs"))?;
        Ok(Some((catalog, external)))
    }

    /// The write target of `INSERT OVERWRITE t PARTITION (...)`: the table, opened so an
    /// overwrite replaces only that partition.
    pub async fn partition_overwrite_target(
        &self,
        meta: &lakestar_engine::catalog::TableMeta,
        partition: &[(String, datafusion::scalar::ScalarValue)],
    ) -> lakestar_engine::Result<Arc<dyn TableProvider>> {
        if let Some((catalog, external)) = self.external_of(meta)? {
            let write = ExternalWrite::OverwritePartition(partition.to_vec());
            return external.open_table_for_write(&catalog, meta, write).await;
        }
        self.internal
            .storage
            .open_table_for_partition_overwrite(meta, partition)
            .await
    }
}

/// The name of the system schema.
pub const INFORMATION_SCHEMA: &str = "information_schema";

impl CatalogProviderList for LakestarCatalogList {
    fn register_catalog(
        &self,
        _name: String,
        _catalog: Arc<dyn CatalogProvider>,
    ) -> Option<Arc<dyn CatalogProvider>> {
        None
    }

    fn catalog_names(&self) -> Vec<String> {
        let mut names = vec![DEFAULT_CATALOG.to_string()];
        names.extend(self.internal.view.external_catalog_names());
        names
    }

    fn catalog(&self, name: &str) -> Option<Arc<dyn CatalogProvider>> {
        if name == DEFAULT_CATALOG {
            return Some(Arc::clone(&self.internal) as Arc<dyn CatalogProvider>);
        }
        let mut opened = self.opened.lock().expect("opened catalogs");
        if let Some(catalog) = opened.get(name) {
            return Some(Arc::clone(catalog));
        }
        let meta = self.internal.view.external_catalog(name)?;
        match self.external.as_ref()?.open(&meta) {
            Ok(catalog) => {
                opened.insert(name.to_string(), Arc::clone(&catalog));
                Some(catalog)
            }
            Err(e) => {
                tracing::warn!(catalog = name, error = %e, "cannot open external catalog");
                None
            }
        }
    }
}

/// `default_catalog`: the internal tables.
#[derive(Debug)]
struct InternalCatalog {
    view: Arc<dyn CatalogView>,
    storage: Arc<dyn TableStorage>,
    system: Option<Arc<dyn SchemaProvider>>,
}

impl CatalogProvider for InternalCatalog {
    fn schema_names(&self) -> Vec<String> {
        let mut names = self.view.database_names();
        if self.system.is_some() {
            names.insert(0, INFORMATION_SCHEMA.to_string());
        }
        names
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        if name.eq_ignore_ascii_case(INFORMATION_SCHEMA) {
            return self.system.clone();
        }
        self.view.database_exists(name).then(|| {
            Arc::new(InternalDatabase {
                name: name.to_string(),
                view: Arc::clone(&self.view),
                storage: Arc::clone(&self.storage),
            }) as Arc<dyn SchemaProvider>
        })
    }
}

#[derive(Debug)]
struct InternalDatabase {
    name: String,
    view: Arc<dyn CatalogView>,
    storage: Arc<dyn TableStorage>,
}

#[async_trait]
impl SchemaProvider for InternalDatabase {
    fn table_names(&self) -> Vec<String> {
        self.view.table_names(&self.name)
    }

    async fn table(&self, name: &str) -> DFResult<Option<Arc<dyn TableProvider>>> {
        match self.view.table(&self.name, name) {
            None => Ok(None),
            Some(meta) => self
                .storage
                .open_table(&meta)
                .await
                .map(Some)
                .map_err(|e| e.into_datafusion()),
        }
    }

    fn table_exist(&self, name: &str) -> bool {
        self.view.table(&self.name, name).is_some()
    }
}

/// The catalogs of a session state, as Lakestar's.
pub fn lakestar_catalogs(
    state: &datafusion::execution::session_state::SessionState,
) -> lakestar_engine::Result<&LakestarCatalogList> {
    let list: &dyn std::any::Any = state.catalog_list().as_ref();
    list.downcast_ref::<LakestarCatalogList>().ok_or_else(|| {
        lakestar_engine::Error::internal("the session's catalog list is not Lakestar's")
    })
}

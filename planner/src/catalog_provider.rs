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
use lakestar_engine::storage::{ExternalCatalogs, TableStorage};

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

impl LakestarCatalogList {
    /// The write target of `INSERT OVERWRITE t PARTITION (...)`: the table, opened so an
    /// overwrite replaces only that partition.
    pub async fn partition_overwrite_target(
        &self,
        meta: &lakestar_engine::catalog::TableMeta,
        partition: &[(String, datafusion::scalar::ScalarValue)],
    ) -> lakestar_engine::Result<Arc<dyn TableProvider>> {
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

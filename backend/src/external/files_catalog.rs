//! A `"type" = "files"` external catalog: every first-level directory under `location` is a
//! database, every second-level directory a table whose Parquet / CSV / JSON files (with
//! Hive partitions below) are its data. Listing happens when a statement is bound, so new
//! directories and files are seen at once.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::catalog::{CatalogProvider, SchemaProvider, TableProvider};
use datafusion::error::Result as DFResult;
use lakestar_engine::catalog::ExternalCatalogMeta;
use lakestar_engine::storage::FileReader;

use super::blocking;

pub(crate) fn join(location: &str, name: &str) -> String {
    format!("{}/{name}", location.trim_end_matches('/'))
}

#[derive(Debug)]
pub struct FilesCatalog {
    location: String,
    options: BTreeMap<String, String>,
    reader: Arc<dyn FileReader>,
}

impl FilesCatalog {
    pub fn new(meta: &ExternalCatalogMeta, reader: Arc<dyn FileReader>) -> Self {
        Self {
            location: meta.properties.get("location").cloned().unwrap_or_default(),
            options: meta.properties.clone(),
            reader,
        }
    }
}

impl CatalogProvider for FilesCatalog {
    fn schema_names(&self) -> Vec<String> {
        blocking(self.reader.list_directories(&self.location, &self.options)).unwrap_or_default()
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        // When the location cannot be listed (storage down), the database is assumed to
        // exist, so that opening a table reports the storage error instead of "unknown
        // database".
        let exists = match blocking(self.reader.list_directories(&self.location, &self.options)) {
            Ok(names) => names.iter().any(|d| d.eq_ignore_ascii_case(name)),
            Err(_) => true,
        };
        exists.then(|| {
            Arc::new(FilesDatabase {
                location: join(&self.location, name),
                options: self.options.clone(),
                reader: Arc::clone(&self.reader),
            }) as Arc<dyn SchemaProvider>
        })
    }
}

#[derive(Debug)]
struct FilesDatabase {
    location: String,
    options: BTreeMap<String, String>,
    reader: Arc<dyn FileReader>,
}

#[async_trait]
impl SchemaProvider for FilesDatabase {
    fn table_names(&self) -> Vec<String> {
        blocking(self.reader.list_directories(&self.location, &self.options)).unwrap_or_default()
    }

    async fn table(&self, name: &str) -> DFResult<Option<Arc<dyn TableProvider>>> {
        let tables = self
            .reader
            .list_directories(&self.location, &self.options)
            .await
            .map_err(|e| e.into_datafusion())?;
        if !tables.iter().any(|t| t == name) {
            return Ok(None);
        }
        let format = self
            .options
            .get("format")
            .cloned()
            .unwrap_or_else(|| "auto".to_string());
        self.reader
            .open_files(&join(&self.location, name), &format, &self.options)
            .await
            .map(Some)
            .map_err(|e| e.into_datafusion())
    }

    fn table_exist(&self, name: &str) -> bool {
        self.table_names().iter().any(|t| t == name)
    }
}

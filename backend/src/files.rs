//! Plain Parquet / CSV / JSON files read in place, on local disk or S3-compatible storage,
//! through DataFusion's listing table: the backend side of StarRocks' `FILES()` table
//! function and of `"type" = "files"` catalogs.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::catalog::{Session, TableProvider};
use datafusion::datasource::file_format::csv::CsvFormat;
use datafusion::datasource::file_format::json::JsonFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::execution::cache::cache_manager::{CacheManagerConfig, FileMetadataCache};
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::execution::session_state::{SessionState, SessionStateBuilder};
use futures::StreamExt;
use lakestar_engine::storage::{FileReader, FileStamp};
use lakestar_engine::{Error, Reason, Result};

use crate::cache::LakeCaches;
use crate::object_stores::{Located, ObjectStores};

/// Reads files with DataFusion's Parquet, CSV and JSON readers. It owns the runtime every
/// statement runs in: the object stores (with the `file_data` block cache for remote ones)
/// and the Parquet footer cache.
#[derive(Debug)]
pub struct ListingFileReader {
    stores: ObjectStores,
    runtime: Arc<RuntimeEnv>,
    state: SessionState,
}

impl ListingFileReader {
    /// `memory_limit`: bytes all running statements may hold; sorts, aggregations and
    /// joins that can spill do so beyond it (to the OS temp directory), others fail with
    /// a resource error instead of exhausting the machine.
    pub fn new(caches: &LakeCaches, memory_limit: u64) -> Self {
        let stores = ObjectStores::new(Arc::clone(&caches.file_data));
        let footers: Arc<dyn FileMetadataCache> = caches.file_metadata.clone();
        let pool = Arc::new(datafusion::execution::memory_pool::FairSpillPool::new(
            usize::try_from(memory_limit).unwrap_or(usize::MAX),
        ));
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_pool(pool)
            .with_object_store_registry(stores.registry())
            .with_cache_manager(
                CacheManagerConfig::default()
                    .with_file_metadata_cache(Some(footers))
                    // Every statement lists the files it reads, so it sees files added,
                    // removed or rewritten since the last one (and remote reads learn the
                    // object versions their cached blocks are keyed by).
                    .with_list_files_cache_limit(0),
            )
            .build_arc()
            .expect("runtime environment");
        let state = SessionStateBuilder::new()
            .with_default_features()
            .with_runtime_env(Arc::clone(&runtime))
            .build();
        Self {
            stores,
            runtime,
            state,
        }
    }
}

fn bad(message: String) -> Error {
    Error::user(Reason::BadValue, message)
}

/// A location as a listing URL: a directory (anything not naming a file of a known format)
/// gets its trailing `/` so that every file below it is read.
fn table_url(location: &str) -> Result<ListingTableUrl> {
    let mut location = location.to_string();
    let is_file = [".parquet", ".csv", ".json"]
        .iter()
        .any(|ext| location.ends_with(ext));
    if !is_file && !location.ends_with('/') {
        location.push('/');
    }
    ListingTableUrl::parse(&location).map_err(|e| bad(format!("bad path '{location}': {e}")))
}

fn file_format(
    format: &str,
    options: &BTreeMap<String, String>,
) -> Result<(Arc<dyn FileFormat>, &'static str)> {
    Ok(match format.to_ascii_lowercase().as_str() {
        "parquet" => (Arc::new(ParquetFormat::default()), ".parquet"),
        "json" => (Arc::new(JsonFormat::default()), ".json"),
        "csv" => {
            let skip_header = options
                .get("csv.skip_header")
                .map(|v| v.parse::<u32>())
                .transpose()
                .map_err(|_| bad("csv.skip_header must be a number".into()))?
                .unwrap_or(0);
            let mut csv = CsvFormat::default().with_has_header(skip_header > 0);
            if let Some(sep) = options.get("csv.column_separator") {
                let [byte] = sep.as_bytes() else {
                    return Err(bad(format!(
                        "csv.column_separator must be one byte, got '{sep}'"
                    )));
                };
                csv = csv.with_delimiter(*byte);
            }
            (Arc::new(csv), ".csv")
        }
        other => {
            return Err(Error::unsupported(format!(
                "FILES format '{other}' is not supported; use parquet, csv or json"
            )))
        }
    })
}

#[async_trait]
impl FileReader for ListingFileReader {
    async fn open_files(
        &self,
        location: &str,
        format: &str,
        options: &BTreeMap<String, String>,
    ) -> Result<Arc<dyn TableProvider>> {
        let session: &dyn Session = &self.state;
        let located = self.stores.locate(location, options)?;
        let url = table_url(location)?;
        let format = if format.eq_ignore_ascii_case("auto") {
            detect_format(&located, location).await?
        } else {
            format.to_string()
        };
        let (format, extension) = file_format(&format, options)?;
        // File statistics (row counts, min/max from Parquet footers) let the optimizer
        // order joins and pick hash-join build sides.
        let listing = ListingOptions::new(format)
            .with_file_extension(extension)
            .with_collect_stat(true);
        let config = ListingTableConfig::new(url)
            .with_listing_options(listing)
            .infer_partitions_from_path(session)
            .await
            .map_err(Error::from_datafusion)?
            .infer_schema(session)
            .await
            .map_err(Error::from_datafusion)?;
        let table = ListingTable::try_new(config).map_err(Error::from_datafusion)?;
        Ok(Arc::new(table))
    }

    async fn list_directories(
        &self,
        location: &str,
        options: &BTreeMap<String, String>,
    ) -> Result<Vec<String>> {
        let located = self.stores.locate(location, options)?;
        let listing = located
            .store
            .list_with_delimiter(Some(&located.path))
            .await
            .map_err(|e| Error::storage(format!("cannot list '{location}': {e}")))?;
        let mut names: Vec<String> = listing
            .common_prefixes
            .iter()
            .filter_map(|p| p.filename().map(str::to_string))
            .filter(|name| !name.starts_with('.') && !name.starts_with('_'))
            .collect();
        names.sort();
        Ok(names)
    }

    async fn list_files(
        &self,
        location: &str,
        options: &BTreeMap<String, String>,
    ) -> Result<Vec<FileStamp>> {
        let located = self.stores.locate(location, options)?;
        let base = located.path.as_ref().trim_end_matches('/').to_string();
        let mut files = located.store.list(Some(&located.path));
        let mut out = vec![];
        while let Some(meta) = files.next().await {
            let meta =
                meta.map_err(|e| Error::storage(format!("cannot list '{location}': {e}")))?;
            let full = meta.location.as_ref();
            let relative = full
                .strip_prefix(base.as_str())
                .unwrap_or(full)
                .trim_start_matches('/')
                .to_string();
            if relative
                .split('/')
                .any(|part| part.starts_with('.') || part.starts_with('_'))
            {
                continue;
            }
            out.push(FileStamp {
                path: relative,
                size: meta.size,
                modified_ms: meta.last_modified.timestamp_millis(),
                e_tag: meta.e_tag,
            });
        }
        out.sort();
        Ok(out)
    }

    fn runtime_env(&self) -> Arc<RuntimeEnv> {
        Arc::clone(&self.runtime)
    }
}

/// The format of the first data file found under a location, by its extension.
async fn detect_format(located: &Located, location: &str) -> Result<String> {
    let mut files = located.store.list(Some(&located.path));
    while let Some(meta) = files.next().await {
        let meta = meta.map_err(|e| Error::storage(format!("cannot list '{location}': {e}")))?;
        if let Some(ext) = meta.location.extension() {
            if ["parquet", "csv", "json"].contains(&ext) {
                return Ok(ext.to_string());
            }
        }
    }
    Err(bad(format!(
        "no .parquet, .csv or .json files under '{location}'"
    )))
}

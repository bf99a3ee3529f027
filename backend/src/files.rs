//! Plain Parquet / CSV / JSON files read in place, through DataFusion's listing table:
//! the backend side of StarRocks' `FILES()` table function.

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
use lakestar_engine::storage::FileReader;
use lakestar_engine::{Error, Reason, Result};

/// Reads files with DataFusion's Parquet, CSV and JSON readers, in a DataFusion state of
/// its own (which holds the object stores files are read from).
#[derive(Debug)]
pub struct ListingFileReader {
    state: datafusion::execution::session_state::SessionState,
}

impl Default for ListingFileReader {
    fn default() -> Self {
        Self {
            state: datafusion::execution::session_state::SessionStateBuilder::new()
                .with_default_features()
                .build(),
        }
    }
}

fn bad(message: String) -> Error {
    Error::user(Reason::BadValue, message)
}

/// A location as a listing URL; a local directory gets its trailing `/` so that every file
/// below it is read.
fn table_url(location: &str) -> Result<ListingTableUrl> {
    let mut location = location.to_string();
    if let Some(path) = location.strip_prefix("file://") {
        if std::path::Path::new(path).is_dir() && !location.ends_with('/') {
            location.push('/');
        }
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
        let url = table_url(location)?;
        let format = if format.eq_ignore_ascii_case("auto") {
            detect_format(location).await?
        } else {
            format.to_string()
        };
        let (format, extension) = file_format(&format, options)?;
        let listing = ListingOptions::new(format).with_file_extension(extension);
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

    async fn list_directories(&self, location: &str) -> Result<Vec<String>> {
        Self::directories(location).await
    }
}

/// The local directory of a `file://` location.
fn local_dir(location: &str) -> Result<std::path::PathBuf> {
    location
        .strip_prefix("file://")
        .map(std::path::PathBuf::from)
        .ok_or_else(|| {
            Error::unsupported(format!(
                "only file:// locations are supported yet, not '{location}'"
            ))
        })
}

impl ListingFileReader {
    /// Directory names under a local location.
    pub async fn directories(location: &str) -> Result<Vec<String>> {
        let dir = local_dir(location)?;
        let mut entries = tokio::fs::read_dir(&dir)
            .await
            .map_err(|e| bad(format!("cannot list '{location}': {e}")))?;
        let mut names = vec![];
        while let Some(entry) = entries
            .next_entry()
            .await
            .map_err(|e| Error::internal(e.to_string()))?
        {
            let is_dir = entry.file_type().await.is_ok_and(|t| t.is_dir());
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_dir && !name.starts_with('.') && !name.starts_with('_') {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }
}

/// The format of the first data file found under a local location, by its extension.
async fn detect_format(location: &str) -> Result<String> {
    let mut pending = vec![local_dir(location)?];
    while let Some(dir) = pending.pop() {
        let Ok(mut entries) = tokio::fs::read_dir(&dir).await else {
            continue;
        };
        while let Ok(Some(entry)) = entries.next_entry().await {
            let path = entry.path();
            if entry.file_type().await.is_ok_and(|t| t.is_dir()) {
                pending.push(path);
                continue;
            }
            if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
                if ["parquet", "csv", "json"].contains(&ext) {
                    return Ok(ext.to_string());
                }
            }
        }
    }
    Err(bad(format!(
        "no .parquet, .csv or .json files under '{location}'"
    )))
}

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

/// Reads files with DataFusion's Parquet, CSV and JSON readers.
#[derive(Debug, Default)]
pub struct ListingFileReader;

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
        session: &dyn Session,
        location: &str,
        format: &str,
        options: &BTreeMap<String, String>,
    ) -> Result<Arc<dyn TableProvider>> {
        let url = table_url(location)?;
        let (format, extension) = file_format(format, options)?;
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
}

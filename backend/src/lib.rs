//! # lakestar-backend: where data is read, written and computed
//!
//! - [`paimon_storage::PaimonStorage`] implements [`lakestar_engine::storage::TableStorage`]:
//!   internal tables are Apache Paimon tables in a filesystem warehouse.
//!   Their files are read and written through [`local_file_io`], which replaces files by rename.
//! - [`table::LakeTable`] is the DataFusion table provider of one internal table (scan one
//!   snapshot; each INSERT is one atomic Paimon commit, serialised per table).
//! - [`executor::LocalExecutor`] executes plan fragments.
//! - [`files::ListingFileReader`] reads plain Parquet / CSV / JSON files in place (`FILES()`).
//! - [`external::LakeConnectors`] opens external catalogs: Paimon warehouses and
//!   directories of files.
//! - [`object_stores::ObjectStores`] resolves `file://` and `s3://` locations; remote
//!   reads go through [`object_stores::CachingStore`].
//! - [`cache::LakeCaches`]: byte-bounded caches of lake metadata and data blocks.
//!
//! The backend depends only on `lakestar-engine`; the `lakestar` binary hands its storage
//! to the frontend as an `Arc<dyn TableStorage>`.

pub mod cache;
pub mod executor;
pub mod external;
pub mod files;
pub mod local_file_io;
pub mod object_stores;
pub mod overwrite_sink;
pub mod paimon_storage;
pub mod partition_versions;
pub mod retract_sink;
pub mod table;

pub use cache::{CacheConfig, LakeCaches};
pub use executor::LocalExecutor;
pub use external::LakeConnectors;
pub use files::ListingFileReader;
pub use paimon_storage::PaimonStorage;

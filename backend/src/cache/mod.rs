//! Caches of lake reads, each bounded in bytes (moka, least-recently-used eviction), with
//! hit and miss counters for `information_schema.cache_stats`:
//!
//! - `paimon_metadata`: blocks of Paimon snapshot, schema and manifest files. Those files
//!   are immutable and uniquely named (a new snapshot is a new file), so a path is a safe
//!   key; the mutable `LATEST` / `EARLIEST` hints are never cached (paimon classifies them).
//! - `paimon_data`: blocks of Paimon data files of remote warehouses.
//! - `file_metadata`: decoded Parquet footers of files read in place (`FILES()`, files
//!   catalogs), checked against the file's size and modification time before use.
//! - `file_data`: blocks of remote files read in place, keyed by path and the object's
//!   version (size, modification time, ETag) as its last listing reported it.

pub mod block_cache;
pub mod metadata_cache;

use std::sync::Arc;

use lakestar_engine::storage::CacheStats;

pub use block_cache::BlockCache;
pub use metadata_cache::FooterCache;

/// Capacities in bytes.
#[derive(Debug, Clone, Copy)]
pub struct CacheConfig {
    pub metadata_bytes: u64,
    pub data_bytes: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            metadata_bytes: 256 << 20,
            data_bytes: 1 << 30,
        }
    }
}

/// Every cache of lake reads, shared by all statements of the process.
#[derive(Debug)]
pub struct LakeCaches {
    pub paimon_metadata: Arc<BlockCache>,
    pub paimon_data: Arc<BlockCache>,
    pub file_metadata: Arc<FooterCache>,
    pub file_data: Arc<BlockCache>,
}

impl LakeCaches {
    pub fn new(config: CacheConfig) -> Arc<Self> {
        Arc::new(Self {
            paimon_metadata: BlockCache::new("paimon_metadata", config.metadata_bytes),
            paimon_data: BlockCache::new("paimon_data", config.data_bytes),
            file_metadata: FooterCache::new("file_metadata", config.metadata_bytes),
            file_data: BlockCache::new("file_data", config.data_bytes),
        })
    }

    pub fn stats(&self) -> Vec<CacheStats> {
        vec![
            self.paimon_metadata.stats(),
            self.paimon_data.stats(),
            self.file_metadata.stats(),
            self.file_data.stats(),
        ]
    }
}

/// Hit and miss counters.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    hits: std::sync::atomic::AtomicU64,
    misses: std::sync::atomic::AtomicU64,
}

impl Counters {
    pub(crate) fn record(&self, hit: bool) {
        use std::sync::atomic::Ordering::Relaxed;
        if hit {
            self.hits.fetch_add(1, Relaxed);
        } else {
            self.misses.fetch_add(1, Relaxed);
        }
    }

    pub(crate) fn get(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.hits.load(Relaxed), self.misses.load(Relaxed))
    }
}

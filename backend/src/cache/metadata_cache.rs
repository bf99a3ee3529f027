//! DataFusion's file metadata cache (decoded Parquet footers and page indexes) over moka,
//! bounded in bytes. DataFusion checks an entry against the file's current size and
//! modification time before using it, so a rewritten file is never read with an old footer.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::execution::cache::cache_manager::{
    CachedFileMetadataEntry, FileMetadataCache, FileMetadataCacheEntry,
};
use datafusion::execution::cache::CacheAccessor;
use lakestar_engine::storage::CacheStats;
use moka::sync::Cache;
use object_store::path::Path;

use super::Counters;

pub struct FooterCache {
    name: &'static str,
    capacity: u64,
    entries: Cache<Path, CachedFileMetadataEntry>,
    counters: Counters,
}

impl std::fmt::Debug for FooterCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FooterCache")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl FooterCache {
    pub fn new(name: &'static str, capacity_bytes: u64) -> Arc<Self> {
        let entries = Cache::builder()
            .max_capacity(capacity_bytes)
            .weigher(|k: &Path, v: &CachedFileMetadataEntry| {
                u32::try_from(v.file_metadata.memory_size() + k.as_ref().len()).unwrap_or(u32::MAX)
            })
            .build();
        Arc::new(Self {
            name,
            capacity: capacity_bytes,
            entries,
            counters: Counters::default(),
        })
    }

    pub fn stats(&self) -> CacheStats {
        self.entries.run_pending_tasks();
        let (hits, misses) = self.counters.get();
        CacheStats {
            name: self.name.to_string(),
            capacity_bytes: self.capacity,
            used_bytes: self.entries.weighted_size(),
            entries: self.entries.entry_count(),
            hits,
            misses,
        }
    }
}

impl CacheAccessor<Path, CachedFileMetadataEntry> for FooterCache {
    fn get(&self, key: &Path) -> Option<CachedFileMetadataEntry> {
        let found = self.entries.get(key);
        self.counters.record(found.is_some());
        found
    }

    fn put(&self, key: &Path, value: CachedFileMetadataEntry) -> Option<CachedFileMetadataEntry> {
        let old = self.entries.get(key);
        self.entries.insert(key.clone(), value);
        old
    }

    fn remove(&self, k: &Path) -> Option<CachedFileMetadataEntry> {
        self.entries.remove(k)
    }

    fn contains_key(&self, k: &Path) -> bool {
        self.entries.contains_key(k)
    }

    fn len(&self) -> usize {
        self.entries.run_pending_tasks();
        self.entries.entry_count() as usize
    }

    fn clear(&self) {
        self.entries.invalidate_all();
    }

    fn name(&self) -> String {
        self.name.to_string()
    }
}

impl FileMetadataCache for FooterCache {
    fn cache_limit(&self) -> usize {
        self.capacity as usize
    }

    fn update_cache_limit(&self, limit: usize) {
        // The capacity is fixed when the server starts.
        tracing::debug!(limit, "file metadata cache limit is fixed at start-up");
    }

    fn list_entries(&self) -> HashMap<Path, FileMetadataCacheEntry> {
        self.entries
            .iter()
            .map(|(path, entry)| {
                (
                    Path::clone(&path),
                    FileMetadataCacheEntry {
                        object_meta: entry.meta.clone(),
                        size_bytes: entry.file_metadata.memory_size(),
                        hits: 0,
                        extra: entry.file_metadata.extra_info(),
                    },
                )
            })
            .collect()
    }
}

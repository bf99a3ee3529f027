//! A byte-bounded cache of file blocks: `(file key, offset) → bytes`.
//!
//! It serves two readers: Paimon's `FileIO` (through [`paimon::io::FileBlockCache`], which
//! asks for aligned blocks of one file path) and the object-store wrapper of remote files
//! read in place ([`crate::object_stores::CachingStore`], whose file keys include the
//! object's version).

use std::ops::Range;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use lakestar_engine::storage::CacheStats;
use moka::sync::Cache;

use super::Counters;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct BlockKey {
    file: Arc<str>,
    offset: u64,
}

#[derive(Debug)]
pub struct BlockCache {
    name: &'static str,
    capacity: u64,
    blocks: Cache<BlockKey, Bytes>,
    counters: Counters,
}

impl BlockCache {
    pub fn new(name: &'static str, capacity_bytes: u64) -> Arc<Self> {
        let blocks = Cache::builder()
            .max_capacity(capacity_bytes)
            .weigher(|k: &BlockKey, v: &Bytes| {
                u32::try_from(v.len() + k.file.len() + 16).unwrap_or(u32::MAX)
            })
            .support_invalidation_closures()
            .build();
        Arc::new(Self {
            name,
            capacity: capacity_bytes,
            blocks,
            counters: Counters::default(),
        })
    }

    /// The block of `file` starting at `offset`, if cached. Counts a hit or a miss.
    pub fn get(&self, file: &str, offset: u64) -> Option<Bytes> {
        let found = self.blocks.get(&BlockKey {
            file: Arc::from(file),
            offset,
        });
        self.counters.record(found.is_some());
        found
    }

    pub fn put(&self, file: &str, offset: u64, data: Bytes) {
        self.blocks.insert(
            BlockKey {
                file: Arc::from(file),
                offset,
            },
            data,
        );
    }

    /// Drop every block of files whose key starts with `prefix`.
    pub fn invalidate_prefix(&self, prefix: &str) {
        let prefix = prefix.to_string();
        let _ = self
            .blocks
            .invalidate_entries_if(move |k, _| k.file.starts_with(prefix.as_str()));
    }

    pub fn stats(&self) -> CacheStats {
        self.blocks.run_pending_tasks();
        let (hits, misses) = self.counters.get();
        CacheStats {
            name: self.name.to_string(),
            capacity_bytes: self.capacity,
            used_bytes: self.blocks.weighted_size(),
            entries: self.blocks.entry_count(),
            hits,
            misses,
        }
    }
}

/// Paimon's external block cache: it asks for the exact aligned range it put before.
#[async_trait]
impl paimon::io::FileBlockCache for BlockCache {
    async fn get(&self, path: &str, range: Range<u64>) -> Option<Bytes> {
        let block = BlockCache::get(self, path, range.start)?;
        let len = usize::try_from(range.end - range.start).ok()?;
        (block.len() >= len).then(|| block.slice(..len))
    }

    async fn put(&self, path: &str, offset: u64, data: Bytes) {
        BlockCache::put(self, path, offset, data);
    }

    async fn invalidate_path(&self, path: &str) {
        let path = path.to_string();
        let _ = self
            .blocks
            .invalidate_entries_if(move |k, _| *k.file == *path);
    }

    async fn invalidate_prefix(&self, prefix: &str) {
        BlockCache::invalidate_prefix(self, prefix);
    }
}

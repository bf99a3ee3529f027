//! [`CachingStore`]: an object store that keeps the blocks it reads from a remote store in
//! the byte-bounded `file_data` cache.
//!
//! Reads are split into aligned blocks (1 MiB, as StarRocks' block cache); a block's key
//! is the object's path and version (size, modification time, ETag) as the last listing,
//! `HEAD` or read of it reported. Every statement lists the files it reads first, so an
//! object rewritten in place gets a new version and its old blocks are never served.
//! Reads whose object version is not known yet, conditional reads and writes go straight
//! to the remote store.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use futures::stream::{BoxStream, StreamExt};
use moka::sync::Cache;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetRange, GetResult, GetResultPayload, ListResult, MultipartUpload,
    ObjectMeta, ObjectStore, ObjectStoreExt, PutMultipartOptions, PutOptions, PutPayload,
    PutResult, RenameOptions, Result,
};

use crate::cache::BlockCache;

/// Size of one cached block.
pub const BLOCK_SIZE: u64 = 1 << 20;

#[derive(Debug)]
pub struct CachingStore {
    inner: Arc<dyn ObjectStore>,
    blocks: Arc<BlockCache>,
    /// The last version seen of each object.
    versions: Arc<Cache<Path, ObjectMeta>>,
}

impl fmt::Display for CachingStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CachingStore({})", self.inner)
    }
}

/// The cache key of one version of an object.
fn version_key(meta: &ObjectMeta) -> String {
    format!(
        "{}\0{}\0{}\0{}",
        meta.location,
        meta.size,
        meta.last_modified.timestamp_micros(),
        meta.e_tag.as_deref().unwrap_or("")
    )
}

impl CachingStore {
    pub fn new(inner: Arc<dyn ObjectStore>, blocks: Arc<BlockCache>) -> Self {
        Self {
            inner,
            blocks,
            versions: Arc::new(Cache::new(1_000_000)),
        }
    }

    fn remember(versions: &Cache<Path, ObjectMeta>, meta: &ObjectMeta) {
        versions.insert(meta.location.clone(), meta.clone());
    }

    fn forget(&self, location: &Path) {
        self.versions.invalidate(location);
    }

    /// `range` of the object, assembled from cached blocks, fetching the missing ones
    /// (each run of consecutive missing blocks in one request).
    async fn read_cached(&self, meta: &ObjectMeta, range: Range<u64>) -> Result<Bytes> {
        let end = range.end.min(meta.size);
        if range.start >= end {
            return Ok(Bytes::new());
        }
        let key = version_key(meta);
        let first = range.start / BLOCK_SIZE;
        let last = (end - 1) / BLOCK_SIZE;
        let mut blocks: Vec<Option<Bytes>> = (first..=last)
            .map(|b| self.blocks.get(&key, b * BLOCK_SIZE))
            .collect();
        let mut i = 0;
        while i < blocks.len() {
            if blocks[i].is_some() {
                i += 1;
                continue;
            }
            let mut j = i;
            while j + 1 < blocks.len() && blocks[j + 1].is_none() {
                j += 1;
            }
            let from = (first + i as u64) * BLOCK_SIZE;
            let to = ((first + j as u64 + 1) * BLOCK_SIZE).min(meta.size);
            let fetched = self.inner.get_range(&meta.location, from..to).await?;
            for (k, slot) in blocks.iter_mut().enumerate().take(j + 1).skip(i) {
                let offset = (k - i) as u64 * BLOCK_SIZE;
                let block_end = (offset + BLOCK_SIZE).min(fetched.len() as u64);
                let block = fetched.slice(offset as usize..block_end as usize);
                self.blocks
                    .put(&key, (first + k as u64) * BLOCK_SIZE, block.clone());
                *slot = Some(block);
            }
            i = j + 1;
        }
        let base = first * BLOCK_SIZE;
        let (lo, hi) = ((range.start - base) as usize, (end - base) as usize);
        if blocks.len() == 1 {
            return Ok(blocks[0].take().expect("filled").slice(lo..hi));
        }
        let mut out = BytesMut::with_capacity(hi - lo);
        let mut pos = 0usize;
        for block in blocks.into_iter().map(|b| b.expect("filled")) {
            let (b_lo, b_hi) = (pos, pos + block.len());
            let (s, e) = (lo.max(b_lo), hi.min(b_hi));
            if s < e {
                out.extend_from_slice(&block[s - b_lo..e - b_lo]);
            }
            pos = b_hi;
        }
        Ok(out.freeze())
    }

    /// The version to read from cache, when the request allows it.
    fn cacheable(&self, location: &Path, options: &GetOptions) -> Option<(ObjectMeta, Range<u64>)> {
        let plain = options.if_match.is_none()
            && options.if_none_match.is_none()
            && options.if_modified_since.is_none()
            && options.if_unmodified_since.is_none()
            && options.version.is_none()
            && !options.head;
        let Some(GetRange::Bounded(range)) = &options.range else {
            return None;
        };
        if !plain {
            return None;
        }
        Some((self.versions.get(location)?, range.clone()))
    }
}

#[async_trait]
impl ObjectStore for CachingStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        self.forget(location);
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.forget(location);
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        if let Some((meta, range)) = self.cacheable(location, &options) {
            let data = self.read_cached(&meta, range.clone()).await?;
            let range = range.start..range.start + data.len() as u64;
            return Ok(GetResult {
                payload: GetResultPayload::Stream(
                    futures::stream::once(async { Ok(data) }).boxed(),
                ),
                meta,
                range,
                attributes: Default::default(),
            });
        }
        let result = self.inner.get_opts(location, options).await?;
        Self::remember(&self.versions, &result.meta);
        Ok(result)
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        let Some(meta) = self.versions.get(location) else {
            return self.inner.get_ranges(location, ranges).await;
        };
        let mut out = Vec::with_capacity(ranges.len());
        for range in ranges {
            out.push(self.read_cached(&meta, range.clone()).await?);
        }
        Ok(out)
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        let versions = Arc::clone(&self.versions);
        self.inner
            .delete_stream(locations)
            .map(move |r| {
                if let Ok(p) = &r {
                    versions.invalidate(p);
                }
                r
            })
            .boxed()
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        let versions = Arc::clone(&self.versions);
        self.inner
            .list(prefix)
            .map(move |r| {
                if let Ok(meta) = &r {
                    Self::remember(&versions, meta);
                }
                r
            })
            .boxed()
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        let result = self.inner.list_with_delimiter(prefix).await?;
        for meta in &result.objects {
            Self::remember(&self.versions, meta);
        }
        Ok(result)
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.forget(to);
        self.inner.copy_opts(from, to, options).await
    }

    async fn rename_opts(&self, from: &Path, to: &Path, options: RenameOptions) -> Result<()> {
        self.forget(from);
        self.forget(to);
        self.inner.rename_opts(from, to, options).await
    }
}

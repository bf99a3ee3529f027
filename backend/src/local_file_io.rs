//! The local-filesystem I/O that internal (Paimon) tables read and write through.
//!
//! Writes: Paimon rewrites some files in place: after every commit it overwrites the
//! table's `snapshot/LATEST` hint with the new snapshot id. A reader reads a file in
//! chunks through one open handle until it sees the end, so a reader that read "99" just
//! before a commit rewrote the hint to "100" could go on to read the "0" at offset 2 and
//! see snapshot "990", which does not exist ("Snapshot 990 does not exist" under 200
//! concurrent writers). Here every write goes to a fresh file in a scratch directory that
//! is then renamed over its target, so an open handle always reads one whole version of a
//! file.
//!
//! Reads ([`SizedReadLayer`]): OpenDAL's filesystem service reads a whole file in chunks
//! of 2 MiB, zeroing a 2 MiB buffer for each, even for a snapshot file of a few hundred
//! bytes; a query reads dozens of such files. Here a read allocates what the open file
//! holds.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lakestar_engine::{Error, Result};
use opendal_core::raw::{
    new_std_io_error, oio, Layer, OpCopier, OpCopy, OpCreateDir, OpList, OpPresign, OpRead,
    OpRename, OpStat, OpWrite, RpCreateDir, RpPresign, RpRename, RpStat, Service, ServiceInfo,
    Servicer,
};
use opendal_core::{Buffer, Capability, OperationContext, Operator};
use opendal_service_fs::FsConfig;
use paimon::io::FileIO;

/// Name of the scratch directory, inside the warehouse, where writes are staged before
/// their rename. Paimon only lists `*.db` directories there, so it never sees it.
const STAGING_DIR: &str = ".staging";

/// A Paimon [`FileIO`] over the local filesystem whose writes replace files atomically
/// and whose reads allocate no more than the file holds.
///
/// Leftovers of writes interrupted by a crash are removed: only this process writes into
/// the warehouse, and it calls this before its first write.
pub fn local_file_io(warehouse: &Path) -> Result<FileIO> {
    let staging = warehouse.join(STAGING_DIR);
    match std::fs::remove_dir_all(&staging) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(Error::internal(format!(
                "cannot clear {}: {e}",
                staging.display()
            )));
        }
    }
    std::fs::create_dir_all(&staging)
        .map_err(|e| Error::internal(format!("cannot create {}: {e}", staging.display())))?;
    let mut config = FsConfig::default();
    config.root = Some("/".to_string());
    config.atomic_write_dir = Some(staging.display().to_string());
    let operator = Operator::from_config(config)
        .map_err(|e| Error::internal(format!("local filesystem I/O: {e}")))?
        .layer(SizedReadLayer);
    FileIO::from_path(format!("file://{}", warehouse.display()))
        .and_then(|builder| builder.with_fs_operator(operator).build())
        .map_err(|e| Error::internal(format!("local filesystem I/O: {e}")))
}

/// Serves reads of an operator rooted at `/` from the open file's size; every other
/// operation goes to the filesystem service below.
#[derive(Debug)]
struct SizedReadLayer;

impl Layer for SizedReadLayer {
    fn apply_service(&self, inner: Servicer) -> Servicer {
        Arc::new(SizedReadService { inner })
    }
}

#[derive(Debug)]
struct SizedReadService {
    inner: Servicer,
}

impl Service for SizedReadService {
    type Reader = oio::Reader;
    type Writer = oio::Writer;
    type Lister = oio::Lister;
    type Deleter = oio::Deleter;
    type Copier = oio::Copier;

    fn info(&self) -> ServiceInfo {
        self.inner.info()
    }

    fn capability(&self) -> Capability {
        self.inner.capability()
    }

    async fn create_dir(
        &self,
        ctx: &OperationContext,
        path: &str,
        args: OpCreateDir,
    ) -> opendal_core::Result<RpCreateDir> {
        self.inner.create_dir(ctx, path, args).await
    }

    async fn stat(
        &self,
        ctx: &OperationContext,
        path: &str,
        args: OpStat,
    ) -> opendal_core::Result<RpStat> {
        self.inner.stat(ctx, path, args).await
    }

    fn read(
        &self,
        _ctx: &OperationContext,
        path: &str,
        _args: OpRead,
    ) -> opendal_core::Result<Self::Reader> {
        let file = SizedRead {
            path: Path::new("/").join(path),
        };
        Ok(Box::new(oio::PositionReader::new(file)))
    }

    fn write(
        &self,
        ctx: &OperationContext,
        path: &str,
        args: OpWrite,
    ) -> opendal_core::Result<Self::Writer> {
        self.inner.write(ctx, path, args)
    }

    fn delete(&self, ctx: &OperationContext) -> opendal_core::Result<Self::Deleter> {
        self.inner.delete(ctx)
    }

    fn list(
        &self,
        ctx: &OperationContext,
        path: &str,
        args: OpList,
    ) -> opendal_core::Result<Self::Lister> {
        self.inner.list(ctx, path, args)
    }

    fn copy(
        &self,
        ctx: &OperationContext,
        from: &str,
        to: &str,
        args: OpCopy,
        opts: OpCopier,
    ) -> opendal_core::Result<Self::Copier> {
        self.inner.copy(ctx, from, to, args, opts)
    }

    async fn rename(
        &self,
        ctx: &OperationContext,
        from: &str,
        to: &str,
        args: OpRename,
    ) -> opendal_core::Result<RpRename> {
        self.inner.rename(ctx, from, to, args).await
    }

    async fn presign(
        &self,
        ctx: &OperationContext,
        path: &str,
        args: OpPresign,
    ) -> opendal_core::Result<RpPresign> {
        self.inner.presign(ctx, path, args).await
    }
}

/// One file, read at positions through one open handle.
struct SizedRead {
    path: PathBuf,
}

/// An open file and its size when it was opened. Files are replaced, never changed in
/// place (see the module doc), so the size holds for as long as the handle is open.
struct OpenFile {
    file: Arc<File>,
    len: u64,
}

impl oio::PositionRead for SizedRead {
    type Handle = OpenFile;

    async fn open(&self) -> opendal_core::Result<OpenFile> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let file = File::open(&path)?;
            let len = file.metadata()?.len();
            Ok(OpenFile {
                file: Arc::new(file),
                len,
            })
        })
        .await
        .map_err(|e| opendal_core::Error::new(opendal_core::ErrorKind::Unexpected, e.to_string()))?
        .map_err(new_std_io_error)
    }

    async fn read_at(handle: &OpenFile, offset: u64, size: usize) -> opendal_core::Result<Buffer> {
        let want = (size as u64).min(handle.len.saturating_sub(offset)) as usize;
        if want == 0 {
            return Ok(Buffer::new());
        }
        let file = Arc::clone(&handle.file);
        tokio::task::spawn_blocking(move || {
            let mut buf = vec![0; want];
            let mut filled = 0;
            while filled < want {
                match file.read_at(&mut buf[filled..], offset + filled as u64)? {
                    0 => break,
                    n => filled += n,
                }
            }
            buf.truncate(filled);
            Ok(Buffer::from(buf))
        })
        .await
        .map_err(|e| opendal_core::Error::new(opendal_core::ErrorKind::Unexpected, e.to_string()))?
        .map_err(new_std_io_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hint rewritten while readers read it is always read whole: each read parses to
    /// one of the ids written. With in-place rewrites, readers see mixes such as "990".
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn readers_never_see_a_torn_rewrite() {
        let dir = tempfile::tempdir().unwrap();
        let file_io = local_file_io(dir.path()).unwrap();
        let hint = format!("file://{}/LATEST", dir.path().display());
        write_hint(&file_io, &hint, 1).await;
        let last = 3000;
        let writer = tokio::spawn({
            let (file_io, hint) = (file_io.clone(), hint.clone());
            async move {
                // Ids cross from one to two to three digits (9 → 10, 99 → 100), the
                // rewrites that tear.
                for id in 2..=last {
                    write_hint(&file_io, &hint, id).await;
                }
            }
        });
        let mut reads = 0;
        while !writer.is_finished() {
            let bytes = file_io.new_input(&hint).unwrap().read().await.unwrap();
            let text = std::str::from_utf8(&bytes).unwrap();
            let id: u32 = text
                .parse()
                .unwrap_or_else(|_| panic!("read {text:?} from the hint"));
            assert!((1..=last).contains(&id), "read {id} from the hint");
            reads += 1;
        }
        writer.await.unwrap();
        assert!(reads > 0);
    }

    /// Reads return exactly the bytes written, for files smaller and larger than one read
    /// chunk, and a missing file is reported as missing.
    #[tokio::test]
    async fn reads_return_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let file_io = local_file_io(dir.path()).unwrap();
        for len in [0usize, 3, 5 << 20] {
            let path = format!("file://{}/f{len}", dir.path().display());
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            file_io
                .new_output(&path)
                .unwrap()
                .write(bytes::Bytes::from(data.clone()))
                .await
                .unwrap();
            let read = file_io.new_input(&path).unwrap().read().await.unwrap();
            assert_eq!(read.len(), len);
            assert!(
                read.as_ref() == data.as_slice(),
                "{len} bytes read back differ"
            );
        }
        let missing = format!("file://{}/missing", dir.path().display());
        assert!(!file_io.new_input(&missing).unwrap().exists().await.unwrap());
        assert!(file_io.new_input(&missing).unwrap().read().await.is_err());
    }

    async fn write_hint(file_io: &FileIO, path: &str, id: u32) {
        file_io
            .new_output(path)
            .unwrap()
            .write(bytes::Bytes::from(id.to_string()))
            .await
            .unwrap()
    }
}

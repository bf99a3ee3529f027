//! The local-filesystem I/O that internal (Paimon) tables read and write through.
//!
//! Paimon rewrites some files in place: after every commit it overwrites the table's
//! `snapshot/LATEST` hint with the new snapshot id. A reader reads a file in chunks through
//! one open handle until it sees the end, so a reader that read "99" just before a commit
//! rewrote the hint to "100" could go on to read the "0" at offset 2 and see snapshot
//! "990", which does not exist ("Snapshot 990 does not exist" under 200 concurrent
//! writers). Here every write goes to a fresh file in a scratch directory that is then
//! renamed over its target, so an open handle always reads one whole version of a file.

use std::path::{Path, PathBuf};

use lakestar_engine::{Error, Result};
use opendal_core::Operator;
use opendal_service_fs::FsConfig;
use paimon::io::FileIO;

/// Name of the scratch directory, inside the warehouse, where writes are staged before
/// their rename. Paimon only lists `*.db` directories there, so it never sees it.
const STAGING_DIR: &str = ".staging";

/// Where the writes of the warehouse at `warehouse` are staged.
pub fn staging_dir(warehouse: &Path) -> PathBuf {
    warehouse.join(STAGING_DIR)
}

/// A Paimon [`FileIO`] over the local filesystem whose writes replace files atomically.
///
/// Leftovers of writes interrupted by a crash are removed: only this process writes into
/// the warehouse, and it calls this before its first write.
pub fn atomic_file_io(warehouse: &Path) -> Result<FileIO> {
    let staging = staging_dir(warehouse);
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
        .map_err(|e| Error::internal(format!("local filesystem I/O: {e}")))?;
    FileIO::from_path(format!("file://{}", warehouse.display()))
        .and_then(|builder| builder.with_fs_operator(operator).build())
        .map_err(|e| Error::internal(format!("local filesystem I/O: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hint rewritten while readers read it is always read whole: each read parses to
    /// one of the ids written. With in-place rewrites, readers see mixes such as "990".
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn readers_never_see_a_torn_rewrite() {
        let dir = tempfile::tempdir().unwrap();
        let file_io = atomic_file_io(dir.path()).unwrap();
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

    async fn write_hint(file_io: &FileIO, path: &str, id: u32) {
        file_io
            .new_output(path)
            .unwrap()
            .write(bytes::Bytes::from(id.to_string()))
            .await
            .unwrap()
    }
}

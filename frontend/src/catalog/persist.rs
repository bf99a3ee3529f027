//! Durable catalog file: written whole to a temporary file, fsynced, renamed over the old
//! one, and the directory fsynced. A reader (or a restart after `kill -9`) sees the old or
//! the new catalog, never a torn one.

use std::io::Write;
use std::path::{Path, PathBuf};

use lakestar_engine::{Error, Result};

use super::state::CatalogState;

pub const CATALOG_FILE: &str = "catalog.json";

/// The catalog file of a data directory.
#[derive(Debug)]
pub struct CatalogFile {
    dir: PathBuf,
}

impl CatalogFile {
    pub fn new(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::internal(format!("cannot create {}: {e}", dir.display())))?;
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }

    fn path(&self) -> PathBuf {
        self.dir.join(CATALOG_FILE)
    }

    /// Load the catalog, or an empty one for a new data directory.
    pub fn load(&self) -> Result<CatalogState> {
        match std::fs::read(self.path()) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::internal(format!(
                    "catalog file {} is corrupt: {e}",
                    self.path().display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(CatalogState::default()),
            Err(e) => Err(Error::internal(format!("cannot read catalog: {e}"))),
        }
    }

    /// Atomically replace the catalog file.
    pub fn store(&self, state: &CatalogState) -> Result<()> {
        let io = |e: std::io::Error| Error::internal(format!("cannot write catalog: {e}"));
        let json = serde_json::to_vec_pretty(state)
            .map_err(|e| Error::internal(format!("cannot encode catalog: {e}")))?;
        let tmp = self.dir.join(format!("{CATALOG_FILE}.tmp"));
        {
            let mut f = std::fs::File::create(&tmp).map_err(io)?;
            f.write_all(&json).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, self.path()).map_err(io)?;
        std::fs::File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(io)?;
        Ok(())
    }
}

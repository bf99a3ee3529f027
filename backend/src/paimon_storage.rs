//! Internal tables stored as Apache Paimon tables in a filesystem warehouse.
//!
//! Layout: `<warehouse>/<database>.db/<table>/` — the standard Paimon filesystem-catalog
//! layout, so any Paimon reader (Flink, Spark, pypaimon, StarRocks) can open the files.
//!
//! Atomicity comes from Paimon: an INSERT writes data files and manifests first and then
//! publishes one snapshot file by rename; a crash before the rename leaves only unreferenced
//! files. Paimon's rename-based commit is not safe against two writers racing on one table,
//! so commits to a table are serialised in this process (see [`crate::table::LakeTable`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use datafusion::catalog::TableProvider;
use datafusion::scalar::ScalarValue;
use lakestar_engine::catalog::{ColumnMeta, DatabaseMeta, Distribution, KeysType, TableMeta};
use lakestar_engine::storage::{TableStorage, WriteLock, WriteMode};
use lakestar_engine::types::SqlType;
use lakestar_engine::{Error, Result};
use paimon::catalog::Identifier;
use paimon::io::FileIO;
use paimon::spec::{
    CharType, ColumnMove, DataType as PaimonType, Schema, SchemaChange, VarCharType,
};
use paimon::{Catalog, CatalogOptions, FileSystemCatalog, Options};
use tokio::sync::Mutex as AsyncMutex;

use crate::table::LakeTable;

fn storage_err(context: &str, e: paimon::Error) -> Error {
    Error::internal(format!("{context}: {e}"))
}

/// How many opened tables [`PaimonStorage`] keeps.
const OPEN_TABLES_CACHED: u64 = 10_000;

/// Serialises commits to one table: (database, storage name) → lock.
type CommitLocks = Mutex<HashMap<(String, String), Arc<AsyncMutex<()>>>>;

/// Paimon-backed [`TableStorage`].
pub struct PaimonStorage {
    warehouse: PathBuf,
    catalog: FileSystemCatalog,
    /// What tables read and write through: replaces files atomically (see
    /// [`crate::local_file_io`]). The catalog's own I/O writes DDL and loads schemas.
    file_io: FileIO,
    /// One commit lock per table, shared by every provider opened for it.
    commit_locks: CommitLocks,
    /// Opened tables (their current schema) by (database, storage name), so a statement
    /// does not list and read schema files again. Emptied by every schema change.
    tables: moka::sync::Cache<(String, String), paimon::table::Table>,
    /// Bumped by every schema change: a table loaded while one ran is not cached.
    schema_generation: AtomicU64,
}

impl std::fmt::Debug for PaimonStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaimonStorage")
            .field("warehouse", &self.warehouse)
            .finish()
    }
}

impl PaimonStorage {
    /// Open (creating if needed) the warehouse directory.
    pub fn open(warehouse: &Path) -> Result<Self> {
        std::fs::create_dir_all(warehouse).map_err(|e| {
            Error::internal(format!(
                "cannot create warehouse {}: {e}",
                warehouse.display()
            ))
        })?;
        let warehouse = warehouse
            .canonicalize()
            .map_err(|e| Error::internal(format!("warehouse path: {e}")))?;
        let mut options = Options::new();
        options.set(
            CatalogOptions::WAREHOUSE,
            format!("file://{}", warehouse.display()),
        );
        let catalog = FileSystemCatalog::new(options)
            .map_err(|e| storage_err("cannot open Paimon warehouse", e))?;
        let file_io = crate::local_file_io::local_file_io(&warehouse)?;
        Ok(Self {
            warehouse,
            catalog,
            file_io,
            commit_locks: Mutex::new(HashMap::new()),
            tables: moka::sync::Cache::new(OPEN_TABLES_CACHED),
            schema_generation: AtomicU64::new(0),
        })
    }

    /// The Paimon table of an internal table, reading and writing through `file_io`.
    async fn paimon_table(&self, table: &TableMeta) -> Result<paimon::table::Table> {
        let key = (table.database.clone(), table.storage_name());
        let generation = self.schema_generation.load(Ordering::SeqCst);
        if let Some(cached) = self.tables.get(&key) {
            return Ok(cached);
        }
        let opened = self.load_table(table).await?;
        if self.schema_generation.load(Ordering::SeqCst) == generation {
            self.tables.insert(key, opened.clone());
        }
        Ok(opened)
    }

    /// Forget opened tables after a schema change (called once the change is written).
    fn schema_changed(&self) {
        self.schema_generation.fetch_add(1, Ordering::SeqCst);
        self.tables.invalidate_all();
    }

    async fn load_table(&self, table: &TableMeta) -> Result<paimon::table::Table> {
        let opened = self
            .catalog
            .get_table(&Self::identifier(table))
            .await
            .map_err(|e| {
                storage_err(&format!("open table {}.{}", table.database, table.name), e)
            })?;
        Ok(paimon::table::Table::new(
            self.file_io.clone(),
            opened.identifier().clone(),
            opened.location().to_string(),
            opened.schema().clone(),
            None,
        ))
    }

    /// The latest snapshot of an internal table (`None` before its first write).
    async fn latest_snapshot(&self, table: &TableMeta) -> Result<Option<paimon::spec::Snapshot>> {
        self.paimon_table(table)
            .await?
            .snapshot_manager()
            .get_latest_snapshot()
            .await
            .map_err(|e| storage_err("read snapshot", e))
    }

    fn identifier(table: &TableMeta) -> Identifier {
        Identifier::new(table.database.clone(), table.storage_name())
    }

    fn commit_lock(&self, table: &TableMeta) -> Arc<AsyncMutex<()>> {
        let mut locks = self.commit_locks.lock().expect("commit lock map");
        Arc::clone(
            locks
                .entry((table.database.clone(), table.storage_name()))
                .or_default(),
        )
    }

    fn database_dir(&self, db: &str) -> PathBuf {
        self.warehouse.join(format!("{db}.db"))
    }

    async fn table_exists(&self, table: &TableMeta) -> bool {
        self.catalog
            .get_table(&Self::identifier(table))
            .await
            .is_ok()
    }
}

/// The records a snapshot holds (0 before the first); exact for append tables only.
pub(crate) fn snapshot_rows(snapshot: Option<&paimon::spec::Snapshot>) -> u64 {
    snapshot
        .and_then(|s| s.total_record_count())
        .unwrap_or(0)
        .max(0) as u64
}

/// The Paimon schema for a table definition.
pub fn paimon_schema(table: &TableMeta) -> Result<Schema> {
    paimon_schema_with(table, &std::collections::BTreeMap::new())
}

/// The Paimon schema for a table definition, with table options (`PROPERTIES` of a table
/// created in a Paimon catalog) set over Lakestar's defaults.
pub fn paimon_schema_with(
    table: &TableMeta,
    properties: &std::collections::BTreeMap<String, String>,
) -> Result<Schema> {
    let mut builder = Schema::builder();
    for column in &table.columns {
        let is_key = table.keys_type.is_upsert()
            && table
                .key_columns
                .iter()
                .any(|k| k.eq_ignore_ascii_case(&column.name));
        let nullable = column.nullable && !is_key;
        let ty = paimon_type(&column.sql_type, nullable)?;
        builder = builder.column_with_description(column.name.clone(), ty, column.comment.clone());
    }
    if table.keys_type.is_upsert() {
        builder = builder.primary_key(table.key_columns.clone());
    }
    builder = builder.partition_keys(table.partition_columns.clone());
    let mut options: Vec<(String, String)> =
        vec![("file.format".to_string(), "parquet".to_string())];
    match table.keys_type {
        KeysType::Duplicate => options.push(("bucket".into(), "-1".into())),
        KeysType::Primary | KeysType::Unique => {
            let (buckets, hash_columns) = match &table.distribution {
                Some(Distribution::Hash { columns, buckets }) => {
                    (buckets.unwrap_or(1), columns.clone())
                }
                Some(Distribution::Random { buckets }) => (buckets.unwrap_or(1), vec![]),
                None => (1, vec![]),
            };
            options.push(("bucket".into(), buckets.max(1).to_string()));
            let keys_cover_hash = !hash_columns.is_empty()
                && hash_columns
                    .iter()
                    .all(|h| table.key_columns.iter().any(|k| k.eq_ignore_ascii_case(h)));
            if keys_cover_hash {
                options.push(("bucket-key".into(), hash_columns.join(",")));
            }
        }
    }
    for (key, value) in properties {
        options.retain(|(k, _)| k != key);
        options.push((key.clone(), value.clone()));
    }
    builder = builder.options(options).comment(table.comment.clone());
    builder
        .build()
        .map_err(|e| Error::user(lakestar_engine::Reason::InvalidDefinition, e.to_string()))
}

fn paimon_type(sql: &SqlType, nullable: bool) -> Result<PaimonType> {
    let err = |e: paimon::Error| Error::internal(format!("type mapping: {e}"));
    Ok(match sql {
        SqlType::Char { length } => {
            PaimonType::Char(CharType::with_nullable(nullable, *length as usize).map_err(err)?)
        }
        SqlType::Varchar { length } => {
            PaimonType::VarChar(VarCharType::with_nullable(nullable, *length).map_err(err)?)
        }
        other => paimon::arrow::arrow_to_paimon_type(&other.to_arrow(), nullable).map_err(err)?,
    })
}

#[async_trait]
impl TableStorage for PaimonStorage {
    async fn create_database(&self, db: &DatabaseMeta) -> Result<()> {
        self.catalog
            .create_database(&db.name, true, HashMap::new())
            .await
            .map_err(|e| storage_err("create database", e))
    }

    async fn drop_database(&self, db: &DatabaseMeta) -> Result<()> {
        let dir = self.database_dir(&db.name);
        let removed = tokio::fs::remove_dir_all(&dir).await;
        self.schema_changed();
        match removed {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::internal(format!("drop database storage: {e}"))),
        }
    }

    async fn create_table(&self, table: &TableMeta) -> Result<()> {
        let schema = paimon_schema(table)?;
        // Storage without a catalog entry is left over from a crash: replace it.
        if self.table_exists(table).await {
            self.drop_table(table).await?;
        }
        self.catalog
            .create_database(&table.database, true, HashMap::new())
            .await
            .map_err(|e| storage_err("create database", e))?;
        let created = self
            .catalog
            .create_table(&Self::identifier(table), schema, false)
            .await;
        self.schema_changed();
        created.map_err(|e| storage_err("create table", e))
    }

    async fn drop_table(&self, table: &TableMeta) -> Result<()> {
        self.drop_table_storage(
            &DatabaseMeta {
                name: table.database.clone(),
                id: 0,
            },
            &table.storage_name(),
        )
        .await
    }

    async fn add_column(
        &self,
        table: &TableMeta,
        column: &ColumnMeta,
        before: Option<&str>,
    ) -> Result<()> {
        let id = Self::identifier(table);
        let t = self.paimon_table(table).await?;
        let mut changes = vec![];
        if t.schema().fields().iter().any(|f| f.name() == column.name) {
            changes.push(SchemaChange::drop_column(column.name.clone()));
        }
        let data_type = paimon_type(&column.sql_type, true)?;
        let comment = column.comment.clone().unwrap_or_default();
        changes.push(match before {
            Some(anchor) => SchemaChange::add_column_with_description_and_column_move(
                column.name.clone(),
                data_type,
                comment,
                ColumnMove::move_before(column.name.clone(), anchor.to_string()),
            ),
            None => {
                SchemaChange::add_column_with_description(column.name.clone(), data_type, comment)
            }
        });
        let altered = self.catalog.alter_table(&id, changes, false).await;
        self.schema_changed();
        altered.map_err(|e| storage_err("add column", e))
    }

    async fn rename_table(&self, table: &TableMeta, new_name: &str) -> Result<()> {
        let to = Identifier::new(table.database.clone(), new_name.to_string());
        let renamed = self
            .catalog
            .rename_table(&Self::identifier(table), &to, false)
            .await;
        self.schema_changed();
        renamed.map_err(|e| storage_err("rename table", e))
    }

    async fn table_version(&self, table: &TableMeta) -> Result<Option<i64>> {
        let snapshot = self.latest_snapshot(table).await?;
        Ok(snapshot.map(|s| s.id()))
    }

    async fn partition_versions(
        &self,
        table: &TableMeta,
    ) -> Result<Option<lakestar_engine::materialized_view::PartitionVersions>> {
        let [column] = table.partition_columns.as_slice() else {
            return Ok(None);
        };
        if self.latest_snapshot(table).await?.is_none() {
            return Ok(Some(
                lakestar_engine::materialized_view::PartitionVersions {
                    column: column.clone(),
                    partitions: vec![],
                },
            ));
        }
        let t = self.paimon_table(table).await?;
        crate::partition_versions::of_table(&t).await
    }

    async fn drop_column(&self, table: &TableMeta, column: &str) -> Result<()> {
        let id = Self::identifier(table);
        let t = self.paimon_table(table).await?;
        if !t.schema().fields().iter().any(|f| f.name() == column) {
            return Ok(());
        }
        let altered = self
            .catalog
            .alter_table(
                &id,
                vec![SchemaChange::drop_column(column.to_string())],
                false,
            )
            .await;
        self.schema_changed();
        altered.map_err(|e| storage_err("drop column", e))
    }

    async fn truncate_table(&self, table: &TableMeta) -> Result<()> {
        let lock = self.commit_lock(table);
        let _guard = lock.lock().await;
        let t = self.paimon_table(table).await?;
        let commit = t
            .new_write_builder()
            .try_new_commit()
            .map_err(|e| storage_err("truncate", e))?;
        commit
            .truncate_table()
            .await
            .map_err(|e| storage_err("truncate", e))
    }

    async fn open_table(&self, table: &TableMeta) -> Result<Arc<dyn TableProvider>> {
        let t = self.paimon_table(table).await?;
        Ok(Arc::new(LakeTable::try_new(
            table.clone(),
            t,
            self.commit_lock(table),
        )?))
    }

    async fn open_table_for_partition_overwrite(
        &self,
        table: &TableMeta,
        partition: &[(String, ScalarValue)],
    ) -> Result<Arc<dyn TableProvider>> {
        let t = self.paimon_table(table).await?;
        Ok(Arc::new(
            LakeTable::try_new(table.clone(), t, self.commit_lock(table))?
                .overwriting_partition(partition.to_vec()),
        ))
    }

    async fn lock_writes(&self, table: &TableMeta) -> Result<WriteLock> {
        let guard = self.commit_lock(table).lock_owned().await;
        Ok(WriteLock(Box::new(guard)))
    }

    async fn open_table_for_write(
        &self,
        table: &TableMeta,
        mode: WriteMode,
    ) -> Result<Arc<dyn TableProvider>> {
        let t = self.paimon_table(table).await?;
        Ok(Arc::new(
            LakeTable::try_new(table.clone(), t, self.commit_lock(table))?.writing(mode),
        ))
    }

    async fn row_count(&self, table: &TableMeta) -> Result<Option<u64>> {
        // Primary-key tables may hold several versions of a key until compaction, so the
        // snapshot's record count is exact only for append (DUPLICATE KEY) tables.
        if table.keys_type.is_upsert() {
            return Ok(None);
        }
        let snapshot = self.latest_snapshot(table).await?;
        Ok(Some(snapshot_rows(snapshot.as_ref())))
    }

    async fn list_table_storage(&self, db: &DatabaseMeta) -> Result<Vec<String>> {
        let mut out = vec![];
        let mut dir = match tokio::fs::read_dir(self.database_dir(&db.name)).await {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(Error::internal(format!("list tables: {e}"))),
        };
        while let Some(entry) = dir
            .next_entry()
            .await
            .map_err(|e| Error::internal(format!("list tables: {e}")))?
        {
            if entry.path().is_dir() {
                out.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        Ok(out)
    }

    async fn drop_table_storage(&self, db: &DatabaseMeta, storage_name: &str) -> Result<()> {
        let dir = self.database_dir(&db.name).join(storage_name);
        let removed = tokio::fs::remove_dir_all(&dir).await;
        self.schema_changed();
        match removed {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::internal(format!("drop table storage: {e}"))),
        }
    }
}

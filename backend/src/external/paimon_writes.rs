//! Writes into a `"type" = "paimon"` catalog: CREATE / DROP DATABASE and TABLE, and the
//! tables INSERT, INSERT OVERWRITE, UPDATE and DELETE write through. A Paimon table of a
//! catalog is written by [`LakeTable`], the provider internal tables write through, so both
//! have one write path.
//!
//! Other writers (Flink, Spark, pypaimon, another Lakestar) may commit to the same table.
//! Paimon publishes a commit by creating the next snapshot file, which fails when another
//! writer created it first:
//! - INSERT and INSERT OVERWRITE are then re-based on the new snapshot and published again
//!   (Paimon's commit retry): an append loses nothing, an overwrite replaces what is there
//!   when it commits.
//! - UPDATE and DELETE computed their rows from the snapshot they read. They record the
//!   latest snapshot when the table is opened, check after reading that it is still the
//!   latest, and commit without retry: when another writer committed in between, the
//!   statement fails with a write conflict (1213) and writes nothing.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use datafusion::catalog::TableProvider;
use lakestar_engine::catalog::{ColumnMeta, KeysType, TableMeta};
use lakestar_engine::storage::{ExternalWrite, WriteLock, WriteMode};
use lakestar_engine::types::SqlType;
use lakestar_engine::{user_err, Error, Reason, Result};
use paimon::catalog::Identifier;
use paimon::spec::DataType as PaimonType;
use paimon::table::Table;
use paimon_datafusion::PaimonTableProvider;
use tokio::sync::Mutex as AsyncMutex;

use super::paimon_catalog::{paimon_err, Warehouse};
use crate::table::LakeTable;

/// Paimon's option bounding how often a commit is re-based on a newer snapshot.
const COMMIT_MAX_RETRIES: &str = "commit.max-retries";

impl Warehouse {
    pub async fn create_database(&self, name: &str, if_not_exists: bool) -> Result<bool> {
        if self.database(name).await?.is_some() {
            if if_not_exists {
                return Ok(false);
            }
            return Err(user_err!(
                DatabaseExists,
                "Can't create database '{name}'; database exists"
            ));
        }
        self.catalog
            .create_database(name, false, HashMap::new())
            .await
            .map_err(paimon_err)?;
        Ok(true)
    }

    pub async fn drop_database(&self, name: &str, if_exists: bool) -> Result<bool> {
        let Some(stored) = self.database(name).await? else {
            if if_exists {
                return Ok(false);
            }
            return Err(user_err!(
                UnknownDatabaseToDrop,
                "Can't drop database '{name}'; database doesn't exist"
            ));
        };
        if !self
            .catalog
            .list_tables(&stored)
            .await
            .map_err(paimon_err)?
            .is_empty()
        {
            return Err(user_err!(
                DatabaseNotEmpty,
                "Can't drop database '{name}'; it still holds tables (drop them first)"
            ));
        }
        self.catalog
            .drop_database(&stored, false, false)
            .await
            .map_err(paimon_err)?;
        Ok(true)
    }

    pub async fn create_table(&self, table: &TableMeta, if_not_exists: bool) -> Result<bool> {
        let database = self
            .database(&table.database)
            .await?
            .ok_or_else(|| user_err!(UnknownDatabase, "Unknown database '{}'", table.database))?;
        if self.find_table(&database, &table.name).await?.is_some() {
            if if_not_exists {
                return Ok(false);
            }
            return Err(user_err!(
                TableExists,
                "Table '{}' already exists",
                table.name
            ));
        }
        let schema = crate::paimon_storage::paimon_schema_with(table, &table.properties)?;
        self.catalog
            .create_table(
                &Identifier::new(database, table.name.clone()),
                schema,
                false,
            )
            .await
            .map_err(paimon_err)?;
        Ok(true)
    }

    pub async fn drop_table(&self, database: &str, table: &str, if_exists: bool) -> Result<bool> {
        let Some(found) = self.find_table(database, table).await? else {
            if if_exists {
                return Ok(false);
            }
            return Err(user_err!(
                UnknownTableToDrop,
                "Unknown table '{database}.{table}'"
            ));
        };
        self.catalog
            .drop_table(found.identifier(), false)
            .await
            .map_err(paimon_err)?;
        // Forget the table's cached files: a table created again under the name writes
        // snapshot and manifest files of the same names.
        let location = found.location().to_string();
        self.cached(found)?
            .file_io()
            .delete_dir(&location)
            .await
            .map_err(paimon_err)?;
        Ok(true)
    }

    /// A table described as the internal catalog describes its tables.
    pub async fn writable_table(
        &self,
        catalog: &str,
        database: &str,
        table: &str,
    ) -> Result<Option<TableMeta>> {
        let Some(found) = self.find_table(database, table).await? else {
            return Ok(None);
        };
        describe(catalog, &found).map(Some)
    }

    fn commit_lock(&self, table: &TableMeta) -> Arc<AsyncMutex<()>> {
        let mut locks = self.commit_locks.lock().expect("commit locks");
        Arc::clone(
            locks
                .entry((table.database.clone(), table.name.clone()))
                .or_default(),
        )
    }

    pub async fn lock_writes(&self, table: &TableMeta) -> Result<WriteLock> {
        let guard = self.commit_lock(table).lock_owned().await;
        Ok(WriteLock(Box::new(guard)))
    }

    /// The rows of an append table's latest snapshot (primary-key tables may hold several
    /// versions of a key until compaction: `None`).
    pub async fn row_count(&self, meta: &TableMeta) -> Result<Option<u64>> {
        if meta.keys_type.is_upsert() {
            return Ok(None);
        }
        let Some(table) = self.find_table(&meta.database, &meta.name).await? else {
            return Ok(None);
        };
        let snapshot = table
            .snapshot_manager()
            .get_latest_snapshot()
            .await
            .map_err(paimon_err)?;
        Ok(Some(crate::paimon_storage::snapshot_rows(
            snapshot.as_ref(),
        )))
    }

    pub async fn open_table_for_write(
        &self,
        meta: &TableMeta,
        write: ExternalWrite,
    ) -> Result<Arc<dyn TableProvider>> {
        let table = self
            .find_table(&meta.database, &meta.name)
            .await?
            .ok_or_else(|| {
                user_err!(
                    UnknownTable,
                    "Table '{}.{}' doesn't exist",
                    meta.database,
                    meta.name
                )
            })?;
        let lock = self.commit_lock(meta);
        Ok(Arc::new(match write {
            ExternalWrite::Insert => LakeTable::try_new(meta.clone(), table, lock)?,
            ExternalWrite::OverwritePartition(partition) => {
                LakeTable::try_new(meta.clone(), table, lock)?.overwriting_partition(partition)
            }
            ExternalWrite::Locked(mode) => locked_write(meta, table, lock, mode).await?,
        }))
    }
}

/// A write computed from what it reads: committed only if no other writer committed since
/// the table was opened.
async fn locked_write(
    meta: &TableMeta,
    table: Table,
    lock: Arc<AsyncMutex<()>>,
    mode: WriteMode,
) -> Result<LakeTable> {
    let read_from = table
        .snapshot_manager()
        .get_latest_snapshot()
        .await
        .map_err(paimon_err)?
        .map(|s| s.id());
    let table = table.copy_with_options(HashMap::from([(
        COMMIT_MAX_RETRIES.to_string(),
        "0".to_string(),
    )]));
    Ok(LakeTable::try_new(meta.clone(), table, lock)?
        .writing(mode)
        .unchanged_since(read_from))
}

/// The [`TableMeta`] of a Paimon table.
fn describe(catalog: &str, table: &Table) -> Result<TableMeta> {
    let schema = table.schema();
    let arrow = PaimonTableProvider::try_new(table.clone())
        .map_err(Error::from_datafusion)?
        .schema();
    let mut columns = Vec::with_capacity(schema.fields().len());
    for field in schema.fields() {
        let sql_type = match field.data_type() {
            PaimonType::VarChar(v) if v.length() < i32::MAX as u32 => {
                SqlType::Varchar { length: v.length() }
            }
            PaimonType::Char(c) => SqlType::Char {
                length: c.length() as u32,
            },
            _ => {
                let (_, arrow_field) = arrow.column_with_name(field.name()).ok_or_else(|| {
                    Error::internal(format!("column {} has no Arrow type", field.name()))
                })?;
                SqlType::from_arrow(arrow_field.data_type()).ok_or_else(|| {
                    Error::unsupported(format!(
                        "column {} has type {}, which Lakestar cannot write",
                        field.name(),
                        arrow_field.data_type()
                    ))
                })?
            }
        };
        let mut column = ColumnMeta::new(field.name(), sql_type, field.data_type().is_nullable());
        column.comment = field.description().map(str::to_string);
        columns.push(column);
    }
    let key_columns: Vec<String> = schema.primary_keys().to_vec();
    Ok(TableMeta {
        catalog: Some(catalog.to_string()),
        database: table.identifier().database().to_string(),
        name: table.identifier().object().to_string(),
        id: 0,
        columns,
        keys_type: if key_columns.is_empty() {
            KeysType::Duplicate
        } else {
            KeysType::Primary
        },
        key_columns,
        partition_columns: schema.partition_keys().to_vec(),
        partition_clause: None,
        distribution: None,
        order_by: vec![],
        properties: schema
            .options()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
        comment: schema.comment().map(str::to_string),
        create_time_ms: 0,
    })
}

/// A conflict found before a commit: another writer committed since the table was read.
pub(crate) fn conflict(table: &str) -> Error {
    Error::user(
        Reason::WriteConflict,
        format!(
            "Another writer committed to {table} while this statement ran; nothing was written, run it again"
        ),
    )
}

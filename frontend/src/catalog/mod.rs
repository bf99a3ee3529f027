//! The catalog manager: the one owner of catalog metadata and its persistence.
//!
//! Every DDL statement takes the DDL lock, builds the new catalog state, applies the
//! storage side effect in the order that keeps a crash harmless, persists the new state
//! atomically, and only then publishes it to readers:
//!
//! - create: storage first, then catalog (a crash leaves orphan storage, removed at start);
//! - drop: catalog first, then storage (a crash leaves orphan storage, removed at start).

mod materialized_views;
mod persist;
mod state;

use std::path::Path;
use std::sync::{Arc, RwLock};

use lakestar_engine::catalog::{
    CatalogView, DatabaseMeta, ExternalCatalogMeta, TableMeta, ViewMeta, DEFAULT_CATALOG,
};
use lakestar_engine::storage::TableStorage;
use lakestar_engine::{user_err, Result};
use tokio::sync::Mutex;
use tracing::{info, warn};

use persist::CatalogFile;
pub use state::{AuthPlugin, CatalogState, DatabaseEntry, UserEntry};

/// Owner of the internal catalog.
#[derive(Debug)]
pub struct CatalogManager {
    file: CatalogFile,
    state: RwLock<Arc<CatalogState>>,
    storage: Arc<dyn TableStorage>,
    ddl_lock: Mutex<()>,
}

impl CatalogManager {
    /// Load the catalog of a data directory and remove storage a crash left behind.
    pub async fn open(data_dir: &Path, storage: Arc<dyn TableStorage>) -> Result<Arc<Self>> {
        let file = CatalogFile::new(data_dir)?;
        let state = file.load()?;
        info!(
            databases = state.databases.len(),
            version = state.version,
            "catalog loaded"
        );
        let manager = Arc::new(Self {
            file,
            state: RwLock::new(Arc::new(state)),
            storage,
            ddl_lock: Mutex::new(()),
        });
        manager.remove_orphan_storage().await?;
        Ok(manager)
    }

    async fn remove_orphan_storage(&self) -> Result<()> {
        let snapshot = self.snapshot();
        for entry in snapshot.databases.values() {
            for storage_name in self.storage.list_table_storage(&entry.meta).await? {
                let known = entry
                    .tables
                    .values()
                    .any(|t| t.storage_name() == storage_name);
                if !known {
                    warn!(database = %entry.meta.name, %storage_name, "removing orphan table storage");
                    self.storage
                        .drop_table_storage(&entry.meta, &storage_name)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// The current catalog state.
    pub fn snapshot(&self) -> Arc<CatalogState> {
        Arc::clone(&self.state.read().expect("catalog lock"))
    }

    fn publish(&self, state: CatalogState) -> Result<()> {
        self.file.store(&state)?;
        *self.state.write().expect("catalog lock") = Arc::new(state);
        Ok(())
    }

    pub fn database_exists_now(&self, name: &str) -> bool {
        self.snapshot().databases.contains_key(name)
    }

    pub fn table_now(&self, db: &str, name: &str) -> Option<TableMeta> {
        self.snapshot()
            .databases
            .get(db)
            .and_then(|d| d.tables.get(name))
            .cloned()
    }

    /// `CREATE DATABASE`; returns false if it existed and `if_not_exists` was given.
    pub async fn create_database(&self, name: &str, if_not_exists: bool) -> Result<bool> {
        let _ddl = self.ddl_lock.lock().await;
        let mut state = CatalogState::clone(&self.snapshot());
        if state.databases.contains_key(name) {
            if if_not_exists {
                return Ok(false);
            }
            return Err(user_err!(
                DatabaseExists,
                "Can't create database '{name}'; database exists"
            ));
        }
        let meta = DatabaseMeta {
            name: name.to_string(),
            id: state.allocate_id(),
        };
        self.storage.create_database(&meta).await?;
        state.version += 1;
        state.databases.insert(
            name.to_string(),
            DatabaseEntry {
                meta,
                tables: Default::default(),
                views: Default::default(),
                materialized_views: Default::default(),
            },
        );
        self.publish(state)?;
        Ok(true)
    }

    /// `DROP DATABASE`; returns false if it was missing and `if_exists` was given.
    pub async fn drop_database(&self, name: &str, if_exists: bool) -> Result<bool> {
        let _ddl = self.ddl_lock.lock().await;
        let mut state = CatalogState::clone(&self.snapshot());
        let Some(entry) = state.databases.remove(name) else {
            if if_exists {
                return Ok(false);
            }
            return Err(user_err!(
                UnknownDatabaseToDrop,
                "Can't drop database '{name}'; database doesn't exist"
            ));
        };
        state.version += 1;
        self.publish(state)?;
        self.storage.drop_database(&entry.meta).await?;
        Ok(true)
    }

    /// `CREATE TABLE`; returns false if it existed and `if_not_exists` was given.
    pub async fn create_table(&self, mut table: TableMeta, if_not_exists: bool) -> Result<bool> {
        let _ddl = self.ddl_lock.lock().await;
        let mut state = CatalogState::clone(&self.snapshot());
        let Some(entry) = state.databases.get(&table.database) else {
            return Err(user_err!(
                UnknownDatabase,
                "Unknown database '{}'",
                table.database
            ));
        };
        if entry.has_relation(&table.name) {
            if if_not_exists {
                return Ok(false);
            }
            return Err(user_err!(
                TableExists,
                "Table '{}' already exists",
                table.name
            ));
        }
        table.id = state.allocate_id();
        self.storage.create_table(&table).await?;
        state.version += 1;
        state
            .databases
            .get_mut(&table.database)
            .expect("checked above")
            .tables
            .insert(table.name.clone(), table);
        self.publish(state)?;
        Ok(true)
    }

    /// `DROP TABLE`; returns false if it was missing and `if_exists` was given.
    pub async fn drop_table(&self, db: &str, name: &str, if_exists: bool) -> Result<bool> {
        let _ddl = self.ddl_lock.lock().await;
        let mut state = CatalogState::clone(&self.snapshot());
        let Some(entry) = state.databases.get_mut(db) else {
            if if_exists {
                return Ok(false);
            }
            return Err(user_err!(UnknownDatabase, "Unknown database '{db}'"));
        };
        if entry.materialized_views.contains_key(name) {
            return Err(user_err!(
                InvalidDefinition,
                "'{db}.{name}' is a materialized view; use DROP MATERIALIZED VIEW"
            ));
        }
        let Some(table) = entry.tables.remove(name) else {
            if if_exists {
                return Ok(false);
            }
            return Err(user_err!(UnknownTableToDrop, "Unknown table '{db}.{name}'"));
        };
        state.version += 1;
        self.publish(state)?;
        self.storage.drop_table(&table).await?;
        Ok(true)
    }

    /// Publish a changed definition of a table (ALTER TABLE), if the table still has the
    /// definition `expected` the change was computed from.
    pub async fn replace_table(&self, expected: &TableMeta, table: TableMeta) -> Result<()> {
        let _ddl = self.ddl_lock.lock().await;
        let mut state = CatalogState::clone(&self.snapshot());
        let current = state
            .databases
            .get_mut(&table.database)
            .and_then(|d| d.tables.get_mut(&table.name))
            .ok_or_else(|| {
                user_err!(
                    UnknownTable,
                    "Table '{}.{}' doesn't exist",
                    table.database,
                    table.name
                )
            })?;
        if current != expected {
            return Err(lakestar_engine::Error::user(
                lakestar_engine::Reason::Other,
                format!(
                    "Table '{}.{}' was changed by another statement; run the ALTER again",
                    table.database, table.name
                ),
            ));
        }
        *current = table;
        state.version += 1;
        self.publish(state)
    }

    /// `TRUNCATE TABLE`: one atomic storage commit; the catalog does not change.
    pub async fn truncate_table(&self, db: &str, name: &str) -> Result<()> {
        let table = self.table_now(db, name).ok_or_else(|| {
            if self.database_exists_now(db) {
                user_err!(UnknownTable, "Table '{db}.{name}' doesn't exist")
            } else {
                user_err!(UnknownDatabase, "Unknown database '{db}'")
            }
        })?;
        self.storage.truncate_table(&table).await
    }
}

/// External catalog DDL.
impl CatalogManager {
    /// `CREATE EXTERNAL CATALOG`; returns false if it existed and `if_not_exists` was given.
    pub async fn create_catalog(
        &self,
        meta: ExternalCatalogMeta,
        if_not_exists: bool,
    ) -> Result<bool> {
        let _ddl = self.ddl_lock.lock().await;
        let mut state = CatalogState::clone(&self.snapshot());
        if state.catalogs.contains_key(&meta.name) || meta.name == DEFAULT_CATALOG {
            if if_not_exists {
                return Ok(false);
            }
            return Err(user_err!(
                DatabaseExists,
                "Can't create catalog '{}'; catalog exists",
                meta.name
            ));
        }
        state.catalogs.insert(meta.name.clone(), meta);
        state.version += 1;
        self.publish(state)?;
        Ok(true)
    }

    /// `DROP CATALOG`; returns false if it was missing and `if_exists` was given.
    pub async fn drop_catalog(&self, name: &str, if_exists: bool) -> Result<bool> {
        let _ddl = self.ddl_lock.lock().await;
        let mut state = CatalogState::clone(&self.snapshot());
        if state.catalogs.remove(name).is_none() {
            if if_exists {
                return Ok(false);
            }
            return Err(user_err!(
                UnknownDatabaseToDrop,
                "Can't drop catalog '{name}'; catalog doesn't exist"
            ));
        }
        state.version += 1;
        self.publish(state)?;
        Ok(true)
    }
}

/// View DDL.
impl CatalogManager {
    pub fn view_now(&self, db: &str, name: &str) -> Option<ViewMeta> {
        self.snapshot()
            .databases
            .get(db)
            .and_then(|d| d.views.get(name))
            .cloned()
    }

    /// `CREATE [OR REPLACE] VIEW [IF NOT EXISTS]` and `ALTER VIEW` (`must_exist`).
    /// Returns false if the view existed and `if_not_exists` was given.
    pub async fn put_view(
        &self,
        view: ViewMeta,
        or_replace: bool,
        if_not_exists: bool,
        must_exist: bool,
    ) -> Result<bool> {
        let _ddl = self.ddl_lock.lock().await;
        let mut state = CatalogState::clone(&self.snapshot());
        let Some(entry) = state.databases.get_mut(&view.database) else {
            return Err(user_err!(
                UnknownDatabase,
                "Unknown database '{}'",
                view.database
            ));
        };
        if entry.tables.contains_key(&view.name) {
            return Err(user_err!(
                TableExists,
                "Table '{}' already exists",
                view.name
            ));
        }
        let exists = entry.views.contains_key(&view.name);
        if must_exist && !exists {
            return Err(user_err!(
                UnknownTable,
                "Table '{}.{}' doesn't exist",
                view.database,
                view.name
            ));
        }
        if exists && !must_exist && !or_replace {
            if if_not_exists {
                return Ok(false);
            }
            return Err(user_err!(
                TableExists,
                "Table '{}' already exists",
                view.name
            ));
        }
        entry.views.insert(view.name.clone(), view);
        state.version += 1;
        self.publish(state)?;
        Ok(true)
    }

    /// `DROP VIEW [IF EXISTS]`; returns false if it was missing and `if_exists` was given.
    pub async fn drop_view(&self, db: &str, name: &str, if_exists: bool) -> Result<bool> {
        let _ddl = self.ddl_lock.lock().await;
        let mut state = CatalogState::clone(&self.snapshot());
        let removed = state
            .databases
            .get_mut(db)
            .and_then(|d| d.views.remove(name));
        if removed.is_none() {
            if if_exists {
                return Ok(false);
            }
            return Err(user_err!(UnknownTableToDrop, "Unknown table '{db}.{name}'"));
        }
        state.version += 1;
        self.publish(state)?;
        Ok(true)
    }
}

/// Account DDL.
impl CatalogManager {
    /// The account of `name`, if it exists (`root` always does).
    pub fn user(&self, name: &str) -> Option<UserEntry> {
        let snapshot = self.snapshot();
        match snapshot.users.get(name) {
            Some(u) => Some(u.clone()),
            None if name == "root" => Some(UserEntry::default_root()),
            None => None,
        }
    }

    /// Every account, `root` included.
    pub fn users(&self) -> Vec<UserEntry> {
        let mut users: Vec<UserEntry> = self.snapshot().users.values().cloned().collect();
        if !users.iter().any(|u| u.name == "root") {
            users.insert(0, UserEntry::default_root());
        }
        users
    }

    /// `CREATE USER`; returns false if it existed and `if_not_exists` was given.
    pub async fn create_user(&self, user: UserEntry, if_not_exists: bool) -> Result<bool> {
        self.store_user(user, false, if_not_exists).await
    }

    /// `ALTER USER ... IDENTIFIED BY`; returns false if it was missing and `if_exists` was given.
    pub async fn alter_user(&self, user: UserEntry, if_exists: bool) -> Result<bool> {
        self.store_user(user, true, if_exists).await
    }

    /// Write an account that must (ALTER) or must not (CREATE) exist already; with
    /// `tolerate`, the wrong case is a no-op returning false instead of error 1396.
    async fn store_user(&self, user: UserEntry, replace: bool, tolerate: bool) -> Result<bool> {
        let _ddl = self.ddl_lock.lock().await;
        if self.user(&user.name).is_some() != replace {
            if tolerate {
                return Ok(false);
            }
            let (reason, operation) = if replace {
                (lakestar_engine::Reason::UnknownUser, "ALTER USER")
            } else {
                (lakestar_engine::Reason::UserExists, "CREATE USER")
            };
            return Err(lakestar_engine::Error::user(
                reason,
                format!(
                    "Operation {operation} failed for '{}'@'{}'",
                    user.name, user.host
                ),
            ));
        }
        let mut state = CatalogState::clone(&self.snapshot());
        state.version += 1;
        state.users.insert(user.name.clone(), user);
        self.publish(state)?;
        Ok(true)
    }

    /// `DROP USER`; returns false if it was missing and `if_exists` was given.
    pub async fn drop_user(&self, name: &str, host: &str, if_exists: bool) -> Result<bool> {
        let _ddl = self.ddl_lock.lock().await;
        if name == "root" {
            return Err(user_err!(
                InvalidDefinition,
                "Operation DROP USER failed for 'root'@'{host}': the root account cannot be dropped"
            ));
        }
        let mut state = CatalogState::clone(&self.snapshot());
        if state.users.remove(name).is_none() {
            if if_exists {
                return Ok(false);
            }
            return Err(user_err!(
                UnknownUser,
                "Operation DROP USER failed for '{name}'@'{host}'"
            ));
        }
        state.version += 1;
        self.publish(state)?;
        Ok(true)
    }
}

impl CatalogView for CatalogManager {
    fn view(&self, database: &str, name: &str) -> Option<ViewMeta> {
        self.view_now(database, name)
    }

    fn external_catalog(&self, name: &str) -> Option<ExternalCatalogMeta> {
        self.snapshot().catalogs.get(name).cloned()
    }

    fn external_catalog_names(&self) -> Vec<String> {
        self.snapshot().catalogs.keys().cloned().collect()
    }

    fn materialized_views(&self) -> Vec<lakestar_engine::materialized_view::MaterializedViewMeta> {
        self.materialized_views_now()
    }

    fn database_exists(&self, name: &str) -> bool {
        self.database_exists_now(name)
    }

    fn database_names(&self) -> Vec<String> {
        self.snapshot().databases.keys().cloned().collect()
    }

    fn table(&self, database: &str, name: &str) -> Option<TableMeta> {
        self.table_now(database, name)
    }

    fn table_names(&self, database: &str) -> Vec<String> {
        self.snapshot()
            .databases
            .get(database)
            .map(|d| d.tables.keys().cloned().collect())
            .unwrap_or_default()
    }
}

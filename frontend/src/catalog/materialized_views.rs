//! Materialized view DDL in the catalog. An MV is two entries: its definition in
//! `materialized_views` and its storage table, of the same name, in `tables` (so queries
//! and the planner see it as a table). Both come and go together.

use lakestar_engine::catalog::TableMeta;
use lakestar_engine::materialized_view::MaterializedViewMeta;
use lakestar_engine::{user_err, Result};

use super::{CatalogManager, CatalogState};

impl CatalogManager {
    pub fn materialized_view_now(&self, db: &str, name: &str) -> Option<MaterializedViewMeta> {
        self.snapshot()
            .databases
            .get(db)
            .and_then(|d| d.materialized_views.get(name))
            .cloned()
    }

    /// Every materialized view of every database.
    pub fn materialized_views_now(&self) -> Vec<MaterializedViewMeta> {
        self.snapshot()
            .databases
            .values()
            .flat_map(|d| d.materialized_views.values().cloned())
            .collect()
    }

    /// `CREATE MATERIALIZED VIEW`: storage first, then both catalog entries. Returns false
    /// if the name was taken and `if_not_exists` was given.
    pub async fn create_materialized_view(
        &self,
        mv: MaterializedViewMeta,
        mut table: TableMeta,
        if_not_exists: bool,
    ) -> Result<bool> {
        let _ddl = self.ddl_lock.lock().await;
        let mut state = CatalogState::clone(&self.snapshot());
        let Some(entry) = state.databases.get(&mv.database) else {
            return Err(user_err!(
                UnknownDatabase,
                "Unknown database '{}'",
                mv.database
            ));
        };
        if entry.has_relation(&mv.name) {
            if if_not_exists {
                return Ok(false);
            }
            return Err(user_err!(TableExists, "Table '{}' already exists", mv.name));
        }
        table.id = state.allocate_id();
        self.storage.create_table(&table).await?;
        state.version += 1;
        let entry = state
            .databases
            .get_mut(&mv.database)
            .expect("checked above");
        entry.tables.insert(table.name.clone(), table);
        entry.materialized_views.insert(mv.name.clone(), mv);
        self.publish(state)?;
        Ok(true)
    }

    /// `DROP MATERIALIZED VIEW`: both entries, then storage. Returns false if it was
    /// missing and `if_exists` was given.
    pub async fn drop_materialized_view(
        &self,
        db: &str,
        name: &str,
        if_exists: bool,
    ) -> Result<bool> {
        let _ddl = self.ddl_lock.lock().await;
        let mut state = CatalogState::clone(&self.snapshot());
        let entry = state.databases.get_mut(db);
        let Some(entry) = entry.filter(|e| e.materialized_views.contains_key(name)) else {
            if if_exists {
                return Ok(false);
            }
            return Err(user_err!(
                UnknownTableToDrop,
                "Unknown materialized view '{db}.{name}'"
            ));
        };
        entry.materialized_views.remove(name);
        let table = entry.tables.remove(name);
        state.version += 1;
        self.publish(state)?;
        if let Some(table) = table {
            self.storage.drop_table(&table).await?;
        }
        Ok(true)
    }

    /// Change a materialized view's definition in place (refresh records, ALTER).
    pub async fn update_materialized_view(
        &self,
        db: &str,
        name: &str,
        change: impl FnOnce(&mut MaterializedViewMeta) -> Result<()>,
    ) -> Result<MaterializedViewMeta> {
        let _ddl = self.ddl_lock.lock().await;
        let mut state = CatalogState::clone(&self.snapshot());
        let mv = state
            .databases
            .get_mut(db)
            .and_then(|d| d.materialized_views.get_mut(name))
            .ok_or_else(|| user_err!(UnknownTable, "Unknown materialized view '{db}.{name}'"))?;
        change(mv)?;
        let updated = mv.clone();
        state.version += 1;
        self.publish(state)?;
        Ok(updated)
    }

    /// `ALTER MATERIALIZED VIEW mv RENAME new`: storage first, then both entries.
    pub async fn rename_materialized_view(
        &self,
        db: &str,
        name: &str,
        new_name: &str,
    ) -> Result<()> {
        let _ddl = self.ddl_lock.lock().await;
        let mut state = CatalogState::clone(&self.snapshot());
        let entry = state
            .databases
            .get_mut(db)
            .filter(|e| e.materialized_views.contains_key(name))
            .ok_or_else(|| user_err!(UnknownTable, "Unknown materialized view '{db}.{name}'"))?;
        if entry.has_relation(new_name) {
            return Err(user_err!(TableExists, "Table '{new_name}' already exists"));
        }
        let mut table = entry
            .tables
            .remove(name)
            .expect("an MV has its storage table");
        let mut mv = entry
            .materialized_views
            .remove(name)
            .expect("checked above");
        self.storage.rename_table(&table, new_name).await?;
        table.name = new_name.to_string();
        mv.name = new_name.to_string();
        entry.tables.insert(new_name.to_string(), table);
        entry.materialized_views.insert(new_name.to_string(), mv);
        state.version += 1;
        self.publish(state)
    }
}

//! Checking that every table a statement names exists, before DataFusion binds it, so that
//! a missing database or table gets its precise MySQL error.

use datafusion::execution::session_state::SessionState;
use datafusion::sql::TableReference;
use lakestar_engine::catalog::{CatalogView, TableMeta, DEFAULT_CATALOG};
use lakestar_engine::{user_err, Error, Result};

use crate::catalog_provider::INFORMATION_SCHEMA;

/// A resolved `[catalog.]db.table`.
pub fn resolve_table(
    reference: &TableReference,
    current_db: Option<&str>,
    view: &dyn CatalogView,
) -> Result<TableMeta> {
    let (catalog, db, table) = match reference {
        TableReference::Bare { table } => {
            let db =
                current_db.ok_or_else(|| user_err!(NoDatabaseSelected, "No database selected"))?;
            (None, db.to_string(), table.to_string())
        }
        TableReference::Partial { schema, table } => (None, schema.to_string(), table.to_string()),
        TableReference::Full {
            catalog,
            schema,
            table,
        } => (
            Some(catalog.to_string()),
            schema.to_string(),
            table.to_string(),
        ),
    };
    if let Some(c) = catalog {
        if c != DEFAULT_CATALOG {
            return Err(Error::user(
                lakestar_engine::Reason::UnknownDatabase,
                format!("Unknown catalog '{c}'"),
            ));
        }
    }
    if !view.database_exists(&db) {
        return Err(user_err!(UnknownDatabase, "Unknown database '{db}'"));
    }
    view.table(&db, &table)
        .ok_or_else(|| user_err!(UnknownTable, "Table '{db}.{table}' doesn't exist"))
}

/// The table name, if the reference names an `information_schema` table.
pub(crate) fn system_table(reference: &TableReference, current_db: Option<&str>) -> Option<String> {
    let (schema, table) = match reference {
        TableReference::Bare { table } => (current_db?.to_string(), table.to_string()),
        TableReference::Partial { schema, table } => (schema.to_string(), table.to_string()),
        TableReference::Full {
            catalog,
            schema,
            table,
        } if catalog.as_ref() == DEFAULT_CATALOG => (schema.to_string(), table.to_string()),
        TableReference::Full { .. } => return None,
    };
    schema
        .eq_ignore_ascii_case(INFORMATION_SCHEMA)
        .then(|| table.to_ascii_lowercase())
}

/// A table of an external catalog must exist, with the precise error when it does not.
fn check_external(state: &SessionState, catalog: &str, schema: &str, table: &str) -> Result<()> {
    let provider = state.catalog_list().catalog(catalog).ok_or_else(|| {
        Error::user(
            lakestar_engine::Reason::UnknownDatabase,
            format!("Unknown catalog '{catalog}'"),
        )
    })?;
    let database = provider
        .schema(schema)
        .ok_or_else(|| user_err!(UnknownDatabase, "Unknown database '{catalog}.{schema}'"))?;
    if !database.table_exist(table) {
        return Err(user_err!(
            UnknownTable,
            "Table '{catalog}.{schema}.{table}' doesn't exist"
        ));
    }
    Ok(())
}

/// Check every table reference of a statement.
pub fn check_references(
    binder: &super::Binder<'_>,
    statement: &datafusion::sql::parser::Statement,
) -> Result<()> {
    let (state, current_db, view) = (binder.state, binder.current_db, binder.view);
    let references = state
        .resolve_table_references(statement)
        .map_err(Error::from_datafusion)?;
    for reference in &references {
        if let Some(catalog) = binder.current_catalog {
            let in_catalog = match reference {
                TableReference::Bare { table } => Some((
                    current_db
                        .ok_or_else(|| user_err!(NoDatabaseSelected, "No database selected"))?,
                    table.as_ref(),
                )),
                TableReference::Partial { schema, table } => {
                    Some((schema.as_ref(), table.as_ref()))
                }
                TableReference::Full { .. } => None,
            };
            if let Some((schema, table)) = in_catalog {
                if !state.table_functions().contains_key(table) {
                    check_external(state, catalog, schema, table)?;
                }
                continue;
            }
        }
        let is_table_function = matches!(reference, TableReference::Bare { table }
            if state.table_functions().contains_key(table.as_ref()));
        if is_table_function {
            continue;
        }
        if let TableReference::Full {
            catalog,
            schema,
            table,
        } = reference
        {
            if catalog.as_ref() != DEFAULT_CATALOG {
                check_external(state, catalog, schema, table)?;
                continue;
            }
        }
        if let Some(table) = system_table(reference, current_db) {
            let exists = state
                .catalog_list()
                .catalog(DEFAULT_CATALOG)
                .and_then(|c| c.schema(INFORMATION_SCHEMA))
                .is_some_and(|s| s.table_exist(&table));
            if !exists {
                return Err(user_err!(
                    UnknownTable,
                    "Table '{INFORMATION_SCHEMA}.{table}' doesn't exist"
                ));
            }
            continue;
        }
        resolve_table(reference, current_db, view)?;
    }
    Ok(())
}

//! DDL in Paimon catalogs: `CREATE DATABASE cat.db`, `CREATE TABLE cat.db.t (...)`,
//! `DROP TABLE`, `DROP DATABASE`, as StarRocks runs them against its Paimon catalogs. The
//! names resolve in the catalog they name, or in the current catalog (`SET CATALOG`).
//! The catalog's storage does the work (`ExternalCatalogs`); nothing is recorded in
//! Lakestar's own catalog.

use lakestar_engine::catalog::{CatalogView, ExternalCatalogMeta, TableMeta, DEFAULT_CATALOG};
use lakestar_engine::{user_err, Error, Result};
use sqlparser::ast::ObjectName;

use crate::context::FrontendContext;
use crate::session::Session;

/// A name's parts, lower-cased.
fn parts(name: &ObjectName) -> Result<Vec<String>> {
    name.0
        .iter()
        .map(|p| p.as_ident().map(|i| i.value.to_lowercase()))
        .collect::<Option<_>>()
        .ok_or_else(|| Error::syntax(format!("invalid name {name}")))
}

/// An external catalog by name.
pub fn external(ctx: &FrontendContext, catalog: &str) -> Result<ExternalCatalogMeta> {
    ctx.catalog
        .external_catalog(catalog)
        .ok_or_else(|| user_err!(UnknownDatabase, "Unknown catalog '{catalog}'"))
}

/// The external catalog and database a database name resolves to; `None`: an internal
/// database.
pub fn database(
    ctx: &FrontendContext,
    session: &Session,
    name: &ObjectName,
) -> Result<Option<(ExternalCatalogMeta, String)>> {
    match (parts(name)?.as_slice(), session.current_catalog.as_deref()) {
        ([catalog, db], _) if catalog != DEFAULT_CATALOG => {
            Ok(Some((external(ctx, catalog)?, db.clone())))
        }
        ([db], Some(catalog)) => Ok(Some((external(ctx, catalog)?, db.clone()))),
        _ => Ok(None),
    }
}

/// The external catalog, database and table a table name resolves to; `None`: an
/// internal table.
pub fn table(
    ctx: &FrontendContext,
    session: &Session,
    name: &ObjectName,
) -> Result<Option<(ExternalCatalogMeta, String, String)>> {
    match (parts(name)?.as_slice(), session.current_catalog.as_deref()) {
        ([catalog, db, t], _) if catalog != DEFAULT_CATALOG => {
            Ok(Some((external(ctx, catalog)?, db.clone(), t.clone())))
        }
        ([db, t], Some(catalog)) => Ok(Some((external(ctx, catalog)?, db.clone(), t.clone()))),
        ([t], Some(catalog)) => {
            let db = session
                .current_db
                .clone()
                .ok_or_else(|| user_err!(NoDatabaseSelected, "No database selected"))?;
            Ok(Some((external(ctx, catalog)?, db, t.clone())))
        }
        _ => Ok(None),
    }
}

/// CREATE TABLE in a catalog: plain columns, keys, partition columns and PROPERTIES
/// (passed to the table format).
pub async fn create_table(
    ctx: &FrontendContext,
    catalog: &ExternalCatalogMeta,
    mut table: TableMeta,
    if_not_exists: bool,
) -> Result<bool> {
    if let Some(c) = table
        .columns
        .iter()
        .find(|c| c.generated.is_some() || c.default.is_some())
    {
        return Err(Error::unsupported(format!(
            "Column '{}': DEFAULT and generated columns are not supported in catalog '{}'",
            c.name, catalog.name
        )));
    }
    if table.partition_clause.is_some() {
        return Err(Error::unsupported(format!(
            "Tables of catalog '{}' are partitioned by a column list: PARTITION BY (c1, c2)",
            catalog.name
        )));
    }
    table.catalog = Some(catalog.name.clone());
    ctx.external
        .create_table(catalog, &table, if_not_exists)
        .await
}

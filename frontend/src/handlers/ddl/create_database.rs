//! CREATE DATABASE [IF NOT EXISTS] [catalog.]db

use lakestar_engine::{Error, Result};
use sqlparser::ast::ObjectName;

use crate::context::FrontendContext;
use crate::output::QueryOutput;
use crate::session::Session;

pub async fn handle(
    ctx: &FrontendContext,
    session: &Session,
    name: &ObjectName,
    if_not_exists: bool,
) -> Result<QueryOutput> {
    if let Some((catalog, db)) = super::lake::database(ctx, session, name)? {
        if !is_valid_name(&db) {
            return Err(Error::syntax(format!("Incorrect database name '{name}'")));
        }
        let created = ctx
            .external
            .create_database(&catalog, &db, if_not_exists)
            .await?;
        return Ok(QueryOutput::Ok {
            affected_rows: created as u64,
        });
    }
    let name = database_name(name)?;
    let created = ctx.catalog.create_database(&name, if_not_exists).await?;
    Ok(QueryOutput::Ok {
        affected_rows: created as u64,
    })
}

/// The normalised name of a database; catalogs other than the default one are refused.
pub fn database_name(name: &ObjectName) -> Result<String> {
    let parts: Vec<String> = name
        .0
        .iter()
        .filter_map(|p| p.as_ident().map(|i| i.value.to_lowercase()))
        .collect();
    match parts.as_slice() {
        [db] if is_valid_name(db) => Ok(db.clone()),
        [c, db] if c == lakestar_engine::catalog::DEFAULT_CATALOG && is_valid_name(db) => {
            Ok(db.clone())
        }
        _ => Err(Error::syntax(format!("Incorrect database name '{name}'"))),
    }
}

fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 256 && !name.contains(['/', '\\', '.', '\0'])
}

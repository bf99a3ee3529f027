//! CREATE TABLE (StarRocks syntax): validate defaults and generated columns, then create
//! storage and catalog entry.

use datafusion::common::DFSchema;
use lakestar_engine::{user_err, Error, Reason, Result};

use crate::context::FrontendContext;
use crate::dispatch::qualify;
use crate::output::QueryOutput;
use crate::session::Session;
use crate::sql::CreateTable;

pub async fn handle(
    ctx: &FrontendContext,
    session: &Session,
    create: CreateTable,
) -> Result<QueryOutput> {
    if let Some((catalog, db, name)) = super::lake::table(ctx, session, &create.name)? {
        let mut table = create.table;
        table.database = db;
        table.name = name;
        super::lake::create_table(ctx, &catalog, table, create.if_not_exists).await?;
        return Ok(QueryOutput::ok());
    }
    let (db, name) = qualify(session, &create.name)?;
    if !ctx.catalog.database_exists_now(&db) {
        return Err(user_err!(UnknownDatabase, "Unknown database '{db}'"));
    }
    let mut table = create.table;
    table.database = db;
    table.name = name;
    // A DEFAULT must be a constant expression.
    let state = ctx.session_state(session);
    for column in &table.columns {
        if let Some(default) = &column.default {
            state
                .create_logical_expr(default, &DFSchema::empty())
                .map_err(|e| {
                    Error::user(
                        Reason::InvalidDefinition,
                        format!(
                            "Invalid default value for '{}': {}",
                            column.name,
                            Error::from_datafusion(e).message()
                        ),
                    )
                })?;
        }
    }
    lakestar_planner::generated::check_table(&state, &table)?;
    ctx.catalog
        .create_table(table, create.if_not_exists)
        .await?;
    Ok(QueryOutput::ok())
}

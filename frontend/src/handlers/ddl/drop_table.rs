//! DROP TABLE [IF EXISTS] [[catalog.]db.]t [, ...]

use lakestar_engine::{user_err, Result};
use sqlparser::ast::ObjectName;

use crate::context::FrontendContext;
use crate::dispatch::qualify;
use crate::output::QueryOutput;
use crate::session::Session;

pub async fn handle(
    ctx: &FrontendContext,
    session: &Session,
    names: &[ObjectName],
    if_exists: bool,
) -> Result<QueryOutput> {
    for name in names {
        if let Some((catalog, db, table)) = super::lake::table(ctx, session, name)? {
            ctx.external
                .drop_table(&catalog, &db, &table, if_exists)
                .await?;
            continue;
        }
        let (db, table) = qualify(session, name)?;
        if !if_exists && !ctx.catalog.database_exists_now(&db) {
            return Err(user_err!(UnknownDatabase, "Unknown database '{db}'"));
        }
        ctx.catalog.drop_table(&db, &table, if_exists).await?;
    }
    Ok(QueryOutput::ok())
}

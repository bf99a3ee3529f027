//! DROP VIEW [IF EXISTS] v [, ...]

use lakestar_engine::Result;
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
        let (db, view) = qualify(session, name)?;
        ctx.catalog.drop_view(&db, &view, if_exists).await?;
    }
    Ok(QueryOutput::ok())
}

//! DROP DATABASE [IF EXISTS] [catalog.]db

use lakestar_engine::Result;
use sqlparser::ast::ObjectName;

use super::create_database::database_name;
use crate::context::FrontendContext;
use crate::output::QueryOutput;
use crate::session::Session;

pub async fn handle(
    ctx: &FrontendContext,
    session: &mut Session,
    names: &[ObjectName],
    if_exists: bool,
) -> Result<QueryOutput> {
    let mut dropped = 0;
    for name in names {
        if let Some((catalog, db)) = super::lake::database(ctx, session, name)? {
            if ctx.external.drop_database(&catalog, &db, if_exists).await? {
                dropped += 1;
            }
            continue;
        }
        let name = database_name(name)?;
        if ctx.catalog.drop_database(&name, if_exists).await? {
            dropped += 1;
            if session.current_db.as_deref() == Some(name.as_str()) {
                session.current_db = None;
            }
        }
    }
    Ok(QueryOutput::Ok {
        affected_rows: dropped,
    })
}

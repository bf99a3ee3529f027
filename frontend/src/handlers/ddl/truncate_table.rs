//! TRUNCATE TABLE t: atomically replaces the table's contents with nothing.

use lakestar_engine::{Error, Result};
use sqlparser::ast::Truncate;

use crate::context::FrontendContext;
use crate::dispatch::qualify;
use crate::output::QueryOutput;
use crate::session::Session;

pub async fn handle(
    ctx: &FrontendContext,
    session: &Session,
    truncate: &Truncate,
) -> Result<QueryOutput> {
    if truncate.partitions.is_some() {
        return Err(Error::unsupported(
            "TRUNCATE TABLE ... PARTITION is not supported yet",
        ));
    }
    for target in &truncate.table_names {
        let (db, table) = qualify(session, &target.name)?;
        ctx.catalog.truncate_table(&db, &table).await?;
    }
    Ok(QueryOutput::ok())
}

//! `[WITH ...] DELETE`: under the table's write lock, bind the rows to retract (PRIMARY
//! KEY tables) or to keep (DUPLICATE KEY tables; `planner::bind::delete`) and write them
//! in one commit; the OK packet reports the rows deleted.

use lakestar_engine::storage::WriteMode;
use lakestar_engine::{Error, Result};
use lakestar_planner::bind::Binder;
use sqlparser::ast::{Delete, With};

use super::insert::{lock_writes, row_count, run_write};
use crate::context::FrontendContext;
use crate::output::QueryOutput;
use crate::session::Session;

pub async fn handle(
    ctx: &FrontendContext,
    session: &mut Session,
    delete: Delete,
    with: Option<With>,
) -> Result<QueryOutput> {
    let state = ctx.session_state(session);
    let binder = Binder::new(&state, ctx.catalog.as_ref(), session.current_db.as_deref())
        .with_catalog(session.current_catalog.as_deref());
    let meta = binder.delete_target(&delete).await?;
    // Held from before the rows are read until they are committed: no other write to the
    // table commits in between, so nothing it wrote is lost and the count is exact.
    let _lock = lock_writes(ctx, &meta).await?;
    let (plan, mode) = binder.bind_delete(delete, with, &meta).await?;
    let before = match mode {
        WriteMode::Replace => row_count(ctx, &meta).await?,
        _ => None,
    };
    let written = run_write(ctx, &state, &plan).await?;
    let affected_rows = match mode {
        WriteMode::Replace => before
            .ok_or_else(|| Error::internal("the row count of a DUPLICATE KEY table is unknown"))?
            .saturating_sub(written),
        _ => written,
    };
    if session.in_transaction {
        session.writes_in_transaction += 1;
    }
    Ok(QueryOutput::Ok { affected_rows })
}

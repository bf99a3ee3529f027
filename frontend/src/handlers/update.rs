//! `[WITH ...] UPDATE`: under the table's write lock, bind the updated rows
//! (`planner::bind::update`) and upsert them in one commit. As in MySQL, the OK packet
//! reports the rows changed, or the rows matched for clients that set CLIENT_FOUND_ROWS
//! (JDBC does).

use lakestar_engine::Result;
use lakestar_planner::bind::update::UpdateCount;
use lakestar_planner::bind::Binder;
use sqlparser::ast::{Update, With};

use super::insert::{lock_writes, run_write};
use crate::context::FrontendContext;
use crate::output::QueryOutput;
use crate::session::Session;

pub async fn handle(
    ctx: &FrontendContext,
    session: &mut Session,
    update: Update,
    with: Option<With>,
) -> Result<QueryOutput> {
    let state = ctx.session_state(session);
    let binder = Binder::new(&state, ctx.catalog.as_ref(), session.current_db.as_deref())
        .with_catalog(session.current_catalog.as_deref());
    let meta = binder.update_target(&update).await?;
    // Held from before the rows are read until they are committed: no other write to the
    // table commits in between, so nothing it wrote is lost.
    let _lock = lock_writes(ctx, &meta).await?;
    let count = match session.client_found_rows {
        true => UpdateCount::Matched,
        false => UpdateCount::Changed,
    };
    let plan = binder.bind_update(update, with, &meta, count).await?;
    let affected_rows = run_write(ctx, &state, &plan).await?;
    if session.in_transaction {
        session.writes_in_transaction += 1;
    }
    Ok(QueryOutput::Ok { affected_rows })
}

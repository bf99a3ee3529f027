//! EXPLAIN <query>: the optimised logical and physical plans.

use lakestar_engine::Result;
use lakestar_planner::bind::Binder;
use sqlparser::ast::Statement;

use super::query::execute_plan;
use crate::context::FrontendContext;
use crate::output::QueryOutput;
use crate::session::Session;

pub async fn handle(
    ctx: &FrontendContext,
    session: &mut Session,
    statement: Statement,
) -> Result<QueryOutput> {
    let state = ctx.session_state(session);
    let plan = Binder::new(&state, ctx.catalog.as_ref(), session.current_db.as_deref())
        .bind_query(statement)
        .await?;
    execute_plan(ctx, &state, &plan).await
}

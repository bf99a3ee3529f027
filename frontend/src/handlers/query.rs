//! SELECT, EXPLAIN and other queries: bind, plan, execute on the backend, stream the rows.

use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use datafusion::scalar::ScalarValue;
use lakestar_engine::{Error, Result};
use lakestar_planner::bind::Binder;
use sqlparser::ast::Statement;

use crate::context::FrontendContext;
use crate::output::QueryOutput;
use crate::session::Session;

pub async fn handle(
    ctx: &FrontendContext,
    session: &mut Session,
    statement: Statement,
    params: Option<&[ScalarValue]>,
) -> Result<QueryOutput> {
    let is_select = matches!(statement, Statement::Query(_));
    let (state, mut plan) = bind(ctx, session, statement, params).await?;
    if let (true, Some(limit)) = (is_select, session.select_limit(&ctx.globals)) {
        // sql_select_limit caps what a top-level SELECT returns, like MySQL.
        plan = LogicalPlanBuilder::from(plan)
            .limit(0, Some(limit))
            .and_then(|b| b.build())
            .map_err(Error::from_datafusion)?;
    }
    execute_plan(ctx, &state, &plan).await
}

/// Bind a query or an INSERT in the session's planning state.
pub async fn bind(
    ctx: &FrontendContext,
    session: &Session,
    statement: Statement,
    params: Option<&[ScalarValue]>,
) -> Result<(SessionState, LogicalPlan)> {
    let state = ctx.session_state(session);
    let binder = Binder::new(&state, ctx.catalog.as_ref(), session.current_db.as_deref())
        .with_params(params)
        .with_catalog(session.current_catalog.as_deref());
    let plan = match statement {
        Statement::Insert(_) => binder.bind_insert(statement).await?,
        other => binder.bind_query(other).await?,
    };
    Ok((state, plan))
}

/// Plan and run a bound plan, streaming its output.
pub async fn execute_plan(
    ctx: &FrontendContext,
    state: &SessionState,
    plan: &LogicalPlan,
) -> Result<QueryOutput> {
    let physical = lakestar_planner::physical_plan(state, plan).await?;
    let schema = physical.schema();
    let stream = ctx.executor.execute(physical, state.task_ctx())?;
    Ok(QueryOutput::Rows { schema, stream })
}

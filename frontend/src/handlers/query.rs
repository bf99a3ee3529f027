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
    let is_explain = matches!(statement, Statement::Explain { .. });
    let (state, mut plan) = bind(ctx, session, statement, params).await?;
    if let (true, Some(limit)) = (is_select, session.select_limit(&ctx.globals)) {
        // sql_select_limit caps what a top-level SELECT returns, like MySQL.
        plan = LogicalPlanBuilder::from(plan)
            .limit(0, Some(limit))
            .and_then(|b| b.build())
            .map_err(Error::from_datafusion)?;
    }
    let output = execute_plan(ctx, &state, &plan).await?;
    if is_explain {
        return with_mv_report(&state, output).await;
    }
    Ok(output)
}

/// EXPLAIN's rows plus one per materialized view the rewrite considered: the view it
/// used, and for every other one why not.
async fn with_mv_report(state: &SessionState, output: QueryOutput) -> Result<QueryOutput> {
    use datafusion::arrow::array::{RecordBatch, StringArray};
    use futures::StreamExt;
    let Some(context) = state
        .config()
        .get_extension::<lakestar_planner::optimizer::mv_rewrite::MvRewriteContext>()
    else {
        return Ok(output);
    };
    let report = context.report();
    let QueryOutput::Rows { schema, mut stream } = output else {
        return Ok(output);
    };
    let mut batches = vec![];
    while let Some(batch) = stream.next().await {
        batches.push(batch.map_err(Error::from_datafusion)?);
    }
    if !report.is_empty() && schema.fields().len() == 2 {
        let lines: Vec<String> = report
            .iter()
            .map(|(mv, outcome)| format!("{mv}: {outcome}"))
            .collect();
        let kinds = vec!["materialized_view_rewrite"; lines.len()];
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                std::sync::Arc::new(StringArray::from(kinds)),
                std::sync::Arc::new(StringArray::from(lines)),
            ],
        )
        .map_err(|e| Error::internal(e.to_string()))?;
        batches.push(batch);
    }
    let stream = futures::stream::iter(batches.into_iter().map(Ok));
    Ok(QueryOutput::Rows {
        schema: schema.clone(),
        stream: Box::pin(
            datafusion::physical_plan::stream::RecordBatchStreamAdapter::new(schema, stream),
        ),
    })
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
        other => {
            let plan = binder.bind_query(other).await?;
            binder.prepare_mv_candidates(&plan).await?;
            plan
        }
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

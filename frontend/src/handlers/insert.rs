//! INSERT INTO ... VALUES / SELECT: one atomic commit; returns the number of rows written.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::UInt64Type;
use futures::StreamExt;
use lakestar_engine::catalog::{ExternalCatalogMeta, TableMeta};
use lakestar_engine::{Error, Result};
use sqlparser::ast::Statement;

use super::query::{bind, execute_plan};
use crate::context::FrontendContext;
use crate::output::QueryOutput;
use crate::session::Session;

pub async fn handle(
    ctx: &FrontendContext,
    session: &mut Session,
    statement: Statement,
    params: Option<&[datafusion::scalar::ScalarValue]>,
) -> Result<QueryOutput> {
    let (state, plan) = bind(ctx, session, statement, params).await?;
    let affected_rows = run_write(ctx, &state, &plan).await?;
    if session.in_transaction {
        session.writes_in_transaction += 1;
    }
    Ok(QueryOutput::Ok { affected_rows })
}

/// Run a bound write (INSERT, UPDATE, DELETE) to its commit; returns the rows it wrote.
pub async fn run_write(
    ctx: &FrontendContext,
    state: &datafusion::execution::session_state::SessionState,
    plan: &datafusion::logical_expr::LogicalPlan,
) -> Result<u64> {
    let QueryOutput::Rows { mut stream, .. } = execute_plan(ctx, state, plan).await? else {
        return Err(Error::internal("a write plan returned no count"));
    };
    let mut written = 0u64;
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(Error::from_datafusion)?;
        if let Some(counts) = batch.column(0).as_primitive_opt::<UInt64Type>() {
            written += counts.iter().flatten().sum::<u64>();
        } else if batch.num_columns() > 0 && !batch.column(0).is_empty() {
            return Err(Error::internal("a write count has an unexpected type"));
        }
    }
    Ok(written)
}

/// Take the write lock of the table an UPDATE or DELETE writes (internal or in a Paimon
/// catalog).
pub async fn lock_writes(
    ctx: &FrontendContext,
    meta: &TableMeta,
) -> Result<lakestar_engine::storage::WriteLock> {
    match external_catalog(ctx, meta)? {
        Some(catalog) => ctx.external.lock_writes(&catalog, meta).await,
        None => ctx.storage.lock_writes(meta).await,
    }
}

/// The exact row count of a table's latest snapshot, where storage knows it.
pub async fn row_count(ctx: &FrontendContext, meta: &TableMeta) -> Result<Option<u64>> {
    match external_catalog(ctx, meta)? {
        Some(catalog) => ctx.external.row_count(&catalog, meta).await,
        None => ctx.storage.row_count(meta).await,
    }
}

fn external_catalog(
    ctx: &FrontendContext,
    meta: &TableMeta,
) -> Result<Option<ExternalCatalogMeta>> {
    meta.catalog
        .as_deref()
        .map(|name| super::ddl::lake::external(ctx, name))
        .transpose()
}

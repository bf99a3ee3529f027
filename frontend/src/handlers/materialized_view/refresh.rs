//! `REFRESH MATERIALIZED VIEW mv [PARTITION START ('a') END ('b')] [FORCE]
//! [WITH {SYNC | ASYNC} MODE]` and
//! `CANCEL REFRESH MATERIALIZED VIEW mv`.
//!
//! A refresh runs in the background and the statement returns its `QUERY_ID` (as in
//! StarRocks); `WITH SYNC MODE` waits for it and reports its error, if any. Without
//! FORCE a view whose base tables have not changed keeps its data.

use std::sync::Arc;

use datafusion::arrow::array::{RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use lakestar_engine::{user_err, Error, Result};
use sqlparser::ast::ObjectName;

use crate::context::FrontendContext;
use crate::dispatch::qualify;
use crate::materialized_views::task_runs::RunState;
use crate::output::QueryOutput;
use crate::session::Session;

pub async fn refresh(
    ctx: &FrontendContext,
    session: &Session,
    name: &ObjectName,
    force: bool,
    sync: bool,
    partition_range: Option<(String, String)>,
) -> Result<QueryOutput> {
    let (db, name) = qualify(session, name)?;
    let request = crate::materialized_views::refresh::Request {
        force,
        partition_range,
    };
    let (query_id, mut done) =
        ctx.materialized_views
            .submit(&ctx.arc(), &db, &name, request, "MANUAL")?;
    if sync {
        while !*done.borrow() {
            if done.changed().await.is_err() {
                break;
            }
        }
        let run = ctx
            .materialized_views
            .runs
            .get(&query_id)
            .ok_or_else(|| Error::internal("the refresh left no task run"))?;
        match run.state {
            RunState::Success => {}
            RunState::Canceled => {
                return Err(user_err!(
                    QueryInterrupted,
                    "Refresh of '{db}.{name}' was cancelled"
                ))
            }
            _ => {
                return Err(Error::user(
                    lakestar_engine::Reason::Other,
                    format!(
                        "Refresh of '{db}.{name}' failed: {}",
                        run.error.unwrap_or_default()
                    ),
                ))
            }
        }
    }
    let schema = Arc::new(Schema::new(vec![Field::new(
        "QUERY_ID",
        DataType::Utf8,
        false,
    )]));
    let batch = RecordBatch::try_new(schema, vec![Arc::new(StringArray::from(vec![query_id]))])
        .map_err(|e| Error::internal(e.to_string()))?;
    Ok(QueryOutput::batch(batch))
}

pub fn cancel(ctx: &FrontendContext, session: &Session, name: &ObjectName) -> Result<QueryOutput> {
    let (db, name) = qualify(session, name)?;
    if ctx.catalog.materialized_view_now(&db, &name).is_none() {
        return Err(user_err!(
            UnknownTable,
            "Unknown materialized view '{db}.{name}'"
        ));
    }
    ctx.materialized_views.cancel(&db, &name)?;
    Ok(QueryOutput::ok())
}

//! One refresh of a materialized view: read the version of every base table, then run
//! `INSERT OVERWRITE mv <definition>` through the normal statement path (one atomic
//! commit; readers see the old or the new rows), then record the versions read in the
//! catalog. Versions are read *before* the query, so the record never claims data newer
//! than what the view holds: at worst a view is reported stale when it is not.

use std::sync::Arc;

use lakestar_engine::materialized_view::{BaseVersion, MaterializedViewMeta, RefreshRecord};
use lakestar_engine::variables::VarValue;
use lakestar_engine::{Error, Result};

use crate::context::FrontendContext;
use crate::session::Session;

/// What a finished refresh did.
pub struct Outcome {
    pub rows: u64,
    pub message: Option<String>,
}

/// The base tables of a view, with their current versions.
pub async fn base_versions(
    ctx: &FrontendContext,
    mv: &MaterializedViewMeta,
) -> Result<Vec<BaseVersion>> {
    let session = system_session(ctx, mv)?;
    let state = ctx.session_state(&session);
    let binder =
        lakestar_planner::bind::Binder::new(&state, ctx.catalog.as_ref(), Some(&mv.database));
    let query = lakestar_planner::bind::views::parse_query(&mv.definition)?;
    let plan = binder
        .bind_query(sqlparser::ast::Statement::Query(Box::new(query)))
        .await?;
    let options = state.config_options();
    let tables = lakestar_planner::bind::mv_candidates::scanned_tables(
        &plan,
        &options.catalog.default_catalog,
        &options.catalog.default_schema,
    );
    let mut out = vec![];
    for table in tables {
        let version = lakestar_planner::catalog_provider::table_version(&state, &table).await?;
        out.push(BaseVersion { table, version });
    }
    Ok(out)
}

/// A session of the system user in the view's database, with the rewrite off (a refresh
/// must read the base tables, not the view).
fn system_session(ctx: &FrontendContext, mv: &MaterializedViewMeta) -> Result<Session> {
    let mut session = Session::new(0, "root".into(), "localhost".into(), &ctx.globals);
    session.current_db = Some(mv.database.clone());
    session
        .variables
        .set("enable_materialized_view_rewrite", &VarValue::Int(0))?;
    Ok(session)
}

pub async fn refresh(
    ctx: &Arc<FrontendContext>,
    mv: &MaterializedViewMeta,
    force: bool,
    query_id: &str,
) -> Result<Outcome> {
    let runs = &ctx.materialized_views.runs;
    let start_ms = chrono::Utc::now().timestamp_millis();
    let versions = base_versions(ctx, mv).await?;
    runs.progress(query_id, 10);
    let fresh = mv.last_refresh.as_ref().is_some_and(|r| {
        r.base_versions == versions && versions.iter().all(|v| v.version.is_some())
    });
    if fresh && !force {
        tracing::info!(mv = %mv.name, "materialized view is fresh; refresh skipped");
        return Ok(Outcome {
            rows: mv.last_refresh.as_ref().map_or(0, |r| r.rows),
            message: Some("fresh: every base table is at the version of the last refresh".into()),
        });
    }
    tracing::info!(mv = %mv.name, query_id, "refreshing materialized view");
    let mut session = system_session(ctx, mv)?;
    let sql = format!(
        "INSERT OVERWRITE `{}`.`{}` {}",
        mv.database, mv.name, mv.definition
    );
    let mut statements = crate::sql::parse(&sql)?;
    let Some(crate::sql::Statement::Sql(statement)) = statements.pop() else {
        return Err(Error::internal("a refresh is not an INSERT statement"));
    };
    runs.progress(query_id, 20);
    let output = crate::handlers::insert::handle(ctx, &mut session, *statement, None).await?;
    runs.progress(query_id, 90);
    let rows = match output {
        crate::output::QueryOutput::Ok { affected_rows } => affected_rows,
        _ => 0,
    };
    let finish_ms = chrono::Utc::now().timestamp_millis();
    ctx.catalog
        .update_materialized_view(&mv.database, &mv.name, |m| {
            m.last_refresh = Some(RefreshRecord {
                start_ms,
                finish_ms,
                rows,
                base_versions: versions,
            });
            Ok(())
        })
        .await?;
    tracing::info!(mv = %mv.name, rows, ms = finish_ms - start_ms, "materialized view refreshed");
    Ok(Outcome {
        rows,
        message: None,
    })
}

//! One refresh of a materialized view: read the version of every base table (and, for a
//! partitioned view, of every partition of the base table its partitions follow), then
//! overwrite the view's data through the normal statement path, then record the versions
//! read in the catalog. Versions are read *before* the query, so the record never claims
//! data newer than what the view holds: at worst a view is reported stale when it is not.
//!
//! A partitioned view whose last refresh recorded its base partitions, and whose other
//! base tables have not changed, refreshes only the partitions whose base partitions
//! changed: one atomic `INSERT OVERWRITE mv PARTITION (col = value)` each, so readers see
//! each partition before or after. Otherwise the whole view is overwritten at once.

use std::sync::Arc;

use lakestar_engine::materialized_view::{
    BaseVersion, MaterializedViewMeta, PartitionRecord, RefreshRecord,
};
use lakestar_engine::variables::VarValue;
use lakestar_engine::{Error, Result};
use lakestar_planner::bind::mv_partitions::{partition_mapping, PartitionMapping};
use lakestar_planner::optimizer::mv_rewrite::spjg::Defaults;

use crate::context::FrontendContext;
use crate::session::Session;
use crate::sql::build;

/// What a refresh was asked to do.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Recompute even what has not changed.
    pub force: bool,
    /// `PARTITION START ('a') END ('b')`: only the view's partitions in `[a, b)`.
    pub partition_range: Option<(String, String)>,
}

/// Whether a partition value lies in `[start, end)` (numbers compared as numbers, other
/// values, dates included, as text).
fn in_range(value: &str, (start, end): &(String, String)) -> bool {
    match (
        value.parse::<i64>(),
        start.parse::<i64>(),
        end.parse::<i64>(),
    ) {
        (Ok(v), Ok(s), Ok(e)) => s <= v && v < e,
        _ => start.as_str() <= value && value < end.as_str(),
    }
}

/// What a finished refresh did.
pub struct Outcome {
    pub rows: u64,
    pub message: Option<String>,
}

/// What a refresh reads before it runs: the versions of the base tables, and of the
/// base partitions a partitioned view follows.
pub struct BaseState {
    pub versions: Vec<BaseVersion>,
    pub partitions: Option<PartitionRecord>,
    /// How the view's partitions follow the base partitions (with `partitions`).
    pub mapping: Option<PartitionMapping>,
}

/// The base tables of a view with their current versions, and its base partitions.
pub async fn base_state(ctx: &FrontendContext, mv: &MaterializedViewMeta) -> Result<BaseState> {
    let session = system_session(ctx, mv)?;
    let state = ctx.session_state(&session);
    let binder =
        lakestar_planner::bind::Binder::new(&state, ctx.catalog.as_ref(), Some(&mv.database));
    // Bound and analyzed as the rewrite sees the definition.
    let plan = binder.bind_mv_definition(mv).await?;
    let options = state.config_options();
    let defaults = Defaults {
        catalog: options.catalog.default_catalog.clone(),
        schema: options.catalog.default_schema.clone(),
    };
    let tables = lakestar_planner::bind::mv_candidates::scanned_tables(
        &plan,
        &defaults.catalog,
        &defaults.schema,
    );
    let catalogs = lakestar_planner::catalog_provider::lakestar_catalogs(&state)?.versions();
    let mut versions = vec![];
    for table in tables {
        let version = catalogs.table_version(&table).await?;
        versions.push(BaseVersion { table, version });
    }
    let mut partitions = None;
    let mut followed = None;
    if let Some(mapping) = partition_mapping(mv, &plan, &defaults) {
        let base_table = mapping.base_table();
        if let Some(base) = catalogs.partition_versions(&base_table).await? {
            if base.column.eq_ignore_ascii_case(&mapping.base.name) {
                partitions = Some(PartitionRecord {
                    column: mapping.column.clone(),
                    base_table,
                    versions: base,
                });
                followed = Some(mapping);
            }
        }
    }
    Ok(BaseState {
        versions,
        partitions,
        mapping: followed,
    })
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

/// The partitions a refresh must overwrite when only some base partitions changed:
/// `None` when the whole view must be recomputed.
fn stale_partitions(
    ctx: &FrontendContext,
    mv: &MaterializedViewMeta,
    now: &BaseState,
) -> Option<Vec<String>> {
    let last = mv.last_refresh.as_ref()?;
    let (before, after) = (last.partitions.as_ref()?, now.partitions.as_ref()?);
    if before.column != after.column || before.base_table != after.base_table {
        return None;
    }
    // Every other base table must be where the last refresh read it.
    let others_unchanged = now.versions.iter().all(|v| {
        v.table == after.base_table
            || (v.version.is_some() && last.base_versions.iter().any(|b| b == v))
    });
    let storage = ctx.catalog.table_now(&mv.database, &mv.name)?;
    let partitioned = storage.partition_columns.len() == 1
        && storage.partition_columns[0].eq_ignore_ascii_case(&after.column);
    if !others_unchanged || !partitioned {
        return None;
    }
    // The NULL partition cannot be named in PARTITION (...): recompute everything.
    before
        .versions
        .changed_since(&after.versions)
        .into_iter()
        .collect()
}

/// The view's definition as a query tree.
fn definition(mv: &MaterializedViewMeta) -> Result<sqlparser::ast::Query> {
    let mut statements = crate::sql::parse(&mv.definition)?;
    match statements.pop() {
        Some(crate::sql::Statement::Sql(statement)) => match *statement {
            sqlparser::ast::Statement::Query(query) => Ok(*query),
            _ => Err(Error::internal(
                "a materialized view's definition is not a query",
            )),
        },
        _ => Err(Error::internal(
            "a materialized view's definition is not a query",
        )),
    }
}

/// Run one write statement of a refresh as the system user; the rows it wrote.
async fn run(
    ctx: &Arc<FrontendContext>,
    mv: &MaterializedViewMeta,
    statement: sqlparser::ast::Statement,
) -> Result<u64> {
    let mut session = system_session(ctx, mv)?;
    let output = crate::handlers::insert::handle(ctx, &mut session, statement, None).await?;
    Ok(match output {
        crate::output::QueryOutput::Ok { affected_rows } => affected_rows,
        _ => 0,
    })
}

/// `INSERT OVERWRITE mv PARTITION (col = value)` of the definition's rows in that partition.
fn partition_overwrite(
    ctx: &FrontendContext,
    mv: &MaterializedViewMeta,
    column: &str,
    value: &str,
) -> Result<sqlparser::ast::Statement> {
    let storage = ctx
        .catalog
        .table_now(&mv.database, &mv.name)
        .ok_or_else(|| Error::internal("a materialized view has no storage table"))?;
    let others: Vec<String> = storage
        .columns
        .iter()
        .filter(|c| !c.name.eq_ignore_ascii_case(column))
        .map(|c| c.name.clone())
        .collect();
    Ok(build::partition_overwrite(
        build::table_name(&mv.database, &mv.name),
        column,
        value,
        &others,
        definition(mv)?,
    ))
}

pub async fn refresh(
    ctx: &Arc<FrontendContext>,
    mv: &MaterializedViewMeta,
    request: &Request,
    query_id: &str,
) -> Result<Outcome> {
    let runs = &ctx.materialized_views.runs;
    let start_ms = chrono::Utc::now().timestamp_millis();
    let mut now = base_state(ctx, mv).await?;
    runs.progress(query_id, 10);
    let fresh = mv.last_refresh.as_ref().is_some_and(|r| {
        r.base_versions == now.versions && now.versions.iter().all(|v| v.version.is_some())
    });
    if fresh && !request.force {
        tracing::info!(mv = %mv.name, "materialized view is fresh; refresh skipped");
        return Ok(Outcome {
            rows: mv.last_refresh.as_ref().map_or(0, |r| r.rows),
            message: Some("fresh: every base table is at the version of the last refresh".into()),
        });
    }
    // Which view partitions to overwrite, when not the whole view.
    let partial = stale_partitions(ctx, mv, &now).and_then(|stale| {
        let mapping = now.mapping.as_ref()?;
        let Some(range) = &request.partition_range else {
            return if request.force {
                None
            } else {
                mapping.view_values(&stale).ok()
            };
        };
        let record = now.partitions.as_ref()?;
        let base_values: Vec<String> = if request.force {
            let before = mv.last_refresh.as_ref()?.partitions.as_ref()?;
            record
                .versions
                .partitions
                .iter()
                .chain(before.versions.partitions.iter())
                .filter_map(|p| p.value.clone())
                .collect()
        } else {
            stale
        };
        let mut values = mapping.view_values(&base_values).ok()?;
        values.retain(|v| in_range(v, range));
        Some(values)
    });
    let message = match (partial, now.partitions.as_mut(), now.mapping.as_ref()) {
        (Some(values), Some(record), Some(mapping)) => {
            tracing::info!(mv = %mv.name, query_id, partitions = values.len(), "refreshing changed partitions of materialized view");
            for (i, value) in values.iter().enumerate() {
                let statement = partition_overwrite(ctx, mv, &record.column, value)?;
                run(ctx, mv, statement).await?;
                runs.progress(query_id, 20 + (70 * (i + 1) / values.len().max(1)) as u8);
            }
            let all: Vec<String> = record
                .versions
                .partitions
                .iter()
                .filter_map(|p| p.value.clone())
                .collect();
            let total = mapping.view_values(&all)?.len();
            // Base partitions whose view partitions were left out (outside PARTITION
            // START/END) keep what they were computed from, so they still read as stale.
            if let Some(before) = mv.last_refresh.as_ref().and_then(|r| r.partitions.as_ref()) {
                let refreshed = |v: &Option<String>| {
                    v.as_ref().is_some_and(|v| {
                        mapping
                            .view_values(std::slice::from_ref(v))
                            .is_ok_and(|view| view.iter().all(|x| values.contains(x)))
                    })
                };
                let mut merged: Vec<_> = record
                    .versions
                    .partitions
                    .iter()
                    .filter(|p| refreshed(&p.value))
                    .cloned()
                    .collect();
                merged.extend(
                    before
                        .versions
                        .partitions
                        .iter()
                        .filter(|p| !refreshed(&p.value))
                        .cloned(),
                );
                let complete = merged.len() == record.versions.partitions.len()
                    && merged
                        .iter()
                        .all(|p| record.versions.partitions.contains(p));
                if !complete {
                    // The base table as a whole is not at the version read.
                    for v in &mut now.versions {
                        if v.table == record.base_table {
                            v.version = None;
                        }
                    }
                }
                record.versions.partitions = merged;
            }
            Some(format!("{} of {total} partitions refreshed", values.len()))
        }
        _ => {
            tracing::info!(mv = %mv.name, query_id, "refreshing materialized view");
            runs.progress(query_id, 20);
            let statement = build::insert(
                build::table_name(&mv.database, &mv.name),
                vec![],
                None,
                definition(mv)?,
                true,
            );
            run(ctx, mv, statement).await?;
            None
        }
    };
    runs.progress(query_id, 90);
    let rows = match ctx.catalog.table_now(&mv.database, &mv.name) {
        Some(storage) => ctx.storage.row_count(&storage).await?.unwrap_or(0),
        None => 0,
    };
    let finish_ms = chrono::Utc::now().timestamp_millis();
    ctx.catalog
        .update_materialized_view(&mv.database, &mv.name, |m| {
            m.last_refresh = Some(RefreshRecord {
                start_ms,
                finish_ms,
                rows,
                base_versions: now.versions,
                partitions: now.partitions,
            });
            Ok(())
        })
        .await?;
    tracing::info!(mv = %mv.name, rows, ms = finish_ms - start_ms, "materialized view refreshed");
    Ok(Outcome { rows, message })
}

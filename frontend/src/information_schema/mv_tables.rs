//! StarRocks' `information_schema.materialized_views` (one row per view: refresh scheme
//! and state, the last refresh, rows, whether the rewrite may use it now and why not) and
//! `information_schema.task_runs` (one row per refresh, with progress while it runs).

use lakestar_engine::catalog::CatalogView;
use lakestar_engine::materialized_view::RefreshScheme;
use lakestar_engine::Result;

use super::rows::{Cell, Kind, Kind::Int as I, Kind::Text as T, Rows};
use super::SystemSources;
use crate::materialized_views::task_runs::RunState;

pub const MATERIALIZED_VIEWS: &[(&str, Kind)] = &[
    ("TABLE_SCHEMA", T),
    ("TABLE_NAME", T),
    ("MATERIALIZED_VIEW_ID", I),
    ("REFRESH_TYPE", T),
    ("IS_ACTIVE", T),
    ("INACTIVE_REASON", T),
    ("PARTITION_TYPE", T),
    ("TASK_ID", T),
    ("TASK_NAME", T),
    ("LAST_REFRESH_START_TIME", T),
    ("LAST_REFRESH_FINISHED_TIME", T),
    ("LAST_REFRESH_DURATION", T),
    ("LAST_REFRESH_STATE", T),
    ("LAST_REFRESH_FORCE_REFRESH", T),
    ("LAST_REFRESH_ERROR_MESSAGE", T),
    ("TABLE_ROWS", I),
    ("MATERIALIZED_VIEW_DEFINITION", T),
    ("QUERY_REWRITE_STATUS", T),
    ("LAST_REFRESH_BASE_VERSIONS", T),
    ("REFRESH_PROGRESS", T),
];

pub const TASK_RUNS: &[(&str, Kind)] = &[
    ("QUERY_ID", T),
    ("TASK_NAME", T),
    ("CREATE_TIME", T),
    ("FINISH_TIME", T),
    ("STATE", T),
    ("CATALOG", T),
    ("DATABASE", T),
    ("DEFINITION", T),
    ("EXPIRE_TIME", T),
    ("ERROR_CODE", I),
    ("ERROR_MESSAGE", T),
    ("PROGRESS", T),
    ("EXTRA_MESSAGE", T),
    ("PROPERTIES", T),
];

fn time(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string())
}

pub async fn materialized_views(sources: &SystemSources) -> Result<Rows> {
    let mut rows = Rows::new(MATERIALIZED_VIEWS);
    let runs = sources.materialized_views.runs.all();
    let catalog: &dyn CatalogView = sources.catalog.as_ref();
    for mv in sources.catalog.materialized_views_now() {
        let last_run = runs
            .iter()
            .rev()
            .find(|r| r.database == mv.database && r.mv == mv.name);
        let id = sources
            .catalog
            .table_now(&mv.database, &mv.name)
            .map(|t| t.id as i64);
        let refresh_type = match &mv.refresh {
            RefreshScheme::Manual => "MANUAL",
            RefreshScheme::Async { .. } => "ASYNC",
        };
        let versions = lakestar_planner::catalog_provider::VersionSource {
            view: catalog,
            storage: sources.storage.as_ref(),
            external: Some(sources.external.as_ref()),
        };
        let status = lakestar_planner::bind::mv_candidates::freshness(&mv, versions)
            .await
            .map(|f| f.status())
            .unwrap_or_else(|e| format!("unknown: {}", e.message()));
        let record = mv.last_refresh.as_ref();
        let versions = record.map(|r| {
            serde_json::to_string(
                &r.base_versions
                    .iter()
                    .map(|v| (v.table.clone(), v.version))
                    .collect::<std::collections::BTreeMap<_, _>>(),
            )
            .unwrap_or_default()
        });
        rows.push(vec![
            mv.database.as_str().into(),
            mv.name.as_str().into(),
            id.into(),
            refresh_type.into(),
            if mv.active { "true" } else { "false" }.into(),
            mv.inactive_reason.clone().unwrap_or_default().into(),
            if mv.partition_by.is_some() {
                "RANGE"
            } else {
                "UNPARTITIONED"
            }
            .into(),
            last_run.map(|r| r.query_id.clone()).into(),
            format!("mv-{}", id.unwrap_or_default()).into(),
            record.and_then(|r| time(r.start_ms)).into(),
            record.and_then(|r| time(r.finish_ms)).into(),
            record
                .map(|r| format!("{:.3}", (r.finish_ms - r.start_ms) as f64 / 1000.0))
                .into(),
            last_run.map(|r| r.state.name().to_string()).into(),
            last_run.map(|r| r.force.to_string()).into(),
            last_run.and_then(|r| r.error.clone()).into(),
            record.map(|r| r.rows as i64).into(),
            mv.definition.as_str().into(),
            status.into(),
            versions.into(),
            last_run
                .filter(|r| r.state == RunState::Running)
                .map(|r| format!("{}%", r.progress))
                .into(),
        ]);
    }
    Ok(rows)
}

pub fn task_runs(sources: &SystemSources) -> Rows {
    let mut rows = Rows::new(TASK_RUNS);
    for run in sources.materialized_views.runs.all() {
        rows.push(vec![
            run.query_id.as_str().into(),
            format!("mv-{}.{}", run.database, run.mv).into(),
            time(run.create_ms).into(),
            run.finish_ms.and_then(time).into(),
            run.state.name().into(),
            "default_catalog".into(),
            run.database.as_str().into(),
            run.definition.as_str().into(),
            Cell::Null,
            Cell::Int(if run.error.is_some() { -1 } else { 0 }),
            run.error.clone().into(),
            format!("{}%", run.progress).into(),
            run.message.clone().into(),
            format!(
                "{{\"trigger\": \"{}\", \"force\": {}}}",
                run.trigger, run.force
            )
            .into(),
        ]);
    }
    rows
}

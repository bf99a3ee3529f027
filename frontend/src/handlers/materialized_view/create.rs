//! `CREATE MATERIALIZED VIEW`: bind the query to learn its columns, create the storage
//! table and the catalog entries, and (unless `REFRESH DEFERRED`) start the first refresh.

use lakestar_engine::catalog::{KeysType, TableMeta};
use lakestar_engine::materialized_view::MaterializedViewMeta;
use lakestar_engine::{user_err, Result};
use lakestar_planner::bind::Binder;
use sqlparser::ast::Statement;

use crate::context::FrontendContext;
use crate::dispatch::qualify;
use crate::output::QueryOutput;
use crate::session::Session;
use crate::sql::materialized_view::CreateMaterializedView;

pub async fn handle(
    ctx: &FrontendContext,
    session: &Session,
    create: CreateMaterializedView,
) -> Result<QueryOutput> {
    let (db, name) = qualify(session, &create.name)?;
    if !ctx.catalog.database_exists_now(&db) {
        return Err(user_err!(UnknownDatabase, "Unknown database '{db}'"));
    }
    for (key, value) in &create.properties {
        check_property(key, value)?;
    }
    let mut query = *create.query;
    lakestar_planner::bind::views::qualify_tables_fully(&mut query, &db);
    let state = ctx.session_state(session);
    let binder = Binder::new(&state, ctx.catalog.as_ref(), Some(&db));
    let plan = binder
        .bind_query(Statement::Query(Box::new(query.clone())))
        .await?;
    let columns = crate::handlers::ddl::result_columns::columns_of(plan.schema())?;
    let now = chrono::Utc::now().timestamp_millis();
    let mv = MaterializedViewMeta {
        database: db.clone(),
        name: name.clone(),
        definition: query.to_string(),
        comment: create.comment.clone(),
        refresh: create.refresh.scheme,
        deferred: create.refresh.deferred,
        partition_by: create.partition_by,
        distributed_by: create.distributed_by,
        properties: create.properties,
        active: true,
        inactive_reason: None,
        create_time_ms: now,
        last_refresh: None,
    };
    // `PARTITION BY col` (or `date_trunc('unit', col)`) partitions the storage table by
    // the view's column `col`.
    let partition_columns: Vec<String> = mv
        .partition_column()
        .and_then(|p| columns.iter().find(|c| c.name.eq_ignore_ascii_case(&p)))
        .map(|c| c.name.clone())
        .into_iter()
        .collect();
    if mv.partition_by.is_some() && partition_columns.is_empty() {
        return Err(user_err!(
            Other,
            "PARTITION BY of a materialized view must name one of its columns, or date_trunc('unit', column)"
        ));
    }
    let table = TableMeta {
        catalog: None,
        database: db.clone(),
        name: name.clone(),
        id: 0,
        key_columns: vec![columns[0].name.clone()],
        columns,
        keys_type: KeysType::Duplicate,
        partition_columns,
        partition_clause: None,
        distribution: None,
        order_by: vec![],
        properties: Default::default(),
        comment: create.comment.clone(),
        create_time_ms: now,
    };
    let deferred = mv.deferred;
    if !ctx
        .catalog
        .create_materialized_view(mv, table, create.if_not_exists)
        .await?
    {
        return Ok(QueryOutput::ok());
    }
    if !deferred {
        ctx.materialized_views.submit(
            &ctx.arc(),
            &db,
            &name,
            crate::materialized_views::refresh::Request {
                force: true,
                partition_range: None,
            },
            "CREATE",
        )?;
    }
    Ok(QueryOutput::ok())
}

/// Check a property the rewrite reads.
pub fn check_property(key: &str, value: &str) -> Result<()> {
    let valid = match key {
        "query_rewrite_consistency" => {
            ["checked", "loose", "disable"].contains(&value.to_ascii_lowercase().as_str())
        }
        "mv_rewrite_staleness_second" => value.parse::<u64>().is_ok(),
        _ => true,
    };
    if !valid {
        return Err(user_err!(
            WrongVariableValue,
            "'{value}' is not a valid value for {key} (query_rewrite_consistency: checked, loose or disable; mv_rewrite_staleness_second: seconds)"
        ));
    }
    Ok(())
}

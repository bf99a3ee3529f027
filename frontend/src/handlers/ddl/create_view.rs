//! `CREATE [OR REPLACE] VIEW [IF NOT EXISTS] v [(cols)] AS query` and
//! `ALTER VIEW v [(cols)] AS query`.
//!
//! The query is bound once here, so a view over a missing table or column fails at
//! creation, as in MySQL. What is stored is the query with every table reference
//! qualified by its database, and the result column names (the given list, or the names
//! the query's columns have in MySQL).

use lakestar_engine::catalog::ViewMeta;
use lakestar_engine::{user_err, Result};
use lakestar_planner::bind::views::qualify_tables;
use lakestar_planner::bind::Binder;
use sqlparser::ast::{ObjectName, Query, Statement};

use crate::context::FrontendContext;
use crate::dispatch::qualify;
use crate::output::QueryOutput;
use crate::session::Session;

/// A parsed CREATE VIEW or ALTER VIEW.
pub struct ViewDefinition<'a> {
    pub name: &'a ObjectName,
    pub columns: Vec<String>,
    pub query: Query,
    pub comment: Option<String>,
}

/// How the view must relate to an existing one.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    Create {
        or_replace: bool,
        if_not_exists: bool,
    },
    Alter,
}

pub async fn handle(
    ctx: &FrontendContext,
    session: &Session,
    definition: ViewDefinition<'_>,
    mode: Mode,
) -> Result<QueryOutput> {
    let (db, name) = qualify(session, definition.name)?;
    if !ctx.catalog.database_exists_now(&db) {
        return Err(user_err!(UnknownDatabase, "Unknown database '{db}'"));
    }
    let mut query = definition.query;
    qualify_tables(&mut query, &db);
    let state = ctx.session_state(session);
    let binder = Binder::new(&state, ctx.catalog.as_ref(), Some(&db));
    let plan = binder
        .bind_query(Statement::Query(Box::new(query.clone())))
        .await?;
    let produced: Vec<String> = plan
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let columns = if definition.columns.is_empty() {
        produced
    } else if definition.columns.len() != produced.len() {
        return Err(user_err!(
            ViewColumnCount,
            "View's SELECT and view's field list have different column counts"
        ));
    } else {
        definition.columns
    };
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = columns.iter().find(|c| !seen.insert(c.to_lowercase())) {
        return Err(user_err!(DuplicateColumn, "Duplicate column name '{dup}'"));
    }
    let column_types = columns
        .iter()
        .zip(plan.schema().fields())
        .map(|(name, field)| {
            let declared = field
                .metadata()
                .get(lakestar_engine::types::SQL_TYPE_METADATA_KEY)
                .and_then(|t| lakestar_engine::types::SqlType::parse(t).ok());
            let sql_type = declared
                .or_else(|| lakestar_engine::types::SqlType::from_arrow(field.data_type()))
                .unwrap_or(lakestar_engine::types::SqlType::String);
            lakestar_engine::catalog::ColumnMeta::new(name, sql_type, field.is_nullable())
        })
        .collect();
    let view = ViewMeta {
        database: db,
        name,
        columns,
        column_types,
        definition: query.to_string(),
        comment: definition.comment,
        create_time_ms: chrono::Utc::now().timestamp_millis(),
    };
    match mode {
        Mode::Create {
            or_replace,
            if_not_exists,
        } => ctx.catalog.put_view(view, or_replace, if_not_exists, false),
        Mode::Alter => ctx.catalog.put_view(view, false, false, true),
    }
    .await?;
    Ok(QueryOutput::ok())
}

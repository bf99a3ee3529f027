//! `SHOW MATERIALIZED VIEWS [FROM db] [LIKE ...]` and `SHOW CREATE MATERIALIZED VIEW`.
//! The rows are those of `information_schema.materialized_views`.

use lakestar_engine::materialized_view::MaterializedViewMeta;
use lakestar_engine::{user_err, Result};
use sqlparser::ast::ObjectName;

use crate::context::FrontendContext;
use crate::dispatch::qualify;
use crate::handlers::show::like_matches;
use crate::information_schema::mv_tables;
use crate::output::QueryOutput;
use crate::session::Session;

pub async fn show(
    ctx: &FrontendContext,
    session: &Session,
    database: Option<&str>,
    like: Option<&str>,
) -> Result<QueryOutput> {
    let db = session.database_or_current(database)?;
    let mut rows = mv_tables::materialized_views(&ctx.system_sources(session)).await?;
    rows.retain(|r| {
        let is = |i: usize, v: &str| matches!(&r[i], crate::information_schema::rows::Cell::Text(t) if t == v);
        is(0, &db)
            && like.is_none_or(|p| {
                matches!(&r[1], crate::information_schema::rows::Cell::Text(t) if like_matches(p, t))
            })
    });
    Ok(QueryOutput::batch(rows.project(&[
        ("id", 2),
        ("database_name", 0),
        ("name", 1),
        ("refresh_type", 3),
        ("is_active", 4),
        ("inactive_reason", 5),
        ("partition_type", 6),
        ("last_refresh_start_time", 9),
        ("last_refresh_finished_time", 10),
        ("last_refresh_duration", 11),
        ("last_refresh_state", 12),
        ("rows", 15),
        ("query_rewrite_status", 17),
        ("text", 16),
    ])?))
}

/// The CREATE statement of a view, as StarRocks prints it.
pub fn render(mv: &MaterializedViewMeta) -> String {
    let mut text = format!("CREATE MATERIALIZED VIEW `{}`", mv.name);
    if let Some(c) = &mv.comment {
        text.push_str(&format!("\nCOMMENT \"{c}\""));
    }
    if let Some(p) = &mv.partition_by {
        text.push_str(&format!("\nPARTITION BY {p}"));
    }
    if let Some(d) = &mv.distributed_by {
        text.push_str(&format!("\nDISTRIBUTED BY {d}"));
    }
    text.push('\n');
    text.push_str(&mv.refresh_sql());
    if !mv.properties.is_empty() {
        let props: Vec<String> = mv
            .properties
            .iter()
            .map(|(k, v)| format!("\"{k}\" = \"{v}\""))
            .collect();
        text.push_str(&format!("\nPROPERTIES (\n{}\n)", props.join(",\n")));
    }
    text.push_str(&format!("\nAS {};", mv.definition));
    text
}

pub fn show_create(
    ctx: &FrontendContext,
    session: &Session,
    name: &ObjectName,
) -> Result<QueryOutput> {
    let (db, name) = qualify(session, name)?;
    let mv = ctx
        .catalog
        .materialized_view_now(&db, &name)
        .ok_or_else(|| user_err!(UnknownTable, "Unknown materialized view '{db}.{name}'"))?;
    QueryOutput::text_rows(
        &["Materialized View", "Create Materialized View"],
        vec![vec![Some(mv.name.clone()), Some(render(&mv))]],
    )
}

//! SHOW statements over the server's system tables: COLLATION, CHARSET, ENGINES, PLUGINS,
//! STATUS, PROCESSLIST. Rows come from `information_schema`, so both always agree.

use lakestar_engine::Result;

use super::show::like_matches;
use crate::context::FrontendContext;
use crate::information_schema::rows::{Cell, Rows};
use crate::information_schema::server_tables as tables;
use crate::output::QueryOutput;
use crate::session::Session;

/// Keep rows whose column `col` matches the LIKE pattern.
fn filter_like(mut rows: Rows, col: usize, like: Option<&str>) -> Rows {
    if let Some(p) = like {
        rows.retain(|r| matches!(&r[col], Cell::Text(t) if like_matches(p, t)));
    }
    rows
}

pub fn collation(like: Option<&str>) -> Result<QueryOutput> {
    let rows = filter_like(tables::collations(), 0, like);
    Ok(QueryOutput::batch(rows.project(&[
        ("Collation", 0),
        ("Charset", 1),
        ("Id", 2),
        ("Default", 3),
        ("Compiled", 4),
        ("Sortlen", 5),
        ("Pad_attribute", 6),
    ])?))
}

pub fn charset(like: Option<&str>) -> Result<QueryOutput> {
    let rows = filter_like(tables::character_sets(), 0, like);
    Ok(QueryOutput::batch(rows.project(&[
        ("Charset", 0),
        ("Description", 2),
        ("Default collation", 1),
        ("Maxlen", 3),
    ])?))
}

pub fn engines() -> Result<QueryOutput> {
    Ok(QueryOutput::batch(tables::engines().project(&[
        ("Engine", 0),
        ("Support", 1),
        ("Comment", 2),
        ("Transactions", 3),
        ("XA", 4),
        ("Savepoints", 5),
    ])?))
}

pub fn plugins() -> Result<QueryOutput> {
    Ok(QueryOutput::batch(tables::plugins().into_batch()?))
}

pub fn status(ctx: &FrontendContext, session: &Session, like: Option<&str>) -> Result<QueryOutput> {
    let rows = filter_like(tables::status(&ctx.system_sources(session)), 0, like);
    Ok(QueryOutput::batch(rows.into_batch()?))
}

pub fn processlist(ctx: &FrontendContext, session: &Session, full: bool) -> Result<QueryOutput> {
    let mut rows = tables::processlist(&ctx.system_sources(session));
    if !full {
        // Without FULL, MySQL shows the first 100 characters of each statement.
        for row in rows.rows_mut() {
            if let Cell::Text(info) = &mut row[7] {
                *info = info.chars().take(100).collect();
            }
        }
    }
    Ok(QueryOutput::batch(rows.project(&[
        ("Id", 0),
        ("User", 1),
        ("Host", 2),
        ("db", 3),
        ("Command", 4),
        ("Time", 5),
        ("State", 6),
        ("Info", 7),
    ])?))
}

/// `ADMIN SHOW FRONTEND CONFIG`: the configuration StarRocks tools probe (`run_mode`).
pub fn frontend_config(like: Option<&str>) -> Result<QueryOutput> {
    let rows = [
        (
            "run_mode",
            "shared_nothing",
            "String",
            "Lakestar runs standalone",
        ),
        (
            "qe_max_connection",
            "4096",
            "int",
            "Connections the MySQL port accepts",
        ),
    ]
    .into_iter()
    .filter(|(key, ..)| like.is_none_or(|p| like_matches(p, key)))
    .map(|(key, value, ty, comment)| {
        vec![
            Some("-".to_string()),
            Some(key.to_string()),
            Some("[]".to_string()),
            Some(value.to_string()),
            Some(ty.to_string()),
            Some("false".to_string()),
            Some(comment.to_string()),
        ]
    })
    .collect();
    QueryOutput::text_rows(
        &[
            "Module",
            "Key",
            "AliasNames",
            "Value",
            "Type",
            "IsMutable",
            "Comment",
        ],
        rows,
    )
}

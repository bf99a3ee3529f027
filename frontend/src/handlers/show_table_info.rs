//! `SHOW INDEX FROM t [FROM db]` and `SHOW TABLE STATUS [FROM db] [LIKE 'p']`, built from
//! the same rows as information_schema.STATISTICS and TABLES.

use lakestar_engine::{user_err, Result};
use sqlparser::ast::ObjectName;

use super::show::like_matches;
use crate::context::FrontendContext;
use crate::dispatch::qualify;
use crate::information_schema::catalog_tables;
use crate::information_schema::rows::Cell;
use crate::output::QueryOutput;
use crate::session::Session;

fn is(cell: &Cell, text: &str) -> bool {
    matches!(cell, Cell::Text(t) if t == text)
}

pub fn show_index(
    ctx: &FrontendContext,
    session: &Session,
    table: &ObjectName,
    database: Option<&str>,
) -> Result<QueryOutput> {
    let (db, name) = qualify(session, table)?;
    let db = database.map(str::to_string).unwrap_or(db);
    if ctx.catalog.table_now(&db, &name).is_none() {
        return Err(user_err!(UnknownTable, "Table '{db}.{name}' doesn't exist"));
    }
    let mut rows = catalog_tables::statistics(&ctx.system_sources(session));
    rows.retain(|r| is(&r[1], &db) && is(&r[2], &name));
    Ok(QueryOutput::batch(rows.project(&[
        ("Table", 2),
        ("Non_unique", 3),
        ("Key_name", 5),
        ("Seq_in_index", 6),
        ("Column_name", 7),
        ("Collation", 8),
        ("Cardinality", 9),
        ("Sub_part", 10),
        ("Packed", 11),
        ("Null", 12),
        ("Index_type", 13),
        ("Comment", 14),
        ("Index_comment", 15),
        ("Visible", 16),
        ("Expression", 17),
    ])?))
}

pub async fn show_table_status(
    ctx: &FrontendContext,
    session: &Session,
    database: Option<&str>,
    like: Option<&str>,
) -> Result<QueryOutput> {
    let db = session.database_or_current(database)?;
    if !ctx.catalog.database_exists_now(&db) && db != crate::information_schema::INFORMATION_SCHEMA
    {
        return Err(user_err!(UnknownDatabase, "Unknown database '{db}'"));
    }
    let mut rows = catalog_tables::tables_table(&ctx.system_sources(session)).await?;
    rows.retain(|r| {
        is(&r[0], "def")
            && is(&r[1], &db)
            && like.is_none_or(|p| matches!(&r[2], Cell::Text(t) if like_matches(p, t)))
    });
    Ok(QueryOutput::batch(rows.project(&[
        ("Name", 2),
        ("Engine", 4),
        ("Version", 5),
        ("Row_format", 6),
        ("Rows", 7),
        ("Avg_row_length", 8),
        ("Data_length", 9),
        ("Max_data_length", 10),
        ("Index_length", 11),
        ("Data_free", 12),
        ("Auto_increment", 13),
        ("Create_time", 14),
        ("Update_time", 15),
        ("Check_time", 16),
        ("Collation", 17),
        ("Checksum", 18),
        ("Create_options", 19),
        ("Comment", 20),
    ])?))
}

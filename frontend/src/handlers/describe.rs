//! DESCRIBE t (StarRocks layout) and SHOW [FULL] COLUMNS FROM t (MySQL layout).

use lakestar_engine::catalog::TableMeta;
use lakestar_engine::{user_err, Result};
use sqlparser::ast::{ObjectName, ShowStatementFilterPosition, ShowStatementOptions};

use super::show::{like_filter, like_matches};
use crate::context::FrontendContext;
use crate::dispatch::qualify;
use crate::output::QueryOutput;
use crate::session::Session;

/// Look up a table named in a SHOW/DESCRIBE statement.
pub fn lookup_table(
    ctx: &FrontendContext,
    session: &Session,
    name: &ObjectName,
) -> Result<TableMeta> {
    let (db, table) = qualify(session, name)?;
    if !ctx.catalog.database_exists_now(&db) {
        return Err(user_err!(UnknownDatabase, "Unknown database '{db}'"));
    }
    ctx.catalog
        .table_now(&db, &table)
        .ok_or_else(|| user_err!(UnknownTable, "Table '{db}.{table}' doesn't exist"))
}

/// The Extra column: MySQL 8's marker of a stored generated column, with its expression.
fn extra(c: &lakestar_engine::catalog::ColumnMeta) -> String {
    match &c.generated {
        Some(expr) => format!("STORED GENERATED AS {expr}"),
        None => String::new(),
    }
}

fn is_key(meta: &TableMeta, column: &str) -> bool {
    meta.key_columns.iter().any(|k| k == column)
}

pub fn describe(
    ctx: &FrontendContext,
    session: &Session,
    name: &ObjectName,
) -> Result<QueryOutput> {
    let meta = lookup_table(ctx, session, name)?;
    let rows = meta
        .columns
        .iter()
        .map(|c| {
            vec![
                Some(c.name.clone()),
                Some(c.sql_type.to_string()),
                Some(if c.nullable { "YES" } else { "NO" }.to_string()),
                Some(is_key(&meta, &c.name).to_string()),
                c.default.clone().map(|d| d.trim_matches('\'').to_string()),
                Some(extra(c)),
            ]
        })
        .collect();
    QueryOutput::text_rows(&["Field", "Type", "Null", "Key", "Default", "Extra"], rows)
}

pub fn show_columns(
    ctx: &FrontendContext,
    session: &Session,
    full: bool,
    options: &ShowStatementOptions,
) -> Result<QueryOutput> {
    let in_clause = options.show_in.as_ref();
    let table_name = in_clause
        .and_then(|s| s.parent_name.clone())
        .ok_or_else(|| lakestar_engine::Error::syntax("SHOW COLUMNS needs FROM <table>"))?;
    let meta = lookup_table(ctx, session, &table_name)?;
    let pattern = like_filter(options.filter_position.as_ref().map(|p| match p {
        ShowStatementFilterPosition::Infix(f) | ShowStatementFilterPosition::Suffix(f) => f,
    }))?;
    let key_label = if meta.keys_type.is_upsert() {
        "PRI"
    } else {
        "DUP"
    };
    let rows = meta
        .columns
        .iter()
        .filter(|c| pattern.as_deref().is_none_or(|p| like_matches(p, &c.name)))
        .map(|c| {
            let mut row = vec![
                Some(c.name.clone()),
                Some(c.sql_type.to_string().to_lowercase()),
            ];
            if full {
                row.push(
                    c.sql_type
                        .is_string()
                        .then(|| "utf8_general_ci".to_string()),
                );
            }
            row.extend([
                Some(if c.nullable { "YES" } else { "NO" }.to_string()),
                Some(
                    if is_key(&meta, &c.name) {
                        key_label
                    } else {
                        ""
                    }
                    .to_string(),
                ),
                c.default.clone().map(|d| d.trim_matches('\'').to_string()),
                Some(extra(c)),
            ]);
            if full {
                row.push(Some("select,insert".to_string()));
                row.push(Some(c.comment.clone().unwrap_or_default()));
            }
            row
        })
        .collect();
    if full {
        QueryOutput::text_rows(
            &[
                "Field",
                "Type",
                "Collation",
                "Null",
                "Key",
                "Default",
                "Extra",
                "Privileges",
                "Comment",
            ],
            rows,
        )
    } else {
        QueryOutput::text_rows(&["Field", "Type", "Null", "Key", "Default", "Extra"], rows)
    }
}

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

/// The columns of a table or a view named in DESCRIBE / SHOW COLUMNS, as a table
/// definition (a view has no keys).
fn lookup_columns(
    ctx: &FrontendContext,
    session: &Session,
    name: &ObjectName,
) -> Result<TableMeta> {
    let table = lookup_table(ctx, session, name);
    if table.is_ok() {
        return table;
    }
    let (db, view) = qualify(session, name)?;
    match ctx.catalog.view_now(&db, &view) {
        Some(v) => Ok(TableMeta {
            catalog: None,
            database: v.database,
            name: v.name,
            id: 0,
            columns: v.column_types,
            keys_type: lakestar_engine::catalog::KeysType::Duplicate,
            key_columns: vec![],
            partition_columns: vec![],
            partition_clause: None,
            distribution: None,
            order_by: vec![],
            properties: Default::default(),
            comment: v.comment,
            create_time_ms: v.create_time_ms,
        }),
        None => table,
    }
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

/// The external catalog, database and table a name refers to, if it is not internal:
/// `catalog.db.table`, or `[db.]table` after `SET CATALOG c`.
fn external_name(session: &Session, name: &ObjectName) -> Option<(String, String, String)> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| p.as_ident().map(|i| i.value.clone()))
        .collect::<Option<_>>()?;
    let current = session.current_catalog.clone();
    match parts.as_slice() {
        [c, d, t] if c != lakestar_engine::catalog::DEFAULT_CATALOG => {
            Some((c.clone(), d.clone(), t.clone()))
        }
        [d, t] => current.map(|c| (c, d.clone(), t.clone())),
        [t] => current
            .zip(session.current_db.clone())
            .map(|(c, d)| (c, d, t.clone())),
        _ => None,
    }
}

/// DESCRIBE of a table in an external catalog: its columns as the lake table declares
/// them (no keys, defaults or generated columns there).
async fn describe_external(
    ctx: &FrontendContext,
    (catalog, db, table): (String, String, String),
) -> Result<QueryOutput> {
    let meta = ctx
        .catalog
        .snapshot()
        .catalogs
        .get(&catalog)
        .cloned()
        .ok_or_else(|| user_err!(UnknownDatabase, "Unknown catalog '{catalog}'"))?;
    let provider = ctx.external.open(&meta)?;
    let schema = provider
        .schema(&db)
        .ok_or_else(|| user_err!(UnknownDatabase, "Unknown database '{catalog}.{db}'"))?;
    let table_provider = schema
        .table(&table)
        .await
        .map_err(lakestar_engine::Error::from_datafusion)?
        .ok_or_else(|| user_err!(UnknownTable, "Table '{catalog}.{db}.{table}' doesn't exist"))?;
    let rows = table_provider
        .schema()
        .fields()
        .iter()
        .map(|f| {
            let sql_type = lakestar_engine::types::SqlType::from_arrow(f.data_type())
                .map(|t| t.to_string())
                .unwrap_or_else(|| f.data_type().to_string());
            vec![
                Some(f.name().clone()),
                Some(sql_type),
                Some(if f.is_nullable() { "YES" } else { "NO" }.to_string()),
                Some("false".to_string()),
                None,
                Some(String::new()),
            ]
        })
        .collect();
    QueryOutput::text_rows(&["Field", "Type", "Null", "Key", "Default", "Extra"], rows)
}

pub async fn describe(
    ctx: &FrontendContext,
    session: &Session,
    name: &ObjectName,
) -> Result<QueryOutput> {
    if let Some(external) = external_name(session, name) {
        return describe_external(ctx, external).await;
    }
    let meta = lookup_columns(ctx, session, name)?;
    // A view is described as MySQL describes one (lower-case types), which the MySQL
    // SQLAlchemy dialect parses to reflect it; tables keep StarRocks' layout.
    let is_view = ctx.catalog.view_now(&meta.database, &meta.name).is_some();
    let rows = meta
        .columns
        .iter()
        .map(|c| {
            vec![
                Some(c.name.clone()),
                Some(if is_view {
                    c.sql_type.to_string().to_lowercase()
                } else {
                    c.sql_type.to_string()
                }),
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
    let meta = lookup_columns(ctx, session, &table_name)?;
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

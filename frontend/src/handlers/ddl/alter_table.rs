//! `ALTER TABLE t ADD COLUMN / DROP COLUMN / MODIFY COLUMN`.
//!
//! ADD COLUMN of a plain nullable column changes storage and catalog only; existing rows
//! read NULL. ADD COLUMN with a DEFAULT or a generated expression also fills the column
//! for every existing row, atomically:
//!
//! 1. storage gets the column (hidden: tables expose only the catalog's columns);
//! 2. one INSERT OVERWRITE commit rewrites every row with the column's value;
//! 3. the catalog publishes the new definition.
//!
//! Readers see the table before (old columns) or after (new column filled), never half.
//! If the server stops between the steps, the hidden storage column is replaced when the
//! ALTER is run again.
//!
//! DROP COLUMN and MODIFY COLUMN are refused for columns a generated column uses (MySQL
//! 3108), for key, partition and distribution columns; DROP COLUMN removes the column
//! from the catalog first, then from storage. MODIFY COLUMN is not supported otherwise yet.

use lakestar_engine::catalog::{ColumnMeta, Distribution, TableMeta};
use lakestar_engine::{user_err, Error, Result};
use lakestar_planner::bind::Binder;

use crate::context::FrontendContext;
use crate::dispatch::qualify;
use crate::handlers::query::execute_plan;
use crate::output::QueryOutput;
use crate::session::Session;
use crate::sql::alter_table::{AlterTable, AlterTableOperation};

pub async fn handle(
    ctx: &FrontendContext,
    session: &mut Session,
    alter: AlterTable,
) -> Result<QueryOutput> {
    let (db, name) = qualify(session, &alter.name)?;
    let meta = ctx.catalog.table_now(&db, &name).ok_or_else(|| {
        if ctx.catalog.database_exists_now(&db) {
            user_err!(UnknownTable, "Table '{db}.{name}' doesn't exist")
        } else {
            user_err!(UnknownDatabase, "Unknown database '{db}'")
        }
    })?;
    match alter.operation {
        AlterTableOperation::AddColumn(column) => add_column(ctx, session, meta, column).await,
        AlterTableOperation::DropColumn(column) => drop_column(ctx, session, meta, &column).await,
        AlterTableOperation::ModifyColumn(column) => {
            check_not_used(ctx, session, &meta, &column.name)?;
            Err(Error::unsupported(
                "ALTER TABLE ... MODIFY COLUMN is not supported yet",
            ))
        }
    }
}

async fn add_column(
    ctx: &FrontendContext,
    session: &mut Session,
    old: TableMeta,
    column: ColumnMeta,
) -> Result<QueryOutput> {
    if old.column(&column.name).is_some() {
        return Err(user_err!(
            DuplicateColumn,
            "Duplicate column name '{}'",
            column.name
        ));
    }
    if !column.nullable && column.default.is_none() && column.generated.is_none() {
        return Err(user_err!(
            InvalidDefinition,
            "Column '{}' is NOT NULL without a DEFAULT; existing rows would have no value",
            column.name
        ));
    }
    // Generated columns come after every regular column: a regular column is placed
    // before the first generated one.
    let first_generated = old.columns.iter().position(|c| c.generated.is_some());
    let mut new = old.clone();
    let before = match (&column.generated, first_generated) {
        (None, Some(i)) => {
            let anchor = old.columns[i].name.clone();
            new.columns.insert(i, column.clone());
            Some(anchor)
        }
        _ => {
            new.columns.push(column.clone());
            None
        }
    };
    let state = ctx.session_state(session);
    lakestar_planner::generated::check_table(&state, &new)?;

    ctx.storage
        .add_column(&old, &column, before.as_deref())
        .await?;
    if column.default.is_some() || column.generated.is_some() {
        let target = ctx.storage.open_table(&new).await?;
        let binder = Binder::new(&state, ctx.catalog.as_ref(), Some(&old.database));
        let plan = binder.bind_table_rewrite(&old, &new, target).await?;
        let output = execute_plan(ctx, &state, &plan).await?;
        output.drain().await?;
    }
    ctx.catalog.replace_table(&old, new).await?;
    Ok(QueryOutput::ok())
}

/// Refuse to drop or change a column a generated column reads.
fn check_not_used(
    ctx: &FrontendContext,
    session: &Session,
    meta: &TableMeta,
    column: &str,
) -> Result<()> {
    let state = ctx.session_state(session);
    let uses = lakestar_planner::generated::dependencies(&state, meta)?;
    if let Some((generated, _)) = uses.iter().find(|(_, used)| used == column) {
        return Err(user_err!(
            GeneratedColumnDependency,
            "Column '{column}' of table '{}' has a generated column dependency ('{generated}')",
            meta.name
        ));
    }
    Ok(())
}

async fn drop_column(
    ctx: &FrontendContext,
    session: &Session,
    old: TableMeta,
    column: &str,
) -> Result<QueryOutput> {
    if old.column(column).is_none() {
        return Err(user_err!(
            UnknownColumn,
            "Can't DROP '{column}'; check that column/key exists"
        ));
    }
    check_not_used(ctx, session, &old, column)?;
    let distribution = match &old.distribution {
        Some(Distribution::Hash { columns, .. }) => columns.clone(),
        _ => vec![],
    };
    let structural = old
        .key_columns
        .iter()
        .chain(&old.partition_columns)
        .chain(&distribution)
        .chain(&old.order_by)
        .any(|c| c.eq_ignore_ascii_case(column));
    if structural {
        return Err(user_err!(
            InvalidDefinition,
            "Column '{column}' is a key, partition, distribution or sort column of '{}' and cannot be dropped",
            old.name
        ));
    }
    if old.columns.len() == 1 {
        return Err(user_err!(
            InvalidDefinition,
            "You can't delete all columns with ALTER TABLE; use DROP TABLE instead"
        ));
    }
    let mut new = old.clone();
    new.columns.retain(|c| !c.name.eq_ignore_ascii_case(column));
    ctx.catalog.replace_table(&old, new).await?;
    ctx.storage.drop_column(&old, column).await?;
    Ok(QueryOutput::ok())
}

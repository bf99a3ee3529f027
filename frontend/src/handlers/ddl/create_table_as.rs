//! `CREATE TABLE [IF NOT EXISTS] t [key / partition / distribution clauses] AS query`.
//!
//! The query is bound first; its result columns (declared types where they come straight
//! from a table column, otherwise the type of the value) become the table's columns. The
//! table is created, then filled by one INSERT ... SELECT commit; if that fails the table
//! is dropped again, so the statement leaves either a filled table or nothing.

use lakestar_engine::{user_err, Error, Result};
use lakestar_planner::bind::Binder;
use sqlparser::ast::{Query, Statement};

use crate::context::FrontendContext;
use crate::dispatch::qualify;
use crate::handlers::insert;
use crate::output::QueryOutput;
use crate::session::Session;
use crate::sql::build;
use crate::sql::create_table::check_table;
use crate::sql::CreateTable;

pub async fn handle(
    ctx: &FrontendContext,
    session: &mut Session,
    create: CreateTable,
    query: Query,
) -> Result<QueryOutput> {
    if let Some((catalog, _, _)) = super::lake::table(ctx, session, &create.name)? {
        return Err(Error::unsupported(format!(
            "CREATE TABLE ... AS SELECT into catalog '{}' is not supported; CREATE TABLE, then INSERT ... SELECT",
            catalog.name
        )));
    }
    let (db, name) = qualify(session, &create.name)?;
    if !ctx.catalog.database_exists_now(&db) {
        return Err(user_err!(UnknownDatabase, "Unknown database '{db}'"));
    }
    let state = ctx.session_state(session);
    let binder = Binder::new(&state, ctx.catalog.as_ref(), session.current_db.as_deref())
        .with_catalog(session.current_catalog.as_deref());
    let plan = binder
        .bind_query(Statement::Query(Box::new(query.clone())))
        .await?;
    let mut table = create.table;
    table.database = db.clone();
    table.name = name.clone();
    table.columns = super::result_columns::columns_of(plan.schema())?;
    check_table(&mut table)?;
    if !ctx
        .catalog
        .create_table(table, create.if_not_exists)
        .await?
    {
        return Ok(QueryOutput::ok());
    }
    let fill = build::insert(build::table_name(&db, &name), vec![], None, query, false);
    match insert::handle(ctx, session, fill, None).await {
        Ok(output) => Ok(output),
        Err(e) => {
            let _ = ctx.catalog.drop_table(&db, &name, true).await;
            Err(e)
        }
    }
}

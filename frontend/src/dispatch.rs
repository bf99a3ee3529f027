//! The one `match` from statement to handler.

use lakestar_engine::{user_err, Error, Result};
use sqlparser::ast::{ObjectName, ObjectType, ShowCreateObject, Statement as Sql};

use crate::context::FrontendContext;
use crate::handlers::{self, ddl};
use crate::output::QueryOutput;
use crate::session::Session;
use crate::sql::{self, Statement};

/// Parse and run the statements of one COM_QUERY; the last statement's output is returned.
pub async fn execute_sql(
    ctx: &FrontendContext,
    session: &mut Session,
    text: &str,
) -> Result<QueryOutput> {
    let statements = sql::parse(text)?;
    if statements.len() > 1 {
        return Err(Error::user(
            lakestar_engine::Reason::Syntax,
            "Multi-statement queries are not enabled for this connection (CLIENT_MULTI_STATEMENTS)",
        ));
    }
    match statements.into_iter().next() {
        None => Err(Error::syntax("Query was empty")),
        Some(statement) => execute(ctx, session, statement).await,
    }
}

/// Run one statement.
pub async fn execute(
    ctx: &FrontendContext,
    session: &mut Session,
    statement: Statement,
) -> Result<QueryOutput> {
    let statement = match statement {
        Statement::CreateTable(create) => {
            return ddl::create_table::handle(ctx, session, *create).await
        }
        Statement::Sql(s) => *s,
    };
    match statement {
        Sql::Query(_) => handlers::query::handle(ctx, session, statement).await,
        Sql::Insert(_) => handlers::insert::handle(ctx, session, statement).await,
        Sql::Explain { .. } => handlers::query::handle(ctx, session, statement).await,
        Sql::CreateDatabase {
            db_name,
            if_not_exists,
            ..
        } => ddl::create_database::handle(ctx, &db_name, if_not_exists).await,
        Sql::CreateSchema {
            schema_name: sqlparser::ast::SchemaName::Simple(name),
            if_not_exists,
            ..
        } => ddl::create_database::handle(ctx, &name, if_not_exists).await,
        Sql::Drop {
            object_type: ObjectType::Schema | ObjectType::Database,
            if_exists,
            names,
            ..
        } => ddl::drop_database::handle(ctx, session, &names, if_exists).await,
        Sql::Drop {
            object_type: ObjectType::Table,
            if_exists,
            names,
            ..
        } => ddl::drop_table::handle(ctx, session, &names, if_exists).await,
        Sql::Truncate(truncate) => ddl::truncate_table::handle(ctx, session, &truncate).await,
        Sql::Use(target) => {
            use sqlparser::ast::Use;
            match target {
                Use::Object(name) | Use::Database(name) | Use::Schema(name) => {
                    use_database(ctx, session, &name.to_string())?;
                    Ok(QueryOutput::ok())
                }
                other => Err(Error::unsupported(format!("{other} is not supported"))),
            }
        }
        Sql::Set(set) => handlers::set::handle(ctx, session, set).await,
        Sql::ShowDatabases { show_options, .. } => handlers::show::databases(ctx, &show_options),
        Sql::ShowTables {
            full, show_options, ..
        } => handlers::show::tables(ctx, session, full, &show_options),
        Sql::ShowColumns {
            full, show_options, ..
        } => handlers::describe::show_columns(ctx, session, full, &show_options),
        Sql::ExplainTable { table_name, .. } => {
            handlers::describe::describe(ctx, session, &table_name)
        }
        Sql::ShowCreate {
            obj_type: ShowCreateObject::Table,
            obj_name,
        } => handlers::show_create_table::handle(ctx, session, &obj_name),
        Sql::ShowVariables { filter, global, .. } => {
            handlers::show::variables(ctx, session, filter.as_ref(), global)
        }
        Sql::StartTransaction { .. } | Sql::Commit { .. } | Sql::Rollback { .. } => {
            // Every statement commits on its own (autocommit); transaction statements are
            // accepted so that drivers that wrap work in them keep working.
            Ok(QueryOutput::ok())
        }
        other => Err(Error::unsupported(format!(
            "Statement not supported: {}",
            other.to_string().chars().take(80).collect::<String>()
        ))),
    }
}

/// `USE db` and COM_INIT_DB.
pub fn use_database(ctx: &FrontendContext, session: &mut Session, name: &str) -> Result<()> {
    let name = name.trim_matches('`').to_lowercase();
    if !ctx.catalog.database_exists_now(&name) {
        return Err(user_err!(UnknownDatabase, "Unknown database '{name}'"));
    }
    session.current_db = Some(name);
    Ok(())
}

/// Split `[db.]name` into a database (defaulting to the session's) and a name.
pub fn qualify(session: &Session, name: &ObjectName) -> Result<(String, String)> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| p.as_ident().map(|i| i.value.to_lowercase()))
        .collect::<Option<_>>()
        .ok_or_else(|| Error::syntax(format!("invalid name {name}")))?;
    match parts.as_slice() {
        [t] => {
            let db = session
                .current_db
                .clone()
                .ok_or_else(|| user_err!(NoDatabaseSelected, "No database selected"))?;
            Ok((db, t.clone()))
        }
        [d, t] => Ok((d.clone(), t.clone())),
        [c, d, t] if c == lakestar_engine::catalog::DEFAULT_CATALOG => Ok((d.clone(), t.clone())),
        _ => Err(Error::syntax(format!("invalid name {name}"))),
    }
}

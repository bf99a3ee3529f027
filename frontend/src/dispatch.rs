//! The one `match` from statement to handler.

use lakestar_engine::{user_err, Error, Result};
use sqlparser::ast::{ObjectName, ObjectType, SetExpr, ShowCreateObject, Statement as Sql};

use crate::context::FrontendContext;
use crate::handlers::{self, ddl};
use crate::output::QueryOutput;
use crate::prepared;
use crate::session::Session;
use crate::sql::admin::{Identification, UserName};
use crate::sql::{AdminStatement, Statement};

/// Run one statement.
pub async fn execute(
    ctx: &FrontendContext,
    session: &mut Session,
    statement: Statement,
) -> Result<QueryOutput> {
    let statement = match statement {
        Statement::CreateTable(mut create) => {
            return match create.as_query.take() {
                Some(query) => {
                    Box::pin(ddl::create_table_as::handle(ctx, session, *create, *query)).await
                }
                None => ddl::create_table::handle(ctx, session, *create).await,
            };
        }
        Statement::AlterTable(alter) => {
            return Box::pin(ddl::alter_table::handle(ctx, session, *alter)).await
        }
        Statement::MaterializedView(mv) => {
            return Box::pin(handlers::materialized_view::execute(ctx, session, *mv)).await
        }
        Statement::Admin(admin) => return execute_admin(ctx, session, *admin).await,
        Statement::Sql(s) => *s,
    };
    match statement {
        Sql::Update(update) => handlers::update::handle(ctx, session, update, None).await,
        Sql::Delete(delete) => handlers::delete::handle(ctx, session, delete, None).await,
        Sql::Query(query) if matches!(*query.body, SetExpr::Update(_) | SetExpr::Delete(_)) => {
            // WITH ... UPDATE / WITH ... DELETE
            let query = *query;
            match *query.body {
                SetExpr::Update(Sql::Update(update)) => {
                    handlers::update::handle(ctx, session, update, query.with).await
                }
                SetExpr::Delete(Sql::Delete(delete)) => {
                    handlers::delete::handle(ctx, session, delete, query.with).await
                }
                _ => Err(Error::unsupported(
                    "this statement is not supported after WITH",
                )),
            }
        }
        Sql::Query(_) => handlers::query::handle(ctx, session, statement, None).await,
        Sql::Insert(_) => handlers::insert::handle(ctx, session, statement, None).await,
        Sql::Explain { .. } => handlers::query::handle(ctx, session, statement, None).await,
        Sql::CreateDatabase {
            db_name,
            if_not_exists,
            ..
        } => ddl::create_database::handle(ctx, session, &db_name, if_not_exists).await,
        Sql::CreateSchema {
            schema_name: sqlparser::ast::SchemaName::Simple(name),
            if_not_exists,
            ..
        } => ddl::create_database::handle(ctx, session, &name, if_not_exists).await,
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
        Sql::CreateView(create) if !create.materialized => {
            let definition = ddl::create_view::ViewDefinition {
                name: &create.name,
                columns: create
                    .columns
                    .iter()
                    .map(|c| c.name.value.to_lowercase())
                    .collect(),
                query: *create.query,
                comment: create.comment.clone(),
            };
            let mode = ddl::create_view::Mode::Create {
                or_replace: create.or_replace,
                if_not_exists: create.if_not_exists,
            };
            ddl::create_view::handle(ctx, session, definition, mode).await
        }
        Sql::AlterView {
            name,
            columns,
            query,
            ..
        } => {
            let definition = ddl::create_view::ViewDefinition {
                name: &name,
                columns: columns.iter().map(|c| c.value.to_lowercase()).collect(),
                query: *query,
                comment: None,
            };
            ddl::create_view::handle(ctx, session, definition, ddl::create_view::Mode::Alter).await
        }
        Sql::Drop {
            object_type: ObjectType::View,
            if_exists,
            names,
            ..
        } => ddl::drop_view::handle(ctx, session, &names, if_exists).await,
        Sql::ShowCreate {
            obj_type: ShowCreateObject::View,
            obj_name,
        } => handlers::show_create_view::handle(ctx, session, &obj_name),
        Sql::ShowCreate {
            obj_type: ShowCreateObject::Table,
            obj_name,
        } if is_view(ctx, session, &obj_name) => {
            handlers::show_create_view::handle(ctx, session, &obj_name)
        }
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
        Sql::ShowDatabases { show_options, .. } | Sql::ShowSchemas { show_options, .. } => {
            handlers::show::databases(ctx, session, &show_options).await
        }
        Sql::ShowTables {
            full, show_options, ..
        } => handlers::show::tables(ctx, session, full, &show_options).await,
        Sql::ShowColumns {
            full, show_options, ..
        } => handlers::describe::show_columns(ctx, session, full, &show_options),
        Sql::ExplainTable { table_name, .. } => {
            handlers::describe::describe(ctx, session, &table_name).await
        }
        Sql::ShowCreate {
            obj_type: ShowCreateObject::Table,
            obj_name,
        } => handlers::show_create_table::handle(ctx, session, &obj_name),
        Sql::ShowVariables { filter, global, .. } => {
            handlers::show::variables(ctx, session, filter.as_ref(), global)
        }
        Sql::ShowStatus { filter, .. } => {
            let like = handlers::show::like_filter(filter.as_ref())?;
            handlers::show_server::status(ctx, session, like.as_deref())
        }
        Sql::ShowCollation { filter } => {
            let like = handlers::show::like_filter(filter.as_ref())?;
            handlers::show_server::collation(like.as_deref())
        }
        Sql::ShowCharset(charset) => {
            let like = handlers::show::like_filter(charset.filter.as_ref())?;
            handlers::show_server::charset(like.as_deref())
        }
        Sql::ShowProcessList { full } => handlers::show_server::processlist(ctx, session, full),
        Sql::Kill { modifier, id } => {
            let connection = !matches!(modifier, Some(sqlparser::ast::KillType::Query));
            let id = u32::try_from(id)
                .map_err(|_| user_err!(UnknownThread, "Unknown thread id: {id}"))?;
            handlers::kill::handle(ctx, session, id, connection)
        }
        Sql::StartTransaction { .. } => handlers::transaction::begin(session),
        Sql::Commit { .. } => handlers::transaction::commit(session),
        Sql::Rollback { .. } => handlers::transaction::rollback(session),
        Sql::Execute {
            name: Some(name),
            using,
            ..
        } => {
            let name = name.to_string().to_lowercase();
            Box::pin(prepared::execute_using(ctx, session, &name, &using)).await
        }
        Sql::Deallocate { name, .. } => prepared::deallocate(session, &name.value.to_lowercase()),
        other => Err(Error::unsupported(format!(
            "Statement not supported: {}",
            other.to_string().chars().take(80).collect::<String>()
        ))),
    }
}

async fn execute_admin(
    ctx: &FrontendContext,
    session: &mut Session,
    statement: AdminStatement,
) -> Result<QueryOutput> {
    use handlers::account;
    match statement {
        AdminStatement::CreateUser {
            if_not_exists,
            user,
            identified,
        } => account::create_user::handle(ctx, if_not_exists, &user, identified.as_ref()).await,
        AdminStatement::AlterUser {
            if_exists,
            user,
            identified,
        } => account::alter_user::handle(ctx, if_exists, &user, &identified).await,
        AdminStatement::SetPassword { user, password } => {
            let user = user.unwrap_or_else(|| UserName {
                name: session.user.clone(),
                host: "%".into(),
            });
            let identified = Identification {
                plugin: None,
                password,
            };
            account::alter_user::handle(ctx, false, &user, &identified).await
        }
        AdminStatement::DropUser { if_exists, users } => {
            account::drop_user::handle(ctx, if_exists, &users).await
        }
        AdminStatement::ShowGrants { user } => {
            account::show_grants::handle(ctx, session, user.as_ref())
        }
        AdminStatement::ShowIndex { table, database } => {
            handlers::show_table_info::show_index(ctx, session, &table, database.as_deref())
        }
        AdminStatement::ShowTableStatus { database, like } => {
            handlers::show_table_info::show_table_status(
                ctx,
                session,
                database.as_deref(),
                like.as_deref(),
            )
            .await
        }
        AdminStatement::ShowDiagnostics {
            errors_only,
            count_only,
        } => handlers::show_diagnostics::handle(session, errors_only, count_only),
        AdminStatement::ShowEngines => handlers::show_server::engines(),
        AdminStatement::CreateCatalog {
            if_not_exists,
            name,
            comment,
            properties,
        } => handlers::catalogs::create(ctx, if_not_exists, &name, comment, properties).await,
        AdminStatement::DropCatalog { if_exists, name } => {
            handlers::catalogs::drop(ctx, &name, if_exists).await
        }
        AdminStatement::ShowCatalogs => handlers::catalogs::show(ctx),
        AdminStatement::SetCatalog { name } => {
            set_catalog(ctx, session, &name)?;
            Ok(QueryOutput::ok())
        }
        AdminStatement::ShowCreateCatalog { name } => handlers::catalogs::show_create(ctx, &name),
        AdminStatement::ShowFrontendConfig { like } => {
            handlers::show_server::frontend_config(like.as_deref())
        }
        AdminStatement::ShowPlugins => handlers::show_server::plugins(),
        AdminStatement::PrepareFrom {
            name,
            text,
            variable,
        } => prepared::prepare_from(session, &name, text.as_deref(), variable.as_deref()),
    }
}

/// Whether `name` names a view (SHOW CREATE TABLE answers for views too).
fn is_view(ctx: &FrontendContext, session: &Session, name: &ObjectName) -> bool {
    qualify(session, name).is_ok_and(|(db, v)| ctx.catalog.view_now(&db, &v).is_some())
}

/// COM_PROCESS_KILL and `KILL`.
pub fn kill(
    ctx: &FrontendContext,
    session: &Session,
    id: u32,
    connection: bool,
) -> Result<QueryOutput> {
    handlers::kill::handle(ctx, session, id, connection)
}

/// `USE [catalog.]db` and COM_INIT_DB. A bare database is looked up in the current
/// catalog; `catalog.db` switches catalog too.
pub fn use_database(ctx: &FrontendContext, session: &mut Session, name: &str) -> Result<()> {
    let name = name.replace('`', "").to_lowercase();
    let (catalog, db) = match name.split_once('.') {
        Some((c, d)) if c == lakestar_engine::catalog::DEFAULT_CATALOG => (None, d.to_string()),
        Some((c, d)) => (Some(c.to_string()), d.to_string()),
        None => (session.current_catalog.clone(), name),
    };
    match &catalog {
        None => {
            if !ctx.catalog.database_exists_now(&db)
                && db != crate::information_schema::INFORMATION_SCHEMA
            {
                return Err(user_err!(UnknownDatabase, "Unknown database '{db}'"));
            }
        }
        Some(c) => {
            if ctx.external_catalog(c)?.schema(&db).is_none() {
                return Err(user_err!(UnknownDatabase, "Unknown database '{c}.{db}'"));
            }
        }
    }
    session.current_catalog = catalog;
    session.current_db = Some(db);
    Ok(())
}

/// `SET CATALOG c`: bare names now resolve in `c`; the database is unset.
pub fn set_catalog(ctx: &FrontendContext, session: &mut Session, name: &str) -> Result<()> {
    if name == lakestar_engine::catalog::DEFAULT_CATALOG {
        session.current_catalog = None;
    } else if ctx.catalog.snapshot().catalogs.contains_key(name) {
        session.current_catalog = Some(name.to_string());
    } else {
        return Err(user_err!(UnknownDatabase, "Unknown catalog '{name}'"));
    }
    session.current_db = None;
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

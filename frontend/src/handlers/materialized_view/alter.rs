//! `ALTER MATERIALIZED VIEW mv {REFRESH ... | RENAME new | ACTIVE | INACTIVE | SET (...)}`
//! and `DROP MATERIALIZED VIEW [IF EXISTS] mv`.

use lakestar_engine::{user_err, Result};
use sqlparser::ast::ObjectName;

use crate::context::FrontendContext;
use crate::dispatch::qualify;
use crate::output::QueryOutput;
use crate::session::Session;
use crate::sql::materialized_view::AlterMaterializedView;

pub async fn alter(
    ctx: &FrontendContext,
    session: &Session,
    name: &ObjectName,
    change: AlterMaterializedView,
) -> Result<QueryOutput> {
    let (db, name) = qualify(session, name)?;
    if ctx.catalog.materialized_view_now(&db, &name).is_none() {
        return Err(user_err!(
            UnknownTable,
            "Unknown materialized view '{db}.{name}'"
        ));
    }
    match change {
        AlterMaterializedView::Rename(new_name) => {
            if ctx.materialized_views.is_running(&db, &name) {
                return Err(user_err!(
                    Other,
                    "'{db}.{name}' is refreshing; rename it when the refresh ends"
                ));
            }
            ctx.catalog
                .rename_materialized_view(&db, &name, &new_name)
                .await?;
        }
        AlterMaterializedView::Refresh(clause) => {
            ctx.catalog
                .update_materialized_view(&db, &name, |mv| {
                    mv.refresh = clause.scheme;
                    mv.deferred = clause.deferred;
                    Ok(())
                })
                .await?;
        }
        AlterMaterializedView::Active => {
            ctx.catalog
                .update_materialized_view(&db, &name, |mv| {
                    mv.active = true;
                    mv.inactive_reason = None;
                    Ok(())
                })
                .await?;
        }
        AlterMaterializedView::Inactive => {
            ctx.catalog
                .update_materialized_view(&db, &name, |mv| {
                    mv.active = false;
                    mv.inactive_reason = Some("set inactive by ALTER MATERIALIZED VIEW".into());
                    Ok(())
                })
                .await?;
        }
        AlterMaterializedView::Set(properties) => {
            for (key, value) in &properties {
                super::create::check_property(key, value)?;
            }
            ctx.catalog
                .update_materialized_view(&db, &name, |mv| {
                    mv.properties.extend(properties);
                    Ok(())
                })
                .await?;
        }
    }
    Ok(QueryOutput::ok())
}

pub async fn drop(
    ctx: &FrontendContext,
    session: &Session,
    name: &ObjectName,
    if_exists: bool,
) -> Result<QueryOutput> {
    let (db, name) = qualify(session, name)?;
    if ctx.materialized_views.is_running(&db, &name) {
        let _ = ctx.materialized_views.cancel(&db, &name);
    }
    ctx.catalog
        .drop_materialized_view(&db, &name, if_exists)
        .await?;
    Ok(QueryOutput::ok())
}

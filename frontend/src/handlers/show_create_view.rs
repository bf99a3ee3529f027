//! `SHOW CREATE VIEW v` (and `SHOW CREATE TABLE` on a view), in MySQL's layout.

use lakestar_engine::catalog::ViewMeta;
use lakestar_engine::{user_err, Result};
use sqlparser::ast::ObjectName;

use crate::context::FrontendContext;
use crate::dispatch::qualify;
use crate::output::QueryOutput;
use crate::session::Session;

pub fn handle(ctx: &FrontendContext, session: &Session, name: &ObjectName) -> Result<QueryOutput> {
    let (db, view) = qualify(session, name)?;
    let meta = ctx
        .catalog
        .view_now(&db, &view)
        .ok_or_else(|| user_err!(UnknownTable, "Table '{db}.{view}' doesn't exist"))?;
    QueryOutput::text_rows(
        &[
            "View",
            "Create View",
            "character_set_client",
            "collation_connection",
        ],
        vec![vec![
            Some(meta.name.clone()),
            Some(render(&meta)),
            Some("utf8mb4".into()),
            Some("utf8mb4_general_ci".into()),
        ]],
    )
}

/// The CREATE VIEW statement of a view; it parses back as DDL.
pub fn render(meta: &ViewMeta) -> String {
    let columns: Vec<String> = meta.columns.iter().map(|c| format!("`{c}`")).collect();
    format!(
        "CREATE VIEW `{}` ({}) AS {}",
        meta.name,
        columns.join(", "),
        meta.definition
    )
}

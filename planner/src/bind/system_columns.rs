//! information_schema columns are named in upper case, as in MySQL 8 (`SELECT *` returns
//! `TABLE_NAME`, which drivers and SQLAlchemy dialects read by that exact key). Identifiers
//! are otherwise normalised to lower case, so before binding a statement that reads
//! information_schema, every identifier that names one of its columns is spelled in upper
//! case and quoted, which makes DataFusion keep it as written.

use std::collections::HashMap;
use std::ops::ControlFlow;

use datafusion::execution::session_state::SessionState;
use datafusion::sql::parser::Statement as DFStatement;
use lakestar_engine::catalog::DEFAULT_CATALOG;
use lakestar_engine::{Error, Result};
use sqlparser::ast::{Expr, Ident, Statement};

use super::references::system_table;
use crate::catalog_provider::INFORMATION_SCHEMA;

/// Spell information_schema column names as the tables define them.
pub async fn quote_system_columns(
    state: &SessionState,
    statement: &mut Statement,
    current_db: Option<&str>,
) -> Result<()> {
    let references = state
        .resolve_table_references(&DFStatement::Statement(Box::new(statement.clone())))
        .map_err(Error::from_datafusion)?;
    let Some(schema) = state
        .catalog_list()
        .catalog(DEFAULT_CATALOG)
        .and_then(|c| c.schema(INFORMATION_SCHEMA))
    else {
        return Ok(());
    };
    let mut names: HashMap<String, String> = HashMap::new();
    for reference in &references {
        let Some(table) = system_table(reference, current_db) else {
            continue;
        };
        if let Some(provider) = schema.table(&table).await.map_err(Error::from_datafusion)? {
            for field in provider.schema().fields() {
                names.insert(field.name().to_lowercase(), field.name().clone());
            }
        }
    }
    if names.is_empty() {
        return Ok(());
    }
    let fix = |ident: &mut Ident| {
        if let Some(exact) = names.get(&ident.value.to_lowercase()) {
            ident.value = exact.clone();
            ident.quote_style = Some('`');
        }
    };
    let _ = sqlparser::ast::visit_expressions_mut(statement, |expr| {
        match expr {
            Expr::Identifier(i) => fix(i),
            Expr::CompoundIdentifier(parts) => {
                if let Some(last) = parts.last_mut() {
                    fix(last)
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    Ok(())
}

//! Binding: a parsed statement becomes a DataFusion logical plan.
//!
//! Queries are bound by DataFusion's `SqlToRel` over [`crate::catalog_provider`];
//! INSERT is bound here ([`insert`]) so that column lists, DEFAULT values and store
//! assignment casts follow MySQL semantics.

pub mod insert;
pub mod references;

use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::LogicalPlan;
use datafusion::sql::parser::Statement as DFStatement;
use lakestar_engine::catalog::CatalogView;
use lakestar_engine::{Error, Result};
use sqlparser::ast::Statement;

use crate::normalize::{mysql_column_names, normalize_identifiers};

/// Binds statements for one session.
pub struct Binder<'a> {
    pub state: &'a SessionState,
    pub view: &'a dyn CatalogView,
    pub current_db: Option<&'a str>,
}

impl<'a> Binder<'a> {
    pub fn new(
        state: &'a SessionState,
        view: &'a dyn CatalogView,
        current_db: Option<&'a str>,
    ) -> Self {
        Self {
            state,
            view,
            current_db,
        }
    }

    /// Bind a query (SELECT, VALUES, set operations, WITH ...).
    pub async fn bind_query(&self, mut statement: Statement) -> Result<LogicalPlan> {
        normalize_identifiers(&mut statement);
        mysql_column_names(&mut statement);
        let statement = DFStatement::Statement(Box::new(statement));
        references::check_references(self.state, &statement, self.current_db, self.view)?;
        self.state
            .statement_to_plan(statement)
            .await
            .map_err(Error::from_datafusion)
    }
}

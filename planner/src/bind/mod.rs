//! Binding: a parsed statement becomes a DataFusion logical plan.
//!
//! Queries are bound by DataFusion's `SqlToRel` over [`crate::catalog_provider`];
//! INSERT, UPDATE and DELETE are bound here ([`insert`], [`update`], [`delete`],
//! sharing [`write_rows`]) so that column lists, DEFAULT values and store
//! assignment casts follow MySQL semantics. A long `UNION ALL` of constant rows is bound
//! as one VALUES list first ([`constant_unions`]).

pub mod constant_unions;
pub mod delete;
pub mod insert;
pub mod mv_candidates;
pub mod mv_partitions;
pub mod output_names;
pub mod references;
pub mod rewrite_table;
pub mod system_columns;
pub mod update;
pub mod views;
pub mod write_rows;

use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::LogicalPlan;
use datafusion::scalar::ScalarValue;
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
    /// Values of a prepared statement's parameters (`$1`, `$2`, ...), if executing one.
    pub params: Option<&'a [ScalarValue]>,
    /// The external catalog bare and two-part names resolve in (SET CATALOG).
    pub current_catalog: Option<&'a str>,
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
            params: None,
            current_catalog: None,
        }
    }

    /// Resolve bare and two-part names in an external catalog.
    pub fn with_catalog(mut self, catalog: Option<&'a str>) -> Self {
        self.current_catalog = catalog;
        self
    }

    /// The database views are looked up in: none while an external catalog is current.
    fn view_db(&self) -> Option<&'a str> {
        match self.current_catalog {
            Some(_) => None,
            None => self.current_db,
        }
    }

    /// Bind with prepared-statement parameter values.
    pub fn with_params(mut self, params: Option<&'a [ScalarValue]>) -> Self {
        self.params = params;
        self
    }

    /// Bind a query (SELECT, VALUES, set operations, WITH ...).
    pub async fn bind_query(&self, mut statement: Statement) -> Result<LogicalPlan> {
        constant_unions::rewrite(&mut statement);
        normalize_identifiers(&mut statement);
        views::expand_views(&mut statement, self.view_db(), self.view)?;
        normalize_identifiers(&mut statement);
        mysql_column_names(&mut statement);
        crate::semantics::subqueries::rewrite(&mut statement);
        let labels = output_names::dedupe(&mut statement);
        let checked = DFStatement::Statement(Box::new(statement.clone()));
        references::check_references(self, &checked)?;
        system_columns::quote_system_columns(self.state, &mut statement, self.current_db).await?;
        let plan = self.plan_with_params(statement).await?;
        let plan = self.round_decimals(plan)?;
        output_names::relabel(plan, &labels)
    }

    /// Type a query's plan (DataFusion's analyzer, as the optimizer would) and add MySQL's
    /// DECIMAL roundings ([`crate::semantics::decimals`]), which need the final types.
    fn round_decimals(&self, plan: LogicalPlan) -> Result<LogicalPlan> {
        if matches!(
            plan,
            LogicalPlan::Explain(_)
                | LogicalPlan::Analyze(_)
                | LogicalPlan::Dml(_)
                | LogicalPlan::Ddl(_)
                | LogicalPlan::Statement(_)
        ) {
            return Ok(plan);
        }
        let plan = self
            .state
            .analyzer()
            .execute_and_check(plan, self.state.config_options(), |_, _| {})
            .map_err(Error::from_datafusion)?;
        crate::semantics::decimals::round_query(plan).map_err(Error::from_datafusion)
    }

    /// Plan a statement; with parameters, declare their types (a DataFusion PREPARE) so
    /// placeholders are typed, then bind the values into the plan.
    pub(crate) async fn plan_with_params(&self, statement: Statement) -> Result<LogicalPlan> {
        let Some(values) = self.params else {
            return self
                .state
                .statement_to_plan(DFStatement::Statement(Box::new(statement)))
                .await
                .map_err(Error::from_datafusion);
        };
        let prepare = Statement::Prepare {
            name: sqlparser::ast::Ident::new("lakestar_execute"),
            data_types: values.iter().map(crate::params::declared_type).collect(),
            statement: Box::new(statement),
        };
        let plan = self
            .state
            .statement_to_plan(DFStatement::Statement(Box::new(prepare)))
            .await
            .map_err(Error::from_datafusion)?;
        let input = match plan {
            LogicalPlan::Statement(datafusion::logical_expr::Statement::Prepare(p)) => {
                std::sync::Arc::unwrap_or_clone(p.input)
            }
            other => other,
        };
        crate::params::bind_plan(input, values)
    }
}

//! # lakestar-planner: from a parsed statement to an executable plan
//!
//! ```text
//!  sqlparser AST ──► bind (SqlToRel over the catalog view) ──► LogicalPlan
//!                    │  INSERT: column list, DEFAULT, store-assignment casts,
//!                    │  generated columns
//!                    ▼
//!   Lakestar's optimizer stages, then DataFusion's ──► physical plan
//! ```
//!
//! - [`session::build_session_state`]: the DataFusion state a statement is planned in: the
//!   catalog ([`catalog_provider`]), session functions ([`functions`]) and `@@`/`@`
//!   variables ([`variables`]).
//! - [`bind::Binder`]: queries and INSERT; missing databases, tables and columns become
//!   precise errors.
//! - [`store_cast::StoreCast`]: MySQL strict-mode conversion of written values.
//! - [`generated`]: checking and binding generated columns' expressions.
//! - [`optimizer`]: Lakestar's named optimizer stages (generated-column rewrite).
//! - [`semantics`]: MySQL expression semantics (arithmetic, implicit conversion,
//!   comparison), planned in place of DataFusion's operators.
//! - [`normalize`] and [`mysql_syntax`]: MySQL spellings rewritten before binding.
//! - [`plan_exprs`]: helpers of the rules that rewrite a node's expressions in place.
//!
//! The planner does no network I/O and never writes the catalog.

pub mod bind;
pub mod catalog_provider;
pub mod dialect;
pub mod files_function;
pub mod functions;
pub mod generated;
pub mod mysql_functions;
pub mod mysql_syntax;
pub mod normalize;
pub mod optimizer;
pub mod params;
pub mod plan_exprs;
pub mod semantics;
pub mod session;
pub mod store_cast;
pub mod subquery_apply;
pub mod variables;

use std::sync::Arc;

use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::LogicalPlan;
use datafusion::physical_plan::ExecutionPlan;
use lakestar_engine::{Error, Result};

/// Optimise a bound plan and turn it into a physical plan.
pub async fn physical_plan(
    state: &SessionState,
    plan: &LogicalPlan,
) -> Result<Arc<dyn ExecutionPlan>> {
    let optimized = state.optimize(plan).map_err(Error::from_datafusion)?;
    if let Some(slots) = state.config().get_extension::<subquery_apply::ApplySlots>() {
        slots.fill(state);
    }
    state
        .query_planner()
        .create_physical_plan(&optimized, state)
        .await
        .map_err(Error::from_datafusion)
}

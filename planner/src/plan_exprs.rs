//! Helpers for rules that rewrite the expressions of one plan node, shared by the
//! analyzer rules of [`crate::semantics`] and the stages of [`crate::optimizer`].

use datafusion::common::tree_node::Transformed;
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::{Expr, LogicalPlan};

/// Rewrite every expression of `node` with `rewrite`, each keeping its output name: the
/// plan above refers to a projection's or an aggregate's columns by name.
pub fn map_keeping_names(
    node: LogicalPlan,
    mut rewrite: impl FnMut(Expr) -> Result<Transformed<Expr>>,
) -> Result<Transformed<LogicalPlan>> {
    let names = NamePreserver::new(&node);
    node.map_expressions(|e| {
        let name = names.save(&e);
        Ok(rewrite(e)?.update_data(|e| name.restore(e)))
    })
}

/// The columns `node`'s expressions can refer to: its inputs' schemas together.
pub fn inputs_schema(node: &LogicalPlan) -> DFSchema {
    let mut schema = DFSchema::empty();
    for input in node.inputs() {
        schema.merge(input.schema());
    }
    schema
}

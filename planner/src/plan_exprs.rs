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

/// Function calls whose arguments hold more expressions than this get a short
/// [`schema_name`].
const NAMED_IN_FULL: usize = 16;

/// The column name of a call of `function` on `args`: `function(a,b)` as DataFusion
/// writes it, or `function(#<hash of the arguments>)` when the arguments are large.
///
/// DataFusion asks for the name of every nested call again at every level while it types
/// an expression, so full names cost the square of a long chain's size (a 10,000-term
/// sum spent most of its planning time writing names). Equal expressions still get
/// equal names, which is what a plan's column references rely on.
pub fn schema_name(function: &str, args: &[Expr]) -> Result<String> {
    use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
    use std::hash::{DefaultHasher, Hash, Hasher};

    let mut size = 0;
    for arg in args {
        arg.apply(|_| {
            size += 1;
            Ok(match size > NAMED_IN_FULL {
                true => TreeNodeRecursion::Stop,
                false => TreeNodeRecursion::Continue,
            })
        })?;
    }
    if size <= NAMED_IN_FULL {
        use std::fmt::Write;
        let mut name = format!("{function}(");
        for (i, arg) in args.iter().enumerate() {
            let sep = if i > 0 { "," } else { "" };
            write!(name, "{sep}{}", arg.schema_name())
                .map_err(|e| datafusion::error::DataFusionError::External(Box::new(e)))?;
        }
        name.push(')');
        return Ok(name);
    }
    let mut hasher = DefaultHasher::new();
    args.hash(&mut hasher);
    Ok(format!("{function}(#{:016x})", hasher.finish()))
}

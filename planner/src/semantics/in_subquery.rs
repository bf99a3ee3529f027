//! `x IN (SELECT y ...)` where `x` and `y` have different types (`a % b` is a BIGINT, a
//! column an INT): DataFusion's type coercion casts the subquery's column, and a cast
//! keeps the column's name, so decorrelation, which adds the correlated column beside it,
//! fails on two columns of one name. This analyzer rule, run after type coercion, names
//! the cast column apart.

use std::sync::Arc;

use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::Result;
use datafusion::config::ConfigOptions;
use datafusion::logical_expr::expr::InSubquery;
use datafusion::logical_expr::{Expr, LogicalPlan, Projection, Subquery};
use datafusion::optimizer::AnalyzerRule;

/// The name the subquery's compared column gets.
const VALUE: &str = "__in_subquery_value";

#[derive(Debug, Default)]
pub struct InSubqueryTypes;

fn rewrite(expr: Expr) -> Result<Transformed<Expr>> {
    expr.transform_up(|e| {
        let Expr::InSubquery(InSubquery {
            expr,
            subquery,
            negated,
        }) = e
        else {
            return Ok(Transformed::no(e));
        };
        let renamed = match subquery.subquery.as_ref() {
            LogicalPlan::Projection(p)
                if matches!(p.expr.as_slice(), [Expr::Cast(_) | Expr::TryCast(_)]) =>
            {
                let value = p.expr[0].clone().alias(VALUE);
                Some(Projection::try_new(vec![value], Arc::clone(&p.input))?)
            }
            _ => None,
        };
        Ok(match renamed {
            Some(projection) => {
                let subquery = Subquery {
                    subquery: Arc::new(LogicalPlan::Projection(projection)),
                    outer_ref_columns: subquery.outer_ref_columns,
                    spans: subquery.spans,
                };
                Transformed::yes(Expr::InSubquery(InSubquery::new(expr, subquery, negated)))
            }
            None => Transformed::no(Expr::InSubquery(InSubquery::new(expr, subquery, negated))),
        })
    })
}

impl AnalyzerRule for InSubqueryTypes {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(|node| node.map_expressions(rewrite))
            .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "mysql_in_subquery_types"
    }
}

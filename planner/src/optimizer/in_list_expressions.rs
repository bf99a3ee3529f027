//! Stage `in_list_expressions`: `x IN (1, 2, a + b)` becomes `x IN (1, 2) OR x = a + b`
//! (and `NOT IN` the matching AND of `<>`), the same under three-valued logic. DataFusion
//! decides that an IN list is constant by evaluating it on an empty batch, where a
//! CASE answers with one value, so `x IN (7, 14, CASE WHEN c = 6 THEN 50 ELSE d END)`
//! compared every row with NULL. Only literals stay in the list.

use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::Result;
use datafusion::logical_expr::expr::InList;
use datafusion::logical_expr::{BinaryExpr, Expr, LogicalPlan, Operator};
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};

#[derive(Debug, Default)]
pub struct InListExpressions;

/// `terms` joined by `op`, as a balanced tree (no deep recursion over long lists).
fn balanced(mut terms: Vec<Expr>, op: Operator) -> Expr {
    if terms.len() == 1 {
        return terms.pop().expect("one term");
    }
    let right = terms.split_off(terms.len() / 2);
    Expr::BinaryExpr(BinaryExpr::new(
        Box::new(balanced(terms, op)),
        op,
        Box::new(balanced(right, op)),
    ))
}

fn rewrite(expr: Expr) -> Result<Transformed<Expr>> {
    expr.transform_up(|e| {
        let Expr::InList(InList {
            expr,
            list,
            negated,
        }) = e
        else {
            return Ok(Transformed::no(e));
        };
        if list.iter().all(|item| matches!(item, Expr::Literal(..))) {
            return Ok(Transformed::no(Expr::InList(InList {
                expr,
                list,
                negated,
            })));
        }
        let (literals, others): (Vec<_>, Vec<_>) = list
            .into_iter()
            .partition(|item| matches!(item, Expr::Literal(..)));
        let (compare, join) = match negated {
            false => (Operator::Eq, Operator::Or),
            true => (Operator::NotEq, Operator::And),
        };
        let mut terms = vec![];
        if !literals.is_empty() {
            terms.push(Expr::InList(InList {
                expr: expr.clone(),
                list: literals,
                negated,
            }));
        }
        terms.extend(
            others.into_iter().map(|item| {
                Expr::BinaryExpr(BinaryExpr::new(expr.clone(), compare, Box::new(item)))
            }),
        );
        Ok(Transformed::yes(balanced(terms, join)))
    })
}

impl OptimizerRule for InListExpressions {
    fn name(&self) -> &str {
        "in_list_expressions"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::BottomUp)
    }

    fn supports_rewrite(&self) -> bool {
        true
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        _config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        crate::plan_exprs::map_keeping_names(plan, rewrite)
    }
}

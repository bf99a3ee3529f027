//! Async functions (the per-row subquery applies of [`crate::subquery_apply`]) run only
//! in projections and filters (DataFusion's `AsyncFuncExec`), but `push_down_filter` moves
//! a WHERE conjunct holding one into an inner join's filter, where nothing can run it.
//! This stage, the last, moves such conjuncts back into a filter above the join (the same
//! rows: an inner join's filter and a filter above it are interchangeable).

use std::sync::Arc;

use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::Result;
use datafusion::logical_expr::utils::{conjunction, split_conjunction_owned};
use datafusion::logical_expr::{Expr, Filter, JoinType, LogicalPlan};
use datafusion::optimizer::optimizer::ApplyOrder;
use datafusion::optimizer::{OptimizerConfig, OptimizerRule};

#[derive(Debug, Default)]
pub struct AsyncPlacement;

fn has_async(expr: &Expr) -> bool {
    expr.exists(|e| Ok(matches!(e, Expr::ScalarFunction(f) if f.func.as_async().is_some())))
        .unwrap_or(false)
}

impl OptimizerRule for AsyncPlacement {
    fn name(&self) -> &str {
        "async_placement"
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
        let LogicalPlan::Join(mut join) = plan else {
            return Ok(Transformed::no(plan));
        };
        let movable =
            join.join_type == JoinType::Inner && join.filter.as_ref().is_some_and(has_async);
        if !movable {
            return Ok(Transformed::no(LogicalPlan::Join(join)));
        }
        let conjuncts = split_conjunction_owned(join.filter.take().expect("checked"));
        let (applies, rest): (Vec<_>, Vec<_>) = conjuncts.into_iter().partition(has_async);
        join.filter = conjunction(rest);
        let predicate = conjunction(applies).expect("at least one conjunct");
        Ok(Transformed::yes(LogicalPlan::Filter(Filter::try_new(
            predicate,
            Arc::new(LogicalPlan::Join(join)),
        )?)))
    }
}

//! Stage `anti_join_filters`, just before DataFusion's `push_down_filter`: a filter above a
//! null-aware anti join (`x NOT IN (SELECT y ...)`) moves into the join's left input
//! itself. `push_down_filter` would otherwise infer the filter for the subquery's side
//! through the join keys (`WHERE x NOT IN (SELECT y FROM t) AND x <= 60` filtered
//! `y <= 60`), dropping the subquery's NULLs, which make NOT IN unknown for every row.
//! An anti join's output is its left input's rows, so filtering them before the join is
//! the same.

use std::sync::Arc;

use datafusion::common::tree_node::Transformed;
use datafusion::common::Result;
use datafusion::logical_expr::{Filter, Join, JoinType, LogicalPlan};
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};

#[derive(Debug, Default)]
pub struct AntiJoinFilters;

impl OptimizerRule for AntiJoinFilters {
    fn name(&self) -> &str {
        "anti_join_filters"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::TopDown)
    }

    fn supports_rewrite(&self) -> bool {
        true
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        _config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        let LogicalPlan::Filter(filter) = plan else {
            return Ok(Transformed::no(plan));
        };
        let LogicalPlan::Join(join) = filter.input.as_ref() else {
            return Ok(Transformed::no(LogicalPlan::Filter(filter)));
        };
        if join.join_type != JoinType::LeftAnti || !join.null_aware {
            return Ok(Transformed::no(LogicalPlan::Filter(filter)));
        }
        let Filter { predicate, .. } = filter.clone();
        let left = LogicalPlan::Filter(Filter::try_new(predicate, Arc::clone(&join.left))?);
        let join = Join {
            left: Arc::new(left),
            ..join.clone()
        };
        Ok(Transformed::yes(LogicalPlan::Join(join)))
    }
}

//! `bitmap_agg_rewrite`: `bitmap_union(to_bitmap(x))` over an integer `x` becomes
//! `bitmap_agg(x)`, the same bitmap built from the integers directly, without a one-value
//! bitmap serialized and read back per row. It is how materialized views keep a
//! `count(DISTINCT x)` that rolls up, so their refreshes, and the base-table side of a
//! partition-compensated rewrite, compute it several times faster.
//!
//! Runs after the materialized-view rewrite (which matches the spelling users write).

use std::sync::Arc;

use datafusion::common::tree_node::Transformed;
use datafusion::common::Result as DFResult;
use datafusion::logical_expr::expr::{AggregateFunction, ScalarFunction};
use datafusion::logical_expr::{Aggregate, Expr, ExprSchemable, LogicalPlan};
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};

#[derive(Debug, Default)]
pub struct BitmapAggRewrite;

impl OptimizerRule for BitmapAggRewrite {
    fn name(&self) -> &str {
        "bitmap_agg_rewrite"
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
        config: &dyn OptimizerConfig,
    ) -> DFResult<Transformed<LogicalPlan>> {
        let LogicalPlan::Aggregate(aggregate) = plan else {
            return Ok(Transformed::no(plan));
        };
        let Some(bitmap_agg) = config
            .function_registry()
            .and_then(|r| r.udaf("bitmap_agg").ok())
        else {
            return Ok(Transformed::no(LogicalPlan::Aggregate(aggregate)));
        };
        let mut changed = false;
        let aggr_expr = aggregate
            .aggr_expr
            .iter()
            .map(|e| match integer_argument(e, &aggregate) {
                Some(x) => {
                    changed = true;
                    let name = e.schema_name().to_string();
                    Expr::AggregateFunction(AggregateFunction::new_udf(
                        Arc::clone(&bitmap_agg),
                        vec![x],
                        false,
                        None,
                        vec![],
                        None,
                    ))
                    .alias(name)
                }
                None => e.clone(),
            })
            .collect();
        if !changed {
            return Ok(Transformed::no(LogicalPlan::Aggregate(aggregate)));
        }
        Ok(Transformed::yes(LogicalPlan::Aggregate(
            Aggregate::try_new(aggregate.input, aggregate.group_expr, aggr_expr)?,
        )))
    }
}

/// `x` of `bitmap_union(to_bitmap(x))` (no DISTINCT, FILTER or ORDER BY), when `x` is an
/// integer.
fn integer_argument(e: &Expr, aggregate: &Aggregate) -> Option<Expr> {
    let Expr::AggregateFunction(AggregateFunction { func, params }) = e else {
        return None;
    };
    if func.name() != "bitmap_union"
        || params.distinct
        || params.filter.is_some()
        || !params.order_by.is_empty()
    {
        return None;
    }
    let [Expr::ScalarFunction(ScalarFunction { func, args })] = params.args.as_slice() else {
        return None;
    };
    let [x] = args.as_slice() else {
        return None;
    };
    let integer = x
        .get_type(aggregate.input.schema())
        .is_ok_and(|t| t.is_integer());
    (func.name() == "to_bitmap" && integer).then(|| x.clone())
}

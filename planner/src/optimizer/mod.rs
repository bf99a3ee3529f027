//! Lakestar's optimizer: its own rules, as named stages in one ordered list. Stages 1 and
//! 2 run before DataFusion's rules (so projection and filter push-down see their
//! results), stages 3 to 7 after them (stage 3 moves the semi joins DataFusion makes of
//! subqueries; stage 4 must not change what stage 1 matches). Each optimizer pass runs
//! the whole list.
//!
//! | stage | rule | turned off by |
//! |---|---|---|
//! | 1 | [`mv_rewrite`]: query blocks a fresh materialized view can answer read the view | `enable_materialized_view_rewrite = false` |
//! | 2 | [`generated_column_rewrite`]: expressions equal to a generated column's expression read the column | `enable_generated_column_rewrite = false` |
//! | 3 | [`semi_join_pushdown`]: semi joins over inner joins move to the input holding their keys | — |
//! | 4 | [`bitmap_agg_rewrite`]: `bitmap_union(to_bitmap(x))` of an integer becomes `bitmap_agg(x)` | — |
//! | 5 | [`decimal_avg_rounding`]: `avg` of a DECIMAL rounds half away from zero (MySQL) | — |
//! | 6 | [`async_placement`]: per-row subquery applies pushed into an inner join's filter move back above the join | — |
//! | 7 | [`in_list_expressions`]: IN-list items that are not literals become `=` comparisons | — |
//!
//! Three of Lakestar's rules sit inside DataFusion's list, beside the rule they serve:
//! `subquery_apply` right after `scalar_subquery_to_join`, [`anti_join_filters`]
//! (filters above a NOT IN anti join go into its left input) right before
//! `push_down_filter`, and [`bounded_unions`] (nested unions flattened into trees of
//! bounded fan-in) in place of DataFusion's `optimize_unions`.
//!
//! Physical stages run after DataFusion's physical optimizer ([`physical_rules`]):
//!
//! | stage | rule |
//! |---|---|
//! | P1 | [`bounded_limits`]: no operator allocates by a LIMIT's value |
//!
//! DataFusion's own physical rules run first ([`datafusion_physical_rules`]), with its
//! `aggregate_statistics` replaced by [`guarded_statistics`] (no answers from statistics
//! for DISTINCT aggregates).

pub mod anti_join_filters;
pub mod async_placement;
pub mod bitmap_agg_rewrite;
pub mod bounded_limits;
pub mod bounded_unions;
pub mod decimal_avg_rounding;
pub mod generated_column_rewrite;
pub mod guarded_statistics;
pub mod in_list_expressions;
pub mod mv_rewrite;
pub mod semi_join_pushdown;

use std::sync::Arc;

use datafusion::optimizer::{Optimizer, OptimizerRule};

/// Which of Lakestar's stages a statement runs (from session variables).
#[derive(Debug, Clone)]
pub struct Stages {
    /// The statement's materialized-view candidates; `None`: the rewrite is off.
    pub materialized_view_rewrite: Option<Arc<mv_rewrite::MvRewriteContext>>,
    pub generated_column_rewrite: bool,
    /// Where the statement's apply functions wait for its session (`subquery_apply`).
    pub subquery_apply: Arc<crate::subquery_apply::ApplySlots>,
}

/// Every optimizer rule a statement runs, in order: Lakestar's stages, then DataFusion's.
pub fn rules(stages: Stages) -> Vec<Arc<dyn OptimizerRule + Send + Sync>> {
    let mut rules: Vec<Arc<dyn OptimizerRule + Send + Sync>> = vec![];
    if let Some(context) = stages.materialized_view_rewrite {
        rules.push(Arc::new(mv_rewrite::MaterializedViewRewrite { context }));
    }
    if stages.generated_column_rewrite {
        rules.push(Arc::new(generated_column_rewrite::GeneratedColumnRewrite));
    }
    // DataFusion's `single_distinct_aggregation_to_group_by` turns `sum(x)` beside a
    // `count(DISTINCT y)` into a sum of partial sums, whose DECIMAL comes out 10 digits
    // wider than the type HAVING and ORDER BY were coerced against ("Invalid comparison
    // operation: Decimal128(30, 2) > Decimal128(20, 2)"); it is left out.
    for rule in Optimizer::new().rules {
        match rule.name() {
            "single_distinct_aggregation_to_group_by" => {}
            // Correlated scalar subqueries DataFusion could not turn into joins are
            // evaluated per outer value (`subquery_apply`), before projections are pruned.
            "scalar_subquery_to_join" => {
                rules.push(rule);
                rules.push(Arc::new(crate::subquery_apply::SubqueryApply {
                    slots: Arc::clone(&stages.subquery_apply),
                }));
            }
            // Unions are flattened into trees of bounded fan-in (planning a flat union
            // costs the square of its inputs).
            "optimize_unions" => rules.push(Arc::new(bounded_unions::BoundedUnions)),
            "push_down_filter" => {
                rules.push(Arc::new(anti_join_filters::AntiJoinFilters));
                rules.push(rule);
            }
            _ => rules.push(rule),
        }
    }
    rules.push(Arc::new(semi_join_pushdown::SemiJoinPushdown));
    rules.push(Arc::new(bitmap_agg_rewrite::BitmapAggRewrite));
    rules.push(Arc::new(decimal_avg_rounding::DecimalAvgRounding));
    rules.push(Arc::new(async_placement::AsyncPlacement));
    rules.push(Arc::new(in_list_expressions::InListExpressions));
    rules
}

/// DataFusion's physical optimizer rules, `aggregate_statistics` guarded.
pub fn datafusion_physical_rules(
) -> Vec<Arc<dyn datafusion::physical_optimizer::PhysicalOptimizerRule + Send + Sync>> {
    datafusion::physical_optimizer::optimizer::PhysicalOptimizer::new()
        .rules
        .into_iter()
        .map(|rule| match rule.name() == guarded_statistics::WRAPPED {
            true => Arc::new(guarded_statistics::GuardedStatistics::new(rule)) as _,
            false => rule,
        })
        .collect()
}

/// Lakestar's physical stages, in order, appended to DataFusion's physical optimizer.
pub fn physical_rules(
) -> Vec<Arc<dyn datafusion::physical_optimizer::PhysicalOptimizerRule + Send + Sync>> {
    vec![Arc::new(bounded_limits::BoundedLimits)]
}

//! Physical stage `bounded_limits`: no operator sizes memory by a LIMIT's value. DataFusion's
//! top-k aggregation (`SELECT DISTINCT x ... ORDER BY x LIMIT n`) allocates a priority map
//! of `n` entries up front, so `LIMIT 1099511627776` asked for terabytes and aborted the
//! process. An aggregation's limit is only a shortcut (the sort and limit above it still
//! apply), so above [`MAX_AGGREGATE_LIMIT`] it is dropped and the aggregation runs whole.

use std::sync::Arc;

use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::config::ConfigOptions;
use datafusion::error::Result;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::aggregates::AggregateExec;
use datafusion::physical_plan::ExecutionPlan;

/// The largest limit an aggregation may keep (its top-k map holds this many groups).
pub const MAX_AGGREGATE_LIMIT: usize = 100_000;

#[derive(Debug, Default)]
pub struct BoundedLimits;

impl PhysicalOptimizerRule for BoundedLimits {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            let Some(aggregate) = node.downcast_ref::<AggregateExec>() else {
                return Ok(Transformed::no(node));
            };
            match aggregate.limit_options() {
                Some(limit) if limit.limit() > MAX_AGGREGATE_LIMIT => Ok(Transformed::yes(
                    Arc::new(aggregate.with_new_limit_options(None)) as Arc<dyn ExecutionPlan>,
                )),
                _ => Ok(Transformed::no(node)),
            }
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "bounded_limits"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

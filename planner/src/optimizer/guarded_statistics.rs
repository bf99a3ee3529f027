//! Physical stage `guarded_statistics`, in place of DataFusion's `aggregate_statistics`:
//! answering aggregates from statistics (`count(*)` from a table's exact row count) stays,
//! except for plans with a DISTINCT aggregate. DataFusion's filter statistics declare a
//! column filtered by `col = literal` to have exactly one distinct value even when no
//! row matches, so `SELECT COUNT(DISTINCT c) FROM t WHERE c = 9` was answered 1 over an
//! empty result.

use std::sync::Arc;

use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::config::ConfigOptions;
use datafusion::error::Result;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::aggregates::AggregateExec;
use datafusion::physical_plan::ExecutionPlan;

/// The name of DataFusion's rule this one wraps.
pub const WRAPPED: &str = "aggregate_statistics";

#[derive(Debug)]
pub struct GuardedStatistics {
    inner: Arc<dyn PhysicalOptimizerRule + Send + Sync>,
}

impl GuardedStatistics {
    pub fn new(inner: Arc<dyn PhysicalOptimizerRule + Send + Sync>) -> Self {
        Self { inner }
    }
}

fn has_distinct_aggregate(plan: &Arc<dyn ExecutionPlan>) -> bool {
    let mut found = false;
    let _ = plan.apply(|node| {
        if let Some(aggregate) = node.downcast_ref::<AggregateExec>() {
            if aggregate.aggr_expr().iter().any(|e| e.is_distinct()) {
                found = true;
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    });
    found
}

impl PhysicalOptimizerRule for GuardedStatistics {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if has_distinct_aggregate(&plan) {
            return Ok(plan);
        }
        self.inner.optimize(plan, config)
    }

    fn name(&self) -> &str {
        "guarded_statistics"
    }

    fn schema_check(&self) -> bool {
        self.inner.schema_check()
    }
}

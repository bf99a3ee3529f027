//! Stage `bounded_unions`, in place of DataFusion's `optimize_unions`: nested unions are
//! flattened as DataFusion flattens them (`UNION ALL` of `UNION ALL`s, `UNION` of
//! `UNION`s), then regrouped into a tree whose nodes have at most [`FAN_IN`] inputs.
//!
//! DataFusion's later rules and its physical planner merge the schemas of all a union's
//! inputs at every visit (`merge_schema`), which costs the square of the number of inputs:
//! a flat 10,000-branch `UNION ALL` took half a minute to plan. A tree of bounded nodes
//! gives the same rows (the inputs keep their order) at linear cost.

use std::sync::Arc;

use datafusion::common::tree_node::Transformed;
use datafusion::common::Result;
use datafusion::logical_expr::{Distinct, LogicalPlan, Union};
use datafusion::optimizer::optimize_unions::OptimizeUnions;
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};

/// The most inputs one union node keeps.
pub const FAN_IN: usize = 32;

#[derive(Debug, Default)]
pub struct BoundedUnions {
    flatten: OptimizeUnions,
}

/// `inputs` as one union node of `schema`, regrouped into a tree of nodes with at most
/// [`FAN_IN`] inputs, left to right.
fn bounded(mut inputs: Vec<Arc<LogicalPlan>>, union: &Union) -> Union {
    while inputs.len() > FAN_IN {
        inputs = inputs
            .chunks(FAN_IN)
            .map(|chunk| match chunk {
                [one] => Arc::clone(one),
                _ => Arc::new(LogicalPlan::Union(Union {
                    inputs: chunk.to_vec(),
                    schema: Arc::clone(&union.schema),
                })),
            })
            .collect();
    }
    Union {
        inputs,
        schema: Arc::clone(&union.schema),
    }
}

fn regroup(plan: LogicalPlan) -> Transformed<LogicalPlan> {
    match plan {
        LogicalPlan::Union(union) if union.inputs.len() > FAN_IN => {
            let inputs = union.inputs.clone();
            Transformed::yes(LogicalPlan::Union(bounded(inputs, &union)))
        }
        LogicalPlan::Distinct(Distinct::All(input)) => match input.as_ref() {
            LogicalPlan::Union(union) if union.inputs.len() > FAN_IN => {
                let inputs = union.inputs.clone();
                let union = LogicalPlan::Union(bounded(inputs, union));
                Transformed::yes(LogicalPlan::Distinct(Distinct::All(Arc::new(union))))
            }
            _ => Transformed::no(LogicalPlan::Distinct(Distinct::All(input))),
        },
        plan => Transformed::no(plan),
    }
}

impl OptimizerRule for BoundedUnions {
    fn name(&self) -> &str {
        "bounded_unions"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        self.flatten.apply_order()
    }

    fn supports_rewrite(&self) -> bool {
        true
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        let flat = self.flatten.rewrite(plan, config)?;
        let changed = flat.transformed;
        let bounded = regroup(flat.data);
        Ok(match changed || bounded.transformed {
            true => Transformed::yes(bounded.data),
            false => Transformed::no(bounded.data),
        })
    }
}

//! Stage `bounded_unions`, in place of DataFusion's `optimize_unions`: nested unions are
//! flattened (`UNION ALL` of `UNION ALL`s, `UNION` of `UNION`s, a union of one input is
//! that input), then regrouped into a tree whose nodes have at most [`FAN_IN`] inputs.
//!
//! DataFusion's later rules and its physical planner merge the schemas of all a union's
//! inputs at every visit (`merge_schema`), which costs the square of the number of inputs:
//! a flat 10,000-branch `UNION ALL` took half a minute to plan. A tree of bounded nodes
//! gives the same rows (the inputs keep their order) at linear cost.
//!
//! Unlike `optimize_unions`, a union under a projection (the casts type coercion puts
//! above a nested union) is left in place: DataFusion pushes that projection onto each
//! inner input with the column names of the first, which failed ("Unknown column") once
//! the SQL layer had rebalanced a long chain into a tree.

use std::sync::Arc;

use datafusion::common::tree_node::Transformed;
use datafusion::common::{DFSchemaRef, Result};
use datafusion::logical_expr::expr_rewriter::coerce_plan_expr_for_schema;
use datafusion::logical_expr::{Distinct, LogicalPlan, Union};
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};

/// The most inputs one union node keeps.
pub const FAN_IN: usize = 32;

#[derive(Debug, Default)]
pub struct BoundedUnions;

/// The inputs of a union of `schema` whose inputs are `inputs`, with the inputs of nested
/// unions (under a `DISTINCT` too, when `distinct`) lifted into it.
fn flatten(
    inputs: Vec<Arc<LogicalPlan>>,
    schema: &DFSchemaRef,
    distinct: bool,
) -> Result<Vec<Arc<LogicalPlan>>> {
    let mut flat = Vec::with_capacity(inputs.len());
    for input in inputs {
        let input = match (distinct, input.as_ref()) {
            (true, LogicalPlan::Distinct(Distinct::All(inner))) => Arc::clone(inner),
            _ => input,
        };
        match Arc::unwrap_or_clone(input) {
            LogicalPlan::Union(nested) => {
                for plan in nested.inputs {
                    let plan = Arc::unwrap_or_clone(plan);
                    flat.push(Arc::new(coerce_plan_expr_for_schema(plan, schema)?));
                }
            }
            plan => flat.push(Arc::new(coerce_plan_expr_for_schema(plan, schema)?)),
        }
    }
    Ok(flat)
}

/// `inputs` as one union node of `schema`, regrouped into a tree of nodes with at most
/// [`FAN_IN`] inputs, left to right.
fn bounded(mut inputs: Vec<Arc<LogicalPlan>>, schema: &DFSchemaRef) -> Union {
    while inputs.len() > FAN_IN {
        inputs = inputs
            .chunks(FAN_IN)
            .map(|chunk| match chunk {
                [one] => Arc::clone(one),
                _ => Arc::new(LogicalPlan::Union(Union {
                    inputs: chunk.to_vec(),
                    schema: Arc::clone(schema),
                })),
            })
            .collect();
    }
    Union {
        inputs,
        schema: Arc::clone(schema),
    }
}

impl OptimizerRule for BoundedUnions {
    fn name(&self) -> &str {
        "bounded_unions"
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
        match plan {
            LogicalPlan::Union(Union { mut inputs, .. }) if inputs.len() == 1 => {
                let input = inputs.pop().expect("one input");
                Ok(Transformed::yes(Arc::unwrap_or_clone(input)))
            }
            LogicalPlan::Union(Union { inputs, schema }) => {
                let inputs = flatten(inputs, &schema, false)?;
                Ok(Transformed::yes(LogicalPlan::Union(bounded(
                    inputs, &schema,
                ))))
            }
            LogicalPlan::Distinct(Distinct::All(input)) => match Arc::unwrap_or_clone(input) {
                LogicalPlan::Union(Union { inputs, schema }) => {
                    let inputs = flatten(inputs, &schema, true)?;
                    let union = LogicalPlan::Union(bounded(inputs, &schema));
                    Ok(Transformed::yes(LogicalPlan::Distinct(Distinct::All(
                        Arc::new(union),
                    ))))
                }
                other => Ok(Transformed::no(LogicalPlan::Distinct(Distinct::All(
                    Arc::new(other),
                )))),
            },
            plan => Ok(Transformed::no(plan)),
        }
    }
}

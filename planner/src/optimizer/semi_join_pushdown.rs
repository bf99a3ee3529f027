//! `semi_join_pushdown`: a semi join (`x IN (subquery)`, `EXISTS`) over inner joins moves
//! down to the join input that holds its key columns, so the rows it removes are removed
//! before they are joined, not after.
//!
//! `LeftSemi(Inner(A, B), R)` on columns of `A` equals `Inner(LeftSemi(A, R), B)`: the semi
//! join keeps or drops each row of `A` on its own, whatever it is joined to. It also moves
//! through filters and projections of plain columns. TPC-H q18 is the case in point: the
//! subquery keeps a few hundred orders, and without this rule the fifteen million orders
//! of SF10 were joined to their customers and held in a hash table first.
//!
//! Runs after DataFusion's rules have turned subqueries into semi joins.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::common::tree_node::Transformed;
use datafusion::common::{Column, DFSchema, Result as DFResult};
use datafusion::logical_expr::{Expr, Filter, Join, JoinType, LogicalPlan, Projection};
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};

#[derive(Debug, Default)]
pub struct SemiJoinPushdown;

impl OptimizerRule for SemiJoinPushdown {
    fn name(&self) -> &str {
        "semi_join_pushdown"
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
    ) -> DFResult<Transformed<LogicalPlan>> {
        let LogicalPlan::Join(join) = plan else {
            return Ok(Transformed::no(plan));
        };
        if join.join_type != JoinType::LeftSemi || join.null_aware {
            return Ok(Transformed::no(LogicalPlan::Join(join)));
        }
        // The columns of the left side the semi join reads.
        let mut needed: HashSet<Column> = HashSet::new();
        for (left, _) in &join.on {
            needed.extend(left.column_refs().into_iter().cloned());
        }
        if let Some(filter) = &join.filter {
            for c in filter.column_refs() {
                if join.left.schema().has_column(c) {
                    needed.insert(c.clone());
                }
            }
        }
        if needed.is_empty() || !movable(&join.left, &needed) {
            return Ok(Transformed::no(LogicalPlan::Join(join)));
        }
        let left = Arc::unwrap_or_clone(Arc::clone(&join.left));
        let pushed = push(left, &join, &needed)?;
        Ok(Transformed::yes(pushed))
    }
}

fn has_all(schema: &DFSchema, needed: &HashSet<Column>) -> bool {
    needed.iter().all(|c| schema.has_column(c))
}

/// Whether the semi join can move below the top of `plan` at all.
fn movable(plan: &LogicalPlan, needed: &HashSet<Column>) -> bool {
    match plan {
        LogicalPlan::Projection(p) => plain_columns(p) && movable(&p.input, needed),
        LogicalPlan::Filter(f) => movable(&f.input, needed),
        LogicalPlan::Join(j) if j.join_type == JoinType::Inner => {
            has_all(j.left.schema(), needed) || has_all(j.right.schema(), needed)
        }
        _ => false,
    }
}

fn plain_columns(p: &Projection) -> bool {
    p.expr.iter().all(|e| matches!(e, Expr::Column(_)))
}

/// `semi` (a LeftSemi join) with its left side replaced by `plan`, moved as far down
/// `plan` as the columns it needs allow.
fn push(plan: LogicalPlan, semi: &Join, needed: &HashSet<Column>) -> DFResult<LogicalPlan> {
    match plan {
        LogicalPlan::Projection(p) if plain_columns(&p) => {
            let input = push(Arc::unwrap_or_clone(p.input), semi, needed)?;
            Ok(LogicalPlan::Projection(Projection::try_new(
                p.expr,
                Arc::new(input),
            )?))
        }
        LogicalPlan::Filter(f) => {
            let input = push(Arc::unwrap_or_clone(f.input), semi, needed)?;
            Ok(LogicalPlan::Filter(Filter::try_new(
                f.predicate,
                Arc::new(input),
            )?))
        }
        LogicalPlan::Join(j)
            if j.join_type == JoinType::Inner
                && (has_all(j.left.schema(), needed) || has_all(j.right.schema(), needed)) =>
        {
            let (mut left, mut right) = (Arc::clone(&j.left), Arc::clone(&j.right));
            if has_all(j.left.schema(), needed) {
                left = Arc::new(push(Arc::unwrap_or_clone(left), semi, needed)?);
            } else {
                right = Arc::new(push(Arc::unwrap_or_clone(right), semi, needed)?);
            }
            Ok(LogicalPlan::Join(Join::try_new(
                left,
                right,
                j.on,
                j.filter,
                j.join_type,
                j.join_constraint,
                j.null_equality,
                j.null_aware,
            )?))
        }
        other => Ok(LogicalPlan::Join(Join::try_new(
            Arc::new(other),
            Arc::clone(&semi.right),
            semi.on.clone(),
            semi.filter.clone(),
            JoinType::LeftSemi,
            semi.join_constraint,
            semi.null_equality,
            semi.null_aware,
        )?)),
    }
}

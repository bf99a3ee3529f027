//! `ORDER BY (SELECT ... WHERE inner.x < outer.y)`: DataFusion runs correlated subqueries
//! only in projections, filters and aggregates, and refused this ordering, which MySQL
//! allows. This analyzer rule, run after DataFusion's, computes such sort keys in a
//! projection below the sort (the select list's own, where the subquery's outer columns
//! still exist) and drops them again above it:
//!
//! ```text
//! Sort: (<subquery>) DESC         Projection: <input columns>
//!   <input>               ==>       Sort: __order_subquery_0 DESC
//!                                     Projection: <input columns>, (<subquery>) AS __order_subquery_0
//!                                       <input>
//! ```

use std::sync::Arc;

use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Column, Result};
use datafusion::config::ConfigOptions;
use datafusion::logical_expr::{Expr, LogicalPlan, Projection, Sort, SortExpr};
use datafusion::optimizer::AnalyzerRule;

/// The name the `i`th computed sort key gets.
fn key_name(i: usize) -> String {
    format!("__order_subquery_{i}")
}

#[derive(Debug, Default)]
pub struct OrderSubqueries;

fn has_subquery(expr: &Expr) -> bool {
    expr.exists(|e| {
        Ok(matches!(
            e,
            Expr::ScalarSubquery(_) | Expr::Exists(_) | Expr::InSubquery(_)
        ))
    })
    .unwrap_or(false)
}

fn rewrite(plan: LogicalPlan) -> Result<Transformed<LogicalPlan>> {
    let LogicalPlan::Sort(sort) = plan else {
        return Ok(Transformed::no(plan));
    };
    if !sort.expr.iter().any(|s| has_subquery(&s.expr)) {
        return Ok(Transformed::no(LogicalPlan::Sort(sort)));
    }
    let input_columns: Vec<Expr> = sort
        .input
        .schema()
        .columns()
        .into_iter()
        .map(Expr::Column)
        .collect();
    // The select list's projection is where the subquery's outer columns still exist
    // (`ORDER BY (SELECT ... WHERE b.x < a.y)` selecting only `a.k`): the keys join it.
    let (mut computed, source) = match sort.input.as_ref() {
        LogicalPlan::Projection(p) => (p.expr.clone(), Arc::clone(&p.input)),
        _ => (input_columns.clone(), Arc::clone(&sort.input)),
    };
    let visible = computed.len();
    let mut keys = Vec::with_capacity(sort.expr.len());
    for s in &sort.expr {
        if has_subquery(&s.expr) {
            let name = key_name(computed.len() - visible);
            computed.push(s.expr.clone().alias(&name));
            keys.push(SortExpr {
                expr: Expr::Column(Column::from_name(name)),
                ..s.clone()
            });
        } else {
            keys.push(s.clone());
        }
    }
    let below = LogicalPlan::Projection(Projection::try_new(computed, source)?);
    let sorted = LogicalPlan::Sort(Sort {
        expr: keys,
        input: Arc::new(below),
        fetch: sort.fetch,
    });
    let above = Projection::try_new(input_columns, Arc::new(sorted))?;
    Ok(Transformed::yes(LogicalPlan::Projection(above)))
}

impl AnalyzerRule for OrderSubqueries {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(rewrite).map(|t| t.data)
    }

    fn name(&self) -> &str {
        "mysql_order_subqueries"
    }
}

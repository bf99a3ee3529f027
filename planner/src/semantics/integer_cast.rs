//! A DECIMAL converted to an integer is rounded half away from zero in MySQL
//! (`CAST(2.5 AS SIGNED)` is 3, `CAST(93/2 AS SIGNED)` 47); Arrow's cast truncates. This
//! analyzer rule, run after type coercion, rounds the DECIMAL to scale 0 first (Arrow's
//! decimal-to-decimal cast rounds half away from zero), for explicit CASTs and the
//! implicit ones alike.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result};
use datafusion::config::ConfigOptions;
use datafusion::logical_expr::expr::{Cast, TryCast};
use datafusion::logical_expr::{cast, Expr, ExprSchemable, LogicalPlan};
use datafusion::optimizer::AnalyzerRule;

use crate::plan_exprs::{inputs_schema, map_keeping_names};

#[derive(Debug, Default)]
pub struct IntegerCasts;

/// `expr` (of a DECIMAL type) rounded to whole numbers, if it has fraction digits.
fn whole(expr: &Expr, schema: &DFSchema) -> Option<Expr> {
    match expr.get_type(schema).ok()? {
        DataType::Decimal128(p, s) if s > 0 => {
            let precision = (p as i16 - s as i16 + 1).clamp(1, 38) as u8;
            Some(cast(expr.clone(), DataType::Decimal128(precision, 0)))
        }
        _ => None,
    }
}

fn rewrite(expr: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    expr.transform_up(|e| {
        let rounded = match &e {
            Expr::Cast(Cast { expr, field }) if field.data_type().is_integer() => {
                whole(expr, schema).map(|inner| {
                    Expr::Cast(Cast {
                        expr: Box::new(inner),
                        field: field.clone(),
                    })
                })
            }
            Expr::TryCast(TryCast { expr, field }) if field.data_type().is_integer() => {
                whole(expr, schema).map(|inner| {
                    Expr::TryCast(TryCast {
                        expr: Box::new(inner),
                        field: field.clone(),
                    })
                })
            }
            _ => None,
        };
        Ok(match rounded {
            Some(r) => Transformed::yes(r),
            None => Transformed::no(e),
        })
    })
}

impl AnalyzerRule for IntegerCasts {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(|node| {
            let schema = inputs_schema(&node);
            map_keeping_names(node, |e| rewrite(e, &schema))
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "mysql_integer_casts"
    }
}

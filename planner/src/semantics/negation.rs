//! Unary minus on any expression, as in MySQL: a string is negated as the DOUBLE it reads
//! as (`- '3'` = -3), NULL stays NULL and a BOOLEAN is its integer. DataFusion refuses to
//! negate anything but numbers, so this analyzer rule, run before DataFusion's type
//! coercion, converts the operand first.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result};
use datafusion::config::ConfigOptions;
use datafusion::logical_expr::{cast, Expr, ExprSchemable, LogicalPlan, ScalarUDF};
use datafusion::optimizer::AnalyzerRule;

use super::conversion::is_string;

#[derive(Debug)]
pub struct MysqlNegation {
    pub(super) to_double: Arc<ScalarUDF>,
}

impl MysqlNegation {
    fn rewrite(&self, expr: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
        expr.transform_up(|e| {
            let Expr::Negative(inner) = &e else {
                return Ok(Transformed::no(e));
            };
            let Ok(t) = inner.get_type(schema) else {
                return Ok(Transformed::no(e));
            };
            let operand = match t {
                t if is_string(&t) => self.to_double.call(vec![*inner.clone()]),
                DataType::Null | DataType::Boolean => cast(*inner.clone(), DataType::Int64),
                _ => return Ok(Transformed::no(e)),
            };
            Ok(Transformed::yes(Expr::Negative(Box::new(operand))))
        })
    }
}

impl AnalyzerRule for MysqlNegation {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(|node| {
            let mut schema = DFSchema::empty();
            for input in node.inputs() {
                schema.merge(input.schema());
            }
            node.map_expressions(|e| self.rewrite(e, &schema))
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "mysql_negation"
    }
}

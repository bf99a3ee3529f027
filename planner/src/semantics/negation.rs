//! Unary minus on any expression, as in MySQL: a string is negated as the DOUBLE it reads
//! as (`- '3'` = -3), NULL stays NULL and a BOOLEAN is its integer. DataFusion refuses to
//! negate anything but numbers, so this analyzer rule, run before DataFusion's type
//! coercion, converts the operand first. A DECIMAL is negated by `mysql_negate`:
//! DataFusion's minus fails on a NULL DECIMAL that arrives as one value (a CASE that no
//! row matched).

use std::sync::Arc;

use datafusion::arrow::compute::kernels::numeric::neg_wrapping;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::config::ConfigOptions;
use datafusion::logical_expr::{
    cast, ColumnarValue, Expr, ExprSchemable, LogicalPlan, ScalarFunctionArgs, ScalarUDF,
    ScalarUDFImpl, Signature, Volatility,
};
use datafusion::optimizer::AnalyzerRule;

use super::conversion::is_string;
use crate::plan_exprs::{inputs_schema, map_keeping_names};

#[derive(Debug)]
pub struct MysqlNegation {
    pub(super) to_double: Arc<ScalarUDF>,
    pub(super) negate: Arc<ScalarUDF>,
}

/// `-x` of a DECIMAL, NULL in and out.
#[derive(Debug, PartialEq, Eq, Hash)]
struct NegateDecimal {
    signature: Signature,
}

impl ScalarUDFImpl for NegateDecimal {
    fn name(&self) -> &str {
        "mysql_negate"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types[0].clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        match &args.args[0] {
            ColumnarValue::Scalar(s) if s.is_null() => Ok(ColumnarValue::Scalar(s.clone())),
            ColumnarValue::Scalar(s) => {
                let negated = neg_wrapping(&s.to_array()?)?;
                Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                    &negated, 0,
                )?))
            }
            ColumnarValue::Array(a) => Ok(ColumnarValue::Array(neg_wrapping(a)?)),
        }
    }
}

pub(super) fn negate_udf() -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::new_from_impl(NegateDecimal {
        signature: Signature::any(1, Volatility::Immutable),
    }))
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
                DataType::Decimal128(..) | DataType::Decimal256(..) => {
                    return Ok(Transformed::yes(self.negate.call(vec![*inner.clone()])));
                }
                _ => return Ok(Transformed::no(e)),
            };
            Ok(Transformed::yes(Expr::Negative(Box::new(operand))))
        })
    }
}

impl AnalyzerRule for MysqlNegation {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(|node| {
            let schema = inputs_schema(&node);
            map_keeping_names(node, |e| self.rewrite(e, &schema))
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "mysql_negation"
    }
}

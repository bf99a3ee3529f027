//! A DECIMAL converted to an integer is rounded half away from zero in MySQL
//! (`CAST(2.5 AS SIGNED)` is 3, `CAST(93/2 AS SIGNED)` 47), a DOUBLE half to even (C's
//! `rint`: `CAST(2.5e0 AS SIGNED)` is 2, `CAST(3.5e0 AS SIGNED)` 4); Arrow's cast
//! truncates. This analyzer rule, run after type coercion, rounds the value to a whole
//! number first (a DECIMAL by Arrow's decimal-to-decimal cast, which rounds half away
//! from zero; a DOUBLE by [`RINT`]), for explicit CASTs and the implicit ones alike.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, Float64Array};
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result};
use datafusion::config::ConfigOptions;
use datafusion::logical_expr::expr::{Cast, TryCast};
use datafusion::logical_expr::{
    cast, ColumnarValue, Expr, ExprSchemable, LogicalPlan, ScalarFunctionArgs, ScalarUDF,
    ScalarUDFImpl, Signature, Volatility,
};
use datafusion::optimizer::AnalyzerRule;

use crate::plan_exprs::{inputs_schema, map_keeping_names};

#[derive(Debug, Default)]
pub struct IntegerCasts;

/// The function rounding a DOUBLE half to even.
pub const RINT: &str = "mysql_rint";

#[derive(Debug, PartialEq, Eq, Hash)]
struct Rint {
    signature: Signature,
}

impl ScalarUDFImpl for Rint {
    fn name(&self) -> &str {
        RINT
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        crate::functions::args::evaluate(&args, |rows| {
            round_to_whole(&args.args[0].to_array(rows)?)
        })
    }
}

/// The DECIMAL of scale 0 that `DECIMAL(p, s)` rounds into (one more digit before the
/// point, for the carry).
fn whole_decimal(p: u8, s: i8) -> DataType {
    DataType::Decimal128((p as i16 - s as i16 + 1).clamp(1, 38) as u8, 0)
}

/// `values` rounded to whole numbers as MySQL rounds them on the way to an integer:
/// DECIMALs half away from zero, floats half to even; other types unchanged.
pub fn round_to_whole(values: &ArrayRef) -> Result<ArrayRef> {
    Ok(match values.data_type() {
        DataType::Decimal128(p, s) if *s > 0 => {
            datafusion::arrow::compute::cast(values, &whole_decimal(*p, *s))?
        }
        DataType::Float16 | DataType::Float32 | DataType::Float64 => {
            let doubles = datafusion::arrow::compute::cast(values, &DataType::Float64)?;
            let rounded: Float64Array = doubles
                .as_primitive::<Float64Type>()
                .unary(f64::round_ties_even);
            Arc::new(rounded)
        }
        _ => Arc::clone(values),
    })
}

/// `expr` rounded to whole numbers, if it is a DECIMAL with fraction digits or a float.
fn whole(expr: &Expr, schema: &DFSchema) -> Option<Expr> {
    match expr.get_type(schema).ok()? {
        DataType::Decimal128(p, s) if s > 0 => Some(cast(expr.clone(), whole_decimal(p, s))),
        DataType::Float16 | DataType::Float32 | DataType::Float64 => {
            let rint = ScalarUDF::new_from_impl(Rint {
                signature: Signature::any(1, Volatility::Immutable),
            });
            Some(Arc::new(rint).call(vec![expr.clone()]))
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

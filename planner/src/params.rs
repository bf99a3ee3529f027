//! Parameters of prepared statements, bound as typed values into a plan.
//!
//! The frontend numbers `?` markers `$1`, `$2`, ... while parsing. Binding a statement
//! with parameter values declares their types to DataFusion (so every placeholder is
//! planned with a concrete type), then [`bind_plan`] replaces each placeholder by a literal
//! of that type. SQL text is never rebuilt from values.

use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::logical_expr::expr::Placeholder;
use datafusion::logical_expr::{Expr, LogicalPlan};
use datafusion::scalar::ScalarValue;
use lakestar_engine::{user_err, Error, Result};
use sqlparser::ast::{DataType as SqlDataType, ExactNumberInfo, TimezoneInfo};

/// Replace every placeholder in `plan` (subqueries included) by its value.
pub fn bind_plan(plan: LogicalPlan, values: &[ScalarValue]) -> Result<LogicalPlan> {
    plan.transform_up_with_subqueries(|node| {
        let node = node.map_expressions(|e| bind_expr_transformed(e, values))?;
        if node.transformed {
            node.map_data(|p| p.recompute_schema())
        } else {
            Ok(node)
        }
    })
    .map(|t| t.data)
    .map_err(Error::from_datafusion)
}

/// Replace every placeholder in `expr` by its value.
pub fn bind_expr(expr: Expr, values: &[ScalarValue]) -> Result<Expr> {
    bind_expr_transformed(expr, values)
        .map(|t| t.data)
        .map_err(Error::from_datafusion)
}

fn bind_expr_transformed(
    expr: Expr,
    values: &[ScalarValue],
) -> datafusion::error::Result<Transformed<Expr>> {
    expr.transform_up(|e| match e {
        Expr::Placeholder(Placeholder { id, field }) => {
            let value = placeholder_value(&id, values).map_err(|e| e.into_datafusion())?;
            let value = match field.as_ref().map(|f| f.data_type()) {
                Some(t) if t != &value.data_type() && t != &DataType::Null => {
                    if value.is_null() {
                        ScalarValue::try_from(t)?
                    } else {
                        value.cast_to(t)?
                    }
                }
                _ => value,
            };
            Ok(Transformed::yes(Expr::Literal(value, None)))
        }
        other => Ok(Transformed::no(other)),
    })
}

fn placeholder_value(id: &str, values: &[ScalarValue]) -> Result<ScalarValue> {
    id.strip_prefix('$')
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| values.get(i))
        .cloned()
        .ok_or_else(|| user_err!(WrongArguments, "Incorrect arguments to EXECUTE"))
}

/// The SQL type a parameter value is declared with, so DataFusion plans its placeholder
/// with that type.
pub fn declared_type(value: &ScalarValue) -> SqlDataType {
    match value.data_type() {
        DataType::Boolean => SqlDataType::Boolean,
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => {
            SqlDataType::BigInt(None)
        }
        DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64 => {
            SqlDataType::BigIntUnsigned(None)
        }
        DataType::Float32 => SqlDataType::Float(ExactNumberInfo::None),
        DataType::Float64 => SqlDataType::Double(ExactNumberInfo::None),
        DataType::Decimal128(p, s) => {
            SqlDataType::Decimal(ExactNumberInfo::PrecisionAndScale(p as u64, s as i64))
        }
        DataType::Date32 => SqlDataType::Date,
        DataType::Timestamp(TimeUnit::Microsecond, None) => {
            SqlDataType::Timestamp(Some(6), TimezoneInfo::None)
        }
        DataType::Binary => SqlDataType::Bytea,
        _ => SqlDataType::Text,
    }
}

//! Stage `decimal_avg_rounding`: `avg` of a DECIMAL is rounded half away from zero to its
//! scale + 4, as in MySQL and StarRocks; DataFusion's truncates (TPC-H q1's
//! `avg(l_discount)` came back 0.050144 for 0.0501445970…).
//!
//! `avg(x)` of a `DECIMAL(p, s)` becomes `avg(CAST(x AS DECIMAL(p+1, s+1)))`, whose
//! truncated result has one digit more than needed, then that digit is rounded off above
//! the aggregation. Truncating at one more digit never crosses the rounding boundary, so
//! the result is exactly the rounded average.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Decimal128Array, Decimal128Builder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::Transformed;
use datafusion::common::{exec_err, plan_err, Column, Result};
use datafusion::logical_expr::expr::AggregateFunction;
use datafusion::logical_expr::{
    cast, Aggregate, ColumnarValue, Expr, ExprSchemable, LogicalPlan, Projection,
    ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::optimizer::{OptimizerConfig, OptimizerRule};

/// Marks an average this stage already widened.
const MARK: &str = "lakestar_rounded_avg";

#[derive(Debug, Default)]
pub struct DecimalAvgRounding;

/// `DECIMAL(p, s)` → `DECIMAL(p - 1, s - 1)`, the dropped digit rounded half away from zero.
#[derive(Debug, PartialEq, Eq, Hash)]
struct DropDigit {
    signature: Signature,
}

impl ScalarUDFImpl for DropDigit {
    fn name(&self) -> &str {
        "lakestar_round_digit"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match &arg_types[0] {
            DataType::Decimal128(p, s) if *p > 1 && *s > 0 => {
                Ok(DataType::Decimal128(p - 1, s - 1))
            }
            other => plan_err!("lakestar_round_digit of {other}"),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let values = args.args[0].to_array(rows)?;
        let DataType::Decimal128(p, s) = self.return_type(&[values.data_type().clone()])? else {
            return exec_err!("lakestar_round_digit of {}", values.data_type());
        };
        let values = values
            .as_any()
            .downcast_ref::<Decimal128Array>()
            .expect("decimal");
        let mut out = Decimal128Builder::with_capacity(rows);
        for v in values.iter() {
            match v {
                None => out.append_null(),
                Some(v) => {
                    let (q, r) = (v / 10, v % 10);
                    out.append_value(if r.abs() >= 5 { q + v.signum() } else { q });
                }
            }
        }
        let array: ArrayRef = Arc::new(out.finish().with_precision_and_scale(p, s)?);
        Ok(ColumnarValue::Array(array))
    }
}

fn drop_digit() -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::new_from_impl(DropDigit {
        signature: Signature::any(1, Volatility::Immutable),
    }))
}

/// The widened replacement of a decimal `avg(x)`, if `expr` is one.
fn widen(expr: &Expr, aggregate: &Aggregate) -> Result<Option<Expr>> {
    let Expr::AggregateFunction(AggregateFunction { func, params }) = expr else {
        return Ok(None);
    };
    if func.name() != "avg" || params.args.len() != 1 {
        return Ok(None);
    }
    // Computed at MySQL's internal scale and truncated there, as MySQL does
    // (`semantics::average`).
    if matches!(&params.args[0], Expr::ScalarFunction(f)
        if f.func.name() == crate::semantics::average::AVG_INPUT_INTERNAL)
    {
        return Ok(None);
    }
    let schema = aggregate.input.schema();
    let DataType::Decimal128(p, s) = params.args[0].get_type(schema)? else {
        return Ok(None);
    };
    // Already widened (in an earlier optimizer pass).
    if let Expr::Cast(c) = &params.args[0] {
        if c.expr.get_type(schema)? == DataType::Decimal128(p - 1, s.saturating_sub(1)) && s > 0 {
            return Ok(None);
        }
    }
    if p + 5 > 38 || s + 5 > 38 {
        return Ok(None);
    }
    let mut widened = params.clone();
    widened.args = vec![cast(
        params.args[0].clone(),
        DataType::Decimal128(p + 1, s + 1),
    )];
    Ok(Some(Expr::AggregateFunction(AggregateFunction {
        func: Arc::clone(func),
        params: widened,
    })))
}

impl OptimizerRule for DecimalAvgRounding {
    fn name(&self) -> &str {
        "decimal_avg_rounding"
    }

    fn supports_rewrite(&self) -> bool {
        true
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        _config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        // Subqueries too: an uncorrelated scalar subquery stays a subquery expression.
        plan.transform_up_with_subqueries(|node| {
            let LogicalPlan::Aggregate(aggregate) = &node else {
                return Ok(Transformed::no(node));
            };
            let mut changed = vec![];
            let mut aggr_expr = Vec::with_capacity(aggregate.aggr_expr.len());
            for (i, e) in aggregate.aggr_expr.iter().enumerate() {
                let (inner, marked) = match e {
                    Expr::Alias(a) => (a.expr.as_ref(), a.name.starts_with(MARK)),
                    other => (other, false),
                };
                match (marked, widen(inner, aggregate)?) {
                    (false, Some(w)) => {
                        changed.push(i);
                        aggr_expr.push(w.alias(format!("{MARK}_{i}")));
                    }
                    _ => aggr_expr.push(e.clone()),
                }
            }
            if changed.is_empty() {
                return Ok(Transformed::no(node));
            }
            let groups = aggregate.group_expr.len();
            let old_schema = Arc::clone(node.schema());
            let widened = LogicalPlan::Aggregate(Aggregate::try_new(
                Arc::clone(&aggregate.input),
                aggregate.group_expr.clone(),
                aggr_expr,
            )?);
            let round = drop_digit();
            let exprs = widened
                .schema()
                .iter()
                .zip(old_schema.iter())
                .enumerate()
                .map(|(i, ((q, f), (old_q, old_f)))| {
                    let column = Expr::Column(Column::new(q.cloned(), f.name()));
                    let is_changed = i >= groups && changed.contains(&(i - groups));
                    let value = if is_changed {
                        round.call(vec![column])
                    } else {
                        column
                    };
                    if is_changed || q != old_q || f.name() != old_f.name() {
                        value.alias_qualified(old_q.cloned(), old_f.name())
                    } else {
                        value
                    }
                })
                .collect();
            Ok(Transformed::yes(LogicalPlan::Projection(
                Projection::try_new(exprs, Arc::new(widened))?,
            )))
        })
    }
}

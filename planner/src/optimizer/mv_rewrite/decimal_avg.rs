//! `avg` of a DECIMAL rolled up from a view: the sum of the view's partial sums divided by
//! the sum of its counts, computed as MySQL's decimal `avg` (the sum scaled up by 4
//! digits, divided by the count, rounded half away from zero), the same value the query
//! gets without the view (`optimizer::decimal_avg_rounding`).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Decimal128Array, Decimal128Builder, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, plan_err};
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// Digits `avg` adds to a decimal's scale (DataFusion and MySQL both add 4).
const SCALE_INCREMENT: i8 = 4;

#[derive(Debug, PartialEq, Eq, Hash)]
struct DecimalAvg {
    signature: Signature,
}

fn result_type(sum: &DataType) -> DFResult<DataType> {
    match sum {
        DataType::Decimal128(_, s) => Ok(DataType::Decimal128(38, (*s + SCALE_INCREMENT).min(38))),
        other => plan_err!("decimal average of {other}"),
    }
}

impl ScalarUDFImpl for DecimalAvg {
    fn name(&self) -> &str {
        "lakestar_decimal_avg"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> DFResult<DataType> {
        result_type(&arg_types[0])
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let rows = args.number_rows;
        let sums = args.args[0].to_array(rows)?;
        let DataType::Decimal128(_, sum_scale) = sums.data_type().clone() else {
            return exec_err!("decimal average of {}", sums.data_type());
        };
        let DataType::Decimal128(_, scale) = result_type(sums.data_type())? else {
            unreachable!("a decimal type");
        };
        let sums = sums
            .as_any()
            .downcast_ref::<Decimal128Array>()
            .expect("decimal");
        let counts = cast(&args.args[1].to_array(rows)?, &DataType::Int64)?;
        let counts = counts.as_any().downcast_ref::<Int64Array>().expect("Int64");
        let factor = 10i128.pow((scale - sum_scale) as u32);
        let mut out = Decimal128Builder::with_capacity(rows);
        for i in 0..rows {
            if sums.is_null(i) || counts.is_null(i) || counts.value(i) == 0 {
                out.append_null();
            } else {
                match sums.value(i).checked_mul(factor) {
                    Some(v) => {
                        let c = i128::from(counts.value(i));
                        let (q, r) = (v / c, v % c);
                        let away = if r.unsigned_abs() * 2 >= c.unsigned_abs() {
                            v.signum() * c.signum()
                        } else {
                            0
                        };
                        out.append_value(q + away)
                    }
                    None => return exec_err!("Arithmetic Overflow in AvgAccumulator"),
                }
            }
        }
        let array: ArrayRef = Arc::new(out.finish().with_precision_and_scale(38, scale)?);
        Ok(ColumnarValue::Array(array))
    }
}

/// `sum / count` as a decimal average.
pub fn call(sum: Expr, count: Expr) -> Expr {
    ScalarUDF::new_from_impl(DecimalAvg {
        signature: Signature::any(2, Volatility::Immutable),
    })
    .call(vec![sum, count])
}

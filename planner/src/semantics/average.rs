//! `AVG` of integers is a DECIMAL with 4 more digits of scale in MySQL (`AVG(1, 2)` is
//! 1.5000), not a DOUBLE. Every `avg(x)` is planned as `avg(mysql_avg_input(x))`, where
//! `mysql_avg_input` turns an integer into a `DECIMAL(digits, 0)` (and a string into a
//! DOUBLE); DataFusion's decimal `avg` then has MySQL's type, and the optimizer stage
//! `decimal_avg_rounding` its rounding.
//!
//! Like a division, MySQL's `avg` has a value wider than its declared scale (whole
//! 9-digit groups): `AVG(x) * -85` multiplies 27.333333333, not 27.3333. Where an `avg`
//! is an operand of arithmetic or a comparison, its input is
//! `mysql_avg_input_internal`, scaled so that DataFusion's `avg` comes out at that
//! internal scale (truncated, as MySQL's division); `semantics::decimals` still declares
//! scale + 4 and rounds to it where MySQL would.

use std::sync::Arc;

use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::arithmetic::{class, internal_scale, Num};
use super::conversion::is_string;

/// The name the MV rewrite looks through.
pub const AVG_INPUT: &str = "mysql_avg_input";
/// The input of an `avg` computed at MySQL's internal scale.
pub const AVG_INPUT_INTERNAL: &str = "mysql_avg_input_internal";

/// Digits `avg` adds to its input's scale (DataFusion's and MySQL's default).
const AVG_SCALE_INCREMENT: i32 = 4;

#[derive(Debug, PartialEq, Eq, Hash)]
struct AvgInput {
    signature: Signature,
    /// `Some(div_precision_increment)` for [`AVG_INPUT_INTERNAL`].
    internal: Option<u8>,
}

fn input_type(t: &DataType, internal: Option<u8>) -> DataType {
    let plain = match class(t) {
        Some(Num::Integer(digits)) if *t != DataType::Null => DataType::Decimal128(digits, 0),
        _ if is_string(t) => DataType::Float64,
        _ => t.clone(),
    };
    let (Some(increment), DataType::Decimal128(p, s)) = (internal, &plain) else {
        return plain;
    };
    // DataFusion's avg adds 4 digits of scale: widen the input so that it lands on
    // MySQL's internal scale.
    let target = internal_scale(*s as i32, 0, increment as i32) - AVG_SCALE_INCREMENT;
    let precision = *p as i32 + (target - *s as i32).max(0);
    if target <= *s as i32 || precision + AVG_SCALE_INCREMENT > 38 {
        return plain;
    }
    DataType::Decimal128(precision as u8, target as i8)
}

impl ScalarUDFImpl for AvgInput {
    fn name(&self) -> &str {
        if self.internal.is_some() {
            AVG_INPUT_INTERNAL
        } else {
            AVG_INPUT
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(input_type(&arg_types[0], self.internal))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let target = input_type(&args.args[0].data_type(), self.internal);
        match &args.args[0] {
            ColumnarValue::Array(a) => Ok(ColumnarValue::Array(cast(a, &target)?)),
            ColumnarValue::Scalar(s) => Ok(ColumnarValue::Scalar(s.cast_to(&target)?)),
        }
    }
}

pub fn avg_input_udf() -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::new_from_impl(AvgInput {
        signature: Signature::any(1, Volatility::Immutable),
        internal: None,
    }))
}

/// The input function of an `avg` at MySQL's internal scale for `div_precision_increment`.
pub fn avg_internal_input_udf(increment: u8) -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::new_from_impl(AvgInput {
        signature: Signature::any(1, Volatility::Immutable),
        internal: Some(increment),
    }))
}

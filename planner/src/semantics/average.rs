//! `AVG` of integers is a DECIMAL with 4 more digits of scale in MySQL (`AVG(1, 2)` is
//! 1.5000), not a DOUBLE. Every `avg(x)` is planned as `avg(mysql_avg_input(x))`, where
//! `mysql_avg_input` turns an integer into a `DECIMAL(digits, 0)` (and a string into a
//! DOUBLE); DataFusion's decimal `avg` then has MySQL's type, and the optimizer stage
//! `decimal_avg_rounding` its rounding.

use std::sync::Arc;

use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::arithmetic::{class, Num};
use super::conversion::is_string;

/// The name the MV rewrite looks through.
pub const AVG_INPUT: &str = "mysql_avg_input";

#[derive(Debug, PartialEq, Eq, Hash)]
struct AvgInput {
    signature: Signature,
}

fn input_type(t: &DataType) -> DataType {
    match class(t) {
        Some(Num::Integer(digits)) if *t != DataType::Null => DataType::Decimal128(digits, 0),
        _ if is_string(t) => DataType::Float64,
        _ => t.clone(),
    }
}

impl ScalarUDFImpl for AvgInput {
    fn name(&self) -> &str {
        AVG_INPUT
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(input_type(&arg_types[0]))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let target = input_type(&args.args[0].data_type());
        match &args.args[0] {
            ColumnarValue::Array(a) => Ok(ColumnarValue::Array(cast(a, &target)?)),
            ColumnarValue::Scalar(s) => Ok(ColumnarValue::Scalar(s.cast_to(&target)?)),
        }
    }
}

pub fn avg_input_udf() -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::new_from_impl(AvgInput {
        signature: Signature::any(1, Volatility::Immutable),
    }))
}

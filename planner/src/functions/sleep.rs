//! MySQL's `SLEEP(seconds)`: waits, then returns 0 (NULL for a NULL argument). The wait is
//! asynchronous, so KILL QUERY, a timeout or a closed connection stop it at once.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Float64Array, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::async_udf::{AsyncScalarUDF, AsyncScalarUDFImpl};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The longest single wait, so no argument can park a statement for years.
const MAX_SECONDS: f64 = 365.0 * 24.0 * 3600.0;

#[derive(Debug, PartialEq, Eq, Hash)]
struct Sleep {
    signature: Signature,
}

impl ScalarUDFImpl for Sleep {
    fn name(&self) -> &str {
        "sleep"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        datafusion::common::internal_err!("sleep is evaluated asynchronously")
    }
}

#[async_trait::async_trait]
impl AsyncScalarUDFImpl for Sleep {
    async fn invoke_async_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let rows = args.number_rows;
        let seconds = cast(&args.args[0].to_array(rows)?, &DataType::Float64)?;
        let seconds = seconds
            .as_any()
            .downcast_ref::<Float64Array>()
            .expect("cast to Float64")
            .clone();
        let mut out = Vec::with_capacity(rows);
        for row in 0..rows {
            if seconds.is_null(row) {
                out.push(None);
                continue;
            }
            let s = seconds.value(row);
            if s.is_finite() && s > 0.0 {
                tokio::time::sleep(std::time::Duration::from_secs_f64(s.min(MAX_SECONDS))).await;
            }
            out.push(Some(0));
        }
        Ok(ColumnarValue::Array(
            Arc::new(Int64Array::from(out)) as ArrayRef
        ))
    }
}

/// `sleep(seconds)`.
pub fn sleep_udf() -> ScalarUDF {
    AsyncScalarUDF::new(Arc::new(Sleep {
        signature: Signature::any(1, Volatility::Volatile),
    }))
    .into_scalar_udf()
}

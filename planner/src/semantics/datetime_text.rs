//! DATETIME values turned into text as MySQL prints them: `2024-01-02 03:04:05` with a
//! space, and a fraction only when there is one. Arrow's cast prints ISO 8601
//! (`2024-01-02T03:04:05`), so [`super::decimals`] replaces the string casts of
//! timestamps (CAST AS CHAR, the arguments of CONCAT and other string functions) with
//! [`datetime_text`].

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use crate::functions::args::evaluate;

/// How MySQL prints a DATETIME (the MySQL edge prints result columns the same way).
pub const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.f";

#[derive(Debug, PartialEq, Eq, Hash)]
struct DatetimeText {
    signature: Signature,
}

impl ScalarUDFImpl for DatetimeText {
    fn name(&self) -> &str {
        "mysql_datetime_text"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> DFResult<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        evaluate(&args, |rows| {
            let values = args.args[0].to_array(rows)?;
            let options = FormatOptions::new()
                .with_timestamp_format(Some(DATETIME_FORMAT))
                .with_timestamp_tz_format(Some(DATETIME_FORMAT));
            let formatter = ArrayFormatter::try_new(values.as_ref(), &options)
                .map_err(|e| DataFusionError::ArrowError(Box::new(e), None))?;
            let mut out = StringBuilder::with_capacity(values.len(), values.len() * 19);
            for row in 0..values.len() {
                if values.is_null(row) {
                    out.append_null();
                } else {
                    out.append_value(formatter.value(row).to_string());
                }
            }
            Ok(Arc::new(out.finish()))
        })
    }
}

static DATETIME_TEXT: LazyLock<Arc<ScalarUDF>> = LazyLock::new(|| {
    Arc::new(ScalarUDF::new_from_impl(DatetimeText {
        signature: Signature::any(1, Volatility::Immutable),
    }))
});

/// `expr`, a timestamp, as MySQL's text.
pub fn datetime_text(expr: Expr) -> Expr {
    DATETIME_TEXT.call(vec![expr])
}

/// Whether values of `t` print differently in MySQL than through Arrow's cast.
pub fn is_datetime(t: &DataType) -> bool {
    matches!(t, DataType::Timestamp(..))
}

//! Argument and result plumbing shared by Lakestar's scalar functions: an argument as one
//! typed value per row, and a computed column returned as a scalar when every argument
//! was one (so calls on constants fold to constants).

use datafusion::arrow::array::{Array, ArrayRef, BinaryArray, Int64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs};

/// An argument as text, one value per row.
pub fn texts(value: &ColumnarValue, rows: usize) -> DFResult<StringArray> {
    let array = cast(&value.to_array(rows)?, &DataType::Utf8)?;
    Ok(array
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("cast to Utf8")
        .clone())
}

/// An argument as 64-bit integers, one value per row.
pub fn integers(value: &ColumnarValue, rows: usize) -> DFResult<Int64Array> {
    let array = cast(&value.to_array(rows)?, &DataType::Int64)?;
    Ok(array
        .as_any()
        .downcast_ref::<Int64Array>()
        .expect("cast to Int64")
        .clone())
}

/// An argument as bytes, one value per row.
pub fn binaries(value: &ColumnarValue, rows: usize) -> DFResult<BinaryArray> {
    let array = cast(&value.to_array(rows)?, &DataType::Binary)?;
    Ok(array
        .as_any()
        .downcast_ref::<BinaryArray>()
        .expect("cast to Binary")
        .clone())
}

/// Run `compute` over the arguments' rows (one row when every argument is a constant) and
/// return its column, as a scalar for constant arguments.
pub fn evaluate(
    args: &ScalarFunctionArgs,
    compute: impl FnOnce(usize) -> DFResult<ArrayRef>,
) -> DFResult<ColumnarValue> {
    let scalar = args
        .args
        .iter()
        .all(|a| matches!(a, ColumnarValue::Scalar(_)));
    let rows = if scalar { 1 } else { args.number_rows };
    let array = compute(rows)?;
    if array.len() != rows {
        return datafusion::common::exec_err!(
            "a function produced {} rows for {rows}",
            array.len()
        );
    }
    if scalar {
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
            &array, 0,
        )?))
    } else {
        Ok(ColumnarValue::Array(array))
    }
}

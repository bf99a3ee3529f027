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

/// An argument read as MySQL reads an integer from any value: integers as they are,
/// DECIMALs rounded half away from zero, doubles rounded to even (`rint`), text by its
/// leading integer (`'12abc'` is 12, `'abc'` 0). Wide enough for BIGINT UNSIGNED.
pub fn mysql_integers(value: &ColumnarValue, rows: usize) -> DFResult<Vec<Option<i128>>> {
    use datafusion::arrow::array::{Decimal128Array, Float64Array, UInt64Array};
    let array = value.to_array(rows)?;
    Ok(match array.data_type() {
        DataType::UInt64 => {
            let a = cast(&array, &DataType::UInt64)?;
            let a = a.as_any().downcast_ref::<UInt64Array>().expect("UInt64");
            a.iter().map(|v| v.map(i128::from)).collect()
        }
        t if t.is_integer() || matches!(t, DataType::Boolean | DataType::Null) => {
            integers(value, rows)?
                .iter()
                .map(|v| v.map(i128::from))
                .collect()
        }
        DataType::Decimal128(_, scale) => {
            let scale = *scale;
            let a = array
                .as_any()
                .downcast_ref::<Decimal128Array>()
                .expect("Decimal128");
            a.iter()
                .map(|v| v.map(|v| round_decimal(v, scale)))
                .collect()
        }
        t if t.is_floating() || matches!(t, DataType::Decimal256(..)) => {
            let a = cast(&array, &DataType::Float64)?;
            let a = a.as_any().downcast_ref::<Float64Array>().expect("Float64");
            a.iter()
                .map(|v| {
                    v.map(|f| f.round_ties_even().clamp(i64::MIN as f64, u64::MAX as f64) as i128)
                })
                .collect()
        }
        _ => texts(value, rows)?
            .iter()
            .map(|t| t.map(leading_integer))
            .collect(),
    })
}

/// A DECIMAL's unscaled value rounded half away from zero to an integer.
fn round_decimal(v: i128, scale: i8) -> i128 {
    if scale <= 0 {
        return v.saturating_mul(10i128.saturating_pow(u32::from(scale.unsigned_abs())));
    }
    let unit = 10i128.pow(u32::from(scale.unsigned_abs()).min(38));
    let (q, r) = (v / unit, v % unit);
    if r.abs() * 2 >= unit {
        q + v.signum()
    } else {
        q
    }
}

/// The integer a string starts with, as MySQL reads it (leading spaces and a sign
/// allowed; no digits is 0; clamped to the BIGINT range).
pub fn leading_integer(text: &str) -> i128 {
    let t = text.trim_start();
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut n: i128 = 0;
    for c in digits.bytes().take_while(u8::is_ascii_digit) {
        n = (n * 10 + i128::from(c - b'0')).min(u64::MAX as i128 + 1);
    }
    if negative {
        (-n).max(i128::from(i64::MIN))
    } else {
        n.min(u64::MAX as i128)
    }
}

/// The text of a DECIMAL's unscaled value at `scale`.
pub fn decimal_text(v: i128, scale: i8) -> String {
    let digits = v.unsigned_abs().to_string();
    let sign = if v < 0 { "-" } else { "" };
    if scale <= 0 {
        return format!(
            "{sign}{digits}{}",
            "0".repeat(scale.unsigned_abs() as usize)
        );
    }
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (i, f) = padded.split_at(padded.len() - scale);
    format!("{sign}{i}.{f}")
}

//! Implicit conversion as MySQL does it: a string used as a number is read as a DOUBLE
//! from its longest numeric prefix (`'3' + 1` = 4, `'1.5x' * 2` = 3, `'abc' + 1` = 1), with
//! warning 1292 when the string was not entirely a number.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Float64Builder};
use datafusion::arrow::datatypes::DataType;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use lakestar_engine::warnings::{WarningKind, Warnings};

use crate::functions::args::{evaluate, texts};

/// Whether a type is a string type.
pub fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// MySQL's reading of a string as a number: leading spaces, an optional sign, digits, an
/// optional fraction and exponent. Returns the value and whether the whole string (but
/// trailing spaces) was the number.
pub fn parse_number_prefix(s: &str) -> (f64, bool) {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    let start = i;
    if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
        i += 1;
    }
    let digits_start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - digits_start;
    if i < bytes.len() && bytes[i] == b'.' {
        let dot = i;
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - dot - 1;
    }
    if digits == 0 {
        let rest_blank = bytes[start..].iter().all(|b| b.is_ascii_whitespace());
        return (0.0, rest_blank && !bytes.is_empty());
    }
    let mut end = i;
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        let exp_start = j;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        if j > exp_start {
            end = j;
        }
    }
    let value = s[start..end].parse::<f64>().unwrap_or(0.0);
    let complete = bytes[end..].iter().all(|b| b.is_ascii_whitespace());
    (value, complete)
}

/// `mysql_to_double(s)`: a string as a DOUBLE the way MySQL reads it in numeric context.
#[derive(Debug)]
pub struct ToDouble {
    signature: Signature,
    warnings: Warnings,
}

impl PartialEq for ToDouble {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}
impl Eq for ToDouble {}
impl std::hash::Hash for ToDouble {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        "mysql_to_double".hash(state)
    }
}

impl ScalarUDFImpl for ToDouble {
    fn name(&self) -> &str {
        "mysql_to_double"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        evaluate(&args, |rows| {
            let text = texts(&args.args[0], rows)?;
            let mut out = Float64Builder::with_capacity(rows);
            for row in 0..rows {
                if text.is_null(row) {
                    out.append_null();
                    continue;
                }
                let s = text.value(row);
                let (value, complete) = parse_number_prefix(s);
                if !complete {
                    self.warnings.push(WarningKind::TruncatedValue, || {
                        format!("Truncated incorrect DOUBLE value: '{s}'")
                    });
                }
                out.append_value(value);
            }
            Ok(Arc::new(out.finish()) as ArrayRef)
        })
    }
}

/// The `mysql_to_double` function raising warnings into `warnings`.
pub fn to_double_udf(warnings: &Warnings) -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::new_from_impl(ToDouble {
        signature: Signature::any(1, Volatility::Immutable),
        warnings: warnings.clone(),
    }))
}

/// `expr` (of type `t`) as an operand of arithmetic: strings become DOUBLE, booleans
/// integers; other types are left as they are.
pub fn numeric_operand(expr: Expr, t: &DataType, to_double: &Arc<ScalarUDF>) -> Expr {
    if is_string(t) {
        return to_double.call(vec![expr]);
    }
    match t {
        DataType::Boolean => datafusion::logical_expr::cast(expr, DataType::Int64),
        _ => expr,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_number_prefix;

    #[test]
    fn prefixes() {
        assert_eq!(parse_number_prefix("3"), (3.0, true));
        assert_eq!(parse_number_prefix(" 1.5 "), (1.5, true));
        assert_eq!(parse_number_prefix("1.5x"), (1.5, false));
        assert_eq!(parse_number_prefix("abc"), (0.0, false));
        assert_eq!(parse_number_prefix("-2e3"), (-2000.0, true));
        assert_eq!(parse_number_prefix("2e"), (2.0, false));
        assert_eq!(parse_number_prefix(".5"), (0.5, true));
        assert_eq!(parse_number_prefix(""), (0.0, false));
    }
}

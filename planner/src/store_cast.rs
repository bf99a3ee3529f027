//! Store assignment: converting a value into a column's type when it is written.
//!
//! Unlike a plain CAST, a failed conversion is an error that names the column and row
//! (MySQL strict mode): a number that does not fit is "out of range" (1264), a string that
//! is not a number or date is an "incorrect value" (1366), an over-long string is "too long"
//! (1406) and NULL in a NOT NULL column is refused (1048).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::{cast_with_options, CastOptions};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use lakestar_engine::types::SqlType;
use lakestar_engine::{Error, Reason};

/// Converts its argument into one column's stored type, or fails with a MySQL-style error.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct StoreCast {
    column: String,
    sql_type: SqlType,
    target: DataType,
    nullable: bool,
    /// The 1-based row a single value comes from (INSERT ... VALUES), for error messages.
    row: Option<usize>,
    signature: Signature,
}

/// One constant converted into a column's type (a `PARTITION (col = value)` value), with the
/// same errors as a written value. NULL is kept.
pub fn store_scalar(
    value: &datafusion::scalar::ScalarValue,
    column: &str,
    sql_type: SqlType,
) -> lakestar_engine::Result<datafusion::scalar::ScalarValue> {
    let cast = StoreCast {
        column: column.to_string(),
        sql_type,
        target: sql_type.to_arrow(),
        nullable: true,
        row: Some(1),
        signature: Signature::any(1, Volatility::Immutable),
    };
    let input = value.to_array().map_err(Error::from_datafusion)?;
    let converted = cast.check(&input).map_err(Error::from_datafusion)?;
    datafusion::scalar::ScalarValue::try_from_array(&converted, 0).map_err(Error::from_datafusion)
}

impl StoreCast {
    /// `target` is the Arrow type the table stores the column as.
    pub fn expr(
        value: Expr,
        column: &str,
        sql_type: SqlType,
        target: DataType,
        nullable: bool,
        row: Option<usize>,
    ) -> Expr {
        let udf = ScalarUDF::new_from_impl(Self {
            column: column.to_string(),
            sql_type,
            target,
            nullable,
            row,
            signature: Signature::any(1, Volatility::Immutable),
        });
        udf.call(vec![value])
    }

    fn row_number(&self, index: usize) -> usize {
        self.row.unwrap_or(index + 1)
    }

    fn check(&self, input: &ArrayRef) -> DFResult<ArrayRef> {
        let converted = if input.data_type() == &self.target {
            Arc::clone(input)
        } else {
            let options = CastOptions {
                safe: true,
                ..Default::default()
            };
            // Fractions are rounded as MySQL rounds them, not truncated as Arrow does.
            let input = match self.target.is_integer() {
                true => &crate::semantics::integer_cast::round_to_whole(input)?,
                false => input,
            };
            cast_with_options(input, &self.target, &options)?
        };
        let input_nulls = input.logical_nulls();
        for row in 0..converted.len() {
            if converted.is_null(row) {
                let input_is_null = input_nulls.as_ref().is_some_and(|n| n.is_null(row));
                if !input_is_null {
                    return Err(self.conversion_error(input, row).into_datafusion());
                }
                if !self.nullable {
                    return Err(Error::user(
                        Reason::NotNull,
                        format!("Column '{}' cannot be null", self.column),
                    )
                    .into_datafusion());
                }
            }
        }
        if let Some(max) = self.sql_type.char_length() {
            self.check_length(&converted, max)?;
        }
        if self.sql_type == SqlType::Json {
            return self.normalize_json(&converted);
        }
        Ok(converted)
    }

    /// A JSON column stores normalized JSON text; text that is not JSON is refused.
    fn normalize_json(&self, values: &ArrayRef) -> DFResult<ArrayRef> {
        let text = cast_with_options(values, &DataType::Utf8, &CastOptions::default())?;
        let mut out = datafusion::arrow::array::StringBuilder::with_capacity(text.len(), 0);
        for (row, v) in text.as_string::<i32>().iter().enumerate() {
            match v {
                None => out.append_null(),
                Some(t) => match crate::functions::json::text::parse(t) {
                    Some(value) => out.append_value(crate::functions::json::text::to_text(&value)),
                    None => {
                        return Err(Error::user(
                            Reason::BadValue,
                            format!(
                                "Invalid JSON text for column '{}' at row {}: '{}'",
                                self.column,
                                self.row_number(row),
                                t.chars().take(64).collect::<String>()
                            ),
                        )
                        .into_datafusion())
                    }
                },
            }
        }
        let out: ArrayRef = Arc::new(out.finish());
        if out.data_type() == &self.target {
            Ok(out)
        } else {
            Ok(cast_with_options(
                &out,
                &self.target,
                &CastOptions::default(),
            )?)
        }
    }

    fn check_length(&self, values: &ArrayRef, max: u32) -> DFResult<()> {
        let too_long = |row: usize| {
            Error::user(
                Reason::DataTooLong,
                format!(
                    "Data too long for column '{}' at row {}",
                    self.column,
                    self.row_number(row)
                ),
            )
            .into_datafusion()
        };
        let max = max as usize;
        match values.data_type() {
            DataType::Utf8View => {
                for (row, v) in values.as_string_view().iter().enumerate() {
                    if v.is_some_and(|s| s.len() > max && s.chars().count() > max) {
                        return Err(too_long(row));
                    }
                }
            }
            DataType::Utf8 => {
                for (row, v) in values.as_string::<i32>().iter().enumerate() {
                    if v.is_some_and(|s| s.len() > max && s.chars().count() > max) {
                        return Err(too_long(row));
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn conversion_error(&self, input: &ArrayRef, row: usize) -> Error {
        let value = ArrayFormatter::try_new(input.as_ref(), &FormatOptions::default())
            .map(|f| f.value(row).to_string())
            .unwrap_or_default();
        let from_text = matches!(
            input.data_type(),
            DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8
        );
        if from_text {
            Error::user(
                Reason::BadValue,
                format!(
                    "Incorrect {} value: '{}' for column '{}' at row {}",
                    self.sql_type,
                    value,
                    self.column,
                    self.row_number(row)
                ),
            )
        } else {
            Error::user(
                Reason::OutOfRange,
                format!(
                    "Out of range value for column '{}' at row {} (value {} does not fit {})",
                    self.column,
                    self.row_number(row),
                    value,
                    self.sql_type
                ),
            )
        }
    }
}

impl ScalarUDFImpl for StoreCast {
    fn name(&self) -> &str {
        "store_cast"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(self.target.clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let rows = args.number_rows;
        let input = match &args.args[0] {
            ColumnarValue::Array(a) => Arc::clone(a),
            ColumnarValue::Scalar(s) => s.to_array_of_size(rows.max(1))?,
        };
        let out = self.check(&input)?;
        match &args.args[0] {
            ColumnarValue::Scalar(_) => Ok(ColumnarValue::Scalar(
                datafusion::common::ScalarValue::try_from_array(&out, 0)?,
            )),
            ColumnarValue::Array(_) => Ok(ColumnarValue::Array(out)),
        }
    }
}

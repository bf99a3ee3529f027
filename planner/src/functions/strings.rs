//! MySQL string functions whose semantics differ from DataFusion's: `concat` is NULL when
//! any argument is NULL (DataFusion's skips NULLs); `regexp_extract(str, pattern, n)`
//! (StarRocks) returns the n-th capture group of the first match, or '' when nothing
//! matches. `length` / `octet_length` count bytes, as in MySQL and StarRocks (DataFusion's
//! `length` counts characters, which is `char_length`), of strings and of binary values
//! such as BITMAP and HLL.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, BinaryArray, Int64Array, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::exec_err;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::args::{evaluate, texts};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Concat,
    RegexpExtract,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct StringFunction {
    name: &'static str,
    kind: Kind,
    signature: Signature,
}

impl ScalarUDFImpl for StringFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        evaluate(&args, |rows| self.compute(&args, rows))
    }
}

impl StringFunction {
    fn compute(&self, args: &ScalarFunctionArgs, rows: usize) -> DFResult<ArrayRef> {
        let inputs = args
            .args
            .iter()
            .map(|a| texts(a, rows))
            .collect::<DFResult<Vec<_>>>()?;
        let mut out = StringBuilder::with_capacity(rows, rows * 16);
        match self.kind {
            Kind::Concat => {
                for row in 0..rows {
                    if inputs.iter().any(|a| a.is_null(row)) {
                        out.append_null();
                    } else {
                        let s: String = inputs.iter().map(|a| a.value(row)).collect();
                        out.append_value(s);
                    }
                }
            }
            Kind::RegexpExtract => {
                let [text, pattern, index] = inputs.as_slice() else {
                    return exec_err!("regexp_extract(str, pattern, index) takes three arguments");
                };
                let mut compiled: Option<(String, regex::Regex)> = None;
                for row in 0..rows {
                    if text.is_null(row) || pattern.is_null(row) || index.is_null(row) {
                        out.append_null();
                        continue;
                    }
                    let p = pattern.value(row);
                    if compiled.as_ref().is_none_or(|(q, _)| q != p) {
                        match regex::Regex::new(p) {
                            Ok(r) => compiled = Some((p.to_string(), r)),
                            Err(_) => {
                                out.append_null();
                                continue;
                            }
                        }
                    }
                    let re = &compiled.as_ref().expect("compiled").1;
                    let Ok(group) = index.value(row).trim().parse::<usize>() else {
                        out.append_null();
                        continue;
                    };
                    let found = re
                        .captures(text.value(row))
                        .and_then(|c| c.get(group).map(|m| m.as_str().to_string()));
                    out.append_value(found.unwrap_or_default());
                }
            }
        }
        Ok(Arc::new(out.finish()))
    }
}

/// `length(x)` / `octet_length(x)`: bytes of a string (UTF-8) or binary value; other
/// values count the bytes of their text.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ByteLength {
    name: &'static str,
    signature: Signature,
}

impl ScalarUDFImpl for ByteLength {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        evaluate(&args, |rows| {
            let value = &args.args[0];
            let lengths: Int64Array = match value.data_type() {
                DataType::Binary
                | DataType::LargeBinary
                | DataType::BinaryView
                | DataType::FixedSizeBinary(_) => {
                    let bytes = cast(&value.to_array(rows)?, &DataType::Binary)?;
                    let bytes = bytes
                        .as_any()
                        .downcast_ref::<BinaryArray>()
                        .expect("cast to Binary");
                    bytes.iter().map(|b| b.map(|b| b.len() as i64)).collect()
                }
                _ => texts(value, rows)?
                    .iter()
                    .map(|t| t.map(|t| t.len() as i64))
                    .collect(),
            };
            Ok(Arc::new(lengths) as ArrayRef)
        })
    }
}

/// The MySQL string functions (registered after DataFusion's, replacing its `concat`,
/// `length` and `octet_length`).
pub fn string_functions() -> Vec<ScalarUDF> {
    let byte_length = |name| {
        ScalarUDF::new_from_impl(ByteLength {
            name,
            signature: Signature::any(1, Volatility::Immutable),
        })
    };
    vec![
        byte_length("length"),
        byte_length("octet_length"),
        ScalarUDF::new_from_impl(StringFunction {
            name: "concat",
            kind: Kind::Concat,
            signature: Signature::variadic_any(Volatility::Immutable),
        }),
        ScalarUDF::new_from_impl(StringFunction {
            name: "regexp_extract",
            kind: Kind::RegexpExtract,
            signature: Signature::any(3, Volatility::Immutable),
        }),
    ]
}

//! MySQL string functions whose semantics differ from DataFusion's: `concat` is NULL when
//! any argument is NULL (DataFusion's skips NULLs); `regexp_extract(str, pattern, n)`
//! (StarRocks) returns the n-th capture group of the first match, or '' when nothing
//! matches.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, StringBuilder};
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

/// The MySQL string functions (registered after DataFusion's, replacing its `concat`).
pub fn string_functions() -> Vec<ScalarUDF> {
    vec![
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

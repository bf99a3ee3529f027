//! MySQL's JSON functions that StarRocks' set ([`super::json`]) lacks: `json_unquote`
//! (a JSON string's text; anything else as it is), `json_quote` (text as a JSON string),
//! `json_type` (`OBJECT`, `ARRAY`, `INTEGER`, `UNSIGNED INTEGER`, `DOUBLE`, `STRING`,
//! `BOOLEAN`, `NULL`) and `json_depth`. As in MySQL, a document that is not JSON is an
//! error, not NULL.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Builder, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::exec_err;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{ScalarFunctionArgs, ScalarUDF};
use serde_json::Value;

use super::args::texts;
use super::json::text::parse;
use super::udf::{udf, Compute};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Unquote,
    Quote,
    Type,
    Depth,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Unquote => "json_unquote",
            Kind::Quote => "json_quote",
            Kind::Type => "json_type",
            Kind::Depth => "json_depth",
        }
    }
}

fn document(kind: Kind, text: &str) -> DFResult<Value> {
    match parse(text) {
        Some(v) => Ok(v),
        None => exec_err!(
            "Invalid JSON text in argument 1 to function {}",
            kind.name()
        ),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "OBJECT",
        Value::Array(_) => "ARRAY",
        Value::Number(n) if n.is_i64() => "INTEGER",
        Value::Number(n) if n.is_u64() => "UNSIGNED INTEGER",
        Value::Number(_) => "DOUBLE",
        Value::String(_) => "STRING",
        Value::Bool(_) => "BOOLEAN",
        Value::Null => "NULL",
    }
}

fn depth(v: &Value) -> i64 {
    let deepest = |items: &mut dyn Iterator<Item = &Value>| items.map(depth).max();
    match v {
        Value::Array(a) => deepest(&mut a.iter()).map_or(1, |d| d + 1),
        Value::Object(o) => deepest(&mut o.values()).map_or(1, |d| d + 1),
        _ => 1,
    }
}

impl Compute for Kind {
    fn compute(self, args: &ScalarFunctionArgs, rows: usize) -> DFResult<ArrayRef> {
        let input = texts(&args.args[0], rows)?;
        if self == Kind::Depth {
            let mut out = Int64Builder::with_capacity(rows);
            for t in input.iter() {
                match t {
                    Some(t) => out.append_value(depth(&document(self, t)?)),
                    None => out.append_null(),
                }
            }
            return Ok(Arc::new(out.finish()));
        }
        let mut out = StringBuilder::with_capacity(rows, rows * 16);
        for t in input.iter() {
            let Some(t) = t else {
                out.append_null();
                continue;
            };
            match self {
                Kind::Unquote => {
                    // Only a quoted string is unquoted (and must then be a JSON string).
                    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
                        match document(self, t)? {
                            Value::String(s) => out.append_value(s),
                            _ => out.append_value(t),
                        }
                    } else {
                        out.append_value(t);
                    }
                }
                Kind::Quote => out.append_value(Value::String(t.to_string()).to_string()),
                Kind::Type => out.append_value(type_name(&document(self, t)?)),
                Kind::Depth => unreachable!("handled above"),
            }
        }
        Ok(Arc::new(out.finish()))
    }
}

/// The MySQL JSON functions, to register in every session.
pub fn mysql_json_functions() -> Vec<ScalarUDF> {
    [Kind::Unquote, Kind::Quote, Kind::Type, Kind::Depth]
        .into_iter()
        .map(|k| {
            let result = if k == Kind::Depth {
                DataType::Int64
            } else {
                DataType::Utf8
            };
            udf(k.name(), &[], &[1], result, k)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_depths() {
        let v = |t: &str| parse(t).unwrap();
        assert_eq!(type_name(&v("1")), "INTEGER");
        assert_eq!(type_name(&v("18446744073709551615")), "UNSIGNED INTEGER");
        assert_eq!(type_name(&v("1.5")), "DOUBLE");
        assert_eq!(depth(&v("[]")), 1);
        assert_eq!(depth(&v("[10, {\"a\": [1]}]")), 4);
    }
}

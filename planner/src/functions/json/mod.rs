//! StarRocks' JSON functions, with its path syntax ([`path`]) and NULL-on-bad-input
//! semantics: a document that is not JSON, a path that is not a path or a path that
//! matches nothing gives NULL, never an error.
//!
//! JSON values are text (the JSON column type stores normalized text, [`text`]); functions
//! that return JSON label their result field with the declared type `JSON`, so clients see
//! a JSON column and `json_object` / `json_array` embed JSON arguments as JSON rather than
//! as strings.
//!
//! - Constructors: `parse_json`, `json_object`, `json_array`, `to_json`, `CAST(x AS JSON)`
//!   (planned as `parse_json` of text and `to_json` of anything else).
//! - Accessors: `get_json_string` (= `get_json_object`), `get_json_int`,
//!   `get_json_double`, `get_json_bool`, `json_query`, `json_exists`, `json_length`,
//!   `json_keys`, `json_string`, and the operators `->` (json_query) and `->>`
//!   (get_json_string).
//! - `json_each(json)`: a table function over a constant document ([`each`]).

pub mod each;
pub mod path;
pub mod text;

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BooleanBuilder, Float64Builder, Int64Builder, StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{plan_err, ScalarValue};
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::planner::{ExprPlanner, PlannerResult, RawBinaryExpr};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use lakestar_engine::types::{SqlType, SQL_TYPE_METADATA_KEY};
use serde_json::Value;

/// What a JSON function computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    ParseJson,
    ToJson,
    JsonObject,
    JsonArray,
    GetString,
    GetInt,
    GetDouble,
    GetBool,
    Query,
    Exists,
    Length,
    Keys,
    JsonString,
}

impl Kind {
    fn result_type(self) -> DataType {
        match self {
            Kind::GetInt | Kind::Length => DataType::Int64,
            Kind::GetDouble => DataType::Float64,
            Kind::GetBool | Kind::Exists => DataType::Boolean,
            _ => DataType::Utf8,
        }
    }

    fn returns_json(self) -> bool {
        matches!(
            self,
            Kind::ParseJson
                | Kind::ToJson
                | Kind::JsonObject
                | Kind::JsonArray
                | Kind::Query
                | Kind::Keys
        )
    }

    /// Accepted argument counts.
    fn arity(self) -> std::ops::RangeInclusive<usize> {
        match self {
            Kind::ParseJson | Kind::ToJson | Kind::JsonString => 1..=1,
            Kind::JsonObject | Kind::JsonArray => 0..=usize::MAX,
            Kind::Length | Kind::Keys => 1..=2,
            _ => 2..=2,
        }
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct JsonFunction {
    name: &'static str,
    aliases: Vec<String>,
    kind: Kind,
    signature: Signature,
}

/// The field metadata of a JSON value.
pub(crate) fn json_metadata() -> HashMap<String, String> {
    [(SQL_TYPE_METADATA_KEY.to_string(), SqlType::Json.to_string())]
        .into_iter()
        .collect()
}

pub(crate) fn is_json_field(field: &Field) -> bool {
    field
        .metadata()
        .get(SQL_TYPE_METADATA_KEY)
        .is_some_and(|t| t == "JSON")
}

/// A SQL value as a JSON value (`to_json`, `json_object`, `json_array`): JSON-typed text is
/// parsed, other text is a JSON string.
pub(crate) fn to_value(scalar: &ScalarValue, json_text: bool) -> Value {
    use ScalarValue as S;
    if scalar.is_null() {
        return Value::Null;
    }
    match scalar {
        S::Boolean(Some(b)) => Value::Bool(*b),
        S::Int8(Some(v)) => Value::from(*v),
        S::Int16(Some(v)) => Value::from(*v),
        S::Int32(Some(v)) => Value::from(*v),
        S::Int64(Some(v)) => Value::from(*v),
        S::UInt8(Some(v)) => Value::from(*v),
        S::UInt16(Some(v)) => Value::from(*v),
        S::UInt32(Some(v)) => Value::from(*v),
        S::UInt64(Some(v)) => Value::from(*v),
        S::Float32(Some(v)) => Value::from(*v as f64),
        S::Float64(Some(v)) => Value::from(*v),
        S::Utf8(Some(s)) | S::Utf8View(Some(s)) | S::LargeUtf8(Some(s)) => {
            if json_text {
                text::parse(s).unwrap_or(Value::Null)
            } else {
                Value::String(s.clone())
            }
        }
        S::Decimal128(Some(v), _, scale) => {
            let text = super::args::decimal_text(*v, *scale);
            text.parse::<serde_json::Number>()
                .map(Value::Number)
                .unwrap_or(Value::String(text))
        }
        other => Value::String(other.to_string()),
    }
}

impl JsonFunction {
    fn check_arity(&self, n: usize) -> DFResult<()> {
        if !self.kind.arity().contains(&n) {
            return plan_err!("{}() does not take {n} arguments", self.name);
        }
        if self.kind == Kind::JsonObject && !n.is_multiple_of(2) {
            return plan_err!("json_object() takes key, value pairs");
        }
        Ok(())
    }

    /// Constructors: a JSON value from each row of SQL values.
    fn construct(&self, args: &ScalarFunctionArgs, rows: usize) -> DFResult<ArrayRef> {
        let arrays = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<DFResult<Vec<_>>>()?;
        let json_args: Vec<bool> = args.arg_fields.iter().map(|f| is_json_field(f)).collect();
        let mut out = StringBuilder::with_capacity(rows, rows * 16);
        for row in 0..rows {
            let value = |i: usize| -> DFResult<Value> {
                let scalar = ScalarValue::try_from_array(&arrays[i], row)?;
                Ok(to_value(&scalar, json_args[i]))
            };
            let result = match self.kind {
                Kind::ParseJson => match ScalarValue::try_from_array(&arrays[0], row)? {
                    s if s.is_null() => None,
                    s => match s.try_as_str().flatten() {
                        Some(t) => text::parse(t),
                        // parse_json of a non-string (CAST(1 AS JSON)) is that value.
                        None => Some(to_value(&s, false)),
                    },
                },
                Kind::ToJson => match value(0)? {
                    Value::Null => None,
                    v => Some(v),
                },
                Kind::JsonArray => Some(Value::Array(
                    (0..arrays.len()).map(value).collect::<DFResult<_>>()?,
                )),
                Kind::JsonObject => {
                    let mut map = serde_json::Map::new();
                    let mut valid = true;
                    for pair in (0..arrays.len()).step_by(2) {
                        match value(pair)? {
                            Value::String(k) => {
                                map.insert(k, value(pair + 1)?);
                            }
                            Value::Null => valid = false,
                            other => {
                                map.insert(text::unquoted(&other), value(pair + 1)?);
                            }
                        }
                    }
                    valid.then_some(Value::Object(map))
                }
                _ => unreachable!("not a constructor"),
            };
            match result {
                Some(v) => out.append_value(text::to_text(&v)),
                None => out.append_null(),
            }
        }
        Ok(Arc::new(out.finish()))
    }

    /// Accessors: a value found in a document by a path.
    fn access(&self, args: &ScalarFunctionArgs, rows: usize) -> DFResult<ArrayRef> {
        let docs = super::args::texts(&args.args[0], rows)?;
        // The path is a constant in practice: parse it once.
        let constant_path = match args.args.get(1) {
            Some(ColumnarValue::Scalar(s)) => Some(s.try_as_str().flatten().and_then(path::parse)),
            _ => None,
        };
        let paths = match (&constant_path, args.args.get(1)) {
            (None, Some(p)) => Some(super::args::texts(p, rows)?),
            _ => None,
        };
        let steps_at = |row: usize| -> Option<Vec<path::Step>> {
            match (&constant_path, &paths) {
                (Some(steps), _) => steps.clone(),
                (None, Some(p)) => (!p.is_null(row))
                    .then(|| path::parse(p.value(row)))
                    .flatten(),
                (None, None) => Some(vec![]),
            }
        };
        let found = |row: usize| -> Option<Value> {
            if docs.is_null(row) {
                return None;
            }
            let doc = text::parse(docs.value(row))?;
            let steps = steps_at(row)?;
            path::select(&doc, &steps).map(|v| v.into_owned())
        };
        Ok(match self.kind {
            Kind::GetInt => {
                let mut out = Int64Builder::with_capacity(rows);
                for row in 0..rows {
                    out.append_option(found(row).and_then(|v| match v {
                        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
                        Value::String(s) => s.trim().parse().ok(),
                        Value::Bool(b) => Some(i64::from(b)),
                        _ => None,
                    }));
                }
                Arc::new(out.finish())
            }
            Kind::GetDouble => {
                let mut out = Float64Builder::with_capacity(rows);
                for row in 0..rows {
                    out.append_option(found(row).and_then(|v| match v {
                        Value::Number(n) => n.as_f64(),
                        Value::String(s) => s.trim().parse().ok(),
                        _ => None,
                    }));
                }
                Arc::new(out.finish())
            }
            Kind::GetBool => {
                let mut out = BooleanBuilder::with_capacity(rows);
                for row in 0..rows {
                    out.append_option(found(row).and_then(|v| match v {
                        Value::Bool(b) => Some(b),
                        Value::Number(n) => n.as_f64().map(|f| f != 0.0),
                        _ => None,
                    }));
                }
                Arc::new(out.finish())
            }
            Kind::Exists => {
                let mut out = BooleanBuilder::with_capacity(rows);
                for row in 0..rows {
                    let valid = !docs.is_null(row)
                        && text::parse(docs.value(row)).is_some()
                        && steps_at(row).is_some();
                    out.append_option(valid.then(|| found(row).is_some()));
                }
                Arc::new(out.finish())
            }
            Kind::Length => {
                let mut out = Int64Builder::with_capacity(rows);
                for row in 0..rows {
                    out.append_option(found(row).map(|v| match v {
                        Value::Array(a) => a.len() as i64,
                        Value::Object(o) => o.len() as i64,
                        _ => 1,
                    }));
                }
                Arc::new(out.finish())
            }
            Kind::GetString | Kind::Query | Kind::Keys | Kind::JsonString => {
                let mut out = StringBuilder::with_capacity(rows, rows * 16);
                for row in 0..rows {
                    let text = found(row).and_then(|v| match self.kind {
                        Kind::GetString => match v {
                            Value::Null => None,
                            v => Some(text::unquoted(&v)),
                        },
                        Kind::Keys => match v {
                            Value::Object(o) => Some(text::to_text(&Value::Array(
                                o.keys().map(|k| Value::String(k.clone())).collect(),
                            ))),
                            _ => None,
                        },
                        _ => Some(text::to_text(&v)),
                    });
                    out.append_option(text);
                }
                Arc::new(out.finish())
            }
            _ => unreachable!("not an accessor"),
        })
    }
}

impl ScalarUDFImpl for JsonFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(self.kind.result_type())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DFResult<FieldRef> {
        self.check_arity(args.arg_fields.len())?;
        let mut field = Field::new(self.name, self.kind.result_type(), true);
        if self.kind.returns_json() {
            field = field.with_metadata(json_metadata());
        }
        Ok(Arc::new(field))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        super::args::evaluate(&args, |rows| match self.kind {
            Kind::ParseJson | Kind::ToJson | Kind::JsonObject | Kind::JsonArray => {
                self.construct(&args, rows)
            }
            _ => self.access(&args, rows),
        })
    }
}

fn function(name: &'static str, aliases: &[&str], kind: Kind) -> ScalarUDF {
    ScalarUDF::new_from_impl(JsonFunction {
        name,
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        kind,
        signature: Signature::variadic_any(Volatility::Immutable),
    })
}

/// The JSON functions, to register in every session.
pub fn json_functions() -> Vec<ScalarUDF> {
    vec![
        function("parse_json", &[], Kind::ParseJson),
        function("to_json", &[], Kind::ToJson),
        function("json_object", &[], Kind::JsonObject),
        function("json_array", &[], Kind::JsonArray),
        function("get_json_string", &["get_json_object"], Kind::GetString),
        function("get_json_int", &[], Kind::GetInt),
        function("get_json_double", &[], Kind::GetDouble),
        function("get_json_bool", &[], Kind::GetBool),
        function("json_query", &[], Kind::Query),
        function("json_exists", &[], Kind::Exists),
        function("json_length", &[], Kind::Length),
        function("json_keys", &[], Kind::Keys),
        function("json_string", &[], Kind::JsonString),
    ]
}

/// Plans the JSON operators: `doc -> path` is `json_query(doc, path)`, `doc ->> path` is
/// `get_json_string(doc, path)`.
#[derive(Debug, Default)]
pub struct JsonOperators;

impl ExprPlanner for JsonOperators {
    fn plan_binary_op(
        &self,
        expr: RawBinaryExpr,
        _schema: &datafusion::common::DFSchema,
    ) -> DFResult<PlannerResult<RawBinaryExpr>> {
        use sqlparser::ast::BinaryOperator;
        let kind = match expr.op {
            BinaryOperator::Arrow => Kind::Query,
            BinaryOperator::LongArrow => Kind::GetString,
            _ => return Ok(PlannerResult::Original(expr)),
        };
        let name = if kind == Kind::Query {
            "json_query"
        } else {
            "get_json_string"
        };
        let udf = function(name, &[], kind);
        Ok(PlannerResult::Planned(Expr::ScalarFunction(
            datafusion::logical_expr::expr::ScalarFunction::new_udf(
                Arc::new(udf),
                vec![expr.left, expr.right],
            ),
        )))
    }
}

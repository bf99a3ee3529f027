//! `json_each(json)`: the top-level members of a JSON object as rows `(key, value)` (an
//! array's elements with their positions as keys). DataFusion table functions take
//! constant arguments, so the document must be a constant expression.

use std::sync::Arc;

use datafusion::arrow::array::{RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::catalog::{TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::datasource::MemTable;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::Expr;
use datafusion::scalar::ScalarValue;
use lakestar_engine::{user_err, Error};
use serde_json::Value;

use super::text;

#[derive(Debug)]
pub struct JsonEach;

impl TableFunctionImpl for JsonEach {
    fn call_with_args(&self, args: TableFunctionArgs) -> DFResult<Arc<dyn TableProvider>> {
        let [arg] = args.exprs() else {
            return Err(
                user_err!(WrongArguments, "json_each() takes one JSON argument").into_datafusion(),
            );
        };
        let simplified = datafusion::optimizer::simplify_expressions::ExprSimplifier::new(
            datafusion::optimizer::simplify_expressions::SimplifyContext::default(),
        )
        .simplify(arg.clone())?;
        let doc = match simplified {
            Expr::Literal(
                ScalarValue::Utf8(s) | ScalarValue::Utf8View(s) | ScalarValue::LargeUtf8(s),
                _,
            ) => s,
            Expr::Literal(v, _) if v.is_null() => None,
            other => {
                return Err(Error::unsupported(format!(
                    "json_each() needs a constant document, got {other}"
                ))
                .into_datafusion())
            }
        };
        let members: Vec<(String, String)> = match doc.as_deref().and_then(text::parse) {
            Some(Value::Object(map)) => map
                .iter()
                .map(|(k, v)| (k.clone(), text::to_text(v)))
                .collect(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), text::to_text(v)))
                .collect(),
            _ => vec![],
        };
        let schema = Arc::new(Schema::new(vec![
            Field::new("key", DataType::Utf8, false),
            Field::new("value", DataType::Utf8, true).with_metadata(super::json_metadata()),
        ]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(StringArray::from_iter_values(
                    members.iter().map(|(k, _)| k),
                )),
                Arc::new(StringArray::from_iter_values(
                    members.iter().map(|(_, v)| v),
                )),
            ],
        )?;
        Ok(Arc::new(MemTable::try_new(schema, vec![vec![batch]])?))
    }
}

//! The scalar-function shell the MySQL function families ([`super::mysql_encoding`],
//! [`super::mysql_text`], [`super::mysql_time`], [`super::mysql_json`],
//! [`super::mysql_json_edit`]) share: a name, the accepted argument counts, a fixed result
//! type (text labelled JSON for [`json_udf`]) and a `kind` that computes the rows.

use std::fmt::Debug;
use std::hash::Hash;

use std::sync::Arc;

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    TypeSignature, Volatility,
};

use super::args::evaluate;

/// What one function of a family computes, over `rows` rows of its arguments.
pub trait Compute: Debug + Copy + Eq + Hash + Send + Sync + 'static {
    fn compute(self, args: &ScalarFunctionArgs, rows: usize) -> DFResult<ArrayRef>;
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct MysqlFunction<K> {
    name: &'static str,
    aliases: Vec<String>,
    kind: K,
    result: DataType,
    /// The result is JSON text (its field carries the JSON type).
    json: bool,
    signature: Signature,
}

impl<K: Compute> ScalarUDFImpl for MysqlFunction<K> {
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
        Ok(self.result.clone())
    }

    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> DFResult<FieldRef> {
        let mut field = Field::new(self.name, self.result.clone(), true);
        if self.json {
            field = field.with_metadata(super::json::json_metadata());
        }
        Ok(Arc::new(field))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        evaluate(&args, |rows| self.kind.compute(&args, rows))
    }
}

/// A function `name` (also called `aliases`) taking any of `arities` arguments of any
/// type (any number but none when `arities` is empty) and returning `result`.
pub fn udf<K: Compute>(
    name: &'static str,
    aliases: &[&str],
    arities: &[usize],
    result: DataType,
    kind: K,
) -> ScalarUDF {
    build(name, aliases, arities, result, false, kind)
}

/// [`udf`] returning JSON text.
pub fn json_udf<K: Compute>(
    name: &'static str,
    aliases: &[&str],
    arities: &[usize],
    kind: K,
) -> ScalarUDF {
    build(name, aliases, arities, DataType::Utf8, true, kind)
}

fn build<K: Compute>(
    name: &'static str,
    aliases: &[&str],
    arities: &[usize],
    result: DataType,
    json: bool,
    kind: K,
) -> ScalarUDF {
    let volatility = Volatility::Immutable;
    let signature = if arities.is_empty() {
        Signature::variadic_any(volatility)
    } else {
        let shapes = arities
            .iter()
            .map(|&n| match n {
                0 => TypeSignature::Nullary,
                n => TypeSignature::Any(n),
            })
            .collect();
        Signature::one_of(shapes, volatility)
    };
    ScalarUDF::new_from_impl(MysqlFunction {
        name,
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        kind,
        result,
        json,
        signature,
    })
}

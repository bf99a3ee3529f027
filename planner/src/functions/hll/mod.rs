//! StarRocks' HLL functions: `hll_hash(v)` (a sketch of one value), `hll_empty()`,
//! `hll_cardinality(hll)`, and the aggregates `hll_union` / `hll_raw_agg` (merge
//! sketches), `hll_union_agg` (their cardinality), `ndv` / `approx_count_distinct`
//! (estimate distinct values directly). A sketch ([`sketch::Hll`]) is stored serialized
//! in a `Binary` column declared `HLL`. Values are hashed by their text with MurmurHash3,
//! so `1` and `'1'` are the same value, as in StarRocks.

pub mod sketch;

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BinaryArray, BinaryBuilder, Int64Builder, StringArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{plan_err, ScalarValue};
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, ColumnarValue, ReturnFieldArgs,
    ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use lakestar_engine::types::{SqlType, SQL_TYPE_METADATA_KEY};

use super::args::evaluate;
use super::bitmap::murmur3_64;
use sketch::Hll;

fn hll_metadata() -> std::collections::HashMap<String, String> {
    [(SQL_TYPE_METADATA_KEY.to_string(), SqlType::Hll.to_string())]
        .into_iter()
        .collect()
}

/// The hash of every value of an array (by its text); `None` for NULL.
fn hashes(array: &ArrayRef) -> DFResult<Vec<Option<u64>>> {
    let text = cast(array, &DataType::Utf8)?;
    let text = text
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("cast to Utf8");
    Ok(text
        .iter()
        .map(|v| v.map(|s| murmur3_64(s.as_bytes())))
        .collect())
}

fn sketches(array: &ArrayRef) -> DFResult<Vec<Option<Hll>>> {
    let bytes = cast(array, &DataType::Binary)?;
    let bytes = bytes
        .as_any()
        .downcast_ref::<BinaryArray>()
        .expect("cast to Binary");
    Ok(bytes.iter().map(|b| b.and_then(Hll::from_bytes)).collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ScalarKind {
    Hash,
    Empty,
    Cardinality,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct HllFunction {
    name: &'static str,
    kind: ScalarKind,
    signature: Signature,
}

impl ScalarUDFImpl for HllFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(match self.kind {
            ScalarKind::Cardinality => DataType::Int64,
            _ => DataType::Binary,
        })
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DFResult<FieldRef> {
        let expected = usize::from(self.kind != ScalarKind::Empty);
        if args.arg_fields.len() != expected {
            return plan_err!("{}() takes {expected} arguments", self.name);
        }
        let t = self.return_type(&[])?;
        let mut field = Field::new(self.name, t.clone(), true);
        if t == DataType::Binary {
            field = field.with_metadata(hll_metadata());
        }
        Ok(Arc::new(field))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        evaluate(&args, |rows| self.compute(&args, rows))
    }
}

impl HllFunction {
    fn compute(&self, args: &ScalarFunctionArgs, rows: usize) -> DFResult<ArrayRef> {
        Ok(match self.kind {
            ScalarKind::Empty => {
                let mut out = BinaryBuilder::new();
                for _ in 0..rows {
                    out.append_value(Hll::new().to_bytes());
                }
                Arc::new(out.finish())
            }
            ScalarKind::Hash => {
                let mut out = BinaryBuilder::new();
                for h in hashes(&args.args[0].to_array(rows)?)? {
                    let mut sketch = Hll::new();
                    if let Some(h) = h {
                        sketch.insert(h);
                    }
                    out.append_value(sketch.to_bytes());
                }
                Arc::new(out.finish())
            }
            ScalarKind::Cardinality => {
                let mut out = Int64Builder::with_capacity(rows);
                for s in sketches(&args.args[0].to_array(rows)?)? {
                    out.append_option(s.map(|s| s.cardinality() as i64));
                }
                Arc::new(out.finish())
            }
        })
    }
}

/// Whether an HLL aggregate reads sketches or raw values, and what it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum AggKind {
    /// hll_union, hll_raw_agg: sketches in, a sketch out.
    Union,
    /// hll_union_agg: sketches in, the cardinality out.
    UnionCount,
    /// ndv, approx_count_distinct: values in, the cardinality out.
    Distinct,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct HllAggregate {
    name: &'static str,
    aliases: Vec<String>,
    kind: AggKind,
    signature: Signature,
}

impl AggregateUDFImpl for HllAggregate {
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
        Ok(match self.kind {
            AggKind::Union => DataType::Binary,
            _ => DataType::Int64,
        })
    }

    fn return_field(&self, _arg_fields: &[FieldRef]) -> DFResult<FieldRef> {
        let t = self.return_type(&[])?;
        let mut field = Field::new(self.name, t.clone(), true);
        if t == DataType::Binary {
            field = field.with_metadata(hll_metadata());
        }
        Ok(Arc::new(field))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> DFResult<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format!("{}[hll]", args.name),
            DataType::Binary,
            true,
        ))])
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> DFResult<Box<dyn Accumulator>> {
        Ok(Box::new(HllAccumulator {
            kind: self.kind,
            sketch: Hll::new(),
        }))
    }
}

#[derive(Debug)]
struct HllAccumulator {
    kind: AggKind,
    sketch: Hll,
}

impl Accumulator for HllAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DFResult<()> {
        match self.kind {
            AggKind::Distinct => {
                for h in hashes(&values[0])?.into_iter().flatten() {
                    self.sketch.insert(h);
                }
            }
            _ => {
                for s in sketches(&values[0])?.into_iter().flatten() {
                    self.sketch.merge(&s);
                }
            }
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> DFResult<()> {
        for s in sketches(&states[0])?.into_iter().flatten() {
            self.sketch.merge(&s);
        }
        Ok(())
    }

    fn state(&mut self) -> DFResult<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Binary(Some(self.sketch.to_bytes()))])
    }

    fn evaluate(&mut self) -> DFResult<ScalarValue> {
        Ok(match self.kind {
            AggKind::Union => ScalarValue::Binary(Some(self.sketch.to_bytes())),
            _ => ScalarValue::Int64(Some(self.sketch.cardinality() as i64)),
        })
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.sketch.to_bytes().len()
    }
}

/// The HLL scalar functions.
pub fn hll_functions() -> Vec<ScalarUDF> {
    let f = |name, kind, signature| {
        ScalarUDF::new_from_impl(HllFunction {
            name,
            kind,
            signature,
        })
    };
    vec![
        f(
            "hll_hash",
            ScalarKind::Hash,
            Signature::any(1, Volatility::Immutable),
        ),
        f(
            "hll_empty",
            ScalarKind::Empty,
            Signature::nullary(Volatility::Immutable),
        ),
        f(
            "hll_cardinality",
            ScalarKind::Cardinality,
            Signature::any(1, Volatility::Immutable),
        ),
    ]
}

/// The HLL aggregates.
pub fn hll_aggregates() -> Vec<AggregateUDF> {
    let a = |name, aliases: &[&str], kind| {
        AggregateUDF::new_from_impl(HllAggregate {
            name,
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            kind,
            signature: Signature::any(1, Volatility::Immutable),
        })
    };
    vec![
        a("hll_union", &["hll_raw_agg"], AggKind::Union),
        a("hll_union_agg", &[], AggKind::UnionCount),
        a("ndv", &["approx_count_distinct"], AggKind::Distinct),
    ]
}

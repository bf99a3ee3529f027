//! Bitmap aggregates: `bitmap_agg(int)` and `bitmap_union(bitmap)` build one bitmap,
//! `bitmap_union_count(bitmap)` counts it (exactly `count(DISTINCT)` of the values),
//! and `intersect_count(bitmap, column, v1, v2, ...)` counts the values present in the
//! union of the rows for every one of `v1`, `v2`, ... (StarRocks' retention counting).
//!
//! The partial state is a serialized bitmap (for `intersect_count`, one per filter value,
//! each length-prefixed), so partial aggregates merge across partitions and backends.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, BinaryArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{exec_err, ScalarValue};
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, GroupsAccumulator, Signature, Volatility,
};
use datafusion::physical_expr::expressions::Literal;
use roaring::RoaringTreemap;

use super::union_accumulator::{UnionAccumulator, UnionGroupsAccumulator, UnionInput};
use super::{bitmap_metadata, from_bytes, to_bytes};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Agg,
    Union,
    UnionCount,
    IntersectCount,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct BitmapAggregate {
    name: &'static str,
    kind: Kind,
    signature: Signature,
}

impl AggregateUDFImpl for BitmapAggregate {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(match self.kind {
            Kind::Agg | Kind::Union => DataType::Binary,
            Kind::UnionCount | Kind::IntersectCount => DataType::Int64,
        })
    }

    fn return_field(&self, arg_fields: &[FieldRef]) -> DFResult<FieldRef> {
        let data_type = self.return_type(&[])?;
        let _ = arg_fields;
        let mut field = Field::new(self.name, data_type.clone(), true);
        if data_type == DataType::Binary {
            field = field.with_metadata(bitmap_metadata());
        }
        Ok(Arc::new(field))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> DFResult<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format!("{}[bitmap]", args.name),
            DataType::Binary,
            true,
        ))])
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        self.kind != Kind::IntersectCount
    }

    fn create_groups_accumulator(
        &self,
        _args: AccumulatorArgs,
    ) -> DFResult<Box<dyn GroupsAccumulator>> {
        let input = match self.kind {
            Kind::Agg => UnionInput::Integers,
            _ => UnionInput::Bitmaps,
        };
        Ok(Box::new(UnionGroupsAccumulator::new(
            input,
            self.kind == Kind::UnionCount,
        )))
    }

    fn accumulator(&self, args: AccumulatorArgs) -> DFResult<Box<dyn Accumulator>> {
        let input = match self.kind {
            Kind::Agg => UnionInput::Integers,
            Kind::Union | Kind::UnionCount => UnionInput::Bitmaps,
            Kind::IntersectCount => return Ok(Box::new(IntersectAccumulator::new(&args)?)),
        };
        Ok(Box::new(UnionAccumulator::new(
            input,
            self.kind == Kind::UnionCount,
        )))
    }
}

/// `intersect_count(bitmap, column, value, ...)`: one union per filter value.
#[derive(Debug)]
struct IntersectAccumulator {
    bitmaps: Vec<RoaringTreemap>,
    filter_values: Vec<ScalarValue>,
}

impl IntersectAccumulator {
    fn new(args: &AccumulatorArgs) -> DFResult<Self> {
        if args.exprs.len() < 3 {
            return exec_err!("intersect_count(bitmap, column, value, ...) needs a value");
        }
        let filter_values = args.exprs[2..]
            .iter()
            .map(
                |e| match (e.as_ref() as &dyn std::any::Any).downcast_ref::<Literal>() {
                    Some(l) => Ok(l.value().clone()),
                    None => exec_err!("intersect_count() filter values must be constants"),
                },
            )
            .collect::<DFResult<Vec<_>>>()?;
        Ok(Self {
            bitmaps: vec![RoaringTreemap::new(); filter_values.len()],
            filter_values,
        })
    }
}

/// A bitmap argument or state as `Binary`.
pub(super) fn binary(array: &ArrayRef) -> DFResult<BinaryArray> {
    Ok(cast(array, &DataType::Binary)?
        .as_any()
        .downcast_ref::<BinaryArray>()
        .expect("cast to Binary")
        .clone())
}

impl Accumulator for IntersectAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DFResult<()> {
        let bytes = binary(&values[0])?;
        for row in 0..bytes.len() {
            if bytes.is_null(row) {
                continue;
            }
            let key = ScalarValue::try_from_array(&values[1], row)?;
            let Some(slot) = self
                .filter_values
                .iter()
                .position(|v| v == &key || v.cast_to(&key.data_type()).is_ok_and(|v| v == key))
            else {
                continue;
            };
            if let Some(b) = from_bytes(bytes.value(row)) {
                self.bitmaps[slot] |= b;
            }
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> DFResult<()> {
        let bytes = binary(&states[0])?;
        for state in bytes.iter().flatten() {
            let parts = split_state(state);
            for (slot, part) in parts.iter().enumerate().take(self.bitmaps.len()) {
                if let Some(b) = from_bytes(part) {
                    self.bitmaps[slot] |= b;
                }
            }
        }
        Ok(())
    }

    fn state(&mut self) -> DFResult<Vec<ScalarValue>> {
        let mut out = vec![];
        for b in &self.bitmaps {
            let bytes = to_bytes(b);
            out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            out.extend_from_slice(&bytes);
        }
        Ok(vec![ScalarValue::Binary(Some(out))])
    }

    fn evaluate(&mut self) -> DFResult<ScalarValue> {
        let mut all = self.bitmaps[0].clone();
        for b in &self.bitmaps[1..] {
            all &= b;
        }
        Ok(ScalarValue::Int64(Some(all.len() as i64)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self
                .bitmaps
                .iter()
                .map(|b| b.serialized_size())
                .sum::<usize>()
    }
}

/// The length-prefixed bitmaps of a partial state.
pub(super) fn split_state(mut state: &[u8]) -> Vec<&[u8]> {
    let mut parts = vec![];
    while state.len() >= 8 {
        let len = u64::from_le_bytes(state[..8].try_into().expect("8 bytes")) as usize;
        let Some(part) = state.get(8..8 + len) else {
            break;
        };
        parts.push(part);
        state = &state[8 + len..];
    }
    parts
}

fn aggregate(name: &'static str, kind: Kind, signature: Signature) -> AggregateUDF {
    AggregateUDF::new_from_impl(BitmapAggregate {
        name,
        kind,
        signature,
    })
}

/// The bitmap aggregates.
pub fn bitmap_aggregates() -> Vec<AggregateUDF> {
    let one = || Signature::any(1, Volatility::Immutable);
    vec![
        aggregate("bitmap_agg", Kind::Agg, one()),
        aggregate("bitmap_union", Kind::Union, one()),
        aggregate("bitmap_union_count", Kind::UnionCount, one()),
        aggregate(
            "intersect_count",
            Kind::IntersectCount,
            Signature::variadic_any(Volatility::Immutable),
        ),
    ]
}

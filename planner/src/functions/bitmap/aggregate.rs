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
use roaring::{MultiOps, RoaringTreemap};

use super::union_accumulator::{UnionAccumulator, UnionGroupsAccumulator};
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
        matches!(self.kind, Kind::Union | Kind::UnionCount)
    }

    fn create_groups_accumulator(
        &self,
        _args: AccumulatorArgs,
    ) -> DFResult<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(UnionGroupsAccumulator::new(
            self.kind == Kind::UnionCount,
        )))
    }

    fn accumulator(&self, args: AccumulatorArgs) -> DFResult<Box<dyn Accumulator>> {
        let filter_values = if self.kind == Kind::IntersectCount {
            if args.exprs.len() < 3 {
                return exec_err!("intersect_count(bitmap, column, value, ...) needs a value");
            }
            args.exprs[2..]
                .iter()
                .map(
                    |e| match (e.as_ref() as &dyn std::any::Any).downcast_ref::<Literal>() {
                        Some(l) => Ok(l.value().clone()),
                        None => exec_err!("intersect_count() filter values must be constants"),
                    },
                )
                .collect::<DFResult<Vec<_>>>()?
        } else {
            vec![]
        };
        if matches!(self.kind, Kind::Union | Kind::UnionCount) {
            return Ok(Box::new(UnionAccumulator::new(
                self.kind == Kind::UnionCount,
            )));
        }
        Ok(Box::new(BitmapAccumulator {
            kind: self.kind,
            bitmaps: vec![RoaringTreemap::new(); filter_values.len().max(1)],
            filter_values,
        }))
    }
}

#[derive(Debug)]
struct BitmapAccumulator {
    kind: Kind,
    /// One bitmap; for `intersect_count`, one per filter value.
    bitmaps: Vec<RoaringTreemap>,
    filter_values: Vec<ScalarValue>,
}

fn binary(array: &ArrayRef) -> DFResult<BinaryArray> {
    Ok(cast(array, &DataType::Binary)?
        .as_any()
        .downcast_ref::<BinaryArray>()
        .expect("cast to Binary")
        .clone())
}

impl Accumulator for BitmapAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DFResult<()> {
        match self.kind {
            Kind::Agg => {
                let ints = cast(&values[0], &DataType::Int64)?;
                let ints = ints
                    .as_any()
                    .downcast_ref::<datafusion::arrow::array::Int64Array>()
                    .expect("cast to Int64");
                for v in ints.iter().flatten() {
                    if let Ok(v) = u64::try_from(v) {
                        self.bitmaps[0].insert(v);
                    }
                }
            }
            Kind::Union | Kind::UnionCount => {
                let bytes = binary(&values[0])?;
                for b in bytes.iter().flatten().filter_map(from_bytes) {
                    self.bitmaps[0] |= b;
                }
            }
            Kind::IntersectCount => {
                let bytes = binary(&values[0])?;
                for row in 0..bytes.len() {
                    if bytes.is_null(row) {
                        continue;
                    }
                    let key = ScalarValue::try_from_array(&values[1], row)?;
                    let Some(slot) = self.filter_values.iter().position(|v| {
                        v == &key || v.cast_to(&key.data_type()).is_ok_and(|v| v == key)
                    }) else {
                        continue;
                    };
                    if let Some(b) = from_bytes(bytes.value(row)) {
                        self.bitmaps[slot] |= b;
                    }
                }
            }
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> DFResult<()> {
        let bytes = binary(&states[0])?;
        let states: Vec<Vec<&[u8]>> = bytes.iter().flatten().map(split_state).collect();
        for (slot, bitmap) in self.bitmaps.iter_mut().enumerate() {
            union_into(
                bitmap,
                states
                    .iter()
                    .filter_map(|parts| parts.get(slot).and_then(|part| from_bytes(part))),
            );
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
        Ok(match self.kind {
            Kind::Agg | Kind::Union => ScalarValue::Binary(Some(to_bytes(&self.bitmaps[0]))),
            Kind::UnionCount => ScalarValue::Int64(Some(self.bitmaps[0].len() as i64)),
            Kind::IntersectCount => {
                let mut all = self.bitmaps[0].clone();
                for b in &self.bitmaps[1..] {
                    all &= b;
                }
                ScalarValue::Int64(Some(all.len() as i64))
            }
        })
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

/// Adds `bitmaps` to `into` in one multi-way union. OR-ing them in one at a time copies
/// every small (array) container of `into` on each step; the multi-way union turns the
/// containers it adds to into dense ones first and compacts them once at the end.
fn union_into(into: &mut RoaringTreemap, bitmaps: impl Iterator<Item = RoaringTreemap>) {
    let mut bitmaps = bitmaps.peekable();
    if bitmaps.peek().is_none() {
        return;
    }
    let so_far = std::mem::take(into);
    *into = std::iter::once(so_far).chain(bitmaps).union();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The multi-way union equals OR-ing one bitmap at a time, for sparse and dense
    /// containers and values above 2^32.
    #[test]
    fn union_into_equals_one_at_a_time() {
        let bitmaps: Vec<RoaringTreemap> = (0..300u64)
            .map(|i| {
                (0..40u64)
                    .map(|j| (i * 7919 + j * 104_729) % 3_000_000 + (j % 3) * (1 << 32))
                    .collect()
            })
            .collect();
        let mut expected = RoaringTreemap::from_iter([5u64, 1 << 40]);
        let mut got = expected.clone();
        for b in &bitmaps {
            expected |= b;
        }
        union_into(&mut got, bitmaps.into_iter());
        assert_eq!(got, expected);
        assert_eq!(got.len(), expected.len());
        union_into(&mut got, std::iter::empty());
        assert_eq!(got, expected);
    }
}

//! StarRocks' BITMAP functions over 64-bit RoaringBitmaps (`roaring::RoaringTreemap`).
//!
//! A bitmap value is its portable Roaring serialization (`RoaringTreemap::serialize_into`,
//! the format other Roaring implementations read), in a `Binary` column declared `BITMAP`.
//! Scalar functions are here; the aggregates (`bitmap_agg`, `bitmap_union`,
//! `bitmap_union_count`, `intersect_count`) in [`aggregate`].

pub mod aggregate;
mod union_accumulator;
mod union_set;

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, BinaryBuilder, BooleanBuilder, Int64Builder, ListBuilder, StringBuilder,
    UInt64Builder,
};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::plan_err;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use lakestar_engine::types::{SqlType, SQL_TYPE_METADATA_KEY};
use roaring::RoaringTreemap;

use super::args::{binaries, evaluate, integers, texts};

/// Serialize a bitmap.
pub fn to_bytes(bitmap: &RoaringTreemap) -> Vec<u8> {
    let mut out = Vec::with_capacity(bitmap.serialized_size());
    bitmap
        .serialize_into(&mut out)
        .expect("writing to a Vec cannot fail");
    out
}

/// Read a serialized bitmap; `None` for bytes that are not one.
pub fn from_bytes(bytes: &[u8]) -> Option<RoaringTreemap> {
    RoaringTreemap::deserialize_from(bytes).ok()
}

/// The field metadata of a BITMAP value.
pub fn bitmap_metadata() -> std::collections::HashMap<String, String> {
    [(
        SQL_TYPE_METADATA_KEY.to_string(),
        SqlType::Bitmap.to_string(),
    )]
    .into_iter()
    .collect()
}

/// MurmurHash3 x86 32-bit, StarRocks' `bitmap_hash` (seed 0).
pub fn murmur3_32(data: &[u8], seed: u32) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h = seed;
    let chunks = data.chunks_exact(4);
    let tail = chunks.remainder();
    for chunk in chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let mut k = 0u32;
    for (i, b) in tail.iter().enumerate() {
        k ^= u32::from(*b) << (8 * i);
    }
    if !tail.is_empty() {
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h
}

/// MurmurHash3 x64 128-bit, first half: `bitmap_hash64` and the HLL hash (seed 0).
pub fn murmur3_64(data: &[u8]) -> u64 {
    const C1: u64 = 0x87c3_7b91_1142_53d5;
    const C2: u64 = 0x4cf5_ad43_2745_937f;
    let (mut h1, mut h2) = (0u64, 0u64);
    let chunks = data.chunks_exact(16);
    let tail = chunks.remainder();
    for chunk in chunks {
        let k1 = u64::from_le_bytes(chunk[0..8].try_into().expect("8 bytes"));
        let k2 = u64::from_le_bytes(chunk[8..16].try_into().expect("8 bytes"));
        h1 ^= k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
        h1 = h1
            .rotate_left(27)
            .wrapping_add(h2)
            .wrapping_mul(5)
            .wrapping_add(0x52dc_e729);
        h2 ^= k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1);
        h2 = h2
            .rotate_left(31)
            .wrapping_add(h1)
            .wrapping_mul(5)
            .wrapping_add(0x3849_5ab5);
    }
    let (mut k1, mut k2) = (0u64, 0u64);
    for (i, b) in tail.iter().enumerate() {
        if i < 8 {
            k1 ^= u64::from(*b) << (8 * i);
        } else {
            k2 ^= u64::from(*b) << (8 * (i - 8));
        }
    }
    if tail.len() > 8 {
        h2 ^= k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1);
    }
    if !tail.is_empty() {
        h1 ^= k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
    }
    let len = data.len() as u64;
    h1 ^= len;
    h2 ^= len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    let fmix = |mut k: u64| {
        k ^= k >> 33;
        k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
        k ^= k >> 33;
        k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        k ^ (k >> 33)
    };
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1.wrapping_add(h2)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    ToBitmap,
    Hash,
    Hash64,
    Empty,
    FromString,
    Count,
    ToString,
    ToArray,
    Min,
    Max,
    Contains,
    HasAny,
    And,
    Or,
    Xor,
    AndNot,
}

impl Kind {
    fn arity(self) -> usize {
        match self {
            Kind::Empty => 0,
            Kind::Contains | Kind::HasAny | Kind::And | Kind::Or | Kind::Xor | Kind::AndNot => 2,
            _ => 1,
        }
    }

    fn result_type(self) -> DataType {
        match self {
            Kind::Count => DataType::Int64,
            Kind::ToString => DataType::Utf8,
            Kind::ToArray => DataType::List(Arc::new(Field::new("item", DataType::Int64, true))),
            Kind::Min | Kind::Max => DataType::UInt64,
            Kind::Contains | Kind::HasAny => DataType::Boolean,
            _ => DataType::Binary,
        }
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct BitmapFunction {
    name: &'static str,
    kind: Kind,
    signature: Signature,
}

/// An argument holding bitmaps, one per row (`None`: NULL or not a bitmap).
fn bitmaps(value: &ColumnarValue, rows: usize) -> DFResult<Vec<Option<RoaringTreemap>>> {
    Ok(binaries(value, rows)?
        .iter()
        .map(|b| b.and_then(from_bytes))
        .collect())
}

/// An argument as unsigned 64-bit integers (NULL for negatives and non-numbers).
fn unsigned(value: &ColumnarValue, rows: usize) -> DFResult<Vec<Option<u64>>> {
    Ok(integers(value, rows)?
        .iter()
        .map(|v| v.and_then(|v| u64::try_from(v).ok()))
        .collect())
}

fn strings(value: &ColumnarValue, rows: usize) -> DFResult<Vec<Option<String>>> {
    Ok(texts(value, rows)?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

fn binary_out(values: impl Iterator<Item = Option<RoaringTreemap>>) -> ArrayRef {
    let mut out = BinaryBuilder::new();
    for v in values {
        match v {
            Some(b) => out.append_value(to_bytes(&b)),
            None => out.append_null(),
        }
    }
    Arc::new(out.finish())
}

impl BitmapFunction {
    fn compute(&self, args: &ScalarFunctionArgs, rows: usize) -> DFResult<ArrayRef> {
        let a = &args.args;
        Ok(match self.kind {
            Kind::Empty => binary_out((0..rows).map(|_| Some(RoaringTreemap::new()))),
            Kind::ToBitmap => binary_out(unsigned(&a[0], rows)?.into_iter().map(|v| {
                v.map(|v| {
                    let mut b = RoaringTreemap::new();
                    b.insert(v);
                    b
                })
            })),
            Kind::Hash | Kind::Hash64 => {
                let values = strings(&a[0], rows)?;
                binary_out(values.into_iter().map(|v| {
                    let mut b = RoaringTreemap::new();
                    if let Some(text) = v {
                        b.insert(if self.kind == Kind::Hash {
                            u64::from(murmur3_32(text.as_bytes(), 0))
                        } else {
                            murmur3_64(text.as_bytes())
                        });
                    }
                    Some(b)
                }))
            }
            Kind::FromString => binary_out(strings(&a[0], rows)?.into_iter().map(|v| {
                let text = v?;
                let mut b = RoaringTreemap::new();
                for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    b.insert(part.parse::<u64>().ok()?);
                }
                Some(b)
            })),
            Kind::Count => {
                let mut out = Int64Builder::with_capacity(rows);
                for b in bitmaps(&a[0], rows)? {
                    out.append_option(b.map(|b| b.len() as i64));
                }
                Arc::new(out.finish())
            }
            Kind::ToString => {
                let mut out = StringBuilder::new();
                for b in bitmaps(&a[0], rows)? {
                    out.append_option(b.map(|b| {
                        b.iter()
                            .map(|v| v.to_string())
                            .collect::<Vec<_>>()
                            .join(",")
                    }));
                }
                Arc::new(out.finish())
            }
            Kind::ToArray => {
                let mut out = ListBuilder::new(Int64Builder::new());
                for b in bitmaps(&a[0], rows)? {
                    match b {
                        Some(b) => {
                            for v in b.iter() {
                                out.values().append_value(v as i64);
                            }
                            out.append(true);
                        }
                        None => out.append(false),
                    }
                }
                Arc::new(out.finish())
            }
            Kind::Min | Kind::Max => {
                let mut out = UInt64Builder::with_capacity(rows);
                for b in bitmaps(&a[0], rows)? {
                    out.append_option(b.and_then(|b| {
                        if self.kind == Kind::Min {
                            b.min()
                        } else {
                            b.max()
                        }
                    }));
                }
                Arc::new(out.finish())
            }
            Kind::Contains => {
                let mut out = BooleanBuilder::with_capacity(rows);
                for (b, v) in bitmaps(&a[0], rows)?
                    .into_iter()
                    .zip(unsigned(&a[1], rows)?)
                {
                    out.append_option(b.map(|b| v.is_some_and(|v| b.contains(v))));
                }
                Arc::new(out.finish())
            }
            Kind::HasAny => {
                let mut out = BooleanBuilder::with_capacity(rows);
                for (x, y) in bitmaps(&a[0], rows)?.into_iter().zip(bitmaps(&a[1], rows)?) {
                    out.append_option(match (x, y) {
                        (Some(x), Some(y)) => Some(!x.is_disjoint(&y)),
                        _ => None,
                    });
                }
                Arc::new(out.finish())
            }
            Kind::And | Kind::Or | Kind::Xor | Kind::AndNot => {
                let pairs = bitmaps(&a[0], rows)?.into_iter().zip(bitmaps(&a[1], rows)?);
                binary_out(pairs.map(|(x, y)| match (x, y) {
                    (Some(x), Some(y)) => Some(match self.kind {
                        Kind::And => x & y,
                        Kind::Or => x | y,
                        Kind::Xor => x ^ y,
                        _ => x - y,
                    }),
                    _ => None,
                }))
            }
        })
    }
}

impl ScalarUDFImpl for BitmapFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(self.kind.result_type())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DFResult<FieldRef> {
        if args.arg_fields.len() != self.kind.arity() {
            return plan_err!(
                "{}() takes {} arguments, got {}",
                self.name,
                self.kind.arity(),
                args.arg_fields.len()
            );
        }
        let mut field = Field::new(self.name, self.kind.result_type(), true);
        if field.data_type() == &DataType::Binary {
            field = field.with_metadata(bitmap_metadata());
        }
        Ok(Arc::new(field))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        evaluate(&args, |rows| self.compute(&args, rows))
    }
}

fn function(name: &'static str, kind: Kind) -> ScalarUDF {
    let volatility = Volatility::Immutable;
    ScalarUDF::new_from_impl(BitmapFunction {
        name,
        kind,
        signature: if kind.arity() == 0 {
            Signature::nullary(volatility)
        } else {
            Signature::any(kind.arity(), volatility)
        },
    })
}

/// The bitmap scalar functions.
pub fn bitmap_functions() -> Vec<ScalarUDF> {
    vec![
        function("to_bitmap", Kind::ToBitmap),
        function("bitmap_hash", Kind::Hash),
        function("bitmap_hash64", Kind::Hash64),
        function("bitmap_empty", Kind::Empty),
        function("bitmap_from_string", Kind::FromString),
        function("bitmap_count", Kind::Count),
        function("bitmap_to_string", Kind::ToString),
        function("bitmap_to_array", Kind::ToArray),
        function("bitmap_min", Kind::Min),
        function("bitmap_max", Kind::Max),
        function("bitmap_contains", Kind::Contains),
        function("bitmap_has_any", Kind::HasAny),
        function("bitmap_and", Kind::And),
        function("bitmap_or", Kind::Or),
        function("bitmap_xor", Kind::Xor),
        function("bitmap_andnot", Kind::AndNot),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur3_reference_values() {
        // Published MurmurHash3 x86_32 test vectors.
        assert_eq!(murmur3_32(b"", 0), 0);
        assert_eq!(murmur3_32(b"", 1), 0x514e_28b7);
        assert_eq!(murmur3_32(b"hello", 0), 0x248b_fa47);
        assert_eq!(
            murmur3_32(b"The quick brown fox jumps over the lazy dog", 0),
            0x2e4f_f723
        );
    }

    #[test]
    fn serialization_round_trips() {
        let b: RoaringTreemap = [1u64, 5, 1 << 40].into_iter().collect();
        assert_eq!(from_bytes(&to_bytes(&b)), Some(b));
        assert!(from_bytes(b"junk").is_none());
    }
}

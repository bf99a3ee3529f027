//! `REPEAT`, `LPAD`, `RPAD` (and `SPACE`, planned as `REPEAT`) whose result would be
//! longer than `max_allowed_packet` are NULL with warning 1301, as in MySQL, instead of
//! allocating what the count asks for (`REPEAT('a', 2147483647)` was a 2 GB string per
//! row). The rows of one call together may not build more than [`MAX_BATCH_BYTES`]:
//! beyond that the statement fails with 1041 (out of memory) rather than exhaust the
//! server.
//!
//! Each function wraps DataFusion's own: rows over the limit get a NULL count, so the
//! inner function returns NULL for them without building anything.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};
use lakestar_engine::warnings::{WarningKind, Warnings};

/// The most bytes one call of a bounded function may build for one batch of rows.
pub const MAX_BATCH_BYTES: u64 = 1 << 30;

/// The functions bounded here, by name.
pub const BOUNDED: [&str; 3] = ["repeat", "lpad", "rpad"];

#[derive(Debug)]
struct Bounded {
    inner: Arc<ScalarUDF>,
    /// `max_allowed_packet`.
    limit: u64,
    warnings: Warnings,
}

impl PartialEq for Bounded {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner && self.limit == other.limit
    }
}
impl Eq for Bounded {}
impl std::hash::Hash for Bounded {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.inner.hash(state);
        self.limit.hash(state);
    }
}

/// Byte length of each row's text (NULL: 0).
fn text_lengths(values: &ArrayRef) -> DFResult<Vec<u64>> {
    let text = cast(values, &DataType::Utf8)?;
    Ok(text
        .as_string::<i32>()
        .iter()
        .map(|s| s.map_or(0, |s| s.len() as u64))
        .collect())
}

impl Bounded {
    /// The result size of each row as MySQL checks it against `max_allowed_packet`, and
    /// the bytes it will take at least: `REPEAT`: text × count, both; `LPAD`/`RPAD`: the
    /// count in characters of up to 4 bytes, and one byte each. Rows with a NULL
    /// argument build nothing.
    fn sizes(
        &self,
        text: &ArrayRef,
        pad: Option<&ArrayRef>,
        counts: &Int64Array,
    ) -> DFResult<Vec<(u64, u64)>> {
        let count = |n: Option<i64>| n.unwrap_or(0).max(0) as u64;
        if self.inner.name() == "repeat" {
            return Ok(counts
                .iter()
                .zip(text_lengths(text)?)
                .map(|(n, len)| {
                    let size = count(n).saturating_mul(len);
                    (size, size)
                })
                .collect());
        }
        Ok((0..counts.len())
            .map(|row| {
                let null = text.is_null(row) || pad.is_some_and(|p| p.is_null(row));
                match null {
                    true => (0, 0),
                    false => {
                        let n = count(counts.is_valid(row).then(|| counts.value(row)));
                        (n.saturating_mul(4), n)
                    }
                }
            })
            .collect())
    }
}

impl ScalarUDFImpl for Bounded {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> DFResult<Vec<DataType>> {
        self.inner.coerce_types(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> DFResult<DataType> {
        self.inner.return_type(arg_types)
    }

    fn invoke_with_args(&self, mut args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let rows = args.number_rows;
        if args.args.len() < 2 {
            return self.inner.invoke_with_args(args);
        }
        let text = args.args[0].to_array(rows)?;
        let counts = cast(&args.args[1].to_array(rows)?, &DataType::Int64)?;
        let counts = counts.as_primitive::<Int64Type>();
        let pad = match args.args.get(2) {
            Some(p) => Some(p.to_array(rows)?),
            None => None,
        };
        let sizes = self.sizes(&text, pad.as_ref(), counts)?;
        let too_long: Vec<bool> = sizes.iter().map(|(s, _)| *s > self.limit).collect();
        let total: u64 = sizes
            .iter()
            .zip(&too_long)
            .filter(|(_, over)| !**over)
            .map(|((_, bytes), _)| *bytes)
            .sum();
        if total > MAX_BATCH_BYTES {
            return Err(DataFusionError::ResourcesExhausted(format!(
                "{}() would build {total} bytes for {rows} rows",
                self.name()
            )));
        }
        let over = too_long.iter().filter(|t| **t).count();
        if over > 0 {
            for _ in 0..over {
                self.warnings.push(WarningKind::ResultTooLarge, || {
                    format!(
                        "Result of {}() was larger than max_allowed_packet ({}) - truncated",
                        self.name(),
                        self.limit
                    )
                });
            }
            let masked: Int64Array = counts
                .iter()
                .zip(&too_long)
                .map(|(n, over)| if *over { None } else { n })
                .collect();
            args.args[1] = ColumnarValue::Array(Arc::new(masked));
        }
        self.inner.invoke_with_args(args)
    }
}

/// `inner` (one of [`BOUNDED`]) bounded by `limit` bytes per result; `None` if it
/// already is.
pub fn bounded(inner: Arc<ScalarUDF>, limit: u64, warnings: &Warnings) -> Option<ScalarUDF> {
    if inner.inner().downcast_ref::<Bounded>().is_some() {
        return None;
    }
    Some(ScalarUDF::new_from_impl(Bounded {
        inner,
        limit,
        warnings: warnings.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeat_sizes() {
        let inner = datafusion::functions::string::repeat();
        let b = Bounded {
            inner,
            limit: 10,
            warnings: Warnings::default(),
        };
        let text: ArrayRef = Arc::new(datafusion::arrow::array::StringArray::from(vec![
            Some("ab"),
            None,
        ]));
        let counts = Int64Array::from(vec![Some(6), Some(1_000_000_000_000)]);
        assert_eq!(
            b.sizes(&text, None, &counts).unwrap(),
            vec![(12, 12), (0, 0)]
        );
    }
}

//! Encoding Arrow batches as text-protocol rows.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Float32Type, Float64Type};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use std::fmt::Write;

use super::packet::put_lenenc_str;

fn format_options() -> FormatOptions<'static> {
    FormatOptions::new()
        .with_timestamp_format(Some("%Y-%m-%d %H:%M:%S%.f"))
        .with_timestamp_tz_format(Some("%Y-%m-%d %H:%M:%S%.f"))
        .with_date_format(Some("%Y-%m-%d"))
}

enum CellWriter<'a> {
    Bool(&'a datafusion::arrow::array::BooleanArray),
    F32(&'a datafusion::arrow::array::PrimitiveArray<Float32Type>),
    F64(&'a datafusion::arrow::array::PrimitiveArray<Float64Type>),
    Text(&'a dyn Array),
    Bytes(&'a dyn Array),
    Display(ArrayFormatter<'a>),
}

/// Encode every row of a batch as text-protocol row payloads, calling `emit` for each.
pub fn encode_rows(
    batch: &RecordBatch,
    mut emit: impl FnMut(&[u8]) -> Result<(), ArrowError>,
) -> Result<(), ArrowError> {
    let options = format_options();
    let writers = batch
        .columns()
        .iter()
        .map(|c| {
            Ok(match c.data_type() {
                DataType::Boolean => CellWriter::Bool(c.as_boolean()),
                DataType::Float32 => CellWriter::F32(c.as_primitive()),
                DataType::Float64 => CellWriter::F64(c.as_primitive()),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                    CellWriter::Text(c.as_ref())
                }
                DataType::Binary | DataType::LargeBinary | DataType::BinaryView => {
                    CellWriter::Bytes(c.as_ref())
                }
                _ => CellWriter::Display(ArrayFormatter::try_new(c.as_ref(), &options)?),
            })
        })
        .collect::<Result<Vec<_>, ArrowError>>()?;
    // Logical nulls: a NullArray has no validity buffer but every value is NULL.
    let nulls: Vec<_> = batch.columns().iter().map(|c| c.logical_nulls()).collect();
    let mut row_buf = Vec::with_capacity(256);
    let mut cell = String::new();
    for row in 0..batch.num_rows() {
        row_buf.clear();
        for (col_nulls, writer) in nulls.iter().zip(&writers) {
            if col_nulls.as_ref().is_some_and(|n| n.is_null(row)) {
                row_buf.push(0xFB);
                continue;
            }
            cell.clear();
            match writer {
                CellWriter::Bool(a) => cell.push(if a.value(row) { '1' } else { '0' }),
                CellWriter::F32(a) => write_float(&mut cell, a.value(row) as f64),
                CellWriter::F64(a) => write_float(&mut cell, a.value(row)),
                CellWriter::Text(a) => {
                    let s = text_value(*a, row);
                    put_lenenc_str(&mut row_buf, s.as_bytes());
                    continue;
                }
                CellWriter::Bytes(a) => {
                    put_lenenc_str(&mut row_buf, bytes_value(*a, row));
                    continue;
                }
                CellWriter::Display(f) => {
                    let _ = write!(cell, "{}", f.value(row));
                }
            }
            put_lenenc_str(&mut row_buf, cell.as_bytes());
        }
        emit(&row_buf)?;
    }
    Ok(())
}

fn write_float(out: &mut String, v: f64) {
    let _ = write!(out, "{v}");
}

fn text_value(a: &dyn Array, row: usize) -> &str {
    match a.data_type() {
        DataType::Utf8 => a.as_string::<i32>().value(row),
        DataType::LargeUtf8 => a.as_string::<i64>().value(row),
        _ => a.as_string_view().value(row),
    }
}

fn bytes_value(a: &dyn Array, row: usize) -> &[u8] {
    match a.data_type() {
        DataType::Binary => a.as_binary::<i32>().value(row),
        DataType::LargeBinary => a.as_binary::<i64>().value(row),
        _ => a.as_binary_view().value(row),
    }
}

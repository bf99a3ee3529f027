//! Encoding Arrow batches as binary-protocol rows (results of COM_STMT_EXECUTE).
//!
//! Each value is encoded as the MySQL type its column definition announces
//! ([`ColumnDef::from_field`]): integers as fixed-width little-endian, FLOAT/DOUBLE as IEEE
//! values, DATE/DATETIME/TIME in MySQL's compact binary form, and DECIMAL, strings and
//! bytes as length-encoded strings (with the same text as the text protocol).

use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Timelike};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Float32Type, Float64Type, Int64Type, Schema, Time64MicrosecondType,
    TimeUnit, TimestampMicrosecondType, UInt64Type,
};
use datafusion::arrow::error::ArrowError;

use super::column::{flags, types, ColumnDef};
use super::text_row::encode_rows;

/// How one column is written.
enum Encoder {
    Int {
        width: usize,
        values: ArrayRef,
    },
    UInt {
        width: usize,
        values: ArrayRef,
    },
    Float(ArrayRef),
    Double(ArrayRef),
    Date(ArrayRef),
    DateTime(ArrayRef),
    Time(ArrayRef),
    /// Length-encoded cells, pre-encoded by the text encoder (0xFB marks NULL).
    LengthEncoded(Vec<Vec<u8>>),
    Null,
}

fn encoder(
    column: &ArrayRef,
    field: &datafusion::arrow::datatypes::Field,
) -> Result<Encoder, ArrowError> {
    let def = ColumnDef::from_field(field);
    let unsigned = def.flags & flags::UNSIGNED != 0;
    let int = |width: usize| -> Result<Encoder, ArrowError> {
        Ok(if unsigned {
            Encoder::UInt {
                width,
                values: cast(column, &DataType::UInt64)?,
            }
        } else {
            Encoder::Int {
                width,
                values: cast(column, &DataType::Int64)?,
            }
        })
    };
    Ok(match def.column_type {
        types::TINY => int(1)?,
        types::SHORT => int(2)?,
        types::LONG => int(4)?,
        types::LONGLONG => int(8)?,
        types::FLOAT => Encoder::Float(cast(column, &DataType::Float32)?),
        types::DOUBLE => Encoder::Double(cast(column, &DataType::Float64)?),
        types::DATE => Encoder::Date(cast(column, &DataType::Date32)?),
        types::DATETIME => Encoder::DateTime(cast(
            column,
            &DataType::Timestamp(TimeUnit::Microsecond, None),
        )?),
        types::TIME => Encoder::Time(cast(column, &DataType::Time64(TimeUnit::Microsecond))?),
        types::NULL => Encoder::Null,
        _ => {
            let schema = Arc::new(Schema::new(vec![field.clone()]));
            let single = RecordBatch::try_new(schema, vec![Arc::clone(column)])?;
            let mut cells = Vec::with_capacity(column.len());
            encode_rows(&single, |cell| {
                cells.push(cell.to_vec());
                Ok(())
            })?;
            Encoder::LengthEncoded(cells)
        }
    })
}

/// Encode every row of a batch as binary-protocol row payloads, calling `emit` for each.
pub fn encode_binary_rows(
    batch: &RecordBatch,
    mut emit: impl FnMut(&[u8]) -> Result<(), ArrowError>,
) -> Result<(), ArrowError> {
    let schema = batch.schema();
    let encoders = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(c, f)| encoder(c, f))
        .collect::<Result<Vec<_>, _>>()?;
    let nulls: Vec<_> = batch.columns().iter().map(|c| c.logical_nulls()).collect();
    let bitmap_len = (batch.num_columns() + 7 + 2) / 8;
    let mut row = Vec::with_capacity(256);
    for r in 0..batch.num_rows() {
        row.clear();
        row.push(0x00);
        let bitmap_at = row.len();
        row.resize(bitmap_at + bitmap_len, 0);
        for (i, enc) in encoders.iter().enumerate() {
            let is_null = matches!(enc, Encoder::Null)
                || nulls[i].as_ref().is_some_and(|n| n.is_null(r))
                || matches!(enc, Encoder::LengthEncoded(cells) if cells[r] == [0xFB]);
            if is_null {
                let bit = i + 2;
                row[bitmap_at + bit / 8] |= 1 << (bit % 8);
                continue;
            }
            write_value(&mut row, enc, r);
        }
        emit(&row)?;
    }
    Ok(())
}

fn write_value(out: &mut Vec<u8>, enc: &Encoder, r: usize) {
    match enc {
        Encoder::Int { width, values } => {
            let v = values.as_primitive::<Int64Type>().value(r);
            out.extend_from_slice(&v.to_le_bytes()[..*width]);
        }
        Encoder::UInt { width, values } => {
            let v = values.as_primitive::<UInt64Type>().value(r);
            out.extend_from_slice(&v.to_le_bytes()[..*width]);
        }
        Encoder::Float(values) => {
            let v = values.as_primitive::<Float32Type>().value(r);
            out.extend_from_slice(&v.to_le_bytes());
        }
        Encoder::Double(values) => {
            let v = values.as_primitive::<Float64Type>().value(r);
            out.extend_from_slice(&v.to_le_bytes());
        }
        Encoder::Date(values) => {
            let days = values.as_primitive::<Date32Type>().value(r);
            let date = NaiveDate::from_num_days_from_ce_opt(days + 719_163).unwrap_or_default();
            out.push(4);
            out.extend_from_slice(&(date.year() as u16).to_le_bytes());
            out.push(date.month() as u8);
            out.push(date.day() as u8);
        }
        Encoder::DateTime(values) => {
            let micros = values.as_primitive::<TimestampMicrosecondType>().value(r);
            let t = chrono::DateTime::from_timestamp_micros(micros)
                .unwrap_or_default()
                .naive_utc();
            let fraction = t.and_utc().timestamp_subsec_micros();
            out.push(if fraction > 0 { 11 } else { 7 });
            out.extend_from_slice(&(t.year() as u16).to_le_bytes());
            out.push(t.month() as u8);
            out.push(t.day() as u8);
            out.push(t.hour() as u8);
            out.push(t.minute() as u8);
            out.push(t.second() as u8);
            if fraction > 0 {
                out.extend_from_slice(&fraction.to_le_bytes());
            }
        }
        Encoder::Time(values) => {
            let micros = values.as_primitive::<Time64MicrosecondType>().value(r);
            let negative = micros < 0;
            let micros = micros.unsigned_abs();
            let seconds = micros / 1_000_000;
            let fraction = (micros % 1_000_000) as u32;
            out.push(if fraction > 0 { 12 } else { 8 });
            out.push(u8::from(negative));
            out.extend_from_slice(&((seconds / 86_400) as u32).to_le_bytes());
            out.push(((seconds / 3600) % 24) as u8);
            out.push(((seconds / 60) % 60) as u8);
            out.push((seconds % 60) as u8);
            if fraction > 0 {
                out.extend_from_slice(&fraction.to_le_bytes());
            }
        }
        Encoder::LengthEncoded(cells) => out.extend_from_slice(&cells[r]),
        Encoder::Null => {}
    }
}

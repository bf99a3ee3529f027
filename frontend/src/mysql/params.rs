//! Decoding COM_STMT_EXECUTE parameter values into typed scalars.

use std::collections::HashMap;

use chrono::NaiveDate;
use datafusion::scalar::ScalarValue;

use super::column::types;
use super::packet::Cursor;

const TYPE_INT24: u8 = 0x09;
const TYPE_YEAR: u8 = 0x0d;
const TYPE_TIMESTAMP: u8 = 0x07;
const TYPE_VARCHAR: u8 = 0x0f;
const TYPE_BIT: u8 = 0x10;
const TYPE_JSON: u8 = 0xf5;

/// Decode `count` parameters: the NULL bitmap, the types (if newly bound) and the values.
/// `types` holds the types last bound and is updated; `long_data` holds values sent with
/// COM_STMT_SEND_LONG_DATA. Returns None on a malformed packet.
pub fn decode(
    c: &mut Cursor<'_>,
    count: usize,
    param_types: &mut Vec<(u8, bool)>,
    long_data: &HashMap<usize, Vec<u8>>,
) -> Option<Vec<ScalarValue>> {
    if count == 0 {
        return Some(vec![]);
    }
    let bitmap = c.take(count.div_ceil(8))?.to_vec();
    let new_bound = c.u8()?;
    if new_bound == 1 {
        let mut bound = Vec::with_capacity(count);
        for _ in 0..count {
            let t = c.u8()?;
            let flags = c.u8()?;
            bound.push((t, flags & 0x80 != 0));
        }
        *param_types = bound;
    }
    if param_types.len() != count {
        return None;
    }
    let mut values = Vec::with_capacity(count);
    for (i, &(t, unsigned)) in param_types.iter().enumerate() {
        if bitmap[i / 8] & (1 << (i % 8)) != 0 || t == types::NULL {
            values.push(ScalarValue::Utf8(None));
            continue;
        }
        if let Some(data) = long_data.get(&i) {
            values.push(bytes_value(data));
            continue;
        }
        values.push(value(c, t, unsigned)?);
    }
    Some(values)
}

fn int(v: i64, unsigned: bool, width: u32) -> ScalarValue {
    if unsigned {
        let mask = if width == 64 {
            u64::MAX
        } else {
            (1u64 << width) - 1
        };
        let u = (v as u64) & mask;
        match i64::try_from(u) {
            Ok(i) => ScalarValue::Int64(Some(i)),
            Err(_) => ScalarValue::UInt64(Some(u)),
        }
    } else {
        ScalarValue::Int64(Some(v))
    }
}

fn value(c: &mut Cursor<'_>, t: u8, unsigned: bool) -> Option<ScalarValue> {
    Some(match t {
        types::TINY => int(c.u8()? as i8 as i64, unsigned, 8),
        types::SHORT | TYPE_YEAR => int(c.u16()? as i16 as i64, unsigned, 16),
        types::LONG | TYPE_INT24 => int(c.u32()? as i32 as i64, unsigned, 32),
        types::LONGLONG => {
            let b = c.take(8)?;
            int(i64::from_le_bytes(b.try_into().ok()?), unsigned, 64)
        }
        types::FLOAT => {
            let b = c.take(4)?;
            ScalarValue::Float64(Some(f32::from_le_bytes(b.try_into().ok()?) as f64))
        }
        types::DOUBLE => {
            let b = c.take(8)?;
            ScalarValue::Float64(Some(f64::from_le_bytes(b.try_into().ok()?)))
        }
        types::DATE | types::DATETIME | TYPE_TIMESTAMP => datetime(c, t == types::DATE)?,
        types::TIME => time(c)?,
        types::DECIMAL | types::NEWDECIMAL => decimal(c.lenenc_str()?),
        types::BLOB
        | types::VAR_STRING
        | types::STRING
        | TYPE_VARCHAR
        | TYPE_JSON
        | TYPE_BIT
        | 0xf7..=0xfb => bytes_value(c.lenenc_str()?),
        _ => return None,
    })
}

fn bytes_value(data: &[u8]) -> ScalarValue {
    match std::str::from_utf8(data) {
        Ok(s) => ScalarValue::Utf8(Some(s.to_string())),
        Err(_) => ScalarValue::Binary(Some(data.to_vec())),
    }
}

/// A DECIMAL parameter keeps its exact digits: a Decimal128 with the text's scale.
fn decimal(text: &[u8]) -> ScalarValue {
    let s = String::from_utf8_lossy(text).trim().to_string();
    let scale = s.split_once('.').map_or(0, |(_, f)| f.len());
    let digits: String = s.chars().filter(|c| *c != '.').collect();
    match digits.parse::<i128>() {
        Ok(v) if scale <= 38 => {
            let precision = digits
                .trim_start_matches(['-', '+'])
                .len()
                .clamp(scale.max(1), 38);
            ScalarValue::Decimal128(Some(v), precision as u8, scale as i8)
        }
        _ => ScalarValue::Utf8(Some(s)),
    }
}

fn datetime(c: &mut Cursor<'_>, date_only: bool) -> Option<ScalarValue> {
    let len = c.u8()?;
    let (mut y, mut mo, mut d, mut h, mut mi, mut s, mut us) =
        (0u16, 1u8, 1u8, 0u8, 0u8, 0u8, 0u32);
    if len >= 4 {
        y = c.u16()?;
        mo = c.u8()?;
        d = c.u8()?;
    }
    if len >= 7 {
        h = c.u8()?;
        mi = c.u8()?;
        s = c.u8()?;
    }
    if len >= 11 {
        us = c.u32()?;
    }
    let date = NaiveDate::from_ymd_opt(y as i32, mo.max(1) as u32, d.max(1) as u32)?;
    if date_only {
        let days = date
            .signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1)?)
            .num_days();
        return Some(ScalarValue::Date32(Some(days as i32)));
    }
    let t = date.and_hms_micro_opt(h as u32, mi as u32, s as u32, us)?;
    Some(ScalarValue::TimestampMicrosecond(
        Some(t.and_utc().timestamp_micros()),
        None,
    ))
}

fn time(c: &mut Cursor<'_>) -> Option<ScalarValue> {
    let len = c.u8()?;
    if len == 0 {
        return Some(ScalarValue::Utf8(Some("00:00:00".into())));
    }
    let negative = c.u8()? == 1;
    let days = c.u32()?;
    let (h, m, s) = (c.u8()?, c.u8()?, c.u8()?);
    let us = if len >= 12 { c.u32()? } else { 0 };
    let hours = days * 24 + h as u32;
    let sign = if negative { "-" } else { "" };
    let text = if us > 0 {
        format!("{sign}{hours:02}:{m:02}:{s:02}.{us:06}")
    } else {
        format!("{sign}{hours:02}:{m:02}:{s:02}")
    };
    Some(ScalarValue::Utf8(Some(text)))
}

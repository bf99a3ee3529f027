//! MySQL's functions that encode values as text and back: `hex` (of a number: its
//! BIGINT's hex digits; of a string: its bytes'), `sha1` / `sha`, `crc32`, `conv(n, from,
//! to)` and its `bin` / `oct` forms, `to_base64` / `from_base64` (padded with `=`, lines of
//! 76 characters, as MySQL writes them), `inet_aton` / `inet_ntoa`, `is_ipv4` /
//! `is_ipv6` (0 for NULL) and `bit_count`. A NULL argument otherwise gives NULL; text that does not decode gives
//! NULL, as in MySQL.

use std::sync::Arc;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use datafusion::arrow::array::{
    Array, ArrayRef, BinaryBuilder, Float64Array, Int64Builder, StringBuilder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF};
use sha1::Digest;

use super::args::{binaries, mysql_integers, texts};
use super::udf::{udf, Compute};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Hex,
    Sha1,
    Crc32,
    /// `conv(n, from, to)`; `bin` / `oct` fix the bases.
    Conv(Option<(i8, i8)>),
    ToBase64,
    FromBase64,
    InetAton,
    InetNtoa,
    IsIpv4,
    IsIpv6,
    BitCount,
}

/// An argument's bytes: those of a binary value, or of its text.
pub(super) fn bytes(value: &ColumnarValue, rows: usize) -> DFResult<Vec<Option<Vec<u8>>>> {
    Ok(match value.data_type() {
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => binaries(value, rows)?
            .iter()
            .map(|b| b.map(<[u8]>::to_vec))
            .collect(),
        _ => texts(value, rows)?
            .iter()
            .map(|t| t.map(|t| t.as_bytes().to_vec()))
            .collect(),
    })
}

fn is_number(t: &DataType) -> bool {
    t.is_numeric() || matches!(t, DataType::Boolean)
}

fn upper_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// `hex(n)` of a number: the digits of its BIGINT (two's complement when negative); a
/// DECIMAL or double is rounded half away from zero, and out of range is all ones.
fn hex_numbers(value: &ColumnarValue, rows: usize) -> DFResult<Vec<Option<String>>> {
    if value.data_type().is_integer() || matches!(value.data_type(), DataType::Boolean) {
        return Ok(mysql_integers(value, rows)?
            .into_iter()
            .map(|v| v.map(|v| format!("{:X}", v as u64)))
            .collect());
    }
    let floats = cast(&value.to_array(rows)?, &DataType::Float64)?;
    let floats = floats
        .as_any()
        .downcast_ref::<Float64Array>()
        .expect("cast to Float64");
    Ok(floats
        .iter()
        .map(|v| {
            v.map(|v| {
                let n = if v <= i64::MIN as f64 || v >= u64::MAX as f64 {
                    u64::MAX
                } else if v < 0.0 {
                    (v - 0.5) as i64 as u64
                } else {
                    (v + 0.5) as u64
                };
                format!("{n:X}")
            })
        })
        .collect())
}

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32 (ISO-HDLC, as zlib's `crc32`).
fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |c, &b| {
        CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8)
    })
}

/// MySQL's reading of a number in `base` (2..=36) from the start of `text`: leading
/// spaces and a sign, then digits up to the first that is not one. Unsigned reading
/// (`signed` false) wraps a minus sign to two's complement and saturates at
/// 18446744073709551615; signed reading saturates at the BIGINT bounds.
fn parse_in_base(text: &str, base: u32, signed: bool) -> u64 {
    let t = text.trim_start_matches([' ', '\t', '\n', '\r']);
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut n: u128 = 0;
    let mut overflow = false;
    for d in digits.chars().map_while(|c| c.to_digit(base)) {
        n = n * u128::from(base) + u128::from(d);
        if n > u128::from(u64::MAX) {
            overflow = true;
            break;
        }
    }
    if signed {
        let limit = if negative {
            i64::MAX as u128 + 1
        } else {
            i64::MAX as u128
        };
        let n = n.min(limit) as i128;
        (if negative { -n } else { n }) as i64 as u64
    } else if overflow {
        u64::MAX
    } else if negative {
        (n as u64).wrapping_neg()
    } else {
        n as u64
    }
}

/// `n` in `base` (2..=36) with upper-case digits; a negative base writes `n` signed.
fn to_base(n: u64, base: i64) -> String {
    let (negative, mut n) = if base < 0 && (n as i64) < 0 {
        (true, (n as i64).unsigned_abs())
    } else {
        (false, n)
    };
    let base = base.unsigned_abs();
    let mut digits = Vec::new();
    loop {
        let d = (n % base) as u32;
        digits.push(
            std::char::from_digit(d, 36)
                .expect("digit")
                .to_ascii_uppercase(),
        );
        n /= base;
        if n == 0 {
            break;
        }
    }
    if negative {
        digits.push('-');
    }
    digits.iter().rev().collect()
}

/// `conv(text, from, to)`; NULL for a base outside 2..=36 (either sign) or empty text.
fn conv(text: &str, from: i128, to: i128) -> Option<String> {
    let valid = |b: i128| (2..=36).contains(&b.abs());
    if !valid(from) || !valid(to) || text.is_empty() {
        return None;
    }
    let n = parse_in_base(text, from.unsigned_abs() as u32, from < 0);
    Some(to_base(n, to as i64))
}

fn base64_engine() -> GeneralPurpose {
    GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
    )
}

/// Base-64 with `=` padding and a newline after every 76 characters, as MySQL writes it.
fn to_base64(bytes: &[u8]) -> String {
    let text = base64_engine().encode(bytes);
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).expect("base-64 is ASCII"))
        .collect();
    lines.join("\n")
}

/// Base-64 text, spaces and line breaks ignored; `None` when it does not decode.
fn from_base64(text: &[u8]) -> Option<Vec<u8>> {
    let compact: Vec<u8> = text
        .iter()
        .copied()
        .filter(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
        .collect();
    base64_engine().decode(compact).ok()
}

/// `inet_aton`: dotted numbers of at most 255 each; `a.b` is `a.0.0.b` and `a.b.c` is
/// `a.b.0.c`. `None` for anything else, or an address ending in a dot.
fn inet_aton(text: &str) -> Option<i64> {
    if text.is_empty() || text.ends_with('.') {
        return None;
    }
    let (mut result, mut part, mut dots) = (0i64, 0i64, 0);
    for c in text.bytes() {
        match c {
            b'0'..=b'9' => {
                part = part * 10 + i64::from(c - b'0');
                if part > 255 {
                    return None;
                }
            }
            b'.' => {
                dots += 1;
                result = (result << 8) + part;
                part = 0;
            }
            _ => return None,
        }
    }
    match dots {
        1 => result <<= 16,
        2 => result <<= 8,
        _ => {}
    }
    Some((result << 8) + part)
}

/// Four dot-separated numbers of 1 to 3 digits, each at most 255.
fn is_ipv4(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            (1..=3).contains(&p.len())
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u32>().is_ok_and(|n| n <= 255)
        })
}

fn strings(rows: impl Iterator<Item = Option<String>>) -> ArrayRef {
    let mut out = StringBuilder::new();
    for r in rows {
        out.append_option(r);
    }
    Arc::new(out.finish())
}

fn ints(rows: impl Iterator<Item = Option<i64>>) -> ArrayRef {
    let mut out = Int64Builder::new();
    for r in rows {
        out.append_option(r);
    }
    Arc::new(out.finish())
}

impl Compute for Kind {
    fn compute(self, args: &ScalarFunctionArgs, rows: usize) -> DFResult<ArrayRef> {
        let first = &args.args[0];
        Ok(match self {
            Kind::Hex if is_number(&first.data_type()) => {
                strings(hex_numbers(first, rows)?.into_iter())
            }
            Kind::Hex => strings(
                bytes(first, rows)?
                    .into_iter()
                    .map(|b| b.map(|b| upper_hex(&b))),
            ),
            Kind::Sha1 => strings(bytes(first, rows)?.into_iter().map(|b| {
                b.map(|b| {
                    sha1::Sha1::digest(&b)
                        .iter()
                        .map(|x| format!("{x:02x}"))
                        .collect()
                })
            })),
            Kind::Crc32 => ints(
                bytes(first, rows)?
                    .into_iter()
                    .map(|b| b.map(|b| i64::from(crc32(&b)))),
            ),
            Kind::Conv(bases) => {
                let text = texts(first, rows)?;
                let (from, to) = match bases {
                    Some((f, t)) => (
                        vec![Some(i128::from(f)); rows],
                        vec![Some(i128::from(t)); rows],
                    ),
                    None => (
                        mysql_integers(&args.args[1], rows)?,
                        mysql_integers(&args.args[2], rows)?,
                    ),
                };
                strings((0..rows).map(|r| {
                    let (Some(f), Some(t)) = (from[r], to[r]) else {
                        return None;
                    };
                    if text.is_null(r) {
                        return None;
                    }
                    conv(text.value(r), f, t)
                }))
            }
            Kind::ToBase64 => strings(
                bytes(first, rows)?
                    .into_iter()
                    .map(|b| b.map(|b| to_base64(&b))),
            ),
            Kind::FromBase64 => {
                let mut out = BinaryBuilder::new();
                for b in bytes(first, rows)? {
                    out.append_option(b.and_then(|b| from_base64(&b)));
                }
                Arc::new(out.finish())
            }
            Kind::InetAton => ints(texts(first, rows)?.iter().map(|t| t.and_then(inet_aton))),
            Kind::InetNtoa => strings(mysql_integers(first, rows)?.into_iter().map(|n| {
                let n = u32::try_from(n?).ok()?;
                Some(std::net::Ipv4Addr::from(n).to_string())
            })),
            Kind::IsIpv4 => ints(
                texts(first, rows)?
                    .iter()
                    .map(|t| Some(i64::from(t.is_some_and(is_ipv4)))),
            ),
            Kind::IsIpv6 => ints(texts(first, rows)?.iter().map(|t| {
                Some(i64::from(
                    t.is_some_and(|t| t.parse::<std::net::Ipv6Addr>().is_ok()),
                ))
            })),
            Kind::BitCount => ints(
                mysql_integers(first, rows)?
                    .into_iter()
                    .map(|n| n.map(|n| i64::from((n as u64).count_ones()))),
            ),
        })
    }
}

/// The encoding functions, to register in every session.
pub fn encoding_functions() -> Vec<ScalarUDF> {
    let text = DataType::Utf8;
    vec![
        udf("hex", &[], &[1], text.clone(), Kind::Hex),
        udf("sha1", &["sha"], &[1], text.clone(), Kind::Sha1),
        udf("crc32", &[], &[1], DataType::Int64, Kind::Crc32),
        udf("conv", &[], &[3], text.clone(), Kind::Conv(None)),
        udf("bin", &[], &[1], text.clone(), Kind::Conv(Some((10, 2)))),
        udf("oct", &[], &[1], text.clone(), Kind::Conv(Some((10, 8)))),
        udf("to_base64", &[], &[1], text.clone(), Kind::ToBase64),
        udf("from_base64", &[], &[1], DataType::Binary, Kind::FromBase64),
        udf("inet_aton", &[], &[1], DataType::Int64, Kind::InetAton),
        udf("inet_ntoa", &[], &[1], text, Kind::InetNtoa),
        udf("is_ipv4", &[], &[1], DataType::Int64, Kind::IsIpv4),
        udf("is_ipv6", &[], &[1], DataType::Int64, Kind::IsIpv6),
        udf("bit_count", &[], &[1], DataType::Int64, Kind::BitCount),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(conv("a", 16, 2).as_deref(), Some("1010"));
        assert_eq!(conv("-17", 10, -18).as_deref(), Some("-H"));
        assert_eq!(conv("-17", 10, 16).as_deref(), Some("FFFFFFFFFFFFFFEF"));
        assert_eq!(conv("-1", -10, 10).as_deref(), Some("18446744073709551615"));
        assert_eq!(conv("xyz", 16, 10).as_deref(), Some("0"));
        assert_eq!(conv("a", 37, 10), None);
        assert_eq!(crc32(b"MySQL"), 3_259_397_556);
        assert_eq!(inet_aton("127.1"), Some(2_130_706_433));
        assert_eq!(inet_aton("1.2.3"), Some(16_908_291));
        assert_eq!(inet_aton("1.2.3.256"), None);
        assert_eq!(to_base64(b"a"), "YQ==");
        assert_eq!(from_base64(b"YW Jj").as_deref(), Some(&b"abc"[..]));
        assert_eq!(from_base64(b"YQ"), None);
    }
}

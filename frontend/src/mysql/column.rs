//! Describing result columns to MySQL clients: type, flags, length, decimals, charset.
//!
//! Table columns carry their declared SQL type in Arrow field metadata, so `CHAR(10)`,
//! `VARCHAR(10)` and `STRING` are reported exactly; computed columns are described from
//! their Arrow type.

use datafusion::arrow::datatypes::{DataType, Field};
use lakestar_engine::types::{SqlType, SQL_TYPE_METADATA_KEY, STRING_LENGTH};

use super::packet::put_lenenc_str;

/// MySQL column type codes.
#[allow(dead_code)]
pub mod types {
    pub const DECIMAL: u8 = 0x00;
    pub const TINY: u8 = 0x01;
    pub const SHORT: u8 = 0x02;
    pub const LONG: u8 = 0x03;
    pub const FLOAT: u8 = 0x04;
    pub const DOUBLE: u8 = 0x05;
    pub const NULL: u8 = 0x06;
    pub const LONGLONG: u8 = 0x08;
    pub const DATE: u8 = 0x0a;
    pub const TIME: u8 = 0x0b;
    pub const DATETIME: u8 = 0x0c;
    pub const JSON: u8 = 0xf5;
    pub const NEWDECIMAL: u8 = 0xf6;
    pub const BLOB: u8 = 0xfc;
    pub const VAR_STRING: u8 = 0xfd;
    pub const STRING: u8 = 0xfe;
}

/// MySQL column flags.
pub mod flags {
    pub const NOT_NULL: u16 = 1;
    pub const BLOB: u16 = 16;
    pub const UNSIGNED: u16 = 32;
    pub const BINARY: u16 = 128;
    pub const NUM: u16 = 32768;
}

/// `utf8_general_ci`, the character set of text results.
pub const CHARSET_UTF8: u16 = 33;
/// `binary`, for numbers, dates and bytes.
pub const CHARSET_BINARY: u16 = 63;
/// Bytes per character of [`CHARSET_UTF8`].
const UTF8_MAX_LEN: u32 = 3;
/// `decimals` value MySQL uses for floating point columns.
const NOT_FIXED_DEC: u8 = 31;

/// A column definition (Protocol::ColumnDefinition41).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDef {
    pub schema: String,
    pub table: String,
    pub name: String,
    pub charset: u16,
    pub length: u32,
    pub column_type: u8,
    pub flags: u16,
    pub decimals: u8,
}

/// Whether values of Arrow type `b` are values of a column declared with Arrow type `a`
/// (strings may travel as any of Arrow's string layouts).
fn same_representation(a: &DataType, b: &DataType) -> bool {
    let string =
        |t: &DataType| matches!(t, DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8);
    a == b || (string(a) && string(b))
}

impl ColumnDef {
    /// Describe an Arrow field.
    pub fn from_field(field: &Field) -> Self {
        let declared = field
            .metadata()
            .get(SQL_TYPE_METADATA_KEY)
            .and_then(|t| SqlType::parse(t).ok())
            // A declared type describes the values only while they still have its Arrow
            // type (a UNION can coerce a declared INT column to text).
            .filter(|t| same_representation(&t.to_arrow(), field.data_type()));
        let mut def = match declared {
            Some(t) => Self::from_sql_type(&t),
            None => Self::from_arrow(field.data_type()),
        };
        def.name = field
            .metadata()
            .get(lakestar_engine::types::LABEL_METADATA_KEY)
            .unwrap_or(field.name())
            .clone();
        if !field.is_nullable() {
            def.flags |= flags::NOT_NULL;
        }
        def
    }

    fn new(column_type: u8, length: u32, decimals: u8, charset: u16, flags: u16) -> Self {
        Self {
            schema: String::new(),
            table: String::new(),
            name: String::new(),
            charset,
            length,
            column_type,
            flags,
            decimals,
        }
    }

    fn number(column_type: u8, length: u32, decimals: u8) -> Self {
        Self::new(
            column_type,
            length,
            decimals,
            CHARSET_BINARY,
            flags::BINARY | flags::NUM,
        )
    }

    fn text(column_type: u8, chars: u32) -> Self {
        Self::new(
            column_type,
            chars.saturating_mul(UTF8_MAX_LEN),
            0,
            CHARSET_UTF8,
            0,
        )
    }

    fn decimal(precision: u8, scale: u8) -> Self {
        let length = precision as u32 + 1 + u32::from(scale > 0);
        Self::number(types::NEWDECIMAL, length, scale)
    }

    /// Describe a declared table column type.
    pub fn from_sql_type(t: &SqlType) -> Self {
        match t {
            SqlType::Boolean => Self::number(types::TINY, 1, 0),
            SqlType::TinyInt => Self::number(types::TINY, 4, 0),
            SqlType::SmallInt => Self::number(types::SHORT, 6, 0),
            SqlType::Int => Self::number(types::LONG, 11, 0),
            SqlType::BigInt => Self::number(types::LONGLONG, 20, 0),
            SqlType::LargeInt => Self::number(types::NEWDECIMAL, 40, 0),
            SqlType::Float => Self::number(types::FLOAT, 12, NOT_FIXED_DEC),
            SqlType::Double => Self::number(types::DOUBLE, 22, NOT_FIXED_DEC),
            SqlType::Decimal { precision, scale } => Self::decimal(*precision, *scale),
            SqlType::Char { length } => Self::text(types::STRING, *length),
            SqlType::Varchar { length } => Self::text(types::VAR_STRING, *length),
            SqlType::String => Self::text(types::VAR_STRING, STRING_LENGTH),
            SqlType::Date => Self::new(types::DATE, 10, 0, CHARSET_BINARY, flags::BINARY),
            // StarRocks DATETIME keeps microseconds; decimals 6 tells binary-protocol clients so.
            SqlType::DateTime => Self::new(types::DATETIME, 26, 6, CHARSET_BINARY, flags::BINARY),
            SqlType::Json => Self::text(types::JSON, STRING_LENGTH),
            SqlType::Bitmap | SqlType::Hll => Self::new(
                types::BLOB,
                65535,
                0,
                CHARSET_BINARY,
                flags::BLOB | flags::BINARY,
            ),
        }
    }

    /// Describe a computed value's Arrow type.
    pub fn from_arrow(t: &DataType) -> Self {
        use DataType as D;
        let unsigned = |mut d: Self| {
            d.flags |= flags::UNSIGNED;
            d
        };
        match t {
            D::Boolean => Self::number(types::TINY, 1, 0),
            D::Int8 => Self::number(types::TINY, 4, 0),
            D::Int16 => Self::number(types::SHORT, 6, 0),
            D::Int32 => Self::number(types::LONG, 11, 0),
            D::Int64 => Self::number(types::LONGLONG, 20, 0),
            D::UInt8 => unsigned(Self::number(types::TINY, 3, 0)),
            D::UInt16 => unsigned(Self::number(types::SHORT, 5, 0)),
            D::UInt32 => unsigned(Self::number(types::LONG, 10, 0)),
            D::UInt64 => unsigned(Self::number(types::LONGLONG, 20, 0)),
            D::Float16 | D::Float32 => Self::number(types::FLOAT, 12, NOT_FIXED_DEC),
            D::Float64 => Self::number(types::DOUBLE, 22, NOT_FIXED_DEC),
            D::Decimal32(p, s) | D::Decimal64(p, s) | D::Decimal128(p, s) | D::Decimal256(p, s) => {
                Self::decimal(*p, (*s).max(0) as u8)
            }
            D::Date32 | D::Date64 => Self::new(types::DATE, 10, 0, CHARSET_BINARY, flags::BINARY),
            D::Timestamp(unit, _) => {
                let decimals = match unit {
                    datafusion::arrow::datatypes::TimeUnit::Second => 0,
                    datafusion::arrow::datatypes::TimeUnit::Millisecond => 3,
                    _ => 6,
                };
                let length = 19 + if decimals > 0 { decimals as u32 + 1 } else { 0 };
                Self::new(
                    types::DATETIME,
                    length,
                    decimals,
                    CHARSET_BINARY,
                    flags::BINARY,
                )
            }
            D::Time32(_) | D::Time64(_) => {
                Self::new(types::TIME, 17, 6, CHARSET_BINARY, flags::BINARY)
            }
            D::Null => Self::new(types::NULL, 0, 0, CHARSET_BINARY, flags::BINARY),
            D::Binary | D::LargeBinary | D::BinaryView | D::FixedSizeBinary(_) => Self::new(
                types::BLOB,
                65535,
                0,
                CHARSET_BINARY,
                flags::BINARY | flags::BLOB,
            ),
            _ => Self::text(types::VAR_STRING, STRING_LENGTH),
        }
    }

    /// Encode as a ColumnDefinition41 packet payload.
    pub fn encode(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(64 + self.name.len());
        put_lenenc_str(&mut buf, b"def");
        put_lenenc_str(&mut buf, self.schema.as_bytes());
        put_lenenc_str(&mut buf, self.table.as_bytes());
        put_lenenc_str(&mut buf, self.table.as_bytes());
        put_lenenc_str(&mut buf, self.name.as_bytes());
        put_lenenc_str(&mut buf, self.name.as_bytes());
        buf.push(0x0c);
        buf.extend_from_slice(&self.charset.to_le_bytes());
        buf.extend_from_slice(&self.length.to_le_bytes());
        buf.push(self.column_type);
        buf.extend_from_slice(&self.flags.to_le_bytes());
        buf.push(self.decimals);
        buf.extend_from_slice(&[0, 0]);
        buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_are_described_exactly() {
        let c = ColumnDef::from_sql_type(&SqlType::Char { length: 10 });
        assert_eq!(
            (c.column_type, c.length, c.charset),
            (types::STRING, 30, CHARSET_UTF8)
        );
        let v = ColumnDef::from_sql_type(&SqlType::Varchar { length: 10 });
        assert_eq!(v.column_type, types::VAR_STRING);
        let d = ColumnDef::from_sql_type(&SqlType::Decimal {
            precision: 10,
            scale: 2,
        });
        assert_eq!(
            (d.column_type, d.length, d.decimals),
            (types::NEWDECIMAL, 12, 2)
        );
    }
}

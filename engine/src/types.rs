//! SQL (MySQL/StarRocks) column types and their one mapping to Arrow.
//!
//! [`SqlType`] is what a user declares in `CREATE TABLE`; [`SqlType::to_arrow`] is the only
//! place that decides the Arrow type a column is stored and computed as. The declared type
//! travels with a column through Arrow field metadata ([`SQL_TYPE_METADATA_KEY`]) so the
//! MySQL edge can report `CHAR(10)` vs `VARCHAR(10)` vs `STRING` exactly.

use std::fmt;

use datafusion::arrow::datatypes::{DataType, TimeUnit};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Reason, Result};

/// Arrow field metadata key holding the declared SQL type of a table column.
pub const SQL_TYPE_METADATA_KEY: &str = "lakestar.sql_type";

/// Field metadata key: the name a result column is shown under when it differs from the
/// field's name (MySQL allows duplicate output names; a plan's fields must be unique).
pub const LABEL_METADATA_KEY: &str = "lakestar.label";

/// Length StarRocks gives `STRING` (an alias of `VARCHAR(65533)`).
pub const STRING_LENGTH: u32 = 65533;
/// The largest `VARCHAR(n)` we accept.
pub const MAX_VARCHAR_LENGTH: u32 = 1_048_576;
/// The largest `CHAR(n)`.
pub const MAX_CHAR_LENGTH: u32 = 255;
/// Precision used to store `LARGEINT` (128-bit integer) as a decimal.
pub const LARGEINT_PRECISION: u8 = 38;

/// A declared column type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SqlType {
    Boolean,
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    LargeInt,
    Float,
    Double,
    Decimal {
        precision: u8,
        scale: u8,
    },
    Char {
        length: u32,
    },
    Varchar {
        length: u32,
    },
    String,
    Date,
    DateTime,
    /// StarRocks' JSON: a JSON document, stored as its normalized text.
    Json,
    /// StarRocks' BITMAP: a set of 64-bit integers, stored as a serialized RoaringBitmap.
    Bitmap,
    /// StarRocks' HLL: a HyperLogLog sketch, stored serialized.
    Hll,
}

impl SqlType {
    /// The Arrow type values of this column are stored and computed as.
    pub fn to_arrow(&self) -> DataType {
        match self {
            SqlType::Boolean => DataType::Boolean,
            SqlType::TinyInt => DataType::Int8,
            SqlType::SmallInt => DataType::Int16,
            SqlType::Int => DataType::Int32,
            SqlType::BigInt => DataType::Int64,
            SqlType::LargeInt => DataType::Decimal128(LARGEINT_PRECISION, 0),
            SqlType::Float => DataType::Float32,
            SqlType::Double => DataType::Float64,
            SqlType::Decimal { precision, scale } => DataType::Decimal128(*precision, *scale as i8),
            SqlType::Char { .. } | SqlType::Varchar { .. } | SqlType::String => DataType::Utf8,
            SqlType::Date => DataType::Date32,
            SqlType::DateTime => DataType::Timestamp(TimeUnit::Microsecond, None),
            SqlType::Json => DataType::Utf8,
            SqlType::Bitmap | SqlType::Hll => DataType::Binary,
        }
    }

    /// The declared type a computed column gets (CREATE TABLE ... AS query), or None for an
    /// Arrow type no SQL type stores.
    pub fn from_arrow(t: &DataType) -> Option<Self> {
        Some(match t {
            DataType::Boolean => SqlType::Boolean,
            DataType::Int8 => SqlType::TinyInt,
            DataType::Int16 | DataType::UInt8 => SqlType::SmallInt,
            DataType::Int32 | DataType::UInt16 => SqlType::Int,
            DataType::Int64 | DataType::UInt32 => SqlType::BigInt,
            DataType::UInt64 => SqlType::LargeInt,
            DataType::Float16 | DataType::Float32 => SqlType::Float,
            DataType::Float64 => SqlType::Double,
            DataType::Decimal128(38, 0) => SqlType::LargeInt,
            DataType::Decimal32(p, s) | DataType::Decimal64(p, s) | DataType::Decimal128(p, s)
                if *s >= 0 && *p <= 38 =>
            {
                SqlType::Decimal {
                    precision: *p,
                    scale: *s as u8,
                }
            }
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => {
                SqlType::String
            }
            DataType::Date32 | DataType::Date64 => SqlType::Date,
            DataType::Timestamp(..) => SqlType::DateTime,
            DataType::Dictionary(_, value) => return Self::from_arrow(value),
            _ => return None,
        })
    }

    /// Maximum character length for string types.
    pub fn char_length(&self) -> Option<u32> {
        match self {
            SqlType::Char { length } | SqlType::Varchar { length } => Some(*length),
            SqlType::String => Some(STRING_LENGTH),
            _ => None,
        }
    }

    /// `information_schema.COLUMNS.DATA_TYPE`: the MySQL base type name.
    pub fn mysql_data_type(&self) -> &'static str {
        match self {
            SqlType::Boolean | SqlType::TinyInt => "tinyint",
            SqlType::SmallInt => "smallint",
            SqlType::Int => "int",
            SqlType::BigInt => "bigint",
            SqlType::LargeInt => "largeint",
            SqlType::Float => "float",
            SqlType::Double => "double",
            SqlType::Decimal { .. } => "decimal",
            SqlType::Char { .. } => "char",
            SqlType::Varchar { .. } | SqlType::String => "varchar",
            SqlType::Date => "date",
            SqlType::DateTime => "datetime",
            SqlType::Json => "json",
            SqlType::Bitmap => "bitmap",
            SqlType::Hll => "hll",
        }
    }

    /// `information_schema.COLUMNS.COLUMN_TYPE`: the full MySQL type.
    pub fn mysql_column_type(&self) -> String {
        match self {
            SqlType::Boolean => "tinyint(1)".into(),
            SqlType::TinyInt => "tinyint(4)".into(),
            SqlType::SmallInt => "smallint(6)".into(),
            SqlType::Int => "int(11)".into(),
            SqlType::BigInt => "bigint(20)".into(),
            SqlType::LargeInt => "largeint(40)".into(),
            SqlType::Decimal { precision, scale } => format!("decimal({precision},{scale})"),
            SqlType::Char { length } => format!("char({length})"),
            SqlType::Varchar { length } => format!("varchar({length})"),
            SqlType::String => format!("varchar({STRING_LENGTH})"),
            other => other.mysql_data_type().into(),
        }
    }

    /// The type as `SHOW CREATE TABLE` writes it: lower case with display widths, as
    /// StarRocks and MySQL do (SQLAlchemy's MySQL reflection parses this form).
    pub fn ddl_type(&self) -> String {
        match self {
            SqlType::Boolean => "boolean".into(),
            SqlType::LargeInt => "largeint".into(),
            other => other.mysql_column_type(),
        }
    }

    /// `NUMERIC_PRECISION` and `NUMERIC_SCALE` of a number type.
    pub fn numeric_precision_scale(&self) -> Option<(u32, u32)> {
        match self {
            SqlType::Boolean | SqlType::TinyInt => Some((3, 0)),
            SqlType::SmallInt => Some((5, 0)),
            SqlType::Int => Some((10, 0)),
            SqlType::BigInt => Some((19, 0)),
            SqlType::LargeInt => Some((LARGEINT_PRECISION as u32, 0)),
            SqlType::Float => Some((12, 0)),
            SqlType::Double => Some((22, 0)),
            SqlType::Decimal { precision, scale } => Some((*precision as u32, *scale as u32)),
            _ => None,
        }
    }

    pub fn is_string(&self) -> bool {
        self.char_length().is_some()
    }

    /// Parse the type of a column definition.
    pub fn from_ast(dt: &sqlparser::ast::DataType) -> Result<Self> {
        use sqlparser::ast::{DataType as A, ExactNumberInfo};
        let t = match dt {
            A::Boolean | A::Bool => SqlType::Boolean,
            A::TinyInt(_) => SqlType::TinyInt,
            A::SmallInt(_) => SqlType::SmallInt,
            A::Int(_) | A::Integer(_) | A::MediumInt(_) => SqlType::Int,
            A::BigInt(_) => SqlType::BigInt,
            A::Float(_) | A::Real => SqlType::Float,
            A::Double(_) | A::DoublePrecision => SqlType::Double,
            A::Decimal(info) | A::Numeric(info) | A::Dec(info) => {
                let (p, s) = match info {
                    ExactNumberInfo::None => (10, 0),
                    ExactNumberInfo::Precision(p) => (*p, 0),
                    ExactNumberInfo::PrecisionAndScale(p, s) => (*p, *s as u64),
                };
                if p == 0 || p > 38 {
                    return Err(Error::user(
                        Reason::InvalidDefinition,
                        format!("DECIMAL precision {p} is out of range [1, 38]"),
                    ));
                }
                if s > p {
                    return Err(Error::user(
                        Reason::InvalidDefinition,
                        format!("DECIMAL scale {s} must not exceed precision {p}"),
                    ));
                }
                SqlType::Decimal {
                    precision: p as u8,
                    scale: s as u8,
                }
            }
            A::Char(len) | A::Character(len) => {
                let length = char_len(len)?.unwrap_or(1);
                if length == 0 || length > MAX_CHAR_LENGTH {
                    return Err(Error::user(
                        Reason::InvalidDefinition,
                        format!("CHAR length {length} is out of range [1, {MAX_CHAR_LENGTH}]"),
                    ));
                }
                SqlType::Char { length }
            }
            A::Varchar(len) | A::CharVarying(len) | A::CharacterVarying(len) | A::Nvarchar(len) => {
                let length = char_len(len)?.unwrap_or(STRING_LENGTH);
                if length == 0 || length > MAX_VARCHAR_LENGTH {
                    return Err(Error::user(
                        Reason::InvalidDefinition,
                        format!(
                            "VARCHAR length {length} is out of range [1, {MAX_VARCHAR_LENGTH}]"
                        ),
                    ));
                }
                SqlType::Varchar { length }
            }
            A::String(_) | A::Text | A::MediumText | A::LongText | A::TinyText => SqlType::String,
            A::Date => SqlType::Date,
            A::JSON => SqlType::Json,
            A::Datetime(_) | A::Timestamp(_, _) => SqlType::DateTime,
            A::Custom(name, args) if args.is_empty() => {
                match name.to_string().to_ascii_uppercase().as_str() {
                    "LARGEINT" => SqlType::LargeInt,
                    "STRING" => SqlType::String,
                    "JSON" => SqlType::Json,
                    "BITMAP" => SqlType::Bitmap,
                    "HLL" => SqlType::Hll,
                    other => {
                        return Err(Error::unsupported(format!(
                            "Unsupported column type {other}"
                        )))
                    }
                }
            }
            other => {
                return Err(Error::unsupported(format!(
                    "Unsupported column type {other}"
                )))
            }
        };
        Ok(t)
    }

    /// Parse a type as printed by [`fmt::Display`] (the form kept in Arrow metadata).
    pub fn parse(s: &str) -> Result<Self> {
        let dialect = sqlparser::dialect::MySqlDialect {};
        let mut parser = sqlparser::parser::Parser::new(&dialect).try_with_sql(s)?;
        let dt = parser.parse_data_type()?;
        Self::from_ast(&dt)
    }
}

fn char_len(len: &Option<sqlparser::ast::CharacterLength>) -> Result<Option<u32>> {
    use sqlparser::ast::CharacterLength;
    match len {
        None => Ok(None),
        Some(CharacterLength::IntegerLength { length, .. }) => u32::try_from(*length)
            .map(Some)
            .map_err(|_| Error::user(Reason::InvalidDefinition, "character length too large")),
        Some(CharacterLength::Max) => Ok(Some(MAX_VARCHAR_LENGTH)),
    }
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlType::Boolean => f.write_str("BOOLEAN"),
            SqlType::TinyInt => f.write_str("TINYINT"),
            SqlType::SmallInt => f.write_str("SMALLINT"),
            SqlType::Int => f.write_str("INT"),
            SqlType::BigInt => f.write_str("BIGINT"),
            SqlType::LargeInt => f.write_str("LARGEINT"),
            SqlType::Float => f.write_str("FLOAT"),
            SqlType::Double => f.write_str("DOUBLE"),
            SqlType::Decimal { precision, scale } => write!(f, "DECIMAL({precision},{scale})"),
            SqlType::Char { length } => write!(f, "CHAR({length})"),
            SqlType::Varchar { length } => write!(f, "VARCHAR({length})"),
            SqlType::String => f.write_str("STRING"),
            SqlType::Date => f.write_str("DATE"),
            SqlType::DateTime => f.write_str("DATETIME"),
            SqlType::Json => f.write_str("JSON"),
            SqlType::Bitmap => f.write_str("BITMAP"),
            SqlType::Hll => f.write_str("HLL"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_parse_round_trip() {
        for t in [
            SqlType::Boolean,
            SqlType::TinyInt,
            SqlType::SmallInt,
            SqlType::Int,
            SqlType::BigInt,
            SqlType::LargeInt,
            SqlType::Float,
            SqlType::Double,
            SqlType::Decimal {
                precision: 10,
                scale: 2,
            },
            SqlType::Char { length: 3 },
            SqlType::Varchar { length: 20 },
            SqlType::String,
            SqlType::Date,
            SqlType::DateTime,
            SqlType::Json,
            SqlType::Bitmap,
            SqlType::Hll,
        ] {
            assert_eq!(SqlType::parse(&t.to_string()).unwrap(), t, "{t}");
        }
    }

    #[test]
    fn decimal_bounds_are_checked() {
        assert!(SqlType::parse("DECIMAL(39,2)").is_err());
        assert!(SqlType::parse("DECIMAL(5,6)").is_err());
    }
}

//! `CONVERT_TZ(dt, from_tz, to_tz)`: a DATETIME read as a wall-clock time in `from_tz`,
//! as the wall-clock time in `to_tz`. Zones are offsets (`'+08:00'`, `'-5:30'`), named
//! zones (`'Asia/Shanghai'`) or `'SYSTEM'` (UTC, the server's zone); an unknown zone or
//! a local time that does not exist in `from_tz` gives NULL (MySQL moves it past the
//! gap); a value outside the TIMESTAMP range is returned unchanged, as in MySQL.

use std::sync::Arc;

use chrono::{NaiveDateTime, TimeZone};
use datafusion::arrow::array::timezone::Tz;
use datafusion::arrow::array::TimestampMicrosecondBuilder;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::args::{evaluate, texts};
use super::mysql_datetime::datetimes;

/// A MySQL time-zone name as a zone; `None` if it names none.
pub fn parse_zone(name: &str) -> Option<Tz> {
    let name = name.trim();
    if name.eq_ignore_ascii_case("SYSTEM") || name.eq_ignore_ascii_case("UTC") {
        return "+00:00".parse().ok();
    }
    let Some(rest) = name.strip_prefix(['+', '-']) else {
        return name.parse().ok();
    };
    let (hours, minutes) = rest.split_once(':')?;
    let (h, m): (u32, u32) = (hours.parse().ok()?, minutes.parse().ok()?);
    // MySQL's range: -13:59 to +14:00.
    let most = if name.starts_with('-') {
        13 * 60 + 59
    } else {
        14 * 60
    };
    if hours.is_empty() || hours.len() > 2 || minutes.len() != 2 || m > 59 || h * 60 + m > most {
        return None;
    }
    format!("{}{h:02}:{m:02}", &name[..1]).parse().ok()
}

/// `dt` on `from`'s wall clock as `to`'s wall clock; unchanged outside the TIMESTAMP
/// range (1970-01-01 00:00:01 to 2038-01-19 03:14:07 UTC), as in MySQL.
fn convert(dt: NaiveDateTime, from: &Tz, to: &Tz) -> Option<NaiveDateTime> {
    let instant = from.from_local_datetime(&dt).earliest()?;
    if !(1..=2_147_483_647).contains(&instant.timestamp()) {
        return Some(dt);
    }
    Some(instant.with_timezone(to).naive_local())
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct ConvertTz {
    signature: Signature,
}

impl ScalarUDFImpl for ConvertTz {
    fn name(&self) -> &str {
        "convert_tz"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(DataType::Timestamp(TimeUnit::Microsecond, None))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        evaluate(&args, |rows| {
            let values = datetimes(&args.args[0], rows)?;
            let from = texts(&args.args[1], rows)?;
            let to = texts(&args.args[2], rows)?;
            let mut out = TimestampMicrosecondBuilder::with_capacity(rows);
            for ((dt, from), to) in values.into_iter().zip(&from).zip(&to) {
                let converted = (|| {
                    let (from, to) = (parse_zone(from?)?, parse_zone(to?)?);
                    convert(dt?, &from, &to)
                })();
                out.append_option(converted.map(|d| d.and_utc().timestamp_micros()));
            }
            Ok(Arc::new(out.finish()) as _)
        })
    }
}

/// The time-zone functions.
pub fn zone_functions() -> Vec<ScalarUDF> {
    vec![ScalarUDF::new_from_impl(ConvertTz {
        signature: Signature::any(3, Volatility::Immutable),
    })]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones() {
        assert!(parse_zone("+08:00").is_some());
        assert!(parse_zone("-5:30").is_some());
        assert!(parse_zone("SYSTEM").is_some());
        assert!(parse_zone("+15:00").is_none());
        assert!(parse_zone("-14:00").is_none());
        assert!(parse_zone("Mars/Olympus").is_none());
        let dt = NaiveDateTime::parse_from_str("2024-01-01 12:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let out = convert(
            dt,
            &parse_zone("+00:00").unwrap(),
            &parse_zone("+08:00").unwrap(),
        )
        .unwrap();
        assert_eq!(out.to_string(), "2024-01-01 20:00:00");
    }
}

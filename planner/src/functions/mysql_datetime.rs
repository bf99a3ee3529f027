//! MySQL / StarRocks date functions with MySQL's semantics: `date_format` and
//! `str_to_date` / `str2date` with MySQL format codes, `datediff`, `timestampdiff`,
//! `time_slice`, `last_day`, `from_unixtime`, `unix_timestamp`. DATETIME values are
//! naive (no time zone); Unix timestamps are read and written as UTC.

use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use datafusion::arrow::array::{
    Array, ArrayRef, Date32Builder, Int64Builder, StringBuilder, TimestampMicrosecondArray,
    TimestampMicrosecondBuilder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, TimeUnit};
use datafusion::common::{exec_err, plan_err, ScalarValue};
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

const DATETIME: DataType = DataType::Timestamp(TimeUnit::Microsecond, None);

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")
}

/// An argument as naive date-times (dates at midnight; text parsed as MySQL does).
pub(super) fn datetimes(
    value: &ColumnarValue,
    rows: usize,
) -> DFResult<Vec<Option<NaiveDateTime>>> {
    let array = value.to_array(rows)?;
    let array = match array.data_type() {
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 => {
            let text = cast(&array, &DataType::Utf8)?;
            let text = text
                .as_any()
                .downcast_ref::<datafusion::arrow::array::StringArray>()
                .expect("cast to Utf8");
            return Ok(text
                .iter()
                .map(|t| t.and_then(parse_datetime_text))
                .collect());
        }
        _ => cast(&array, &DATETIME)?,
    };
    let micros = array
        .as_any()
        .downcast_ref::<TimestampMicrosecondArray>()
        .expect("cast to timestamp");
    Ok(micros
        .iter()
        .map(|v| {
            v.and_then(|us| chrono::DateTime::from_timestamp_micros(us).map(|d| d.naive_utc()))
        })
        .collect())
}

/// `2024-01-02`, `2024-01-02 03:04:05[.ffffff]`, `2024-01-02T03:04:05`.
fn parse_datetime_text(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    for f in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(text, f) {
            return Some(dt);
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_time(NaiveTime::MIN))
}

fn texts(value: &ColumnarValue, rows: usize) -> DFResult<Vec<Option<String>>> {
    Ok(super::args::texts(value, rows)?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

fn integers(value: &ColumnarValue, rows: usize) -> DFResult<Vec<Option<i64>>> {
    Ok(super::args::integers(value, rows)?.iter().collect())
}

/// MySQL `DATE_FORMAT` of one value.
pub fn format_mysql(dt: &NaiveDateTime, format: &str) -> String {
    let mut out = String::with_capacity(format.len() + 8);
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(spec) = chars.next() else {
            out.push('%');
            break;
        };
        let hour12 = match dt.hour() % 12 {
            0 => 12,
            h => h,
        };
        match spec {
            'Y' => out.push_str(&format!("{:04}", dt.year())),
            'y' => out.push_str(&format!("{:02}", dt.year() % 100)),
            'm' => out.push_str(&format!("{:02}", dt.month())),
            'c' => out.push_str(&dt.month().to_string()),
            'd' => out.push_str(&format!("{:02}", dt.day())),
            'e' => out.push_str(&dt.day().to_string()),
            'D' => {
                let d = dt.day();
                let suffix = match (d % 10, d % 100) {
                    (_, 11..=13) => "th",
                    (1, _) => "st",
                    (2, _) => "nd",
                    (3, _) => "rd",
                    _ => "th",
                };
                out.push_str(&format!("{d}{suffix}"));
            }
            'H' => out.push_str(&format!("{:02}", dt.hour())),
            'k' => out.push_str(&dt.hour().to_string()),
            'h' | 'I' => out.push_str(&format!("{hour12:02}")),
            'l' => out.push_str(&hour12.to_string()),
            'i' => out.push_str(&format!("{:02}", dt.minute())),
            's' | 'S' => out.push_str(&format!("{:02}", dt.second())),
            'f' => out.push_str(&format!("{:06}", dt.nanosecond() / 1000)),
            'p' => out.push_str(if dt.hour() < 12 { "AM" } else { "PM" }),
            'T' => out.push_str(&dt.format("%H:%M:%S").to_string()),
            'r' => out.push_str(&format!(
                "{hour12:02}:{:02}:{:02} {}",
                dt.minute(),
                dt.second(),
                if dt.hour() < 12 { "AM" } else { "PM" }
            )),
            'W' => out.push_str(&dt.format("%A").to_string()),
            'a' => out.push_str(&dt.format("%a").to_string()),
            'M' => out.push_str(&dt.format("%B").to_string()),
            'b' => out.push_str(&dt.format("%b").to_string()),
            'j' => out.push_str(&format!("{:03}", dt.ordinal())),
            'w' => out.push_str(&dt.weekday().num_days_from_sunday().to_string()),
            'U' => out.push_str(&dt.format("%U").to_string()),
            'u' => out.push_str(&dt.format("%W").to_string()),
            'v' => out.push_str(&format!("{:02}", dt.iso_week().week())),
            'x' => out.push_str(&format!("{:04}", dt.iso_week().year())),
            other => out.push(other),
        }
    }
    out
}

/// A MySQL format as a chrono parse format; `None` when it uses a code chrono cannot parse.
fn chrono_format(format: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        out.push_str(match chars.next()? {
            'Y' => "%Y",
            'y' => "%y",
            'm' | 'c' => "%m",
            'd' | 'e' => "%d",
            'H' | 'k' => "%H",
            'h' | 'I' | 'l' => "%I",
            'i' => "%M",
            's' | 'S' => "%S",
            'f' => "%6f",
            'p' => "%p",
            'T' => "%H:%M:%S",
            'r' => "%I:%M:%S %p",
            'W' => "%A",
            'a' => "%a",
            'M' => "%B",
            'b' => "%b",
            'j' => "%j",
            '%' => "%%",
            _ => return None,
        });
    }
    Some(out)
}

/// Whether a MySQL format has a time-of-day part.
fn has_time(format: &str) -> bool {
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c == '%'
            && matches!(
                chars.next(),
                Some('H' | 'k' | 'h' | 'I' | 'l' | 'i' | 's' | 'S' | 'f' | 'p' | 'T' | 'r')
            )
        {
            return true;
        }
    }
    false
}

/// MySQL `STR_TO_DATE` of one value.
pub fn parse_mysql(text: &str, format: &str) -> Option<NaiveDateTime> {
    let f = chrono_format(format)?;
    if has_time(format) {
        NaiveDateTime::parse_from_str(text.trim(), &f).ok()
    } else {
        NaiveDate::parse_from_str(text.trim(), &f)
            .ok()
            .map(|d| d.and_time(NaiveTime::MIN))
    }
}

fn months_between(a: &NaiveDateTime, b: &NaiveDateTime) -> i64 {
    let months = (b.year() as i64 - a.year() as i64) * 12 + (b.month() as i64 - a.month() as i64);
    // A month counts only when it is complete: compare the rest of the value.
    let rest = |d: &NaiveDateTime| (d.day(), d.time());
    if months > 0 && rest(b) < rest(a) {
        months - 1
    } else if months < 0 && rest(b) > rest(a) {
        months + 1
    } else {
        months
    }
}

/// `TIMESTAMPDIFF(unit, a, b)`: whole units from `a` to `b`.
fn timestampdiff(unit: &str, a: &NaiveDateTime, b: &NaiveDateTime) -> Option<i64> {
    let micros = (*b - *a).num_microseconds()?;
    Some(match unit.to_ascii_lowercase().as_str() {
        "microsecond" => micros,
        "millisecond" => micros / 1_000,
        "second" => micros / 1_000_000,
        "minute" => micros / 60_000_000,
        "hour" => micros / 3_600_000_000,
        "day" => micros / 86_400_000_000,
        "week" => micros / (7 * 86_400_000_000),
        "month" => months_between(a, b),
        "quarter" => months_between(a, b) / 3,
        "year" => months_between(a, b) / 12,
        _ => return None,
    })
}

/// `TIME_SLICE(dt, INTERVAL n unit [, 'floor' | 'ceil'])`: the start (or end) of the
/// n-unit period holding `dt`, periods counted from 0001-01-01 00:00:00.
fn time_slice(dt: &NaiveDateTime, n: i64, unit: &str, ceil: bool) -> Option<NaiveDateTime> {
    let origin = NaiveDate::from_ymd_opt(1, 1, 1)?.and_time(NaiveTime::MIN);
    let unit = unit.to_ascii_lowercase();
    let floor = match unit.as_str() {
        "second" | "minute" | "hour" | "day" | "week" => {
            let size = n * match unit.as_str() {
                "second" => 1,
                "minute" => 60,
                "hour" => 3600,
                "day" => 86_400,
                _ => 7 * 86_400,
            };
            let since = (*dt - origin).num_seconds();
            origin + Duration::seconds(since.div_euclid(size) * size)
        }
        "month" | "quarter" | "year" => {
            let size = n * match unit.as_str() {
                "month" => 1,
                "quarter" => 3,
                _ => 12,
            };
            let months = (dt.year() as i64 - 1) * 12 + dt.month0() as i64;
            let start = months.div_euclid(size) * size;
            NaiveDate::from_ymd_opt((start / 12 + 1) as i32, (start % 12 + 1) as u32, 1)?
                .and_time(NaiveTime::MIN)
        }
        _ => return None,
    };
    if !ceil || floor == *dt {
        return Some(floor);
    }
    match unit.as_str() {
        "month" | "quarter" | "year" => {
            let size = n * match unit.as_str() {
                "month" => 1,
                "quarter" => 3,
                _ => 12,
            };
            floor.checked_add_months(chrono::Months::new(u32::try_from(size).ok()?))
        }
        _ => {
            let seconds = n * match unit.as_str() {
                "second" => 1,
                "minute" => 60,
                "hour" => 3600,
                "day" => 86_400,
                _ => 7 * 86_400,
            };
            floor.checked_add_signed(Duration::seconds(seconds))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    DateFormat,
    StrToDate,
    Str2Date,
    DateDiff,
    TimestampDiff,
    TimeSlice,
    LastDay,
    FromUnixtime,
    UnixTimestamp,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct MysqlDateFunction {
    name: &'static str,
    kind: Kind,
    signature: Signature,
}

impl MysqlDateFunction {
    fn result_type(&self, scalars: &[Option<&ScalarValue>]) -> DataType {
        match self.kind {
            Kind::DateFormat | Kind::FromUnixtime => DataType::Utf8,
            Kind::StrToDate => {
                let date_only = scalars
                    .get(1)
                    .copied()
                    .flatten()
                    .and_then(|f| f.try_as_str().flatten())
                    .is_some_and(|f| !has_time(f));
                if date_only {
                    DataType::Date32
                } else {
                    DATETIME
                }
            }
            Kind::Str2Date | Kind::LastDay => DataType::Date32,
            Kind::DateDiff | Kind::TimestampDiff | Kind::UnixTimestamp => DataType::Int64,
            Kind::TimeSlice => DATETIME,
        }
    }

    fn arity(&self) -> std::ops::RangeInclusive<usize> {
        match self.kind {
            Kind::LastDay => 1..=1,
            Kind::UnixTimestamp => 0..=1,
            Kind::FromUnixtime => 1..=2,
            Kind::TimestampDiff => 3..=3,
            Kind::TimeSlice => 2..=3,
            _ => 2..=2,
        }
    }

    fn compute(
        &self,
        args: &ScalarFunctionArgs,
        rows: usize,
        target: &DataType,
    ) -> DFResult<ArrayRef> {
        let a = &args.args;
        let to_days = |d: NaiveDateTime| (d.date() - epoch()).num_days() as i32;
        Ok(match self.kind {
            Kind::DateFormat => {
                let mut out = StringBuilder::new();
                for (d, f) in datetimes(&a[0], rows)?.into_iter().zip(texts(&a[1], rows)?) {
                    out.append_option(d.zip(f).map(|(d, f)| format_mysql(&d, &f)));
                }
                Arc::new(out.finish())
            }
            Kind::StrToDate | Kind::Str2Date => {
                let parsed: Vec<Option<NaiveDateTime>> = texts(&a[0], rows)?
                    .into_iter()
                    .zip(texts(&a[1], rows)?)
                    .map(|(t, f)| parse_mysql(&t?, &f?))
                    .collect();
                if target == &DataType::Date32 {
                    let mut out = Date32Builder::with_capacity(rows);
                    for d in parsed {
                        out.append_option(d.map(to_days));
                    }
                    Arc::new(out.finish())
                } else {
                    let mut out = TimestampMicrosecondBuilder::with_capacity(rows);
                    for d in parsed {
                        out.append_option(d.map(|d| d.and_utc().timestamp_micros()));
                    }
                    Arc::new(out.finish())
                }
            }
            Kind::DateDiff => {
                let mut out = Int64Builder::with_capacity(rows);
                for (x, y) in datetimes(&a[0], rows)?
                    .into_iter()
                    .zip(datetimes(&a[1], rows)?)
                {
                    out.append_option(x.zip(y).map(|(x, y)| (x.date() - y.date()).num_days()));
                }
                Arc::new(out.finish())
            }
            Kind::TimestampDiff => {
                let mut out = Int64Builder::with_capacity(rows);
                let units = texts(&a[0], rows)?;
                let pairs = datetimes(&a[1], rows)?
                    .into_iter()
                    .zip(datetimes(&a[2], rows)?);
                for (unit, (x, y)) in units.into_iter().zip(pairs) {
                    out.append_option(match (unit, x, y) {
                        (Some(u), Some(x), Some(y)) => timestampdiff(&u, &x, &y),
                        _ => None,
                    });
                }
                Arc::new(out.finish())
            }
            Kind::TimeSlice => {
                let ScalarValue::IntervalMonthDayNano(Some(step)) = a[1]
                    .to_array(1)
                    .and_then(|x| ScalarValue::try_from_array(&x, 0))?
                else {
                    return exec_err!("time_slice() takes an INTERVAL");
                };
                let (n, unit) = interval_unit(step)?;
                let ceil = match a.get(2) {
                    Some(v) => texts(v, 1)?[0]
                        .as_deref()
                        .is_some_and(|b| b.eq_ignore_ascii_case("ceil")),
                    None => false,
                };
                let mut out = TimestampMicrosecondBuilder::with_capacity(rows);
                for d in datetimes(&a[0], rows)? {
                    out.append_option(
                        d.and_then(|d| time_slice(&d, n, unit, ceil))
                            .map(|d| d.and_utc().timestamp_micros()),
                    );
                }
                Arc::new(out.finish())
            }
            Kind::LastDay => {
                let mut out = Date32Builder::with_capacity(rows);
                for d in datetimes(&a[0], rows)? {
                    out.append_option(d.and_then(|d| {
                        let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1)?;
                        let next = first.checked_add_months(chrono::Months::new(1))?;
                        Some(((next - epoch()).num_days() - 1) as i32)
                    }));
                }
                Arc::new(out.finish())
            }
            Kind::FromUnixtime => {
                let formats = match a.get(1) {
                    Some(f) => texts(f, rows)?,
                    None => vec![Some("%Y-%m-%d %H:%i:%s".to_string()); rows],
                };
                let zone = session_zone(args);
                let mut out = StringBuilder::new();
                for (s, f) in integers(&a[0], rows)?.into_iter().zip(formats) {
                    out.append_option(s.zip(f).and_then(|(s, f)| {
                        let utc = chrono::DateTime::from_timestamp(s, 0)?;
                        let dt = match &zone {
                            Some(z) => utc.with_timezone(z).naive_local(),
                            None => utc.naive_utc(),
                        };
                        Some(format_mysql(&dt, &f))
                    }));
                }
                Arc::new(out.finish())
            }
            Kind::UnixTimestamp => {
                let mut out = Int64Builder::with_capacity(rows);
                match a.first() {
                    None => {
                        let now = chrono::Utc::now().timestamp();
                        for _ in 0..rows {
                            out.append_value(now);
                        }
                    }
                    Some(v) => {
                        let zone = session_zone(args);
                        for d in datetimes(v, rows)? {
                            out.append_option(d.and_then(|d| match &zone {
                                Some(z) => {
                                    use chrono::TimeZone;
                                    Some(z.from_local_datetime(&d).earliest()?.timestamp())
                                }
                                None => Some(d.and_utc().timestamp()),
                            }));
                        }
                    }
                }
                Arc::new(out.finish())
            }
        })
    }
}

/// An INTERVAL as (count, unit) for time_slice.
fn interval_unit(
    step: datafusion::arrow::datatypes::IntervalMonthDayNano,
) -> DFResult<(i64, &'static str)> {
    const SECOND: i64 = 1_000_000_000;
    Ok(match (step.months, step.days, step.nanoseconds) {
        (m, 0, 0) if m > 0 && m % 12 == 0 => (i64::from(m / 12), "year"),
        (m, 0, 0) if m > 0 => (i64::from(m), "month"),
        (0, d, 0) if d > 0 && d % 7 == 0 => (i64::from(d / 7), "week"),
        (0, d, 0) if d > 0 => (i64::from(d), "day"),
        (0, 0, n) if n > 0 && n % (3600 * SECOND) == 0 => (n / (3600 * SECOND), "hour"),
        (0, 0, n) if n > 0 && n % (60 * SECOND) == 0 => (n / (60 * SECOND), "minute"),
        (0, 0, n) if n > 0 && n % SECOND == 0 => (n / SECOND, "second"),
        _ => return exec_err!("time_slice() takes a positive INTERVAL of one unit"),
    })
}

impl ScalarUDFImpl for MysqlDateFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(self.result_type(&[]))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DFResult<FieldRef> {
        if !self.arity().contains(&args.arg_fields.len()) {
            return plan_err!(
                "{}() does not take {} arguments",
                self.name,
                args.arg_fields.len()
            );
        }
        Ok(Arc::new(Field::new(
            self.name,
            self.result_type(args.scalar_arguments),
            true,
        )))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let target = args.return_field.data_type().clone();
        super::args::evaluate(&args, |rows| self.compute(&args, rows, &target))
    }
}

/// The session's time zone (`time_zone`), which FROM_UNIXTIME and UNIX_TIMESTAMP read
/// local times in; `None`: UTC (SYSTEM).
fn session_zone(args: &ScalarFunctionArgs) -> Option<datafusion::arrow::array::timezone::Tz> {
    let zone = args.config_options.execution.time_zone.as_deref()?;
    zone.parse().ok()
}

/// The MySQL date functions.
pub fn mysql_date_functions() -> Vec<ScalarUDF> {
    let f = |name, kind, volatility| {
        ScalarUDF::new_from_impl(MysqlDateFunction {
            name,
            kind,
            signature: Signature::variadic_any(volatility),
        })
    };
    use Volatility::{Immutable, Stable};
    vec![
        f("date_format", Kind::DateFormat, Immutable),
        f("str_to_date", Kind::StrToDate, Immutable),
        f("str2date", Kind::Str2Date, Immutable),
        f("datediff", Kind::DateDiff, Immutable),
        f("timestampdiff", Kind::TimestampDiff, Immutable),
        f("time_slice", Kind::TimeSlice, Immutable),
        f("last_day", Kind::LastDay, Immutable),
        f("from_unixtime", Kind::FromUnixtime, Stable),
        ScalarUDF::new_from_impl(MysqlDateFunction {
            name: "unix_timestamp",
            kind: Kind::UnixTimestamp,
            signature: Signature::one_of(
                vec![
                    datafusion::logical_expr::TypeSignature::Nullary,
                    datafusion::logical_expr::TypeSignature::Any(1),
                ],
                Stable,
            ),
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        parse_datetime_text(s).unwrap()
    }

    #[test]
    fn mysql_formats() {
        let d = dt("2009-10-04 22:23:00");
        assert_eq!(format_mysql(&d, "%W %M %Y"), "Sunday October 2009");
        assert_eq!(format_mysql(&d, "%H:%i:%s"), "22:23:00");
        assert_eq!(
            format_mysql(&d, "%D %y %a %d %m %b %j"),
            "4th 09 Sun 04 10 Oct 277"
        );
        assert_eq!(
            format_mysql(&d, "%r %T %p %l %e %c"),
            "10:23:00 PM 22:23:00 PM 10 4 10"
        );
        assert_eq!(
            parse_mysql("2013-05-10 12:35:10", "%Y-%m-%d %H:%i:%s"),
            Some(dt("2013-05-10 12:35:10"))
        );
        assert_eq!(
            parse_mysql("2013-05-10", "%Y-%m-%d"),
            Some(dt("2013-05-10"))
        );
        assert_eq!(parse_mysql("nonsense", "%Y-%m-%d"), None);
    }

    #[test]
    fn differences_and_slices() {
        assert_eq!(
            timestampdiff("month", &dt("2003-02-01"), &dt("2003-05-01")),
            Some(3)
        );
        assert_eq!(
            timestampdiff("year", &dt("2002-05-01"), &dt("2001-01-01")),
            Some(-1)
        );
        assert_eq!(
            timestampdiff("minute", &dt("2003-02-01"), &dt("2003-05-01 12:05:55")),
            Some(128_885)
        );
        assert_eq!(
            time_slice(&dt("2023-01-31 09:10:20"), 1, "minute", false),
            Some(dt("2023-01-31 09:10:00"))
        );
        assert_eq!(
            time_slice(&dt("2023-01-31 09:10:20"), 1, "minute", true),
            Some(dt("2023-01-31 09:11:00"))
        );
        assert_eq!(
            time_slice(&dt("2023-05-15 09:00:00"), 1, "month", false),
            Some(dt("2023-05-01 00:00:00"))
        );
    }
}

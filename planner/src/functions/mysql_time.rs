//! MySQL's week, day-number and TIME functions: `week(d[, mode])` and `yearweek(d[,
//! mode])` with MySQL's eight week modes, `makedate`, `from_days`, `to_seconds`,
//! `period_add` / `period_diff`, `sec_to_time`, `time_to_sec`, `maketime`, `time`,
//! `timediff`, `addtime` / `subtime`, `microsecond`, `timestamp(x[, t])`, `hour` / `minute` /
//! `second` of TIME text ([`clock_part`]), and `utc_date` / `utc_time` / `utc_timestamp`
//! (the statement's start, as `NOW()`).
//!
//! A TIME result is text as MySQL prints it (`-838:59:59` to `838:59:59`, so beyond a
//! day), since Arrow's time of day cannot hold those; a TIME argument may be text
//! (`'D HH:MM:SS.ffffff'`, `'HH:MM'`, `'HHMMSS'`, or a date-time whose time is taken), a
//! number (`HHMMSS`), or a TIME / DATETIME value.

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use datafusion::arrow::array::{
    Array, ArrayRef, Date32Builder, Float64Array, Int64Builder, StringBuilder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::ScalarValue;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature,
    Volatility,
};

use super::args::{mysql_integers, texts};
use super::mysql_datetime::datetimes;
use super::udf::{udf, Compute};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Week,
    YearWeek,
    MakeDate,
    FromDays,
    ToSeconds,
    PeriodAdd,
    PeriodDiff,
    SecToTime,
    TimeToSec,
    MakeTime,
    Time,
    TimeDiff,
    Microsecond,
    /// `hour` / `minute` / `second` of a TIME (hours beyond a day; see [`clock_part`]).
    ClockPart(ClockField),
    /// `timestamp(x[, t])`.
    Timestamp,
    /// `addtime` / `subtime`: (x, t) with t added (or subtracted).
    AddTime(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClockField {
    Hour,
    Minute,
    Second,
}

/// TIME's bound: 838:59:59 in microseconds.
const MAX_TIME: i128 = ((838 * 60 + 59) * 60 + 59) * 1_000_000;

/// A TIME value: signed microseconds, and how many fraction digits to print.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Time {
    micros: i128,
    decimals: usize,
}

impl Time {
    /// Clamped to TIME's range (MySQL warns and clamps).
    fn clamped(micros: i128, decimals: usize) -> Time {
        let micros = if micros.abs() > MAX_TIME {
            MAX_TIME * micros.signum()
        } else {
            micros
        };
        Time { micros, decimals }
    }

    fn render(self) -> String {
        let sign = if self.micros < 0 { "-" } else { "" };
        let m = self.micros.unsigned_abs();
        let seconds = m / 1_000_000;
        let mut out = format!(
            "{sign}{:02}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        );
        if self.decimals > 0 {
            let fraction = format!("{:06}", m % 1_000_000);
            out.push('.');
            out.push_str(&fraction[..self.decimals.min(6)]);
        }
        out
    }
}

/// Parse TIME text as MySQL does (see the module docs); `None` when it is not a time.
fn parse_time(text: &str) -> Option<Time> {
    let t = text.trim();
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t),
    };
    // A date-time: its time of day.
    if body.len() >= 10 && body.as_bytes()[4] == b'-' {
        let dt = datetimes(
            &ColumnarValue::Scalar(ScalarValue::Utf8(Some(body.to_string()))),
            1,
        )
        .ok()?
        .pop()??;
        let decimals = body.split_once('.').map_or(0, |(_, f)| f.len().min(6));
        let micros = i128::from(dt.num_seconds_from_midnight()) * 1_000_000
            + i128::from(dt.nanosecond() / 1000);
        return Some(Time { micros, decimals });
    }
    let (whole, fraction) = match body.split_once('.') {
        Some((w, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (w, f),
        Some(_) => return None,
        None => (body, ""),
    };
    let number = |s: &str| -> Option<i128> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (days, clock) = match whole.split_once(' ') {
        Some((d, c)) => (number(d)?, c.trim()),
        None => (0, whole),
    };
    let (h, m, s) = if clock.contains(':') {
        let parts: Vec<&str> = clock.split(':').collect();
        match parts.as_slice() {
            [h, m] => (number(h)?, number(m)?, 0),
            [h, m, s] => (number(h)?, number(m)?, number(s)?),
            _ => return None,
        }
    } else {
        // [[H]H]MMSS
        let n = number(clock)?;
        (n / 10_000, n / 100 % 100, n % 100)
    };
    if m > 59 || s > 59 {
        return None;
    }
    let digits = &fraction[..fraction.len().min(6)];
    let micros_part = if digits.is_empty() {
        0
    } else {
        digits.parse::<i128>().ok()? * 10i128.pow(6 - digits.len() as u32)
    };
    let micros = (((days * 24 + h) * 60 + m) * 60 + s) * 1_000_000 + micros_part;
    let t = Time::clamped(micros, digits.len());
    Some(Time {
        micros: if negative { -t.micros } else { t.micros },
        ..t
    })
}

/// An argument as TIME values.
fn times(value: &ColumnarValue, rows: usize) -> DFResult<Vec<Option<Time>>> {
    let array = value.to_array(rows)?;
    let micros_of_day = |unit: TimeUnit| -> DFResult<Vec<Option<Time>>> {
        let us = cast(&array, &DataType::Time64(TimeUnit::Microsecond))?;
        let us = cast(&us, &DataType::Int64)?;
        let us = us
            .as_any()
            .downcast_ref::<datafusion::arrow::array::Int64Array>()
            .expect("cast to Int64");
        let decimals = if unit == TimeUnit::Second { 0 } else { 6 };
        Ok(us
            .iter()
            .map(|v| {
                v.map(|v| Time {
                    micros: i128::from(v),
                    decimals: if v % 1_000_000 == 0 { 0 } else { decimals },
                })
            })
            .collect())
    };
    Ok(match array.data_type() {
        DataType::Time32(u) | DataType::Time64(u) => micros_of_day(*u)?,
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => datetimes(value, rows)?
            .into_iter()
            .map(|dt| {
                dt.map(|dt| {
                    let fraction = dt.nanosecond() / 1000;
                    Time {
                        micros: i128::from(dt.num_seconds_from_midnight()) * 1_000_000
                            + i128::from(fraction),
                        decimals: if fraction == 0 { 0 } else { 6 },
                    }
                })
            })
            .collect(),
        _ => texts(value, rows)?
            .iter()
            .map(|t| t.and_then(parse_time))
            .collect(),
    })
}

/// MySQL's week number (`calc_week`): `mode` bit 1 starts weeks on Monday, bit 2 numbers
/// weeks of the year they mostly fall in (1..=53, else 0..=53), bit 4 makes week 1 the
/// first with a start day (else the first with four or more days). Returns (year, week).
fn calc_week(date: NaiveDate, mode: u32) -> (i32, u32) {
    let monday_first = mode & 1 != 0;
    let mut week_year = mode & 2 != 0;
    let first_weekday = mode & 4 != 0;
    let days_in = |y: i32| {
        if NaiveDate::from_ymd_opt(y, 2, 29).is_some() {
            366
        } else {
            365
        }
    };
    let weekday_of = |d: NaiveDate| {
        if monday_first {
            d.weekday().num_days_from_monday() as i64
        } else {
            d.weekday().num_days_from_sunday() as i64
        }
    };
    let day_number = i64::from(date.num_days_from_ce());
    let mut year = date.year();
    let mut first = i64::from(
        NaiveDate::from_ymd_opt(year, 1, 1)
            .expect("1 January")
            .num_days_from_ce(),
    );
    let mut weekday = weekday_of(NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January"));
    let late_start =
        |weekday: i64| (first_weekday && weekday != 0) || (!first_weekday && weekday >= 4);
    if date.month() == 1 && i64::from(date.day()) <= 7 - weekday {
        if !week_year && late_start(weekday) {
            return (year, 0);
        }
        week_year = true;
        year -= 1;
        let days = days_in(year);
        first -= days;
        weekday = (weekday + 53 * 7 - days) % 7;
    }
    let days = if late_start(weekday) {
        day_number - (first + (7 - weekday))
    } else {
        day_number - (first - weekday)
    };
    if week_year && days >= 52 * 7 {
        let next = (weekday + days_in(year)) % 7;
        if !late_start(next) {
            return (year + 1, 1);
        }
    }
    (year, (days / 7 + 1) as u32)
}

/// `WEEK`'s mode as `calc_week` takes it: modes without the Monday bit flip bit 4.
fn week_mode(mode: i128) -> u32 {
    let mut m = (mode & 7) as u32;
    if m & 1 == 0 {
        m ^= 4;
    }
    m
}

/// A two-digit year as MySQL completes it: 00-69 are 2000-2069, 70-99 are 1970-1999.
fn full_year(year: i128) -> i128 {
    match year {
        0..=69 => year + 2000,
        70..=99 => year + 1900,
        _ => year,
    }
}

/// A period `YYMM` / `YYYYMM` as months since year 0.
fn period_months(p: i128) -> i128 {
    if p == 0 {
        return 0;
    }
    full_year(p / 100) * 12 + p % 100 - 1
}

/// Days since year 0 (`TO_DAYS`) to a date; `None` before year 1 or after 9999.
fn from_days(n: i128) -> Option<NaiveDate> {
    // TO_DAYS('0001-01-01') is 366.
    let d = NaiveDate::from_num_days_from_ce_opt(i32::try_from(n - 365).ok()?)?;
    (1..=9999).contains(&d.year()).then_some(d)
}

fn epoch_days(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
}

/// `sec_to_time`'s fraction digits: none for integers, the scale of a DECIMAL, 6 for
/// doubles and text.
fn seconds_decimals(t: &DataType) -> usize {
    match t {
        t if t.is_integer() => 0,
        DataType::Decimal128(_, s) | DataType::Decimal256(_, s) => (*s).clamp(0, 6) as usize,
        DataType::Null | DataType::Boolean => 0,
        _ => 6,
    }
}

fn ints(rows: impl IntoIterator<Item = Option<i64>>) -> ArrayRef {
    let mut out = Int64Builder::new();
    for r in rows {
        out.append_option(r);
    }
    Arc::new(out.finish())
}

fn strings(rows: impl IntoIterator<Item = Option<String>>) -> ArrayRef {
    let mut out = StringBuilder::new();
    for r in rows {
        out.append_option(r);
    }
    Arc::new(out.finish())
}

fn dates(rows: impl IntoIterator<Item = Option<NaiveDate>>) -> ArrayRef {
    let mut out = Date32Builder::new();
    for r in rows {
        out.append_option(r.map(epoch_days));
    }
    Arc::new(out.finish())
}

/// An optional integer argument, `default` when absent.
fn optional(
    args: &ScalarFunctionArgs,
    i: usize,
    rows: usize,
    default: i128,
) -> DFResult<Vec<Option<i128>>> {
    match args.args.get(i) {
        Some(v) => mysql_integers(v, rows),
        None => Ok(vec![Some(default); rows]),
    }
}

impl Compute for Kind {
    fn compute(self, args: &ScalarFunctionArgs, rows: usize) -> DFResult<ArrayRef> {
        let a = &args.args;
        let day_of = |dt: Option<NaiveDateTime>| dt.map(|d| d.date());
        Ok(match self {
            Kind::Week | Kind::YearWeek => {
                let days = datetimes(&a[0], rows)?;
                let modes = optional(args, 1, rows, 0)?;
                ints(days.into_iter().zip(modes).map(|(d, mode)| {
                    // A NULL mode is mode 0, as in MySQL.
                    let (d, mode) = (day_of(d)?, mode.unwrap_or(0));
                    Some(if self == Kind::Week {
                        i64::from(calc_week(d, week_mode(mode)).1)
                    } else {
                        let (y, w) = calc_week(d, week_mode(mode) | 2);
                        i64::from(y) * 100 + i64::from(w)
                    })
                }))
            }
            Kind::MakeDate => {
                let (years, days) = (mysql_integers(&a[0], rows)?, mysql_integers(&a[1], rows)?);
                dates(years.into_iter().zip(days).map(|(y, d)| {
                    let (y, d) = (full_year(y?), d?);
                    if d <= 0 || !(0..=9999).contains(&y) {
                        return None;
                    }
                    let jan1 = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, 1, 1)?;
                    let date =
                        jan1.checked_add_days(chrono::Days::new(u64::try_from(d - 1).ok()?))?;
                    (date.year() <= 9999).then_some(date)
                }))
            }
            Kind::FromDays => dates(
                mysql_integers(&a[0], rows)?
                    .into_iter()
                    .map(|n| from_days(n?)),
            ),
            Kind::ToSeconds => ints(datetimes(&a[0], rows)?.into_iter().map(|dt| {
                let dt = dt?;
                let days = i64::from(dt.date().num_days_from_ce()) + 365;
                Some(days * 86_400 + i64::from(dt.num_seconds_from_midnight()))
            })),
            Kind::PeriodAdd => {
                let (p, n) = (mysql_integers(&a[0], rows)?, mysql_integers(&a[1], rows)?);
                ints(p.into_iter().zip(n).map(|(p, n)| {
                    let (p, n) = (p?, n?);
                    if p == 0 {
                        return Some(0);
                    }
                    let months = period_months(p) + n;
                    i64::try_from(months / 12 * 100 + months % 12 + 1).ok()
                }))
            }
            Kind::PeriodDiff => {
                let (p, q) = (mysql_integers(&a[0], rows)?, mysql_integers(&a[1], rows)?);
                ints(
                    p.into_iter()
                        .zip(q)
                        .map(|(p, q)| i64::try_from(period_months(p?) - period_months(q?)).ok()),
                )
            }
            Kind::SecToTime => {
                let decimals = seconds_decimals(&a[0].data_type());
                let seconds = cast(&a[0].to_array(rows)?, &DataType::Float64)
                    .ok()
                    .map(|s| {
                        s.as_any()
                            .downcast_ref::<Float64Array>()
                            .expect("Float64")
                            .clone()
                    });
                let seconds: Vec<Option<f64>> = match seconds {
                    Some(s)
                        if !matches!(
                            a[0].data_type(),
                            DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8
                        ) =>
                    {
                        s.iter().collect()
                    }
                    _ => texts(&a[0], rows)?
                        .iter()
                        .map(|t| t.map(|t| t.trim().parse::<f64>().unwrap_or(0.0)))
                        .collect(),
                };
                strings(seconds.into_iter().map(|s| {
                    let micros = (s? * 1e6).round() as i128;
                    Some(Time::clamped(micros, decimals).render())
                }))
            }
            Kind::TimeToSec => ints(times(&a[0], rows)?.into_iter().map(|t| {
                let t = t?;
                Some((t.micros / 1_000_000) as i64)
            })),
            Kind::MakeTime => {
                let (h, m) = (mysql_integers(&a[0], rows)?, mysql_integers(&a[1], rows)?);
                let decimals = seconds_decimals(&a[2].data_type());
                let s = cast(&a[2].to_array(rows)?, &DataType::Float64)?;
                let s = s.as_any().downcast_ref::<Float64Array>().expect("Float64");
                strings((0..rows).map(|r| {
                    let (h, m) = (h[r]?, m[r]?);
                    if s.is_null(r) {
                        return None;
                    }
                    let s = s.value(r);
                    if !(0..60).contains(&m) || !(0.0..60.0).contains(&s) {
                        return None;
                    }
                    let micros = (h.abs() * 3600 + m * 60) * 1_000_000 + (s * 1e6).round() as i128;
                    let t = Time::clamped(micros, decimals);
                    Some(
                        Time {
                            micros: if h < 0 { -t.micros } else { t.micros },
                            ..t
                        }
                        .render(),
                    )
                }))
            }
            Kind::Time => strings(times(&a[0], rows)?.into_iter().map(|t| t.map(Time::render))),
            Kind::TimeDiff => {
                let (x, y) = (
                    timediff_operand(&a[0], rows)?,
                    timediff_operand(&a[1], rows)?,
                );
                strings(x.into_iter().zip(y).map(|(x, y)| {
                    let (x, y) = (x?, y?);
                    // A date-time less a time (or the reverse) is NULL.
                    if x.0 != y.0 {
                        return None;
                    }
                    let micros = x.1 - y.1;
                    Some(Time::clamped(micros, x.2.max(y.2)).render())
                }))
            }
            Kind::Microsecond => ints(
                times(&a[0], rows)?
                    .into_iter()
                    .map(|t| t.map(|t| (t.micros.abs() % 1_000_000) as i64)),
            ),
            Kind::ClockPart(field) => ints(times(&a[0], rows)?.into_iter().map(|t| {
                let seconds = (t?.micros.abs() / 1_000_000) as i64;
                Some(match field {
                    ClockField::Hour => seconds / 3600,
                    ClockField::Minute => seconds / 60 % 60,
                    ClockField::Second => seconds % 60,
                })
            })),
            Kind::Timestamp => {
                let start = datetimes(&a[0], rows)?;
                let add = match a.get(1) {
                    Some(t) => times(t, rows)?,
                    None => vec![
                        Some(Time {
                            micros: 0,
                            decimals: 0
                        });
                        rows
                    ],
                };
                let mut out = datafusion::arrow::array::TimestampMicrosecondBuilder::new();
                for (dt, t) in start.into_iter().zip(add) {
                    out.append_option(dt.zip(t).and_then(|(dt, t)| {
                        let us = i128::from(dt.and_utc().timestamp_micros()) + t.micros;
                        i64::try_from(us).ok()
                    }));
                }
                Arc::new(out.finish())
            }
            Kind::AddTime(subtract) => {
                let (x, t) = (
                    timediff_operand(&a[0], rows)?,
                    timediff_operand(&a[1], rows)?,
                );
                strings(x.into_iter().zip(t).map(|(x, t)| {
                    let ((is_datetime, micros, decimals), (t_is_datetime, t_micros, t_decimals)) =
                        (x?, t?);
                    // The second argument must be a TIME.
                    if t_is_datetime {
                        return None;
                    }
                    let sum = if subtract {
                        micros - t_micros
                    } else {
                        micros + t_micros
                    };
                    let decimals = decimals.max(t_decimals);
                    if is_datetime {
                        let dt =
                            DateTime::from_timestamp_micros(i64::try_from(sum).ok()?)?.naive_utc();
                        let mut text = dt.format("%Y-%m-%d %H:%M:%S").to_string();
                        if decimals > 0 {
                            let fraction = format!("{:06}", dt.nanosecond() / 1000);
                            text.push('.');
                            text.push_str(&fraction[..decimals]);
                        }
                        Some(text)
                    } else {
                        Some(Time::clamped(sum, decimals).render())
                    }
                }))
            }
        })
    }
}

/// A `timediff` operand: (whether it is a date-time, microseconds since 1970 for a
/// date-time or of the time, fraction digits).
fn timediff_operand(
    value: &ColumnarValue,
    rows: usize,
) -> DFResult<Vec<Option<(bool, i128, usize)>>> {
    let is_datetime_text = |t: &str| {
        let t = t.trim().trim_start_matches('-');
        t.len() >= 10 && t.as_bytes()[4] == b'-'
    };
    let datetime_micros = |dt: NaiveDateTime| i128::from(dt.and_utc().timestamp_micros());
    Ok(match value.data_type() {
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => datetimes(value, rows)?
            .into_iter()
            .map(|dt| {
                dt.map(|dt| {
                    (
                        true,
                        datetime_micros(dt),
                        if dt.nanosecond() == 0 { 0 } else { 6 },
                    )
                })
            })
            .collect(),
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 => {
            let text = texts(value, rows)?;
            let dts = datetimes(value, rows)?;
            let ts = times(value, rows)?;
            (0..rows)
                .map(|r| {
                    if text.is_null(r) {
                        return None;
                    }
                    let t = text.value(r);
                    if is_datetime_text(t) {
                        let decimals = t.split_once('.').map_or(0, |(_, f)| f.len().min(6));
                        dts[r].map(|dt| (true, datetime_micros(dt), decimals))
                    } else {
                        ts[r].map(|t| (false, t.micros, t.decimals))
                    }
                })
                .collect()
        }
        _ => times(value, rows)?
            .into_iter()
            .map(|t| t.map(|t| (false, t.micros, t.decimals)))
            .collect(),
    })
}

/// `utc_date()`, `utc_time([fsp])`, `utc_timestamp([fsp])`: the statement's start in UTC
/// (planned as a constant, as `NOW()` is), to `fsp` fraction digits (none by default).
#[derive(Debug, PartialEq, Eq, Hash)]
struct UtcClock {
    name: &'static str,
    result: DataType,
    signature: Signature,
}

impl UtcClock {
    fn value(&self, at: DateTime<Utc>, fsp: i64) -> ScalarValue {
        let unit = 10i64.pow(6 - fsp.clamp(0, 6) as u32);
        let micros = at.timestamp_micros() / unit * unit;
        match self.result {
            DataType::Date32 => ScalarValue::Date32(Some(epoch_days(at.date_naive()))),
            DataType::Time64(_) => {
                ScalarValue::Time64Nanosecond(Some(micros.rem_euclid(86_400_000_000) * 1000))
            }
            _ => ScalarValue::TimestampMicrosecond(Some(micros), None),
        }
    }
}

impl ScalarUDFImpl for UtcClock {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(self.result.clone())
    }

    fn simplify(&self, args: Vec<Expr>, info: &SimplifyContext) -> DFResult<ExprSimplifyResult> {
        let Some(at) = info.query_execution_start_time() else {
            return Ok(ExprSimplifyResult::Original(args));
        };
        let fsp = match args.first() {
            None => 0,
            Some(Expr::Literal(v, _)) => match v.cast_to(&DataType::Int64)? {
                ScalarValue::Int64(Some(n)) => n,
                _ => 0,
            },
            Some(_) => return Ok(ExprSimplifyResult::Original(args)),
        };
        Ok(ExprSimplifyResult::Simplified(Expr::Literal(
            self.value(at, fsp),
            None,
        )))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let fsp = match args.args.first() {
            Some(ColumnarValue::Scalar(v)) => match v.cast_to(&DataType::Int64)? {
                ScalarValue::Int64(Some(n)) => n,
                _ => 0,
            },
            _ => 0,
        };
        Ok(ColumnarValue::Scalar(self.value(Utc::now(), fsp)))
    }
}

fn utc_clock(name: &'static str, result: DataType) -> ScalarUDF {
    let shapes = if result == DataType::Date32 {
        vec![TypeSignature::Nullary]
    } else {
        vec![TypeSignature::Nullary, TypeSignature::Any(1)]
    };
    ScalarUDF::new_from_impl(UtcClock {
        name,
        result,
        signature: Signature::one_of(shapes, Volatility::Stable),
    })
}

/// `hour(x)`, `minute(x)` or `second(x)` of a TIME given as text or a number (`HOUR` of
/// `'272:59:59'` is 272), for `datetime`'s field extractors.
pub fn clock_part(field: ClockField) -> ScalarUDF {
    let name = match field {
        ClockField::Hour => "mysql_time_hour",
        ClockField::Minute => "mysql_time_minute",
        ClockField::Second => "mysql_time_second",
    };
    udf(name, &[], &[1], DataType::Int64, Kind::ClockPart(field))
}

/// The week, day-number and TIME functions, to register in every session.
pub fn time_functions() -> Vec<ScalarUDF> {
    let (int, text, date) = (DataType::Int64, DataType::Utf8, DataType::Date32);
    vec![
        udf("week", &[], &[1, 2], int.clone(), Kind::Week),
        udf("yearweek", &[], &[1, 2], int.clone(), Kind::YearWeek),
        udf("makedate", &[], &[2], date.clone(), Kind::MakeDate),
        udf("from_days", &[], &[1], date.clone(), Kind::FromDays),
        udf("to_seconds", &[], &[1], int.clone(), Kind::ToSeconds),
        udf("period_add", &[], &[2], int.clone(), Kind::PeriodAdd),
        udf("period_diff", &[], &[2], int.clone(), Kind::PeriodDiff),
        udf("sec_to_time", &[], &[1], text.clone(), Kind::SecToTime),
        udf("time_to_sec", &[], &[1], int.clone(), Kind::TimeToSec),
        udf("maketime", &[], &[3], text.clone(), Kind::MakeTime),
        udf("time", &[], &[1], text.clone(), Kind::Time),
        udf("timediff", &[], &[2], text.clone(), Kind::TimeDiff),
        udf("microsecond", &[], &[1], int, Kind::Microsecond),
        udf(
            "timestamp",
            &[],
            &[1, 2],
            DataType::Timestamp(TimeUnit::Microsecond, None),
            Kind::Timestamp,
        ),
        udf("addtime", &[], &[2], text.clone(), Kind::AddTime(false)),
        udf("subtime", &[], &[2], text.clone(), Kind::AddTime(true)),
        clock_part(ClockField::Hour),
        clock_part(ClockField::Minute),
        clock_part(ClockField::Second),
        utc_clock("utc_date", date),
        // Nanoseconds, as `CAST(x AS TIME)` and `CURTIME()` have.
        utc_clock("utc_time", DataType::Time64(TimeUnit::Nanosecond)),
        utc_clock(
            "utc_timestamp",
            DataType::Timestamp(TimeUnit::Microsecond, None),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(y: i32, m: u32, d: u32, mode: i128) -> u32 {
        calc_week(NaiveDate::from_ymd_opt(y, m, d).unwrap(), week_mode(mode)).1
    }

    #[test]
    fn weeks_and_times() {
        assert_eq!(week(2024, 1, 1, 0), 0);
        assert_eq!(week(2024, 1, 1, 3), 1);
        assert_eq!(
            calc_week(
                NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                week_mode(0) | 2
            ),
            (2023, 53)
        );
        assert_eq!(
            parse_time("-25:00:00").map(|t| t.render()).as_deref(),
            Some("-25:00:00")
        );
        assert_eq!(
            parse_time("1 02:03:04.5").map(|t| t.render()).as_deref(),
            Some("26:03:04.5")
        );
        assert_eq!(parse_time("10:61:00"), None);
        assert_eq!(Time::clamped(4_000_000_000_000, 0).render(), "838:59:59");
        assert_eq!(from_days(739_252), NaiveDate::from_ymd_opt(2024, 1, 2));
        assert_eq!(period_months(202_403) - period_months(202_401), 2);
    }
}

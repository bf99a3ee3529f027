//! MySQL / StarRocks date functions that DataFusion lacks or spells differently:
//! `date_add` / `adddate` / `date_sub` / `subdate` with an `INTERVAL` (or a number of days),
//! and the field extractors `year`, `quarter`, `month`, `day` / `dayofmonth`, `dayofweek`,
//! `dayofyear`, `hour`, `minute`, `second` (of a TIME as text or a number:
//! [`super::mysql_time::clock_part`]).
//!
//! All are immutable, so calls on literals fold to constants at plan time and filters such
//! as `l_shipdate <= date_sub('1998-12-01', interval 90 day)` still prune files.

use std::sync::Arc;

use super::mysql_time::{clock_part, ClockField};
use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::compute::kernels::numeric;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, IntervalMonthDayNano, TimeUnit};
use datafusion::common::{exec_err, plan_err, ScalarValue};
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{
    cast, lit, ColumnarValue, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature, TypeSignature, Volatility,
};

const DATETIME: DataType = DataType::Timestamp(TimeUnit::Microsecond, None);

/// `date_add(x, INTERVAL n unit)` and friends: `x` plus (or minus) an interval.
#[derive(Debug, PartialEq, Eq, Hash)]
struct DateArithmetic {
    name: &'static str,
    aliases: Vec<String>,
    subtract: bool,
    signature: Signature,
}

/// Whether a string literal is a date without a time of day (`'1998-12-01'`).
fn is_date_text(value: Option<&ScalarValue>) -> bool {
    value
        .and_then(|v| v.try_as_str().flatten())
        .is_some_and(|s| s.trim().len() <= 10)
}

/// The interval an argument stands for; a plain number is a number of days (`adddate`).
fn interval_of(value: &ScalarValue) -> DFResult<Option<IntervalMonthDayNano>> {
    Ok(match value {
        ScalarValue::IntervalMonthDayNano(v) => *v,
        ScalarValue::IntervalYearMonth(v) => v.map(|m| IntervalMonthDayNano::new(m, 0, 0)),
        ScalarValue::IntervalDayTime(v) => {
            v.map(|d| IntervalMonthDayNano::new(0, d.days, d.milliseconds as i64 * 1_000_000))
        }
        v if v.data_type().is_integer() => match v.cast_to(&DataType::Int32)? {
            ScalarValue::Int32(days) => days.map(|d| IntervalMonthDayNano::new(0, d, 0)),
            _ => unreachable!("cast to Int32"),
        },
        other => return exec_err!("expected an INTERVAL, got {other}"),
    })
}

impl DateArithmetic {
    /// DATE when both the start and the interval are whole days, else DATETIME.
    fn result_type(
        &self,
        start: &DataType,
        start_value: Option<&ScalarValue>,
        step: Option<&ScalarValue>,
    ) -> DataType {
        let whole_days = match step {
            Some(v) => matches!(interval_of(v), Ok(Some(i)) if i.nanoseconds == 0),
            None => false,
        };
        let date_start = match start {
            DataType::Date32 | DataType::Date64 => true,
            DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 => is_date_text(start_value),
            _ => false,
        };
        if whole_days && date_start {
            DataType::Date32
        } else {
            DATETIME
        }
    }
}

impl ScalarUDFImpl for DateArithmetic {
    fn name(&self) -> &str {
        self.name
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DFResult<DataType> {
        unreachable!("return_field_from_args is implemented")
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DFResult<FieldRef> {
        let (start, step) = match args.arg_fields {
            [start, step] | [start, step, _] => (start, step),
            _ => return plan_err!("{} takes two arguments", self.name),
        };
        if !step.data_type().is_integer() && !matches!(step.data_type(), DataType::Interval(_)) {
            return plan_err!("{}: the second argument must be an INTERVAL", self.name);
        }
        // A third argument names the unit of a per-row interval (`INTERVAL n DAY` with a
        // column `n`, see `mysql_functions`); a per-row number is a number of days.
        let unit = args
            .scalar_arguments
            .get(2)
            .copied()
            .flatten()
            .and_then(|v| v.try_as_str().flatten())
            .map(str::to_ascii_lowercase);
        let per_row_days = match unit.as_deref() {
            Some(u) => ["day", "week", "month", "quarter", "year"].contains(&u),
            None => args.scalar_arguments[1].is_none() && step.data_type().is_integer(),
        };
        let t = if per_row_days {
            let one_day = ScalarValue::Int32(Some(1));
            self.result_type(start.data_type(), args.scalar_arguments[0], Some(&one_day))
        } else {
            self.result_type(
                start.data_type(),
                args.scalar_arguments[0],
                args.scalar_arguments[1],
            )
        };
        Ok(Arc::new(Field::new(self.name, t, true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let target = args.return_field.data_type().clone();
        let (start, step) = match args.args.as_slice() {
            [start, step] | [start, step, _] => (start, step),
            _ => return exec_err!("{} takes two arguments", self.name),
        };
        // The interval is a constant in practice; a column of intervals is applied per row.
        let step = match step {
            ColumnarValue::Scalar(v) => {
                let interval = interval_of(v)?;
                ColumnarValue::Scalar(ScalarValue::IntervalMonthDayNano(interval))
            }
            ColumnarValue::Array(a) if a.data_type().is_integer() => {
                // A number of days per row (adddate(d, n)).
                let days = datafusion::arrow::compute::cast(a, &DataType::Int32)?;
                let days = days
                    .as_any()
                    .downcast_ref::<datafusion::arrow::array::Int32Array>()
                    .expect("cast to Int32");
                let intervals: datafusion::arrow::array::IntervalMonthDayNanoArray = days
                    .iter()
                    .map(|d| d.map(|d| IntervalMonthDayNano::new(0, d, 0)))
                    .collect();
                ColumnarValue::Array(Arc::new(intervals))
            }
            ColumnarValue::Array(a) => ColumnarValue::Array(datafusion::arrow::compute::cast(
                a,
                &DataType::Interval(datafusion::arrow::datatypes::IntervalUnit::MonthDayNano),
            )?),
        };
        let start = start.cast_to(&target, None)?;
        let rows = args.number_rows;
        let (l, r) = (start.to_array(rows)?, step.to_array(rows)?);
        let out: ArrayRef = if self.subtract {
            numeric::sub(&l, &r)?
        } else {
            numeric::add(&l, &r)?
        };
        let out = datafusion::arrow::compute::cast(&out, &target)?;
        if matches!(
            (&start, &step),
            (ColumnarValue::Scalar(_), ColumnarValue::Scalar(_))
        ) {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        } else {
            debug_assert_eq!(out.len(), rows);
            Ok(ColumnarValue::Array(out))
        }
    }
}

fn arithmetic(name: &'static str, aliases: &[&str], subtract: bool) -> ScalarUDF {
    ScalarUDF::new_from_impl(DateArithmetic {
        name,
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        subtract,
        signature: Signature::one_of(
            vec![TypeSignature::Any(2), TypeSignature::Any(3)],
            Volatility::Immutable,
        ),
    })
}

/// A MySQL field extractor (`year(x)`), planned as `date_part` on a DATE or DATETIME.
#[derive(Debug, PartialEq, Eq, Hash)]
struct DateField {
    name: &'static str,
    aliases: Vec<String>,
    /// The `date_part` field.
    part: &'static str,
    /// Added to `date_part`'s answer (`dayofweek` counts from 1 = Sunday).
    offset: i32,
    signature: Signature,
}

impl ScalarUDFImpl for DateField {
    fn name(&self) -> &str {
        self.name
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(DataType::Int32)
    }

    fn simplify(&self, args: Vec<Expr>, info: &SimplifyContext) -> DFResult<ExprSimplifyResult> {
        let [arg] = args.as_slice() else {
            return plan_err!("{} takes one argument", self.name);
        };
        let data_type = info.get_data_type(arg)?;
        // HOUR / MINUTE / SECOND of a TIME written as text or a number (`'272:59:59'`,
        // `103000`) read it as MySQL reads a TIME.
        let clock = match self.part {
            "hour" => Some(ClockField::Hour),
            "minute" => Some(ClockField::Minute),
            "second" => Some(ClockField::Second),
            _ => None,
        };
        if let Some(field) = clock {
            if data_type.is_null() || data_type.is_numeric() || data_type.is_string() {
                let value = clock_part(field).call(vec![arg.clone()]);
                return Ok(ExprSimplifyResult::Simplified(cast(value, DataType::Int32)));
            }
        }
        let arg = match data_type {
            DataType::Date32
            | DataType::Date64
            | DataType::Timestamp(..)
            | DataType::Time32(_)
            | DataType::Time64(_) => arg.clone(),
            _ => cast(arg.clone(), DATETIME),
        };
        let part = datafusion::functions::datetime::date_part().call(vec![lit(self.part), arg]);
        let mut value = cast(part, DataType::Int32);
        if self.offset != 0 {
            value = value + lit(self.offset);
        }
        Ok(ExprSimplifyResult::Simplified(value))
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        exec_err!("{} is planned as date_part", self.name)
    }
}

fn field(name: &'static str, aliases: &[&str], part: &'static str, offset: i32) -> ScalarUDF {
    ScalarUDF::new_from_impl(DateField {
        name,
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        part,
        offset,
        signature: Signature::any(1, Volatility::Immutable),
    })
}

/// The date functions, to register in every session.
pub fn date_functions() -> Vec<ScalarUDF> {
    vec![
        arithmetic("date_add", &["adddate", "days_add"], false),
        arithmetic("date_sub", &["subdate", "days_sub"], true),
        field("year", &[], "year", 0),
        field("quarter", &[], "quarter", 0),
        field("month", &[], "month", 0),
        field("day", &["dayofmonth"], "day", 0),
        field("dayofweek", &[], "dow", 1),
        field("dayofyear", &[], "doy", 0),
        field("hour", &[], "hour", 0),
        field("minute", &[], "minute", 0),
        field("second", &[], "second", 0),
    ]
}

//! Dates and times in numeric context are numbers, as in MySQL: a DATE is `YYYYMMDD`, a
//! DATETIME `YYYYMMDDhhmmss` and a TIME `hhmmss` (`CURTIME() + 0`, `NOW() * 1`,
//! `CURDATE() - 1`). Arithmetic with a number, a string or another date converts each
//! temporal operand with [`TEMPORAL_NUMBER`] before MySQL's arithmetic applies; `date +
//! INTERVAL ...` stays date arithmetic. Fractions of a second are dropped (MySQL keeps
//! them as DECIMAL digits for DATETIME(n) and TIME(n) values).

use std::sync::Arc;

use chrono::{Datelike, Timelike};
use datafusion::arrow::array::{ArrayRef, AsArray, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Time64MicrosecondType, TimeUnit, TimestampMicrosecondType,
};
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The function turning a date or time into MySQL's number for it.
pub const TEMPORAL_NUMBER: &str = "mysql_temporal_number";

/// Whether values of `t` are dates or times that numeric context turns into numbers.
pub fn is_temporal(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Date32
            | DataType::Date64
            | DataType::Timestamp(..)
            | DataType::Time32(_)
            | DataType::Time64(_)
    )
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct TemporalNumber {
    signature: Signature,
}

fn date_number(d: chrono::NaiveDate) -> i64 {
    d.year() as i64 * 10_000 + d.month() as i64 * 100 + d.day() as i64
}

fn time_number(t: chrono::NaiveTime) -> i64 {
    t.hour() as i64 * 10_000 + t.minute() as i64 * 100 + t.second() as i64
}

/// MySQL's numbers for the values of `array`.
fn numbers(array: &ArrayRef) -> DFResult<ArrayRef> {
    let out: Int64Array = match array.data_type() {
        DataType::Date32 | DataType::Date64 => cast(array, &DataType::Date32)?
            .as_primitive::<Date32Type>()
            .iter()
            .map(|d| d.and_then(|d| Date32Type::to_naive_date_opt(d).map(date_number)))
            .collect(),
        DataType::Timestamp(..) => cast(array, &DataType::Timestamp(TimeUnit::Microsecond, None))?
            .as_primitive::<TimestampMicrosecondType>()
            .iter()
            .map(|v| {
                let t = chrono::DateTime::from_timestamp_micros(v?)?.naive_utc();
                Some(date_number(t.date()) * 1_000_000 + time_number(t.time()))
            })
            .collect(),
        _ => cast(array, &DataType::Time64(TimeUnit::Microsecond))?
            .as_primitive::<Time64MicrosecondType>()
            .iter()
            .map(|v| {
                let secs = u32::try_from(v? / 1_000_000).ok()?;
                chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).map(time_number)
            })
            .collect(),
    };
    Ok(Arc::new(out))
}

impl ScalarUDFImpl for TemporalNumber {
    fn name(&self) -> &str {
        TEMPORAL_NUMBER
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        crate::functions::args::evaluate(&args, |rows| numbers(&args.args[0].to_array(rows)?))
    }
}

pub fn temporal_number_udf() -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::new_from_impl(TemporalNumber {
        signature: Signature::any(1, Volatility::Immutable),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Array;

    #[test]
    fn mysql_numbers() {
        let date: ArrayRef = Arc::new(datafusion::arrow::array::Date32Array::from(vec![
            Some(19724),
            None,
        ]));
        let n = numbers(&date).unwrap();
        let n = n.as_any().downcast_ref::<Int64Array>().unwrap();
        assert_eq!(n.value(0), 20240102);
        assert!(n.is_null(1));
        let ts: ArrayRef = Arc::new(datafusion::arrow::array::TimestampSecondArray::from(vec![
            1_704_164_645,
        ]));
        let n = numbers(&ts).unwrap();
        assert_eq!(
            n.as_any().downcast_ref::<Int64Array>().unwrap().value(0),
            20240102030405
        );
    }
}

//! MySQL arithmetic where DataFusion's differs:
//!
//! - `/` is exact: integers and DECIMALs divide into a DECIMAL whose scale is the
//!   dividend's plus `div_precision_increment` (default 4), rounded half away from zero
//!   (`7/2` = 3.5000); with a DOUBLE or string operand it is DOUBLE division.
//! - `DIV` is integer division truncating toward zero, computed exactly (`7.5 DIV 2` = 3).
//! - `%` / `MOD` keep the dividend's sign; integers give BIGINT.
//! - Division or MOD by zero is NULL with warning 1365.
//! - Integer `+ - *` are BIGINT and fail with 1690 on overflow instead of wrapping.
//!
//! Each is one scalar function ([`Arithmetic`]) that [`super::MysqlSemantics`] plans in
//! place of the operator. A chain of one operator is one call of many arguments, folded
//! left to right (`a + b + c` is `mysql_add(a, b, c)`): DataFusion types and names a
//! nested call again at every level, so a 10,000-term sum planned as nested calls took
//! seconds (see [`chain`]).

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Decimal128Builder, Float64Array, Float64Builder, Int64Builder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::i256;
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Float64Type, Int64Type};
use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use lakestar_engine::error::{Error, Reason};
use lakestar_engine::warnings::{WarningKind, Warnings};

use super::conversion::{is_string, parse_number_prefix};
use crate::functions::args::evaluate;

/// The operators computed MySQL's way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Divide,
    IntDivide,
    Modulo,
    Add,
    Subtract,
    Multiply,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Divide => "/",
            Op::IntDivide => "DIV",
            Op::Modulo => "%",
            Op::Add => "+",
            Op::Subtract => "-",
            Op::Multiply => "*",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Op::Divide => "mysql_divide",
            Op::IntDivide => "mysql_int_divide",
            Op::Modulo => "mysql_mod",
            Op::Add => "mysql_add",
            Op::Subtract => "mysql_subtract",
            Op::Multiply => "mysql_multiply",
        }
    }
}

/// How an operand takes part in arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Num {
    /// An integer type (or NULL / BOOLEAN), with the decimal digits it can hold.
    Integer(u8),
    /// A DECIMAL(precision, scale).
    Decimal(u8, i8),
    /// DOUBLE arithmetic: floats and strings.
    Approx,
}

/// The arithmetic class of a type; None for types MySQL arithmetic does not cover here
/// (dates, intervals, ...), which are left to DataFusion.
pub fn class(t: &DataType) -> Option<Num> {
    Some(match t {
        DataType::Null | DataType::Boolean => Num::Integer(1),
        DataType::Int8 | DataType::UInt8 => Num::Integer(3),
        DataType::Int16 | DataType::UInt16 => Num::Integer(5),
        DataType::Int32 | DataType::UInt32 => Num::Integer(10),
        DataType::Int64 => Num::Integer(19),
        DataType::UInt64 => Num::Integer(20),
        DataType::Decimal32(p, s) | DataType::Decimal64(p, s) | DataType::Decimal128(p, s)
            if *s >= 0 =>
        {
            Num::Decimal(*p, *s)
        }
        DataType::Float16 | DataType::Float32 | DataType::Float64 | DataType::Decimal256(..) => {
            Num::Approx
        }
        t if is_string(t) => Num::Approx,
        _ => return None,
    })
}

fn exact(n: Num) -> Option<(u8, i8)> {
    match n {
        Num::Integer(p) => Some((p, 0)),
        Num::Decimal(p, s) => Some((p, s)),
        Num::Approx => None,
    }
}

/// `x` rounded up to whole 9-digit groups, as MySQL's decimals are stored.
fn groups_of_nine(x: i32) -> i32 {
    (x + 8) / 9 * 9
}

/// The scale MySQL computes an exact division at: the operands' scales rounded up to
/// whole 9-digit groups, plus what is left of `div_precision_increment`, again rounded up
/// to 9-digit groups (`strings/decimal.cc`, `do_div_mod`). `57/17` is computed as
/// 3.352941176 and shown as 3.3529 (see [`super::decimals`]).
pub(crate) fn internal_scale(s1: i32, s2: i32, increment: i32) -> i32 {
    let (f1, f2) = (groups_of_nine(s1), groups_of_nine(s2));
    let increment = (increment - (f1 - s1) - (f2 - s2)).max(0);
    groups_of_nine(f1 + f2 + increment)
}

/// The scale MySQL declares for `a / b`: the dividend's plus `div_precision_increment`.
pub fn declared_divide_scale(s1: i8, increment: u8) -> i8 {
    (s1 as i32 + increment as i32).min(30) as i8
}

/// Precision and scale an exact division is computed at, if it fits a DECIMAL128, and
/// whether that is MySQL's full internal scale (then digits beyond it are truncated, as
/// MySQL does; otherwise the last digit is rounded).
fn divide_type(a: (u8, i8), b: (u8, i8), increment: u8) -> Option<(u8, i8, bool)> {
    let (p1, s1) = (a.0 as i32, a.1 as i32);
    let s2 = b.1 as i32;
    let internal = internal_scale(s1, s2, increment as i32);
    let integer_digits = (p1 - s1).max(1) + s2;
    let scale = internal.min(38 - integer_digits);
    if scale < s1 {
        return None;
    }
    Some((
        (integer_digits + scale).clamp(1, 38) as u8,
        scale as i8,
        scale == internal,
    ))
}

/// Precision and scale of a DECIMAL `+`, `-` or `*`, if it fits a DECIMAL128.
fn sum_product_type(op: Op, a: (u8, i8), b: (u8, i8)) -> Option<(u8, i8)> {
    let (p1, s1, p2, s2) = (a.0 as i32, a.1 as i32, b.0 as i32, b.1 as i32);
    let (digits, scale) = match op {
        Op::Multiply => (p1 - s1 + p2 - s2, s1 + s2),
        _ => ((p1 - s1).max(p2 - s2) + 1, s1.max(s2)),
    };
    // MySQL's DECIMAL holds 65 digits, Arrow's DECIMAL128 38: a wider result is declared
    // 38 digits wide and overflows (error 1690) only when a value does not fit.
    (scale <= 30).then(|| ((digits + scale).clamp(1, 38) as u8, scale as i8))
}

fn modulo_type(a: (u8, i8), b: (u8, i8)) -> (u8, i8) {
    let scale = a.1.max(b.1);
    let digits = (a.0 as i32 - a.1 as i32).max(b.0 as i32 - b.1 as i32);
    ((digits + scale as i32).clamp(1, 38) as u8, scale)
}

/// One MySQL arithmetic operator as a function of two arguments.
#[derive(Debug)]
pub struct Arithmetic {
    op: Op,
    increment: u8,
    signature: Signature,
    warnings: Warnings,
}

impl PartialEq for Arithmetic {
    fn eq(&self, other: &Self) -> bool {
        self.op == other.op && self.increment == other.increment
    }
}
impl Eq for Arithmetic {}
impl std::hash::Hash for Arithmetic {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.op.hash(state);
        self.increment.hash(state);
    }
}

impl Arithmetic {
    /// `div_precision_increment` this function divides with.
    pub fn increment(&self) -> u8 {
        self.increment
    }
}

/// The function computing `op`, raising warnings into `warnings`.
pub fn arithmetic_udf(op: Op, increment: u8, warnings: &Warnings) -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::new_from_impl(Arithmetic {
        op,
        increment,
        signature: Signature::variadic_any(Volatility::Immutable),
        warnings: warnings.clone(),
    }))
}

/// What a result is computed as.
enum Plan {
    Int,
    Decimal {
        a: (u8, i8),
        b: (u8, i8),
        out: (u8, i8),
        /// Division: truncate beyond the scale (MySQL's internal scale) or round.
        truncate: bool,
    },
    Double,
}

impl Arithmetic {
    fn plan(&self, a: &DataType, b: &DataType) -> DFResult<Plan> {
        let (Some(ca), Some(cb)) = (class(a), class(b)) else {
            return Err(DataFusionError::Plan(format!(
                "{} cannot be applied to {a} and {b}",
                self.op.symbol()
            )));
        };
        let ints = matches!((ca, cb), (Num::Integer(_), Num::Integer(_)));
        Ok(match (self.op, exact(ca), exact(cb)) {
            (Op::Add | Op::Subtract | Op::Multiply, _, _) if ints => Plan::Int,
            (Op::IntDivide, _, _) if ints => Plan::Int,
            (Op::Modulo, _, _) if ints => Plan::Int,
            (Op::Divide, Some(x), Some(y)) => match divide_type(x, y, self.increment) {
                Some((p, s, truncate)) => Plan::Decimal {
                    a: x,
                    b: y,
                    out: (p, s),
                    truncate,
                },
                None => Plan::Double,
            },
            // Planned as integers before coercion widened an operand (a CASE with a
            // DECIMAL branch): exact DECIMAL arithmetic, as MySQL does it.
            (Op::Add | Op::Subtract | Op::Multiply, Some(x), Some(y)) => {
                match sum_product_type(self.op, x, y) {
                    Some(out) => Plan::Decimal {
                        a: x,
                        b: y,
                        out,
                        truncate: true,
                    },
                    None => Plan::Double,
                }
            }
            (Op::Modulo | Op::IntDivide, Some(x), Some(y)) => Plan::Decimal {
                a: x,
                b: y,
                out: modulo_type(x, y),
                truncate: true,
            },
            _ => Plan::Double,
        })
    }

    fn divide_by_zero(&self) {
        self.warnings
            .push(WarningKind::DivisionByZero, || "Division by 0".to_string());
    }

    fn doubles(&self, array: &ArrayRef) -> DFResult<Float64Array> {
        if is_string(array.data_type()) {
            let text = cast(array, &DataType::Utf8)?;
            let text = text.as_string::<i32>();
            let mut out = Float64Builder::with_capacity(text.len());
            for v in text.iter() {
                match v {
                    None => out.append_null(),
                    Some(s) => {
                        let (value, complete) = parse_number_prefix(s);
                        if !complete {
                            self.warnings.push(WarningKind::TruncatedValue, || {
                                format!("Truncated incorrect DOUBLE value: '{s}'")
                            });
                        }
                        out.append_value(value);
                    }
                }
            }
            return Ok(out.finish());
        }
        Ok(cast(array, &DataType::Float64)?
            .as_primitive::<Float64Type>()
            .clone())
    }

    /// Error 1690 for `a op b`, computed as DECIMALs (`decimal`) or integers.
    fn overflow(
        &self,
        decimal: bool,
        a: impl std::fmt::Display,
        b: impl std::fmt::Display,
    ) -> DataFusionError {
        let kind = match self.op {
            Op::IntDivide => "BIGINT",
            _ if decimal => "DECIMAL",
            _ => "BIGINT",
        };
        Error::user(
            Reason::NumericOverflow,
            format!(
                "{kind} value is out of range in '({a} {} {b})'",
                self.op.symbol()
            ),
        )
        .into_datafusion()
    }

    fn integers(&self, a: &ArrayRef, b: &ArrayRef) -> DFResult<ArrayRef> {
        let a = cast(a, &DataType::Int64)?;
        let b = cast(b, &DataType::Int64)?;
        let (a, b) = (a.as_primitive::<Int64Type>(), b.as_primitive::<Int64Type>());
        let mut out = Int64Builder::with_capacity(a.len());
        for (x, y) in a.iter().zip(b.iter()) {
            let (Some(x), Some(y)) = (x, y) else {
                out.append_null();
                continue;
            };
            let value = match self.op {
                Op::Add => x.checked_add(y),
                Op::Subtract => x.checked_sub(y),
                Op::Multiply => x.checked_mul(y),
                Op::IntDivide | Op::Modulo | Op::Divide if y == 0 => {
                    self.divide_by_zero();
                    out.append_null();
                    continue;
                }
                Op::IntDivide | Op::Divide => x.checked_div(y),
                Op::Modulo => Some(x.wrapping_rem(y)),
            };
            match value {
                Some(v) => out.append_value(v),
                None => return Err(self.overflow(false, x, y)),
            }
        }
        Ok(Arc::new(out.finish()))
    }

    fn decimals(
        &self,
        a: &ArrayRef,
        b: &ArrayRef,
        (pa, sa): (u8, i8),
        (pb, sb): (u8, i8),
        (p, s): (u8, i8),
        truncate: bool,
    ) -> DFResult<ArrayRef> {
        let a = cast(a, &DataType::Decimal128(pa.max(1), sa))?;
        let b = cast(b, &DataType::Decimal128(pb.max(1), sb))?;
        let (a, b) = (
            a.as_primitive::<Decimal128Type>(),
            b.as_primitive::<Decimal128Type>(),
        );
        let ten = i256::from_i128(10);
        let pow = |e: i32| ten.wrapping_pow(e.max(0) as u32);
        let mut ints = Int64Builder::with_capacity(a.len());
        let mut out = Decimal128Builder::with_capacity(a.len());
        for (x, y) in a.iter().zip(b.iter()) {
            let (Some(x), Some(y)) = (x, y) else {
                out.append_null();
                ints.append_null();
                continue;
            };
            if y == 0 && matches!(self.op, Op::Divide | Op::IntDivide | Op::Modulo) {
                self.divide_by_zero();
                out.append_null();
                ints.append_null();
                continue;
            }
            let (x, y) = (i256::from_i128(x), i256::from_i128(y));
            let display = || (format_decimal(x, sa), format_decimal(y, sb));
            match self.op {
                Op::Divide => {
                    // x·10^-sa / (y·10^-sb) = (x·10^(s+sb-sa) / y)·10^-s
                    let num = x.wrapping_mul(pow(s as i32 + sb as i32 - sa as i32));
                    let q = num.wrapping_div(y);
                    let r = num.wrapping_rem(y);
                    let q = if !truncate
                        && r.wrapping_abs().wrapping_mul(i256::from_i128(2)) >= y.wrapping_abs()
                    {
                        q.wrapping_add(num.signum().wrapping_mul(y.signum()))
                    } else {
                        q
                    };
                    match q.to_i128() {
                        Some(v) => out.append_value(v),
                        None => {
                            let (x, y) = display();
                            return Err(self.overflow(true, x, y));
                        }
                    }
                }
                Op::IntDivide => {
                    let common = sa.max(sb) as i32;
                    let x = x.wrapping_mul(pow(common - sa as i32));
                    let y = y.wrapping_mul(pow(common - sb as i32));
                    match x
                        .wrapping_div(y)
                        .to_i128()
                        .and_then(|v| i64::try_from(v).ok())
                    {
                        Some(v) => ints.append_value(v),
                        None => {
                            let (x, y) = display();
                            return Err(self.overflow(true, x, y));
                        }
                    }
                }
                Op::Add | Op::Subtract | Op::Multiply => {
                    let value = match self.op {
                        Op::Multiply => x.wrapping_mul(y),
                        op => {
                            let x = x.wrapping_mul(pow(s as i32 - sa as i32));
                            let y = y.wrapping_mul(pow(s as i32 - sb as i32));
                            match op {
                                Op::Add => x.wrapping_add(y),
                                _ => x.wrapping_sub(y),
                            }
                        }
                    };
                    let limit = pow(p as i32);
                    match value.to_i128() {
                        Some(v) if value.wrapping_abs() < limit => out.append_value(v),
                        _ => {
                            let (x, y) = display();
                            return Err(self.overflow(true, x, y));
                        }
                    }
                }
                _ => {
                    let x = x.wrapping_mul(pow(s as i32 - sa as i32));
                    let y = y.wrapping_mul(pow(s as i32 - sb as i32));
                    match x.wrapping_rem(y).to_i128() {
                        Some(v) => out.append_value(v),
                        None => {
                            let (x, y) = display();
                            return Err(self.overflow(true, x, y));
                        }
                    }
                }
            }
        }
        if self.op == Op::IntDivide {
            return Ok(Arc::new(ints.finish()));
        }
        Ok(Arc::new(out.finish().with_precision_and_scale(p, s)?))
    }

    fn doubles_op(&self, a: &ArrayRef, b: &ArrayRef) -> DFResult<ArrayRef> {
        let (a, b) = (self.doubles(a)?, self.doubles(b)?);
        if self.op == Op::IntDivide {
            let mut out = Int64Builder::with_capacity(a.len());
            for (x, y) in a.iter().zip(b.iter()) {
                match (x, y) {
                    (Some(_), Some(0.0)) => {
                        self.divide_by_zero();
                        out.append_null();
                    }
                    (Some(x), Some(y)) => {
                        let q = (x / y).trunc();
                        if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&q) {
                            return Err(self.overflow(true, x, y));
                        }
                        out.append_value(q as i64);
                    }
                    _ => out.append_null(),
                }
            }
            return Ok(Arc::new(out.finish()));
        }
        let mut out = Float64Builder::with_capacity(a.len());
        for (x, y) in a.iter().zip(b.iter()) {
            match (x, y) {
                (Some(_), Some(y)) if y == 0.0 && matches!(self.op, Op::Divide | Op::Modulo) => {
                    self.divide_by_zero();
                    out.append_null();
                }
                (Some(x), Some(y)) => out.append_value(match self.op {
                    Op::Divide => x / y,
                    Op::Modulo => x % y,
                    Op::Add => x + y,
                    Op::Subtract => x - y,
                    _ => x * y,
                }),
                _ => out.append_null(),
            }
        }
        Ok(Arc::new(out.finish()))
    }
}

impl Arithmetic {
    /// The type of `a op b`.
    fn step_type(&self, a: &DataType, b: &DataType) -> DFResult<DataType> {
        Ok(match self.plan(a, b)? {
            Plan::Int => DataType::Int64,
            Plan::Decimal { .. } if self.op == Op::IntDivide => DataType::Int64,
            Plan::Decimal { out: (p, s), .. } => DataType::Decimal128(p, s),
            Plan::Double if self.op == Op::IntDivide => DataType::Int64,
            Plan::Double => DataType::Float64,
        })
    }

    /// `a op b`, row by row.
    fn step(&self, a: &ArrayRef, b: &ArrayRef) -> DFResult<ArrayRef> {
        match self.plan(a.data_type(), b.data_type())? {
            Plan::Int => self.integers(a, b),
            Plan::Decimal {
                a: ta,
                b: tb,
                out,
                truncate,
            } => self.decimals(a, b, ta, tb, out, truncate),
            Plan::Double => self.doubles_op(a, b),
        }
    }
}

/// Chains longer than this are also regrouped from the right: `a + (b + c)` becomes
/// `mysql_add(a, b, c)` too. Integer and DECIMAL sums and products are exact either way;
/// only an intermediate BIGINT overflow can differ from the written grouping, which
/// matters only for chains this long (the parser's rebalancing of long chains regroups
/// them anyway).
const REGROUP_FROM: usize = 64;

/// `left op right` as one call of `udf` (computing `op`), extending a chain `left` (or
/// `right`) already is.
pub fn chain(udf: &Arc<ScalarUDF>, left: Expr, right: Expr) -> Expr {
    let op_name = udf.name();
    let operands = |e: Expr| match e {
        Expr::ScalarFunction(f) if f.func.name() == op_name => f.args,
        e => vec![e],
    };
    let mut args = operands(left);
    let regroup = matches!(udf.name(), "mysql_add" | "mysql_multiply")
        && matches!(&right, Expr::ScalarFunction(f)
            if f.func.name() == op_name && args.len() + f.args.len() > REGROUP_FROM);
    match regroup {
        true => args.extend(operands(right)),
        false => args.push(right),
    }
    udf.call(args)
}

fn format_decimal(v: i256, scale: i8) -> String {
    let digits = v.wrapping_abs().to_string();
    let scale = scale.max(0) as usize;
    let sign = if v.is_negative() { "-" } else { "" };
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let digits = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = digits.split_at(digits.len() - scale);
    format!("{sign}{int}.{frac}")
}

impl ScalarUDFImpl for Arithmetic {
    fn name(&self) -> &str {
        self.op.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn schema_name(&self, args: &[Expr]) -> DFResult<String> {
        crate::plan_exprs::schema_name(self.name(), args)
    }

    fn return_type(&self, arg_types: &[DataType]) -> DFResult<DataType> {
        let Some((first, rest)) = arg_types.split_first().filter(|(_, rest)| !rest.is_empty())
        else {
            return Err(DataFusionError::Plan(format!(
                "{} takes two or more arguments",
                self.op.name()
            )));
        };
        rest.iter()
            .try_fold(first.clone(), |a, b| self.step_type(&a, b))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        evaluate(&args, |rows| {
            let mut values = args.args.iter().map(|a| a.to_array(rows));
            let first = values.next().transpose()?.ok_or_else(|| {
                DataFusionError::Internal(format!("{} without arguments", self.op.name()))
            })?;
            values.try_fold(first, |a, b| self.step(&a, &b?))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_types() {
        assert_eq!(divide_type((1, 0), (1, 0), 4), Some((10, 9, true)));
        assert_eq!(divide_type((15, 2), (19, 0), 4), Some((22, 9, true)));
        assert_eq!(internal_scale(9, 0, 4), 18);
        assert_eq!(internal_scale(2, 2, 4), 18);
        assert_eq!(internal_scale(0, 1, 4), 9);
    }

    #[test]
    fn decimal_text() {
        assert_eq!(format_decimal(i256::from_i128(-5), 2), "-0.05");
        assert_eq!(format_decimal(i256::from_i128(12345), 2), "123.45");
    }
}

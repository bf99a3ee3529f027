//! Comparisons between a string and a number compare numbers, as in MySQL (`'03' = 3`
//! is true, `'abc' = 0` is true with warning 1292); DataFusion would compare text. A
//! BOOLEAN compared with a number is its integer value (TRUE = 1).

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{cast, lit, Expr, ScalarUDF};
use datafusion::scalar::ScalarValue;

use super::arithmetic::{class, Num};
use super::conversion::{is_string, parse_number_prefix};

fn is_number(t: &DataType) -> bool {
    !is_string(t) && !matches!(t, DataType::Null | DataType::Boolean) && class(t).is_some()
}

/// A string literal that is exactly an integer, as that integer.
fn integer_literal(e: &Expr) -> Option<i64> {
    match e {
        Expr::Literal(ScalarValue::Utf8(Some(s)) | ScalarValue::Utf8View(Some(s)), _) => {
            let (_, complete) = parse_number_prefix(s);
            complete.then(|| s.trim().parse::<i64>().ok()).flatten()
        }
        _ => None,
    }
}

/// The operands of a comparison, converted as MySQL compares them; None when DataFusion's
/// own coercion already agrees with MySQL.
pub fn operands(
    left: &Expr,
    lt: &DataType,
    right: &Expr,
    rt: &DataType,
    to_double: &Arc<ScalarUDF>,
) -> Option<(Expr, Expr)> {
    let convert = |string: &Expr, number: &Expr, nt: &DataType| -> (Expr, Expr) {
        if let (Some(v), Some(Num::Integer(_))) = (integer_literal(string), class(nt)) {
            return (lit(v), number.clone());
        }
        (
            to_double.call(vec![string.clone()]),
            cast(number.clone(), DataType::Float64),
        )
    };
    if is_string(lt) && is_number(rt) {
        let (l, r) = convert(left, right, rt);
        return Some((l, r));
    }
    if is_number(lt) && is_string(rt) {
        let (r, l) = convert(right, left, lt);
        return Some((l, r));
    }
    let bool_int = |t: &DataType| matches!(class(t), Some(Num::Integer(_) | Num::Decimal(..)));
    if *lt == DataType::Boolean && bool_int(rt) && *rt != DataType::Boolean && *rt != DataType::Null
    {
        return Some((cast(left.clone(), DataType::Int64), right.clone()));
    }
    if *rt == DataType::Boolean && bool_int(lt) && *lt != DataType::Boolean && *lt != DataType::Null
    {
        return Some((left.clone(), cast(right.clone(), DataType::Int64)));
    }
    None
}

//! MySQL built-in functions that DataFusion and Lakestar's UDFs already compute under
//! another spelling, rewritten on the SQL tree (after `mysql_syntax`) so drivers, BI tools
//! and ETL SQL find them:
//!
//! - `CEIL` / `CEILING` / `FLOOR` → `round(ceil(x))`: no fraction digits, as in MySQL;
//! - renames: `SIGN` → `signum`, `TRUNCATE` → `trunc`, `ORD` → `ascii`, `CHAR(n)` → `chr`
//!   (`CHAR(a, b, ...)` → `concat_ws('', chr(a), ...)`), `CURTIME` → `current_time` (whole seconds),
//!   `SYSDATE` / `LOCALTIME` / `LOCALTIMESTAMP` → `now`, `UNHEX(x)` → `decode(x, 'hex')`;
//! - `MOD(a, b)` → `a % b`, `ISNULL(x)` → `x IS NULL`, `SPACE(n)` → `repeat(' ', n)`,
//!   `DATE(x)` → `TRY_CAST(x AS DATE)`, `DAYNAME` / `MONTHNAME` → `date_format`,
//!   `WEEKDAY(x)` → `(dayofweek(x) + 5) % 7`, `WEEKOFYEAR(x)` → ISO week, `TO_DAYS(x)`,
//!   `STRCMP`, `FIELD`, `ELT`, `SHA2(x, bits)`, `JSON_EXTRACT` → `json_query`,
//!   `JSON_VALID`;
//! - `DATE_ADD(x, INTERVAL n unit)` (and `DATE_SUB`, `ADDDATE`, `SUBDATE`,
//!   `TIMESTAMPADD(unit, n, x)`) with a per-row `n` → the interval built per row;
//! - `x REGEXP p` / `x RLIKE p` → `regexp_like(x, p)`; `CONVERT(x USING cs)` → `x`;
//! - `LOG(x)` → `ln` (MySQL's one-argument LOG is natural), `ATAN2(y, x)` / `ATAN(y, x)`
//!   of doubles, `UTC_DATE` / `UTC_TIME` / `UTC_TIMESTAMP` without parentheses → calls;
//! - `JSON_ARRAYAGG(x)` / `JSON_OBJECTAGG(k, v)` → `parse_json` of the `string_agg` of
//!   the items' JSON;
//! - `SUM(NULL)` / `AVG(NULL)` sum a BIGINT NULL (DataFusion has no sum of the NULL type);
//! - `NOW()` / `CURRENT_TIMESTAMP` → `date_trunc('second', now())`: whole seconds;
//! - session constants Lakestar has one answer for: `LAST_INSERT_ID()` → 0 (no
//!   AUTO_INCREMENT columns), `CHARSET(x)` → `'utf8mb4'`, `COLLATION(x)` →
//!   `'utf8mb4_general_ci'`, `COERCIBILITY(x)` → 4.

use sqlparser::ast::{
    BinaryOperator, CaseWhen, CastKind, CeilFloorKind, DataType, DateTimeField, ExactNumberInfo,
    Expr, Ident, ObjectName, Value,
};

use crate::mysql_syntax::{call, plain_args, string};

fn number(n: i64) -> Expr {
    Expr::Value(Value::Number(n.to_string(), false).into())
}

fn func(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(call(name, args))
}

fn binary(left: Expr, op: BinaryOperator, right: Expr) -> Expr {
    Expr::BinaryOp {
        left: Box::new(left),
        op,
        right: Box::new(right),
    }
}

fn cast(kind: CastKind, expr: Expr, data_type: DataType) -> Expr {
    Expr::Cast {
        kind,
        expr: Box::new(expr),
        data_type,
        array: false,
        format: None,
    }
}

fn nested(e: Expr) -> Expr {
    Expr::Nested(Box::new(e))
}

fn case(operand: Option<Expr>, whens: Vec<(Expr, Expr)>, otherwise: Option<Expr>) -> Expr {
    Expr::Case {
        case_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        end_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        operand: operand.map(Box::new),
        conditions: whens
            .into_iter()
            .map(|(condition, result)| CaseWhen { condition, result })
            .collect(),
        else_result: otherwise.map(Box::new),
    }
}

/// DataFusion's `ceil`, `floor`, `ln` and `atan2` under the names the rewrites of `CEIL` /
/// `FLOOR`, `LOG(x)` and `ATAN2` call, so rewriting a statement twice does not wrap them
/// twice and [`as_written`] can name result columns as written.
pub fn integral_rounding() -> Vec<datafusion::logical_expr::ScalarUDF> {
    use datafusion::functions::math::{atan2, ceil, floor, ln};
    vec![
        ceil().as_ref().clone().with_aliases(["mysql_ceil"]),
        floor().as_ref().clone().with_aliases(["mysql_floor"]),
        ln().as_ref().clone().with_aliases(["mysql_log"]),
        atan2().as_ref().clone().with_aliases(["mysql_atan2"]),
    ]
}

/// Same arguments, another name.
const RENAMES: &[(&str, &str)] = &[
    ("sign", "signum"),
    ("truncate", "trunc"),
    ("ord", "ascii"),
    ("sysdate", "now"),
    ("localtime", "now"),
    ("localtimestamp", "now"),
    ("json_extract", "json_query"),
];

/// Rewrite one expression node, if it is one of these functions; `None` leaves it.
pub fn rewrite(expr: &Expr) -> Option<Expr> {
    match expr {
        Expr::RLike {
            negated,
            expr,
            pattern,
            ..
        } => {
            let like = func("regexp_like", vec![*expr.clone(), *pattern.clone()]);
            Some(if *negated {
                Expr::UnaryOp {
                    op: sqlparser::ast::UnaryOperator::Not,
                    expr: Box::new(like),
                }
            } else {
                like
            })
        }
        Expr::Convert {
            expr,
            data_type: None,
            charset: Some(_),
            ..
        } => Some(nested(*expr.clone())),
        Expr::Function(f) => function(f),
        // UTC_DATE / UTC_TIME / UTC_TIMESTAMP may be written without parentheses.
        Expr::Identifier(i)
            if i.quote_style.is_none()
                && ["utc_date", "utc_time", "utc_timestamp"]
                    .contains(&i.value.to_ascii_lowercase().as_str()) =>
        {
            Some(func(&i.value.to_ascii_lowercase(), vec![]))
        }
        // sqlparser reads `CEIL(x)` / `FLOOR(x)` as their own nodes.
        Expr::Ceil {
            expr,
            field: CeilFloorKind::DateTimeField(DateTimeField::NoDateTime),
        } => Some(func("round", vec![func("mysql_ceil", vec![*expr.clone()])])),
        Expr::Floor {
            expr,
            field: CeilFloorKind::DateTimeField(DateTimeField::NoDateTime),
        } => Some(func(
            "round",
            vec![func("mysql_floor", vec![*expr.clone()])],
        )),
        _ => None,
    }
}

fn function(f: &sqlparser::ast::Function) -> Option<Expr> {
    if f.name.0.len() != 1 {
        return None;
    }
    let name = f.name.to_string().to_ascii_lowercase();
    // A statement rewritten twice: NOW() inside a rewritten NOW() is the rewritten NOW().
    if name == "date_trunc" {
        let [unit, Expr::Function(local)] = <[Expr; 2]>::try_from(plain_args(f)?).ok()? else {
            return None;
        };
        let [Expr::Function(inner)] = <[Expr; 1]>::try_from(plain_args(&local)?).ok()? else {
            return None;
        };
        let local_of_now = local.name.to_string() == "to_local_time" && unit == string("second");
        return (local_of_now && as_written(&inner).is_some()).then_some(Expr::Function(inner));
    }
    // MySQL's NOW() / CURRENT_TIMESTAMP has whole seconds (DataFusion's has nanoseconds)
    // and is a DATETIME on the session's wall clock (DataFusion's carries the session's
    // time zone, which to_local_time drops).
    if matches!(name.as_str(), "now" | "current_timestamp")
        && plain_args(f).is_none_or(|a| a.is_empty())
    {
        return Some(func(
            "date_trunc",
            vec![
                string("second"),
                func("to_local_time", vec![Expr::Function(f.clone())]),
            ],
        ));
    }
    // CURTIME() / CURRENT_TIME has whole seconds too.
    if matches!(name.as_str(), "curtime" | "current_time")
        && plain_args(f).is_none_or(|a| a.is_empty())
    {
        let mut now = f.clone();
        now.name = ObjectName::from(vec![Ident::new("current_time")]);
        return Some(func(
            "arrow_cast",
            vec![Expr::Function(now), string("Time32(Second)")],
        ));
    }
    // A statement rewritten twice: arrow_cast(arrow_cast(current_time(), ...), ...).
    if name == "arrow_cast" {
        let [Expr::Function(inner), unit] = <[Expr; 2]>::try_from(plain_args(f)?).ok()? else {
            return None;
        };
        return (unit == string("Time32(Second)") && inner.name.to_string() == "arrow_cast")
            .then_some(Expr::Function(inner));
    }
    if let Some((_, to)) = RENAMES.iter().find(|(from, _)| *from == name) {
        let mut renamed = f.clone();
        renamed.name = ObjectName::from(vec![Ident::new(*to)]);
        return Some(Expr::Function(renamed));
    }
    if matches!(name.as_str(), "sum" | "avg") {
        return typed_null_argument(f);
    }
    if matches!(name.as_str(), "json_arrayagg" | "json_objectagg") {
        return json_aggregate(f);
    }
    if matches!(
        name.as_str(),
        "date_add" | "adddate" | "date_sub" | "subdate"
    ) {
        let [start, step] = <[Expr; 2]>::try_from(plain_args(f)?).ok()?;
        return per_row_interval(&name, start, step);
    }
    if name == "timestampadd" {
        // TIMESTAMPADD(unit, n, x) = DATE_ADD(x, INTERVAL n unit); the unit arrives as a
        // string (`mysql_syntax`) or a word.
        let [unit, n, x] = <[Expr; 3]>::try_from(plain_args(f)?).ok()?;
        let unit = match unit {
            Expr::Identifier(i) => i.value.to_ascii_lowercase(),
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(s) => s.to_ascii_lowercase(),
                _ => return None,
            },
            _ => return None,
        };
        return Some(interval_call("date_add", x, n, &unit));
    }
    let args = plain_args(f).unwrap_or_default();
    // MySQL's CEIL / FLOOR of a DECIMAL have no fraction digits (DataFusion's keep the
    // argument's scale: 2.0): round the result, which keeps integers and doubles as they are.
    if matches!(name.as_str(), "ceil" | "ceiling" | "floor") && args.len() == 1 {
        let inner = if name == "floor" {
            "mysql_floor"
        } else {
            "mysql_ceil"
        };
        return Some(func("round", vec![func(inner, args)]));
    }
    let one = || <[Expr; 1]>::try_from(args.clone()).ok();
    let two = || <[Expr; 2]>::try_from(args.clone()).ok();
    Some(match name.as_str() {
        "mod" => {
            let [a, b] = two()?;
            nested(binary(nested(a), BinaryOperator::Modulo, nested(b)))
        }
        "isnull" => {
            let [x] = one()?;
            Expr::IsNull(Box::new(nested(x)))
        }
        "space" => {
            let [n] = one()?;
            func("repeat", vec![string(" "), n])
        }
        "char" if args.len() == 1 => func("chr", args),
        // CHAR(n, ...): one character per number, NULLs skipped.
        "char" if args.len() > 1 => {
            let chars = args.into_iter().map(|n| func("chr", vec![n]));
            func(
                "concat_ws",
                std::iter::once(string("")).chain(chars).collect(),
            )
        }
        "unhex" => {
            let [x] = one()?;
            func("decode", vec![x, string("hex")])
        }
        "date" => {
            let [x] = one()?;
            cast(CastKind::TryCast, x, DataType::Date)
        }
        "dayname" => {
            let [x] = one()?;
            func("date_format", vec![x, string("%W")])
        }
        "monthname" => {
            let [x] = one()?;
            func("date_format", vec![x, string("%M")])
        }
        "weekday" => {
            let [x] = one()?;
            nested(binary(
                nested(binary(
                    func("dayofweek", vec![x]),
                    BinaryOperator::Plus,
                    number(5),
                )),
                BinaryOperator::Modulo,
                number(7),
            ))
        }
        "weekofyear" => {
            let [x] = one()?;
            func(
                "date_part",
                vec![string("week"), cast(CastKind::TryCast, x, DataType::Date)],
            )
        }
        "to_days" => {
            // Days since year 0: 719528 is TO_DAYS('1970-01-01').
            let [x] = one()?;
            nested(binary(
                func("datediff", vec![x, string("1970-01-01")]),
                BinaryOperator::Plus,
                number(719_528),
            ))
        }
        "strcmp" => {
            let [a, b] = two()?;
            case(
                None,
                vec![
                    (binary(a.clone(), BinaryOperator::Lt, b.clone()), number(-1)),
                    (binary(a.clone(), BinaryOperator::Gt, b.clone()), number(1)),
                    (binary(a, BinaryOperator::Eq, b), number(0)),
                ],
                None,
            )
        }
        "field" if args.len() >= 2 => {
            let (x, list) = args.split_first()?;
            let whens = list
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    (
                        binary(x.clone(), BinaryOperator::Eq, v.clone()),
                        number(i as i64 + 1),
                    )
                })
                .collect();
            case(None, whens, Some(number(0)))
        }
        "elt" if args.len() >= 2 => {
            let (n, list) = args.split_first()?;
            let whens = list
                .iter()
                .enumerate()
                .map(|(i, v)| (number(i as i64 + 1), v.clone()))
                .collect();
            case(Some(n.clone()), whens, None)
        }
        "sha2" => {
            let [x, bits] = two()?;
            let Expr::Value(v) = &bits else {
                return None;
            };
            let digest = match &v.value {
                Value::Number(n, _) if n == "224" => "sha224",
                Value::Number(n, _) if n == "256" || n == "0" => "sha256",
                Value::Number(n, _) if n == "384" => "sha384",
                Value::Number(n, _) if n == "512" => "sha512",
                _ => return Some(Expr::Value(Value::Null.into())),
            };
            func("encode", vec![func(digest, vec![x]), string("hex")])
        }
        "json_valid" => {
            let [x] = one()?;
            case(
                None,
                vec![
                    (
                        Expr::IsNull(Box::new(x.clone())),
                        Expr::Value(Value::Null.into()),
                    ),
                    (
                        Expr::IsNull(Box::new(func("parse_json", vec![x]))),
                        number(0),
                    ),
                ],
                Some(number(1)),
            )
        }
        // MySQL's one-argument LOG is the natural logarithm (DataFusion's is base 10).
        "log" if args.len() == 1 => func("mysql_log", args),
        // ATAN2(y, x) / ATAN(y, x) of doubles (DataFusion's picks FLOAT for integers).
        "atan2" | "atan" if args.len() == 2 => {
            let doubles = args
                .into_iter()
                .map(|a| cast(CastKind::Cast, a, DataType::Double(ExactNumberInfo::None)))
                .collect();
            func("mysql_atan2", doubles)
        }
        "last_insert_id" if args.is_empty() => number(0),
        "charset" if args.len() == 1 => string("utf8mb4"),
        "collation" if args.len() == 1 => string("utf8mb4_general_ci"),
        "coercibility" if args.len() == 1 => number(4),
        _ => return None,
    })
}

/// `JSON_ARRAYAGG(x)` → `parse_json(concat('[', string_agg(coalesce(to_json(x), 'null'),
/// ', '), ']'))`, and `JSON_OBJECTAGG(k, v)` alike with `"k": v` members: NULL over no rows.
fn json_aggregate(f: &sqlparser::ast::Function) -> Option<Expr> {
    if f.over.is_some() || f.filter.is_some() {
        return None;
    }
    let value = |x: Expr| func("coalesce", vec![func("to_json", vec![x]), string("null")]);
    let (open, item, close) = match <[Expr; 2]>::try_from(plain_args(f)?) {
        Ok([k, v]) => {
            let key = func(
                "to_json",
                vec![cast(CastKind::Cast, k, DataType::Varchar(None))],
            );
            ("{", func("concat", vec![key, string(": "), value(v)]), "}")
        }
        Err(args) => {
            let [x] = <[Expr; 1]>::try_from(args).ok()?;
            ("[", value(x), "]")
        }
    };
    let items = func("string_agg", vec![item, string(", ")]);
    Some(func(
        "parse_json",
        vec![func("concat", vec![string(open), items, string(close)])],
    ))
}

/// The arguments of the `JSON_ARRAYAGG` / `JSON_OBJECTAGG` that [`json_aggregate`] wrote
/// as `f`, with its name.
fn json_aggregate_as_written(f: &sqlparser::ast::Function) -> Option<Expr> {
    let function = |e: &Expr, name: &str| match e {
        Expr::Function(g) if g.name.to_string() == name => plain_args(g),
        _ => None,
    };
    let [Expr::Function(concat)] = <[Expr; 1]>::try_from(plain_args(f)?).ok()? else {
        return None;
    };
    let [open, items, _] =
        <[Expr; 3]>::try_from(function(&Expr::Function(concat), "concat")?).ok()?;
    let [item, _] = <[Expr; 2]>::try_from(function(&items, "string_agg")?).ok()?;
    let value = |e: &Expr| -> Option<Expr> {
        let [to_json, _] = <[Expr; 2]>::try_from(function(e, "coalesce")?).ok()?;
        let [x] = <[Expr; 1]>::try_from(function(&to_json, "to_json")?).ok()?;
        Some(x)
    };
    if open == string("[") {
        return Some(func("json_arrayagg", vec![value(&item)?]));
    }
    let [key, _, v] = <[Expr; 3]>::try_from(function(&item, "concat")?).ok()?;
    let [Expr::Cast { expr: k, .. }] = <[Expr; 1]>::try_from(function(&key, "to_json")?).ok()?
    else {
        return None;
    };
    Some(func("json_objectagg", vec![*k, value(&v)?]))
}

/// `round(mysql_ceil(x))` / `round(mysql_floor(x))` as the user wrote it (`ceil(x)`), for
/// result column names.
pub fn as_written(f: &sqlparser::ast::Function) -> Option<Expr> {
    if f.name.to_string() == "parse_json" {
        return json_aggregate_as_written(f);
    }
    if f.name.to_string() == "date_trunc" {
        // date_trunc('second', to_local_time(NOW())) is the NOW() written.
        let [unit, Expr::Function(local)] = <[Expr; 2]>::try_from(plain_args(f)?).ok()? else {
            return None;
        };
        if local.name.to_string() != "to_local_time" {
            return None;
        }
        let [Expr::Function(inner)] = <[Expr; 1]>::try_from(plain_args(&local)?).ok()? else {
            return None;
        };
        let now = matches!(
            inner.name.to_string().to_ascii_lowercase().as_str(),
            "now" | "current_timestamp"
        );
        return (now && unit == string("second")).then_some(Expr::Function(inner));
    }
    if f.name.to_string() == "mysql_log" {
        return Some(func("log", plain_args(f)?));
    }
    if f.name.to_string() == "mysql_atan2" {
        let args = plain_args(f)?
            .into_iter()
            .map(|a| match a {
                Expr::Cast { expr, .. } => *expr,
                other => other,
            })
            .collect();
        return Some(func("atan2", args));
    }
    if f.name.to_string() != "round" {
        return None;
    }
    let [Expr::Function(inner)] = <[Expr; 1]>::try_from(plain_args(f)?).ok()? else {
        return None;
    };
    let written = match inner.name.to_string().as_str() {
        "mysql_ceil" => "ceil",
        "mysql_floor" => "floor",
        _ => return None,
    };
    Some(func(written, plain_args(&inner)?))
}

/// `SUM(NULL)` / `AVG(NULL)`: the NULL as a BIGINT, which DataFusion can sum (MySQL's
/// answer is NULL either way).
fn typed_null_argument(f: &sqlparser::ast::Function) -> Option<Expr> {
    use sqlparser::ast::{FunctionArg, FunctionArgExpr, FunctionArguments};
    let mut f = f.clone();
    let FunctionArguments::List(list) = &mut f.args else {
        return None;
    };
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = list.args.as_mut_slice() else {
        return None;
    };
    let Expr::Value(v) = arg else {
        return None;
    };
    if v.value != Value::Null {
        return None;
    }
    *arg = cast(CastKind::Cast, arg.clone(), DataType::BigInt(None));
    Some(Expr::Function(f))
}

/// `date_add(x, INTERVAL n unit)` with `n` not a literal (DataFusion plans only literal
/// intervals): the interval built per row, the unit passed along for the result type.
fn per_row_interval(name: &str, start: Expr, step: Expr) -> Option<Expr> {
    let Expr::Interval(interval) = &step else {
        return None;
    };
    if matches!(interval.value.as_ref(), Expr::Value(_))
        || interval.last_field.is_some()
        || interval.leading_field.is_none()
    {
        return None;
    }
    let unit = interval
        .leading_field
        .as_ref()?
        .to_string()
        .to_ascii_lowercase();
    Some(interval_call(name, start, *interval.value.clone(), &unit))
}

/// `name(start, CAST(concat(n, ' unit') AS INTERVAL), 'unit')`.
fn interval_call(name: &str, start: Expr, n: Expr, unit: &str) -> Expr {
    let (n, unit_word) = match unit {
        "quarter" => (
            nested(binary(nested(n), BinaryOperator::Multiply, number(3))),
            "month",
        ),
        other => (n, other),
    };
    let text = func(
        "concat",
        vec![
            cast(CastKind::Cast, n, DataType::Varchar(None)),
            string(&format!(" {unit_word}")),
        ],
    );
    let interval = cast(
        CastKind::Cast,
        text,
        DataType::Interval {
            fields: None,
            precision: None,
        },
    );
    func(name, vec![start, interval, string(unit)])
}

//! MySQL's two scales of a DECIMAL expression. MySQL computes a division at a wide
//! internal scale (whole 9-digit groups: `57/17` is 3.352941176) and declares a narrower
//! one (the dividend's scale plus `div_precision_increment`: 3.3529). Later arithmetic
//! works on the internal value, so `57/17*60` is 201.1765, not 201.1740; the declared
//! scale is what a value is rounded to (half away from zero) where MySQL turns it into
//! text or a stored field:
//!
//! - the statement's result columns (and each branch of a top-level UNION, and the
//!   rows a top-level DISTINCT compares);
//! - CAST to CHAR and the arguments of CONCAT (`val_str` in MySQL), where DATETIMEs
//!   also get MySQL's text ([`super::datetime_text`]);
//! - GROUP BY keys and, in grouped queries, aggregate arguments (MySQL groups through
//!   a temporary table of the declared types), and the arguments of DISTINCT
//!   aggregates (which MySQL deduplicates the same way).
//!
//! [`arithmetic`](super::arithmetic) computes divisions at the internal scale; this
//! stage, run on the bound plan, derives each column's declared scale ([`Scales`]) and
//! adds the roundings. Comparisons, ORDER BY and aggregates see the internal value, as
//! in MySQL.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result as DFResult, ScalarValue};
use datafusion::logical_expr::expr::{AggregateFunction, Alias, Cast, ScalarFunction, TryCast};
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::{
    Distinct, Expr, ExprSchemable, JoinType, LogicalPlan, Operator, Projection, Union,
};

use super::arithmetic::{declared_divide_scale, Arithmetic};
use super::average::{AVG_INPUT, AVG_INPUT_INTERNAL};
use super::datetime_text::{datetime_text, is_datetime};

/// The declared scale of each output column of a plan, where MySQL's differs from the
/// Arrow type's or the column is exact; `None` for columns that are not exact numbers.
pub type Scales = Vec<Option<i8>>;

/// Largest scale MySQL declares (DECIMAL_MAX_SCALE).
const MAX_SCALE: i8 = 30;

/// Add MySQL's roundings to a bound query: its result, string conversions and GROUP BY
/// keys. Plans without DECIMAL columns come back unchanged.
pub fn round_query(plan: LogicalPlan) -> DFResult<LogicalPlan> {
    let plan = visit(plan)?;
    let scales = output_scales(&plan);
    round_result(plan, &scales)
}

/// Add the roundings of string conversions and GROUP BY keys only (INSERT ... SELECT,
/// whose result is stored with the target column's own scale).
pub fn round_conversions(plan: LogicalPlan) -> DFResult<LogicalPlan> {
    visit(plan)
}

/// The scale of an exact type (integers 0), `None` for others.
fn type_scale(t: &DataType) -> Option<i8> {
    match t {
        DataType::Decimal32(_, s)
        | DataType::Decimal64(_, s)
        | DataType::Decimal128(_, s)
        | DataType::Decimal256(_, s) => Some(*s),
        t if t.is_integer() || *t == DataType::Boolean => Some(0),
        _ => None,
    }
}

fn max_of(scales: impl IntoIterator<Item = Option<i8>>) -> Option<i8> {
    scales
        .into_iter()
        .try_fold(None::<i8>, |acc, s| {
            s.map(|s| Some(acc.map_or(s, |a| a.max(s))))
        })
        .flatten()
}

/// The declared scale of `expr` over an input with `schema` whose columns have `scales`.
fn declared(expr: &Expr, schema: &DFSchema, scales: &[Option<i8>]) -> Option<i8> {
    let d = |e: &Expr| declared(e, schema, scales);
    match expr {
        Expr::Column(c) => {
            let i = schema.index_of_column(c).ok()?;
            scales
                .get(i)
                .copied()
                .flatten()
                .or_else(|| type_scale(schema.field(i).data_type()))
        }
        Expr::Literal(v, _) => match v {
            ScalarValue::Null => Some(0),
            v => type_scale(&v.data_type()),
        },
        Expr::Alias(a) => d(&a.expr),
        Expr::Negative(e) => d(e),
        Expr::BinaryExpr(b) => {
            let (l, r) = (d(&b.left)?, d(&b.right)?);
            match b.op {
                Operator::Plus | Operator::Minus | Operator::Modulo => Some(l.max(r)),
                Operator::Multiply => Some((l + r).min(MAX_SCALE)),
                _ => None,
            }
        }
        Expr::Case(c) => max_of(
            c.when_then_expr
                .iter()
                .map(|(_, then)| d(then))
                .chain(c.else_expr.iter().map(|e| d(e))),
        ),
        // The analyzer's implicit casts (CASE branches, IN lists, ...) are Casts and keep
        // the declared scale; an explicit CAST ... AS DECIMAL(p, s) is a TryCast
        // (crate::normalize) and declares s.
        Expr::Cast(Cast { expr, field }) => match field.data_type() {
            t @ (DataType::Decimal128(..) | DataType::Decimal256(..)) => {
                d(expr).or_else(|| type_scale(t))
            }
            t if t.is_integer() => Some(0),
            _ => None,
        },
        Expr::TryCast(TryCast { expr, field }) => match field.data_type() {
            t @ (DataType::Decimal128(..) | DataType::Decimal256(..)) => type_scale(t),
            t if t.is_integer() => Some(0),
            t if *t == expr.get_type(schema).ok()? => d(expr),
            _ => None,
        },
        Expr::ScalarFunction(f) => function_scale(f, &d),
        Expr::AggregateFunction(AggregateFunction { func, params }) => {
            let arg = params.args.first();
            match func.name() {
                "sum" | "min" | "max" | "first_value" | "last_value" | "any_value" => d(arg?),
                "avg" => Some((d(arg?)? + 4).min(MAX_SCALE)),
                "count" => Some(0),
                _ => None,
            }
        }
        Expr::ScalarSubquery(sub) => output_scales(&sub.subquery).first().copied().flatten(),
        _ => None,
    }
}

fn function_scale(f: &ScalarFunction, d: &dyn Fn(&Expr) -> Option<i8>) -> Option<i8> {
    let args = &f.args;
    match f.func.name() {
        "mysql_divide" => {
            let increment = f.func.inner().downcast_ref::<Arithmetic>()?.increment();
            Some(declared_divide_scale(d(&args[0])?, increment))
        }
        "mysql_mod" | "mysql_add" | "mysql_subtract" => max_of(args.iter().map(d)),
        "mysql_multiply" => args
            .iter()
            .try_fold(0, |scale, a| Some((scale + d(a)?).min(MAX_SCALE))),
        "mysql_int_divide"
        | "ceil"
        | "floor"
        | "mysql_ceil"
        | "mysql_floor"
        | super::temporal_number::TEMPORAL_NUMBER => Some(0),
        "abs"
        | "mysql_avg_input"
        | "mysql_avg_input_internal"
        | "mysql_negate"
        | super::cast_names::NAMED => d(args.first()?),
        "coalesce" | "nvl" | "ifnull" | "greatest" | "least" => max_of(args.iter().map(d)),
        "nullif" => d(args.first()?),
        "round" | "trunc" => {
            let scale = d(args.first()?)?;
            match args.get(1) {
                None => Some(0),
                Some(Expr::Literal(n, _)) => {
                    let n = n.cast_to(&DataType::Int64).ok()?;
                    let ScalarValue::Int64(Some(n)) = n else {
                        return None;
                    };
                    Some(scale.min(n.clamp(0, MAX_SCALE as i64) as i8))
                }
                Some(_) => None,
            }
        }
        _ => None,
    }
}

/// The declared scales of `plan`'s output columns.
pub fn output_scales(plan: &LogicalPlan) -> Scales {
    let width = plan.schema().fields().len();
    let mut scales = match plan {
        LogicalPlan::Projection(p) => {
            let input = output_scales(&p.input);
            p.expr
                .iter()
                .map(|e| declared(e, p.input.schema(), &input))
                .collect()
        }
        LogicalPlan::Aggregate(a) => {
            let input = output_scales(&a.input);
            let schema = a.input.schema();
            let groups: Scales = match a.group_expr.as_slice() {
                [Expr::GroupingSet(_)] => vec![None; a.group_expr_len().unwrap_or(0)],
                groups => groups.iter().map(|e| declared(e, schema, &input)).collect(),
            };
            let by_name: Vec<_> = a
                .group_expr
                .iter()
                .zip(groups)
                .chain(a.aggr_expr.iter().map(|e| (e, declared(e, schema, &input))))
                .map(|(e, scale)| (e.qualified_name(), scale))
                .collect();
            // By name: repeated GROUP BY keys appear once in the output.
            plan.schema()
                .iter()
                .map(|(qualifier, field)| {
                    by_name
                        .iter()
                        .find(|((q, n), _)| n == field.name() && q.as_ref() == qualifier)
                        .and_then(|(_, scale)| *scale)
                })
                .collect()
        }
        LogicalPlan::Window(w) => output_scales(&w.input),
        LogicalPlan::Join(j) => {
            let (left, right) = (output_scales(&j.left), output_scales(&j.right));
            match j.join_type {
                JoinType::LeftSemi | JoinType::LeftAnti | JoinType::LeftMark => left,
                JoinType::RightSemi | JoinType::RightAnti | JoinType::RightMark => right,
                _ => left.into_iter().chain(right).collect(),
            }
        }
        LogicalPlan::Union(u) => {
            let branches: Vec<Scales> = u.inputs.iter().map(|i| output_scales(i)).collect();
            (0..width)
                .map(|i| max_of(branches.iter().map(|b| b.get(i).copied().flatten())))
                .collect()
        }
        LogicalPlan::Filter(_)
        | LogicalPlan::Sort(_)
        | LogicalPlan::Limit(_)
        | LogicalPlan::Repartition(_)
        | LogicalPlan::SubqueryAlias(_)
        | LogicalPlan::Distinct(Distinct::All(_)) => output_scales(plan.inputs()[0]),
        _ => vec![],
    };
    scales.resize(width, None);
    scales
}

/// `expr`, an expression over an input with `schema` and `scales`, rounded to its declared
/// scale; whether that changed it.
fn to_declared(expr: Expr, schema: &DFSchema, scales: &[Option<i8>]) -> (Expr, bool) {
    match expr.get_type(schema) {
        Ok(t) => {
            let scale = declared(&expr, schema, scales);
            rounded(expr, &t, scale)
        }
        Err(_) => (expr, false),
    }
}

/// `expr` (of type `data_type`) rounded to `scale`, if that is below its type's scale.
fn rounded(expr: Expr, data_type: &DataType, scale: Option<i8>) -> (Expr, bool) {
    match (data_type, scale) {
        (DataType::Decimal128(p, s), Some(d)) if d < *s && d >= 0 => {
            let precision = (*p as i16 - (*s - d) as i16 + 1).clamp(1, 38) as u8;
            (
                Expr::Cast(Cast::new(
                    Box::new(expr),
                    DataType::Decimal128(precision, d),
                )),
                true,
            )
        }
        _ => (expr, false),
    }
}

/// `expr`, the `i`th output column of a plan with `schema`, rounded to `scale` under
/// its own name; `None` if it needs no rounding.
fn rounded_output(expr: &Expr, schema: &DFSchema, i: usize, scale: Option<i8>) -> Option<Expr> {
    let (qualifier, field) = schema.qualified_field(i);
    let (inner, metadata) = match expr {
        Expr::Alias(Alias { expr, metadata, .. }) => (expr.as_ref().clone(), metadata.clone()),
        other => (other.clone(), None),
    };
    match rounded(inner, field.data_type(), scale) {
        (inner, true) => Some(Expr::Alias(Alias {
            expr: Box::new(inner),
            relation: qualifier.cloned(),
            name: field.name().clone(),
            metadata,
        })),
        (_, false) => None,
    }
}

/// Round the result columns of `plan` to `scales`.
fn round_result(plan: LogicalPlan, scales: &[Option<i8>]) -> DFResult<LogicalPlan> {
    if !plan
        .schema()
        .fields()
        .iter()
        .any(|f| matches!(f.data_type(), DataType::Decimal128(..)))
    {
        return Ok(plan);
    }
    match plan {
        LogicalPlan::Projection(p) => {
            let mut changed = false;
            let exprs = p
                .expr
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let scale = scales.get(i).copied().flatten();
                    match rounded_output(e, &p.schema, i, scale) {
                        Some(r) => {
                            changed = true;
                            r
                        }
                        None => e.clone(),
                    }
                })
                .collect();
            if !changed {
                return Ok(LogicalPlan::Projection(p));
            }
            Ok(LogicalPlan::Projection(Projection::try_new(
                exprs, p.input,
            )?))
        }
        LogicalPlan::Union(u) => {
            let inputs = u
                .inputs
                .into_iter()
                .map(|i| round_result(Arc::unwrap_or_clone(i), scales).map(Arc::new))
                .collect::<DFResult<_>>()?;
            Ok(LogicalPlan::Union(Union::try_new_with_loose_types(inputs)?))
        }
        LogicalPlan::Sort(_) | LogicalPlan::Limit(_) | LogicalPlan::Distinct(Distinct::All(_)) => {
            let input = round_result(plan.inputs()[0].clone(), scales)?;
            plan.with_new_exprs(plan.expressions(), vec![input])
        }
        other => {
            let schema = Arc::clone(other.schema());
            let mut changed = false;
            let exprs: Vec<Expr> = schema
                .columns()
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    let column = Expr::Column(c);
                    let scale = scales.get(i).copied().flatten();
                    match rounded_output(&column, &schema, i, scale) {
                        Some(r) => {
                            changed = true;
                            r
                        }
                        None => column,
                    }
                })
                .collect();
            if !changed {
                return Ok(other);
            }
            Ok(LogicalPlan::Projection(Projection::try_new(
                exprs,
                Arc::new(other),
            )?))
        }
    }
}

fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Functions that turn every argument into text first (MySQL's `val_str`).
const TEXT_FUNCTIONS: &[&str] = &["concat", "concat_ws"];

/// Give the operands of string conversions in `expr` MySQL's text: DECIMALs rounded to
/// their declared scale, DATETIMEs printed with a space ([`super::datetime_text`]).
fn text_operands(
    expr: Expr,
    schema: &DFSchema,
    scales: &[Option<i8>],
) -> DFResult<Transformed<Expr>> {
    let as_text = |e: &Expr| -> Option<Expr> {
        match e.get_type(schema).ok()? {
            t @ DataType::Decimal128(..) => {
                match rounded(e.clone(), &t, declared(e, schema, scales)) {
                    (e, true) => Some(e),
                    (_, false) => None,
                }
            }
            t if is_datetime(&t) => Some(datetime_text(e.clone())),
            _ => None,
        }
    };
    let cast = |inner: Expr, field: datafusion::arrow::datatypes::FieldRef, try_cast: bool| {
        if let Some(text) = as_text(&inner) {
            let text = match text.get_type(schema) {
                Ok(t) if t == *field.data_type() => return Transformed::yes(text),
                _ => text,
            };
            return Transformed::yes(match try_cast {
                true => Expr::TryCast(TryCast::new_from_field(Box::new(text), field)),
                false => Expr::Cast(Cast::new_from_field(Box::new(text), field)),
            });
        }
        Transformed::no(match try_cast {
            true => Expr::TryCast(TryCast::new_from_field(Box::new(inner), field)),
            false => Expr::Cast(Cast::new_from_field(Box::new(inner), field)),
        })
    };
    expr.transform_up(|e| {
        Ok(match e {
            Expr::Cast(Cast { expr, field }) if is_string(field.data_type()) => {
                cast(*expr, field, false)
            }
            Expr::TryCast(TryCast { expr, field }) if is_string(field.data_type()) => {
                cast(*expr, field, true)
            }
            Expr::ScalarFunction(f) if TEXT_FUNCTIONS.contains(&f.func.name()) => {
                let mut changed = false;
                let args = f
                    .args
                    .into_iter()
                    .map(|a| match as_text(&a) {
                        Some(text) => {
                            changed = true;
                            text
                        }
                        None => a,
                    })
                    .collect();
                let e = Expr::ScalarFunction(ScalarFunction::new_udf(f.func, args));
                match changed {
                    true => Transformed::yes(e),
                    false => Transformed::no(e),
                }
            }
            other => Transformed::no(other),
        })
    })
}

/// The functions `avg`'s argument is wrapped in (`super::average`).
const AVG_INPUTS: &[&str] = &[AVG_INPUT, AVG_INPUT_INTERNAL];

/// Round the DECIMAL arguments of an aggregate to their declared scale: with GROUP BY,
/// MySQL aggregates values read back from a temporary table of the declared types
/// (`avg(b/7)` per group averages 0.357143, not 0.357142857).
fn round_arguments(
    expr: Expr,
    schema: &DFSchema,
    scales: &[Option<i8>],
) -> DFResult<Transformed<Expr>> {
    let Expr::AggregateFunction(mut agg) = expr else {
        return Ok(Transformed::no(expr));
    };
    let mut changed = false;
    agg.params.args = agg
        .params
        .args
        .into_iter()
        .map(|arg| {
            let mut round = |arg: Expr| {
                let (arg, c) = to_declared(arg, schema, scales);
                changed |= c;
                arg
            };
            match arg {
                // avg's input function widens its argument on purpose (internal scale):
                // the argument inside it is what is read back from the temporary table.
                Expr::ScalarFunction(f) if AVG_INPUTS.contains(&f.func.name()) => {
                    let args = f.args.into_iter().map(&mut round).collect();
                    Expr::ScalarFunction(ScalarFunction::new_udf(f.func, args))
                }
                arg => round(arg),
            }
        })
        .collect();
    let expr = Expr::AggregateFunction(agg);
    Ok(if changed {
        Transformed::yes(expr)
    } else {
        Transformed::no(expr)
    })
}

/// Rewrite `plan` bottom-up: string conversions, GROUP BY keys and grouped aggregate
/// arguments; rewritten expressions keep their names.
fn visit(plan: LogicalPlan) -> DFResult<LogicalPlan> {
    let plan = plan
        .map_children(|child| visit(child).map(Transformed::yes))?
        .data;
    let plan = plan
        .map_subqueries(|sub| visit(sub).map(Transformed::yes))?
        .data;
    if plan.inputs().len() != 1 || plan.expressions().is_empty() {
        return Ok(plan);
    }
    let input = plan.inputs()[0];
    let (schema, scales) = (Arc::clone(input.schema()), output_scales(input));
    let groups = match &plan {
        LogicalPlan::Aggregate(a) if !matches!(a.group_expr.as_slice(), [Expr::GroupingSet(_)]) => {
            a.group_expr.len()
        }
        _ => 0,
    };
    let is_aggregate = matches!(plan, LogicalPlan::Aggregate(_));
    let names = NamePreserver::new(&plan);
    let mut position = 0;
    let rewritten = plan.map_expressions(|e| {
        let saved = names.save(&e);
        let is_group = position < groups;
        position += 1;
        let mut r = text_operands(e, &schema, &scales)?;
        if is_group {
            r = r.transform_data(|e| {
                Ok(match to_declared(e, &schema, &scales) {
                    (e, true) => Transformed::yes(e),
                    (e, false) => Transformed::no(e),
                })
            })?;
        } else if groups > 0 {
            r = r.transform_data(|e| round_arguments(e, &schema, &scales))?;
        } else if is_aggregate {
            // DISTINCT compares the values as stored in a temporary table, as GROUP BY.
            r = r.transform_data(|e| match e {
                Expr::AggregateFunction(ref a) if a.params.distinct => {
                    round_arguments(e, &schema, &scales)
                }
                e => Ok(Transformed::no(e)),
            })?;
        }
        Ok(r.update_data(|e| saved.restore(e)))
    })?;
    if rewritten.transformed {
        rewritten.data.recompute_schema()
    } else {
        Ok(rewritten.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_needs_every_scale() {
        assert_eq!(max_of([Some(2), Some(4)]), Some(4));
        assert_eq!(max_of([Some(2), None]), None);
        assert_eq!(max_of([]), None);
    }
}

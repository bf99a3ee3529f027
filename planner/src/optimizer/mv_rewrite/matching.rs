//! Matching a query block against a materialized view, both in SPJG form, and building
//! the plan that answers the query from the view's storage table.
//!
//! 1. Tables: the query joins the view's base tables, and maybe more (a *delta join*:
//!    the rewrite joins the view's storage with the other tables, which is exact when
//!    the join and the query's other predicates use only columns the view outputs; for
//!    an aggregating view, only its GROUP BY columns, since sums, counts, min/max and
//!    bitmap/HLL unions distribute over an inner join on grouping columns).
//! 2. Predicates: the view's rows must contain the query's. Column equalities form
//!    equivalence classes; every equality of the view must hold in the query's classes;
//!    every range of the view (`col <op> constant`) must contain the query's range on that
//!    class; every other predicate of the view must appear in the query. The query's
//!    predicates the view does not already guarantee become a compensating filter over
//!    the view's columns.
//! 3. Aggregation: the query's GROUP BY must be computable from the view's GROUP BY
//!    columns; its aggregates roll up: sum→sum, count→sum of counts, min/max→min/max,
//!    avg→sum/count, count(DISTINCT x)→bitmap_union_count of the view's
//!    bitmap_union(to_bitmap(x)), approx_count_distinct / ndv→hll_union_agg of its
//!    hll_union(hll_hash(x)).
//! 4. The result reproduces the query block's output schema exactly (names, qualifiers,
//!    types), so the plan around it is untouched.
//!
//! Predicates are classified by [`super::predicates`]. Every failure is a reason, shown
//! by EXPLAIN for the view that was not used.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Column, TableReference};
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::expr::AggregateFunction;
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::{cast, lit, AggregateUDF, Expr, LogicalPlan, LogicalPlanBuilder};

use super::predicates::{Classes, Predicates};
use super::spjg::Spjg;

/// The view's outputs, as the rewrite reads them from its storage table.
struct ViewColumns<'a> {
    /// Output expressions (normalized with the view's classes), their column names and
    /// types.
    exprs: Vec<(Expr, String, DataType)>,
    qualifier: &'a TableReference,
    classes: &'a Classes,
    /// Tables the query joins beyond the view's: their columns are read as they are.
    passthrough: &'a [TableReference],
}

impl ViewColumns<'_> {
    /// `e` (over base columns) computed from the view's columns, if it can be.
    fn map(&self, e: &Expr) -> Option<Expr> {
        let key = self.classes.normalize(e);
        if let Some((_, name, _)) = self.exprs.iter().find(|(x, _, _)| *x == key) {
            return Some(Expr::Column(Column::new(
                Some(self.qualifier.clone()),
                name,
            )));
        }
        match e {
            Expr::Column(c)
                if c.relation
                    .as_ref()
                    .is_some_and(|r| self.passthrough.contains(r)) =>
            {
                Some(e.clone())
            }
            Expr::Column(_) | Expr::AggregateFunction(_) | Expr::WindowFunction(_) => None,
            Expr::Literal(..) => Some(e.clone()),
            _ => {
                let mut ok = true;
                let mapped = e
                    .clone()
                    .map_children(|child| {
                        Ok(match self.map(&child) {
                            Some(m) => Transformed::yes(m),
                            None => {
                                ok = false;
                                Transformed::no(child)
                            }
                        })
                    })
                    .ok()?
                    .data;
                ok.then_some(mapped)
            }
        }
    }
}

fn is_aggregate_expr(e: &Expr) -> bool {
    e.exists(|x| Ok(matches!(x, Expr::AggregateFunction(_))))
        .unwrap_or(false)
}

fn aggregate_parts(e: &Expr) -> Option<(&Arc<AggregateUDF>, &[Expr], bool)> {
    match e {
        Expr::AggregateFunction(AggregateFunction { func, params })
            if params.filter.is_none() && params.order_by.is_empty() =>
        {
            Some((func, &params.args, params.distinct))
        }
        _ => None,
    }
}

fn call(registry: &dyn FunctionRegistry, name: &str, args: Vec<Expr>) -> Result<Expr, String> {
    let udaf = registry
        .udaf(name)
        .map_err(|_| format!("aggregate {name} is not available"))?;
    Ok(Expr::AggregateFunction(AggregateFunction::new_udf(
        udaf,
        args,
        false,
        None,
        vec![],
        None,
    )))
}

/// The expression of a query aggregate over the results of its rolled-up aggregates.
type Finish = Box<dyn Fn(&[Expr]) -> Expr>;

/// How one query aggregate is computed from the view: aggregates over the view's
/// columns, and the expression over their results.
struct Rollup {
    aggregates: Vec<Expr>,
    result: Finish,
}

/// Roll up one query aggregate from an aggregating view.
fn roll_up(
    q: &Expr,
    view: &Spjg,
    columns: &ViewColumns<'_>,
    registry: &dyn FunctionRegistry,
    global: bool,
) -> Result<Rollup, String> {
    let cannot = || format!("aggregate {q} cannot roll up from the view");
    let (func, args, distinct) = aggregate_parts(q).ok_or_else(cannot)?;
    let name = func.name().to_ascii_lowercase();
    let norm_args: Vec<Expr> = args.iter().map(|a| columns.classes.normalize(a)).collect();
    // The view column holding aggregate `f(args)`, and its type.
    let typed_column = |f: &str, args: &[Expr]| -> Option<(Expr, DataType)> {
        view.outputs.iter().enumerate().find_map(|(i, out)| {
            let (vf, vargs, vdistinct) = aggregate_parts(out)?;
            let vargs: Vec<Expr> = vargs.iter().map(|a| columns.classes.normalize(a)).collect();
            (vf.name().eq_ignore_ascii_case(f) && !vdistinct && vargs == args).then(|| {
                (
                    Expr::Column(Column::new(
                        Some(columns.qualifier.clone()),
                        &columns.exprs[i].1,
                    )),
                    columns.exprs[i].2.clone(),
                )
            })
        })
    };
    let view_column = |f: &str, args: &[Expr]| typed_column(f, args).map(|(e, _)| e);
    // `to_bitmap(x)` / `hll_hash(x)` of the argument.
    let wrapped = |f: &str| -> Vec<Expr> {
        let Some(inner) = registry.udf(f).ok() else {
            return vec![];
        };
        vec![Expr::ScalarFunction(
            datafusion::logical_expr::expr::ScalarFunction::new_udf(inner, norm_args.clone()),
        )]
    };
    let single = |aggregate: Expr| Rollup {
        aggregates: vec![aggregate],
        result: Box::new(|cols: &[Expr]| cols[0].clone()),
    };
    match (name.as_str(), distinct) {
        ("sum" | "min" | "max", false) => {
            let (col, col_type) = typed_column(&name, &norm_args).ok_or_else(cannot)?;
            let aggregate = call(registry, &name, vec![col])?;
            if name == "sum" && matches!(col_type, DataType::Decimal128(..)) {
                // The sum of the view's sums widens the DECIMAL again; the query's own
                // sum has the view column's type, which HAVING and ORDER BY were typed
                // against.
                return Ok(Rollup {
                    aggregates: vec![aggregate],
                    result: Box::new(move |cols: &[Expr]| {
                        datafusion::logical_expr::cast(cols[0].clone(), col_type.clone())
                    }),
                });
            }
            Ok(single(aggregate))
        }
        ("count", false) => {
            let col = view_column("count", &norm_args).ok_or_else(cannot)?;
            let aggregate = call(registry, "sum", vec![col])?;
            Ok(Rollup {
                aggregates: vec![aggregate],
                result: Box::new(move |cols: &[Expr]| {
                    if global {
                        datafusion::functions::core::expr_fn::coalesce(vec![
                            cols[0].clone(),
                            lit(0i64),
                        ])
                    } else {
                        cols[0].clone()
                    }
                }),
            })
        }
        ("avg", false) => {
            // avg's argument arrives cast to its accumulator type (`CAST(x AS Float64)`);
            // the view keeps sum(x) and count(x) of the column itself.
            // MySQL's avg of an integer reads it as a DECIMAL (`semantics::average`).
            let integer_avg = norm_args.iter().any(|a| {
                matches!(a, Expr::ScalarFunction(f)
                    if f.func.name() == crate::semantics::average::AVG_INPUT)
            });
            let uncast: Vec<Expr> = norm_args
                .iter()
                .map(|a| match a {
                    Expr::Cast(c) => (*c.expr).clone(),
                    Expr::ScalarFunction(f)
                        if f.func.name() == crate::semantics::average::AVG_INPUT =>
                    {
                        match &f.args[0] {
                            Expr::Cast(c) => (*c.expr).clone(),
                            other => other.clone(),
                        }
                    }
                    other => other.clone(),
                })
                .collect();
            let (sum, sum_type) = typed_column("sum", &uncast)
                .or_else(|| typed_column("sum", &norm_args))
                .ok_or_else(cannot)?;
            let count = view_column("count", &uncast)
                .or_else(|| view_column("count", &norm_args))
                .ok_or_else(cannot)?;
            // A DECIMAL average is computed as DataFusion's own is, to the last digit.
            let decimal = matches!(sum_type, DataType::Decimal128(..));
            let integer = integer_avg && !decimal;
            let sum = if integer {
                cast(sum, DataType::Decimal128(38, 0))
            } else {
                sum
            };
            let decimal = decimal || integer;
            Ok(Rollup {
                aggregates: vec![
                    call(registry, "sum", vec![sum])?,
                    call(registry, "sum", vec![count])?,
                ],
                result: Box::new(move |cols: &[Expr]| {
                    if decimal {
                        super::decimal_avg::call(cols[0].clone(), cols[1].clone())
                    } else {
                        cast(cols[0].clone(), DataType::Float64)
                            / cast(cols[1].clone(), DataType::Float64)
                    }
                }),
            })
        }
        ("count", true) | ("bitmap_union_count", false) => {
            let args = if name == "count" {
                wrapped("to_bitmap")
            } else {
                norm_args.clone()
            };
            let col = view_column("bitmap_union", &args)
                .or_else(|| view_column("bitmap_agg", &norm_args))
                .ok_or_else(cannot)?;
            Ok(single(call(registry, "bitmap_union_count", vec![col])?))
        }
        ("bitmap_union" | "bitmap_agg", false) => {
            let col = view_column(&name, &norm_args).ok_or_else(cannot)?;
            Ok(single(call(registry, "bitmap_union", vec![col])?))
        }
        ("ndv" | "approx_count_distinct", false) => {
            let col = view_column("hll_union", &wrapped("hll_hash")).ok_or_else(cannot)?;
            Ok(single(call(registry, "hll_union_agg", vec![col])?))
        }
        _ => Err(cannot()),
    }
}

/// Replace, anywhere in `e`, the expressions of `from` by those of `to`.
fn substitute(e: &Expr, from: &[Expr], to: &[Expr]) -> Expr {
    e.clone()
        .transform_down(|x| {
            Ok(match from.iter().position(|f| *f == x) {
                Some(i) => Transformed::new(
                    to[i].clone(),
                    true,
                    datafusion::common::tree_node::TreeNodeRecursion::Jump,
                ),
                None => Transformed::no(x),
            })
        })
        .map(|t| t.data)
        .unwrap_or_else(|_| unreachable!("the closure never fails"))
}

/// The plan answering `query` from `view` (scanned by `view_scan`, qualified by
/// `view_ref`), or why it cannot.
pub fn rewrite(
    query: &Spjg,
    view: &Spjg,
    view_scan: &LogicalPlan,
    view_ref: &TableReference,
    registry: &dyn FunctionRegistry,
) -> Result<LogicalPlan, String> {
    if !view.tables.iter().all(|t| query.tables.contains(t)) {
        return Err(format!(
            "it reads {} and the query reads {}",
            names(&view.tables),
            names(&query.tables)
        ));
    }
    // The query's tables the view does not cover, joined to the view's storage.
    let extra: Vec<TableReference> = query
        .tables
        .iter()
        .filter(|t| !view.tables.contains(t))
        .cloned()
        .collect();
    let q = Predicates::new(&query.predicates);
    let v = Predicates::new(&view.predicates);
    // The view's rows contain the query's.
    for (i, c) in v.classes.columns.iter().enumerate() {
        let rep = &v.classes.columns[v.classes.find(i)];
        if !q.classes.same(c, rep) {
            return Err(format!("predicate not implied: {c} = {rep}"));
        }
    }
    for (c, range) in &v.ranges {
        if !range.contains(&q.range_of(c)) {
            return Err(format!("predicate not implied: the range on {c}"));
        }
    }
    for r in &v.residual {
        let r = q.classes.normalize(r);
        if !q.residual.iter().any(|x| q.classes.normalize(x) == r) {
            return Err(format!("predicate not implied: {r}"));
        }
    }
    let view_aggregates = view.group_by.is_some();
    if view_aggregates && query.group_by.is_none() {
        return Err("it aggregates and the query does not".to_string());
    }
    if !view.having.is_empty() {
        return Err("it has a HAVING clause".to_string());
    }
    let fields = view_scan.schema().fields();
    if fields.len() != view.outputs.len() {
        return Err("its storage does not match its definition".to_string());
    }
    // What the rewrite may read from the view: for an aggregating view, its grouping
    // outputs only (aggregates are reached through `roll_up`).
    let exprs = view
        .outputs
        .iter()
        .zip(fields.iter())
        .filter(|(e, _)| !view_aggregates || !is_aggregate_expr(e))
        .map(|(e, f)| {
            (
                v.classes.normalize(e),
                f.name().clone(),
                f.data_type().clone(),
            )
        })
        .collect();
    let all_columns = ViewColumns {
        exprs,
        qualifier: view_ref,
        classes: &v.classes,
        passthrough: &extra,
    };
    let aggregate_columns = ViewColumns {
        exprs: view
            .outputs
            .iter()
            .zip(fields.iter())
            .map(|(e, f)| {
                (
                    v.classes.normalize(e),
                    f.name().clone(),
                    f.data_type().clone(),
                )
            })
            .collect(),
        qualifier: view_ref,
        classes: &v.classes,
        passthrough: &[],
    };

    // Compensation: the query's predicates the view does not already apply.
    let mut compensation = vec![];
    for p in &q.all {
        let already = v
            .all
            .iter()
            .any(|x| v.classes.normalize(x) == v.classes.normalize(p));
        if already {
            continue;
        }
        let mapped = all_columns
            .map(p)
            .ok_or_else(|| format!("missing column: cannot apply {p} to the view"))?;
        compensation.push(mapped);
    }
    let mut plan = LogicalPlanBuilder::from(view_scan.clone());
    for table in &extra {
        let scan = query
            .scans
            .iter()
            .find(|(t, _)| t == table)
            .map(|(_, scan)| scan.clone())
            .ok_or_else(|| format!("the query's scan of {table} is not known"))?;
        let aliased = LogicalPlanBuilder::from(scan)
            .alias(table.clone())
            .and_then(|b| b.build())
            .map_err(|e| e.to_string())?;
        plan = plan.cross_join(aliased).map_err(|e| e.to_string())?;
    }
    if let Some(filter) = conjunction(compensation) {
        plan = plan.filter(filter).map_err(|e| e.to_string())?;
    }

    let outputs: Vec<Expr> = match &query.group_by {
        None => query
            .outputs
            .iter()
            .map(|o| {
                all_columns
                    .map(o)
                    .ok_or_else(|| format!("missing column: {o}"))
            })
            .collect::<Result<_, _>>()?,
        Some(group_by) => {
            let groups = group_by
                .iter()
                .map(|g| {
                    all_columns
                        .map(g)
                        .ok_or_else(|| format!("missing column: {g}"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let global = group_by.is_empty();
            let mut new_aggregates = vec![];
            let mut results = vec![];
            for a in &query.aggregates {
                let rollup = if view_aggregates {
                    roll_up(a, view, &aggregate_columns, registry, global)?
                } else {
                    // A non-aggregating view: the query's aggregate over the view's columns.
                    let mapped = all_columns
                        .map_aggregate(a)
                        .ok_or_else(|| format!("missing column: {a}"))?;
                    Rollup {
                        aggregates: vec![mapped],
                        result: Box::new(|cols: &[Expr]| cols[0].clone()),
                    }
                };
                let first = new_aggregates.len();
                let names: Vec<Expr> = (0..rollup.aggregates.len())
                    .map(|i| Expr::Column(Column::from_name(format!("__mv_agg{}", first + i))))
                    .collect();
                for (i, agg) in rollup.aggregates.into_iter().enumerate() {
                    new_aggregates.push(agg.alias(format!("__mv_agg{}", first + i)));
                }
                results.push((rollup.result)(&names));
            }
            let group_names: Vec<Expr> = (0..groups.len())
                .map(|i| Expr::Column(Column::from_name(format!("__mv_group{i}"))))
                .collect();
            let aliased_groups: Vec<Expr> = groups
                .into_iter()
                .enumerate()
                .map(|(i, g)| g.alias(format!("__mv_group{i}")))
                .collect();
            plan = plan
                .aggregate(aliased_groups, new_aggregates)
                .map_err(|e| e.to_string())?;
            let lift = |e: &Expr| {
                let e = substitute(e, group_by, &group_names);
                substitute(&e, &query.aggregates, &results)
            };
            if let Some(having) = conjunction(query.having.iter().map(lift)) {
                plan = plan.filter(having).map_err(|e| e.to_string())?;
            }
            query.outputs.iter().map(lift).collect()
        }
    };
    // Reproduce the block's schema: same names, qualifiers and types.
    let projected = outputs
        .into_iter()
        .zip(query.schema.iter())
        .map(|(e, (qualifier, field))| {
            let e = cast(e, field.data_type().clone());
            match qualifier {
                Some(q) => e.alias_qualified(Some(q.clone()), field.name()),
                None => e.alias(field.name()),
            }
        })
        .collect::<Vec<_>>();
    plan.project(projected)
        .and_then(|b| b.build())
        .map_err(|e| e.to_string())
}

impl ViewColumns<'_> {
    /// A query aggregate with its arguments read from a non-aggregating view.
    fn map_aggregate(&self, e: &Expr) -> Option<Expr> {
        let Expr::AggregateFunction(AggregateFunction { func, params }) = e else {
            return None;
        };
        if params.filter.is_some() || !params.order_by.is_empty() {
            return None;
        }
        let args = params
            .args
            .iter()
            .map(|a| self.map(a))
            .collect::<Option<Vec<_>>>()?;
        Some(Expr::AggregateFunction(AggregateFunction::new_udf(
            Arc::clone(func),
            args,
            params.distinct,
            None,
            vec![],
            params.null_treatment,
        )))
    }
}

fn names(tables: &[TableReference]) -> String {
    tables
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

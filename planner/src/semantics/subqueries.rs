//! `IN` / `NOT IN` / `EXISTS` subqueries as values, with MySQL's three-valued answers.
//!
//! DataFusion plans these only as filter conjuncts (semi and anti joins), so in a select
//! list, a CASE or under OR they failed, and its anti join loses NULLs when the left side
//! of `NOT IN` is a constant (`42 NOT IN (SELECT x ...)` with a NULL `x` returned every
//! row). Before binding, on the SQL tree:
//!
//! - `EXISTS (SELECT ... FROM f WHERE w)` outside a filter conjunct becomes
//!   `(SELECT count(*) FROM f WHERE w) > 0`;
//! - `e [NOT] IN (SELECT p FROM f WHERE w)` outside a filter conjunct, and every `[NOT]
//!   IN` whose left side names no column (DataFusion's semi join of a constant fails on
//!   some correlated subqueries), and every correlated `NOT IN` (DataFusion's null-aware
//!   anti join takes one key only), becomes `[NOT] CASE WHEN hits > 0 THEN TRUE WHEN e
//!   IS NULL THEN (CASE WHEN rows > 0 THEN NULL ELSE FALSE END) WHEN nulls > 0 THEN NULL
//!   ELSE FALSE END`, where `hits`, `rows` and `nulls` count `p = e`, all rows and
//!   `p IS NULL` in the subquery: scalar subqueries correlated by equality, which
//!   DataFusion decorrelates into joins.
//!
//! - a scalar subquery selecting a plain value (`(SELECT name FROM d WHERE d.id = t.d)`)
//!   becomes `single_row((SELECT subquery_rows(name) FROM ...))`, which DataFusion
//!   decorrelates like an aggregate (`semantics::single_row`).
//!
//! Subqueries with GROUP BY, HAVING, LIMIT, set operations or aggregates in the select list
//! are left as they are.

use std::ops::ControlFlow;

use sqlparser::ast::helpers::attached_token::AttachedToken;
use sqlparser::ast::{
    BinaryOperator, CaseWhen, CastKind, DataType, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArgumentList, FunctionArguments, GroupByExpr, Ident, ObjectName, Query, Select,
    SelectItem, SetExpr, Statement, Value, VisitMut, VisitorMut,
};

const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "min",
    "max",
    "avg",
    "group_concat",
    "any_value",
    "stddev",
    "variance",
    "bitmap_union",
    "bitmap_union_count",
    "hll_union_agg",
    "approx_count_distinct",
];

fn has_aggregate(expr: &Expr) -> bool {
    let mut found = false;
    let mut e = expr.clone();
    let _ = sqlparser::ast::visit_expressions_mut(&mut e, |x| {
        if let Expr::Function(f) = x {
            let name = f.name.to_string().to_lowercase();
            if AGGREGATES.contains(&name.as_str()) {
                found = true;
            }
        }
        ControlFlow::<()>::Continue(())
    });
    found
}

/// The select of a subquery simple enough to count in: no set operation, GROUP BY,
/// HAVING, LIMIT, window or aggregate in its select list.
fn simple_select(query: &Query) -> Option<&Select> {
    if query.with.is_some() || query.limit_clause.is_some() || query.fetch.is_some() {
        return None;
    }
    let SetExpr::Select(select) = query.body.as_ref() else {
        return None;
    };
    let grouped = match &select.group_by {
        GroupByExpr::Expressions(e, m) => !e.is_empty() || !m.is_empty(),
        GroupByExpr::All(_) => true,
    };
    if grouped || select.having.is_some() || !select.named_window.is_empty() {
        return None;
    }
    for item in &select.projection {
        match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }
                if has_aggregate(e) =>
            {
                return None;
            }
            _ => {}
        }
    }
    Some(select)
}

fn count_star() -> Expr {
    Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new("count")]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: vec![FunctionArg::Unnamed(FunctionArgExpr::Wildcard)],
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

fn and(a: Option<Expr>, b: Expr) -> Expr {
    match a {
        Some(a) => Expr::BinaryOp {
            left: Box::new(Expr::Nested(Box::new(a))),
            op: BinaryOperator::And,
            right: Box::new(b),
        },
        None => b,
    }
}

/// `(SELECT count(*) FROM <select's FROM> WHERE <select's WHERE> [AND extra]) > 0`.
fn count_positive(query: &Query, select: &Select, extra: Option<Expr>) -> Expr {
    let mut counted = select.clone();
    counted.projection = vec![SelectItem::UnnamedExpr(count_star())];
    counted.distinct = None;
    if let Some(extra) = extra {
        counted.selection = Some(and(counted.selection.take(), extra));
    }
    let mut q = query.clone();
    q.order_by = None;
    q.body = Box::new(SetExpr::Select(Box::new(counted)));
    Expr::BinaryOp {
        left: Box::new(Expr::Subquery(Box::new(q))),
        op: BinaryOperator::Gt,
        right: Box::new(Expr::value(Value::Number("0".into(), false))),
    }
}

fn boolean(v: Option<bool>) -> Expr {
    match v {
        Some(b) => Expr::Value(Value::Boolean(b).into()),
        None => Expr::Cast {
            kind: CastKind::Cast,
            expr: Box::new(Expr::Value(Value::Null.into())),
            data_type: DataType::Boolean,
            array: false,
            format: None,
        },
    }
}

fn case(conditions: Vec<(Expr, Expr)>, otherwise: Expr) -> Expr {
    Expr::Case {
        case_token: AttachedToken::empty(),
        end_token: AttachedToken::empty(),
        operand: None,
        conditions: conditions
            .into_iter()
            .map(|(condition, result)| CaseWhen { condition, result })
            .collect(),
        else_result: Some(Box::new(otherwise)),
    }
}

fn exists_value(subquery: &Query, negated: bool) -> Option<Expr> {
    let select = simple_select(subquery)?;
    let positive = count_positive(subquery, select, None);
    Some(if negated {
        Expr::UnaryOp {
            op: sqlparser::ast::UnaryOperator::Not,
            expr: Box::new(Expr::Nested(Box::new(positive))),
        }
    } else {
        positive
    })
}

/// The outer query's relations.
struct Outer {
    /// The name its rows go by, when it reads one table: bare columns of the left side of
    /// IN are qualified with it before they move into the subquery.
    single: Option<Ident>,
    /// The names (aliases, or table names) it reads.
    names: Vec<String>,
}

fn relation_names(select: &Select) -> Vec<String> {
    let mut names = vec![];
    for twj in &select.from {
        for factor in std::iter::once(&twj.relation).chain(twj.joins.iter().map(|j| &j.relation)) {
            match factor {
                // An aliased table is named by its alias only (MySQL): `tab2.c` inside
                // `FROM tab2 AS cor5` is the outer query's tab2.
                sqlparser::ast::TableFactor::Table { name, alias, .. } => match alias {
                    Some(a) => names.push(a.name.value.to_lowercase()),
                    None => {
                        if let Some(last) = name.0.last().and_then(|p| p.as_ident()) {
                            names.push(last.value.to_lowercase());
                        }
                    }
                },
                sqlparser::ast::TableFactor::Derived { alias: Some(a), .. } => {
                    names.push(a.name.value.to_lowercase())
                }
                _ => {}
            }
        }
    }
    names
}

fn outer_name(select: &Select) -> Outer {
    let names = relation_names(select);
    let [twj] = select.from.as_slice() else {
        return Outer {
            single: None,
            names,
        };
    };
    if !twj.joins.is_empty() {
        return Outer {
            single: None,
            names,
        };
    }
    let single = match &twj.relation {
        sqlparser::ast::TableFactor::Table { name, alias, .. } => match alias {
            Some(a) => Some(a.name.clone()),
            None => name.0.last().and_then(|p| p.as_ident()).cloned(),
        },
        sqlparser::ast::TableFactor::Derived { alias: Some(a), .. } => Some(a.name.clone()),
        _ => None,
    };
    Outer { single, names }
}

/// `left` as it reads inside the subquery: bare columns qualified with the outer table;
/// None when that cannot be done safely (the subquery names the same table, or the outer
/// query reads several tables).
fn moved_inside(left: &Expr, inner: &Select, outer: &Outer) -> Option<Expr> {
    let inner_names = relation_names(inner);
    let mut ok = true;
    let mut e = left.clone();
    let _ = sqlparser::ast::visit_expressions_mut(&mut e, |x| {
        match x {
            Expr::Identifier(i) => match &outer.single {
                Some(q) if !inner_names.contains(&q.value.to_lowercase()) => {
                    *x = Expr::CompoundIdentifier(vec![q.clone(), i.clone()]);
                }
                _ => ok = false,
            },
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let q = parts[parts.len() - 2].value.to_lowercase();
                if inner_names.contains(&q) {
                    ok = false;
                }
            }
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => ok = false,
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    ok.then_some(e)
}

fn in_value(left: &Expr, subquery: &Query, negated: bool, outer: &Outer) -> Option<Expr> {
    let select = simple_select(subquery)?;
    let left = &moved_inside(left, select, outer)?;
    let [SelectItem::UnnamedExpr(p) | SelectItem::ExprWithAlias { expr: p, .. }] =
        select.projection.as_slice()
    else {
        return None;
    };
    let p = Expr::Nested(Box::new(p.clone()));
    let e = Expr::Nested(Box::new(left.clone()));
    let hits = count_positive(
        subquery,
        select,
        Some(Expr::BinaryOp {
            left: Box::new(p.clone()),
            op: BinaryOperator::Eq,
            right: Box::new(e.clone()),
        }),
    );
    let rows = count_positive(subquery, select, None);
    let nulls = count_positive(subquery, select, Some(Expr::IsNull(Box::new(p))));
    let value = case(
        vec![
            (hits, boolean(Some(true))),
            (
                Expr::IsNull(Box::new(e)),
                case(vec![(rows, boolean(None))], boolean(Some(false))),
            ),
            (nulls, boolean(None)),
        ],
        boolean(Some(false)),
    );
    Some(if negated {
        Expr::UnaryOp {
            op: sqlparser::ast::UnaryOperator::Not,
            expr: Box::new(Expr::Nested(Box::new(value))),
        }
    } else {
        value
    })
}

/// Whether the subquery names the outer table (a correlated `NOT IN`, whose null-aware
/// anti join DataFusion cannot run on several keys).
fn correlated(subquery: &Query, outer: &Outer) -> bool {
    let Some(inner) = simple_select(subquery) else {
        return false;
    };
    let inner = relation_names(inner);
    let mut found = false;
    let mut query = subquery.clone();
    let _ = sqlparser::ast::visit_expressions_mut(&mut query, |x| {
        if let Expr::CompoundIdentifier(parts) = x {
            if parts.len() >= 2 {
                let q = parts[parts.len() - 2].value.to_lowercase();
                if outer.names.contains(&q) && !inner.contains(&q) {
                    found = true;
                }
            }
        }
        ControlFlow::<()>::Continue(())
    });
    found
}

fn names_a_column(expr: &Expr) -> bool {
    let mut found = false;
    let mut e = expr.clone();
    let _ = sqlparser::ast::visit_expressions_mut(&mut e, |x| {
        if matches!(
            x,
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Subquery(_)
        ) {
            found = true;
        }
        ControlFlow::<()>::Continue(())
    });
    found
}

/// Rewrite every subquery predicate inside `expr` as a value.
fn rewrite_values(expr: &mut Expr, outer: &Outer) {
    let _ = sqlparser::ast::visit_expressions_mut(expr, |x| {
        let replacement = match &*x {
            Expr::Exists { subquery, negated } => exists_value(subquery, *negated),
            Expr::InSubquery {
                expr,
                subquery,
                negated,
            } => in_value(expr, subquery, *negated, outer),
            _ => None,
        };
        if let Some(r) = replacement {
            *x = r;
        }
        ControlFlow::<()>::Continue(())
    });
}

/// A filter: conjuncts that are subquery predicates stay joins (but `[NOT] IN` with a
/// constant left side); anything else holding one is rewritten.
fn rewrite_filter(expr: &mut Expr, outer: &Outer) {
    match expr {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            rewrite_filter(left, outer);
            rewrite_filter(right, outer);
        }
        Expr::Nested(inner) => rewrite_filter(inner, outer),
        Expr::Exists { .. } => {}
        Expr::InSubquery {
            expr: left,
            subquery,
            negated,
        } if !names_a_column(left) || (*negated && correlated(subquery, outer)) => {
            if let Some(r) = in_value(left, subquery, *negated, outer) {
                *expr = r;
            }
        }
        Expr::InSubquery { .. } => {}
        other => rewrite_values(other, outer),
    }
}

/// `(SELECT x FROM ...)` selecting a plain value: `single_row((SELECT subquery_rows(x)
/// FROM ...))` (see `semantics::single_row`); None for other subqueries.
fn single_row_value(query: &Query) -> Option<Expr> {
    let select = simple_select(query)?;
    if select.distinct.is_some() || query.order_by.is_some() {
        return None;
    }
    let [item] = select.projection.as_slice() else {
        return None;
    };
    let (SelectItem::UnnamedExpr(value) | SelectItem::ExprWithAlias { expr: value, .. }) = item
    else {
        return None;
    };
    let mut windowed = false;
    let mut v = value.clone();
    let _ = sqlparser::ast::visit_expressions_mut(&mut v, |x| {
        if matches!(x, Expr::Function(f) if f.over.is_some()) || matches!(x, Expr::Subquery(_)) {
            windowed = true;
        }
        ControlFlow::<()>::Continue(())
    });
    if windowed {
        return None;
    }
    let mut query = query.clone();
    let SetExpr::Select(select) = query.body.as_mut() else {
        return None;
    };
    select.projection = vec![SelectItem::UnnamedExpr(call(
        super::single_row::ROWS,
        vec![value.clone()],
    ))];
    Some(call(
        super::single_row::SINGLE,
        vec![Expr::Subquery(Box::new(query))],
    ))
}

fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(crate::mysql_syntax::call(name, args))
}

struct SubqueryValues;

impl VisitorMut for SubqueryValues {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::Subquery(query) = expr {
            if let Some(value) = single_row_value(query) {
                *expr = value;
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        if let SetExpr::Select(select) = query.body.as_mut() {
            let outer = outer_name(select);
            let outer = &outer;
            for item in select.projection.iter_mut() {
                if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item
                {
                    rewrite_values(e, outer);
                }
            }
            if let Some(w) = select.selection.as_mut() {
                rewrite_filter(w, outer);
            }
            if let Some(h) = select.having.as_mut() {
                rewrite_filter(h, outer);
            }
        }
        ControlFlow::Continue(())
    }
}

/// Rewrite the statement's subquery predicates used as values (see the module doc).
pub fn rewrite(statement: &mut Statement) {
    let _ = statement.visit(&mut SubqueryValues);
}

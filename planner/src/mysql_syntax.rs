//! MySQL / StarRocks spellings rewritten, on the SQL tree, into what DataFusion plans:
//!
//! - `GROUP_CONCAT([DISTINCT] x [, y ...] [ORDER BY ...] [SEPARATOR 's'])` →
//!   `string_agg([DISTINCT] CAST(concat(x, y, ...) AS VARCHAR), 's' [ORDER BY ...])`
//!   (rows where any argument is NULL are skipped, as in MySQL; the separator defaults to
//!   `,`);
//! - `percentile_approx(x, p)` → `approx_percentile_cont(p) WITHIN GROUP (ORDER BY x)`;
//! - a unit written as a word (`TIMESTAMPDIFF(MINUTE, a, b)`, `time_slice(..., CEIL)`)
//!   becomes a string argument;
//! - `curdate()` → `current_date()`;
//! - unary `+x` → `(x)` (a no-op in MySQL, for any type).

use sqlparser::ast::{
    CastKind, DataType, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentClause,
    FunctionArguments, Ident, ObjectName, OrderByExpr, OrderByOptions, Value,
};

fn name_is(f: &Function, name: &str) -> bool {
    f.name.0.len() == 1 && f.name.to_string().eq_ignore_ascii_case(name)
}

pub(crate) fn call(name: &str, args: Vec<Expr>) -> Function {
    Function {
        name: ObjectName::from(vec![Ident::new(name)]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(sqlparser::ast::FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
                .collect(),
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    }
}

pub(crate) fn plain_args(f: &Function) -> Option<Vec<Expr>> {
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    list.args
        .iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

pub(crate) fn string(s: &str) -> Expr {
    Expr::Value(Value::SingleQuotedString(s.to_string()).into())
}

/// Rewrite one expression node, if it is a MySQL spelling; `None` leaves it.
pub fn rewrite(expr: &Expr) -> Option<Expr> {
    match expr {
        // Unary plus does nothing in MySQL, whatever the operand (`+ NULL`, `+ 'x'`).
        Expr::UnaryOp {
            op: sqlparser::ast::UnaryOperator::Plus,
            expr,
        } => Some(Expr::Nested(expr.clone())),
        Expr::Function(f) if name_is(f, "group_concat") => group_concat(f),
        Expr::Function(f) if name_is(f, "percentile_approx") => percentile_approx(f),
        Expr::Function(f) if name_is(f, "timestampdiff") => unit_word(f, 0),
        Expr::Function(f) if name_is(f, "time_slice") => unit_word(f, 2),
        Expr::Function(f) if name_is(f, "curdate") => {
            let mut f = f.clone();
            f.name = ObjectName::from(vec![Ident::new("current_date")]);
            Some(Expr::Function(f))
        }
        _ => None,
    }
}

/// The word at argument `index` (`MINUTE`, `CEIL`) as a string.
fn unit_word(f: &Function, index: usize) -> Option<Expr> {
    let mut f = f.clone();
    let FunctionArguments::List(list) = &mut f.args else {
        return None;
    };
    let arg = list.args.get_mut(index)?;
    let FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Identifier(word))) = arg else {
        return None;
    };
    *arg = FunctionArg::Unnamed(FunctionArgExpr::Expr(string(&word.value.to_lowercase())));
    Some(Expr::Function(f))
}

fn group_concat(f: &Function) -> Option<Expr> {
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let values = plain_args(f)?;
    if values.is_empty() {
        return None;
    }
    let mut separator = string(",");
    let mut clauses = vec![];
    for clause in &list.clauses {
        match clause {
            FunctionArgumentClause::Separator(v) => separator = Expr::Value(v.clone()),
            FunctionArgumentClause::OrderBy(o) => {
                clauses.push(FunctionArgumentClause::OrderBy(o.clone()))
            }
            _ => return None,
        }
    }
    let joined = if values.len() == 1 {
        values.into_iter().next().expect("one value")
    } else {
        Expr::Function(call("concat", values))
    };
    let text = Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(joined.clone()),
        data_type: DataType::Varchar(None),
        array: false,
        format: None,
    };
    // With DISTINCT, DataFusion orders only by the aggregated argument itself: an ORDER BY
    // of the value orders by its text.
    if list.duplicate_treatment.is_some() {
        for clause in clauses.iter_mut() {
            if let FunctionArgumentClause::OrderBy(order) = clause {
                for o in order.iter_mut() {
                    if o.expr == joined {
                        o.expr = text.clone();
                    }
                }
            }
        }
    }
    let mut out = call("string_agg", vec![text, separator]);
    if let FunctionArguments::List(l) = &mut out.args {
        l.duplicate_treatment = list.duplicate_treatment;
        l.clauses = clauses;
    }
    out.filter = f.filter.clone();
    out.over = f.over.clone();
    Some(Expr::Function(out))
}

fn percentile_approx(f: &Function) -> Option<Expr> {
    let [value, fraction] = <[Expr; 2]>::try_from(plain_args(f)?).ok()?;
    let mut out = call("approx_percentile_cont", vec![fraction]);
    out.within_group = vec![OrderByExpr {
        expr: value,
        options: OrderByOptions {
            asc: None,
            nulls_first: None,
        },
        with_fill: None,
    }];
    out.filter = f.filter.clone();
    Some(Expr::Function(out))
}

//! Statements too deep to plan are refused right after parsing, before anything walks them
//! recursively (a stack overflow would abort the whole server).
//!
//! The parser bounds nesting it reaches by recursion (parentheses, subqueries); only
//! operator chains (`1 + 1 + ...`, `a OR b OR ...`) and set-operation chains (`SELECT 1
//! UNION ALL SELECT 2 ...`), which it builds in a loop, can grow without bound. So:
//!
//! - chains of `AND`, of `OR`, of `*` and of one set operation (`UNION ALL`, `UNION`, ...)
//!   are associative and are rebalanced into trees of logarithmic depth: any length plans;
//! - a chain of `+` and `-` becomes (the sum of the added terms) - (the sum of the
//!   subtracted ones), each sum balanced. Integer and DECIMAL results are exact either
//!   way (only an intermediate BIGINT overflow can differ from MySQL's left-to-right
//!   order, and a DOUBLE sum can differ in its last digits);
//! - other operator chains longer than [`MAX_CHAIN`] are refused with MySQL's 1436
//!   (thread stack overrun), their tree taken apart without recursion.
//!
//! Rebalancing matters beyond the stack: DataFusion names every nested function call
//! after its whole subtree, at every level, so planning a chain of MySQL arithmetic
//! functions costs about the cube of its length; a balanced tree costs n log² n.

use std::ops::ControlFlow;

use lakestar_engine::{Error, Reason, Result};
use sqlparser::ast::{
    BinaryOperator, Expr, Query, SetExpr, SetOperator, SetQuantifier, Value, VisitMut, VisitorMut,
};

/// The longest chain of other operators (`/`, `DIV`, `%`, comparisons, ...) a statement
/// may hold: planning such a chain costs about the cube of its length.
pub const MAX_CHAIN: usize = 200;

/// Chains longer than this are rebalanced.
const BALANCE_FROM: usize = 64;

fn null() -> Expr {
    Expr::Value(Value::Null.into())
}

fn is_associative(op: &BinaryOperator) -> bool {
    matches!(
        op,
        BinaryOperator::And | BinaryOperator::Or | BinaryOperator::Multiply
    )
}

fn is_additive(op: &BinaryOperator) -> bool {
    matches!(op, BinaryOperator::Plus | BinaryOperator::Minus)
}

/// The terms of a left-leaning chain of `+` and `-`, each with whether it is subtracted,
/// in order, without recursion.
fn signed_terms(expr: Expr) -> Vec<(bool, Expr)> {
    let mut terms = vec![];
    let mut e = expr;
    loop {
        match e {
            Expr::BinaryOp { left, op, right } if is_additive(&op) => {
                terms.push((op == BinaryOperator::Minus, *right));
                e = *left;
            }
            first => {
                terms.push((false, first));
                break;
            }
        }
    }
    terms.reverse();
    terms
}

/// `(added terms) - (subtracted terms)`, each sum balanced.
fn balance_additive(expr: Expr) -> Expr {
    let (minus, plus): (Vec<_>, Vec<_>) = signed_terms(expr).into_iter().partition(|(m, _)| *m);
    let plus = balance(
        plus.into_iter().map(|(_, e)| e).collect(),
        &BinaryOperator::Plus,
    );
    if minus.is_empty() {
        return plus;
    }
    let minus = balance(
        minus.into_iter().map(|(_, e)| e).collect(),
        &BinaryOperator::Plus,
    );
    Expr::BinaryOp {
        left: Box::new(plus),
        op: BinaryOperator::Minus,
        right: Box::new(Expr::Nested(Box::new(minus))),
    }
}

/// Length of the left spine of `+` / `-` under `expr`.
fn additive_spine(expr: &Expr) -> usize {
    let mut n = 0;
    let mut e = expr;
    while let Expr::BinaryOp { left, op, .. } = e {
        if !is_additive(op) {
            break;
        }
        n += 1;
        e = left;
    }
    n
}

/// Operands of a left- or right-leaning chain of `op`, in order, without recursion.
fn flatten(expr: Expr, op: &BinaryOperator) -> Vec<Expr> {
    let mut operands = vec![];
    let mut pending = vec![expr];
    while let Some(e) = pending.pop() {
        match e {
            Expr::BinaryOp { left, op: o, right } if &o == op => {
                pending.push(*right);
                pending.push(*left);
            }
            other => operands.push(other),
        }
    }
    operands
}

fn balance(mut operands: Vec<Expr>, op: &BinaryOperator) -> Expr {
    while operands.len() > 1 {
        let mut next = Vec::with_capacity(operands.len().div_ceil(2));
        let mut it = operands.into_iter();
        while let Some(left) = it.next() {
            match it.next() {
                Some(right) => next.push(Expr::BinaryOp {
                    left: Box::new(left),
                    op: op.clone(),
                    right: Box::new(right),
                }),
                None => next.push(left),
            }
        }
        operands = next;
    }
    operands.pop().unwrap_or_else(null)
}

/// Length of the longest left or right spine of binary operators under `expr`.
fn spine(expr: &Expr) -> usize {
    let walk = |left: bool| {
        let mut n = 0;
        let mut e = expr;
        while let Expr::BinaryOp {
            left: l, right: r, ..
        } = e
        {
            n += 1;
            e = if left { l } else { r };
        }
        n
    };
    walk(true).max(walk(false))
}

/// Take a deep operator tree apart without recursing.
fn dismantle(expr: Expr) {
    let mut pending = vec![expr];
    while let Some(e) = pending.pop() {
        if let Expr::BinaryOp { left, right, .. } = e {
            pending.push(*left);
            pending.push(*right);
        }
    }
}

fn same_set_op(a: &(SetOperator, SetQuantifier), b: &(SetOperator, SetQuantifier)) -> bool {
    a.0 == b.0 && a.1 == b.1 && !matches!(a.0, SetOperator::Except | SetOperator::Minus)
}

/// Rebalance a left-leaning chain of one associative set operation.
fn balance_set(body: &mut SetExpr) {
    let SetExpr::SetOperation {
        op, set_quantifier, ..
    } = &*body
    else {
        return;
    };
    let kind = (*op, *set_quantifier);
    if matches!(kind.0, SetOperator::Except | SetOperator::Minus) {
        return;
    }
    let mut depth = 0;
    let mut e: &SetExpr = body;
    while let SetExpr::SetOperation {
        left,
        op,
        set_quantifier,
        ..
    } = e
    {
        if !same_set_op(&(*op, *set_quantifier), &kind) {
            break;
        }
        depth += 1;
        e = left;
    }
    if depth < 64 {
        return;
    }
    let mut operands = vec![];
    let mut current = std::mem::replace(
        body,
        SetExpr::Values(sqlparser::ast::Values {
            explicit_row: false,
            value_keyword: false,
            rows: vec![],
        }),
    );
    loop {
        match current {
            SetExpr::SetOperation {
                left,
                op,
                set_quantifier,
                right,
            } if same_set_op(&(op, set_quantifier), &kind) => {
                operands.push(*right);
                current = *left;
            }
            other => {
                operands.push(other);
                break;
            }
        }
    }
    operands.reverse();
    while operands.len() > 1 {
        let mut next = Vec::with_capacity(operands.len().div_ceil(2));
        let mut it = operands.into_iter();
        while let Some(left) = it.next() {
            match it.next() {
                Some(right) => next.push(SetExpr::SetOperation {
                    left: Box::new(left),
                    op: kind.0,
                    set_quantifier: kind.1,
                    right: Box::new(right),
                }),
                None => next.push(left),
            }
        }
        operands = next;
    }
    *body = operands.pop().expect("one operand");
}

struct Shape;

impl VisitorMut for Shape {
    type Break = Error;

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<Error> {
        balance_set(query.body.as_mut());
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<Error> {
        let Expr::BinaryOp { op, .. } = &*expr else {
            return ControlFlow::Continue(());
        };
        if is_additive(op) && additive_spine(expr) > BALANCE_FROM {
            *expr = balance_additive(std::mem::replace(expr, null()));
            return ControlFlow::Continue(());
        }
        if is_associative(op) {
            let op = op.clone();
            if spine(expr) > BALANCE_FROM {
                let operands = flatten(std::mem::replace(expr, null()), &op);
                *expr = balance(operands, &op);
            }
            return ControlFlow::Continue(());
        }
        if spine(expr) > MAX_CHAIN {
            dismantle(std::mem::replace(expr, null()));
            return ControlFlow::Break(Error::user(
                Reason::TooDeep,
                format!(
                    "Thread stack overrun: the expression nests more than {MAX_CHAIN} operators; simplify the statement"
                ),
            ));
        }
        ControlFlow::Continue(())
    }
}

/// Rebalance associative chains and refuse statements too deep to plan.
pub fn check(statement: &mut sqlparser::ast::Statement) -> Result<()> {
    match statement.visit(&mut Shape) {
        ControlFlow::Break(e) => Err(e),
        ControlFlow::Continue(()) => Ok(()),
    }
}

//! A long `UNION ALL` of constant rows (`SELECT 1 AS id, 'a' AS name UNION ALL SELECT 2,
//! 'b' ...`, as tools generate inline data) is bound as one VALUES list:
//! `SELECT id, name FROM (VALUES (1, 'a'), (2, 'b'), ...) AS t(id, name)`; a long
//! `UNION` (DISTINCT) of them as `SELECT DISTINCT` from the list.
//!
//! The rows, their order and the column labels (the first branch's) are the same; the
//! plan has one node instead of two per branch, so a 10,000-row list binds and plans in
//! a fraction of the time. Only chains of at least [`MIN_ROWS`] branches whose items are
//! integer literals, strings or NULL, each column holding one kind, are rewritten: their
//! types are the same either way (BIGINT, VARCHAR).

use std::collections::HashSet;
use std::ops::ControlFlow;

use sqlparser::ast::helpers::attached_token::AttachedToken;
use sqlparser::ast::{
    Expr, Ident, Parens, Query, Select, SelectItem, SetExpr, SetOperator, SetQuantifier, Statement,
    TableAlias, TableAliasColumnDef, TableFactor, TableWithJoins, UnaryOperator, Value, Values,
    VisitMut, VisitorMut,
};

use super::write_rows::select_query;

/// Shorter chains are left as they are.
pub const MIN_ROWS: usize = 64;

/// The alias of the VALUES list.
const ALIAS: &str = "__constant_rows";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Text,
    Null,
}

fn kind(expr: &Expr) -> Option<Kind> {
    let integer = |s: &str| !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit());
    match expr {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) if integer(n) => Some(Kind::Integer),
            Value::SingleQuotedString(_) => Some(Kind::Text),
            Value::Null => Some(Kind::Null),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => matches!(&**expr, Expr::Value(v)
            if matches!(&v.value, Value::Number(n, _) if integer(n)))
        .then_some(Kind::Integer),
        _ => None,
    }
}

/// A SELECT of nothing: no items, no FROM, no clauses.
fn blank_select() -> Option<Select> {
    match *select_query(None, false, vec![], vec![], None).body {
        SetExpr::Select(blank) => Some(*blank),
        _ => None,
    }
}

/// The select items of `select` if it is nothing but a list of them (`blank` but items).
fn constant_items<'a>(select: &'a Select, blank: &Select) -> Option<&'a [SelectItem]> {
    let mut bare = select.clone();
    bare.projection.clear();
    bare.select_token = AttachedToken::empty();
    (bare == *blank).then_some(select.projection.as_slice())
}

fn item_expr(item: &SelectItem) -> Option<&Expr> {
    match item {
        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
        _ => None,
    }
}

/// The branches of a chain of `UNION`s with one `quantifier`, left to right, if each is
/// a constant select.
fn branches<'a>(
    body: &'a SetExpr,
    quantifier: &SetQuantifier,
    blank: &Select,
    out: &mut Vec<&'a [SelectItem]>,
) -> bool {
    match body {
        SetExpr::SetOperation {
            op: SetOperator::Union,
            set_quantifier,
            left,
            right,
        } if set_quantifier == quantifier => {
            branches(left, quantifier, blank, out) && branches(right, quantifier, blank, out)
        }
        SetExpr::Select(select) => match constant_items(select, blank) {
            Some(items) => {
                out.push(items);
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// The label of a first-branch item, as MySQL names it.
fn label(item: &SelectItem) -> String {
    match item {
        SelectItem::ExprWithAlias { alias, .. } => alias.value.clone(),
        SelectItem::UnnamedExpr(Expr::Value(v)) => match &v.value {
            Value::SingleQuotedString(s) => s.clone(),
            other => other.to_string(),
        },
        other => other.to_string(),
    }
}

/// `body` as a select from one VALUES list, if it is a long enough chain of constant rows.
fn as_values(body: &SetExpr) -> Option<SetExpr> {
    let SetExpr::SetOperation {
        op: SetOperator::Union,
        set_quantifier,
        ..
    } = body
    else {
        return None;
    };
    let distinct = match set_quantifier {
        SetQuantifier::All => false,
        SetQuantifier::None | SetQuantifier::Distinct => true,
        _ => return None,
    };
    let mut rows = vec![];
    let blank = blank_select()?;
    if !branches(body, set_quantifier, &blank, &mut rows) || rows.len() < MIN_ROWS {
        return None;
    }
    let width = rows[0].len();
    let mut kinds = vec![Kind::Null; width];
    for row in &rows {
        if row.len() != width {
            return None;
        }
        for (column, item) in row.iter().enumerate() {
            match (kinds[column], kind(item_expr(item)?)?) {
                (_, Kind::Null) => {}
                (Kind::Null, k) => kinds[column] = k,
                (a, b) if a == b => {}
                _ => return None,
            }
        }
    }
    let names: Vec<String> = rows[0].iter().map(label).collect();
    let lowered: HashSet<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    if kinds.contains(&Kind::Null) || lowered.len() != width {
        return None;
    }
    let values = Values {
        explicit_row: false,
        value_keyword: false,
        rows: rows
            .iter()
            .map(|row| Parens {
                opening_token: AttachedToken::empty(),
                content: row.iter().filter_map(item_expr).cloned().collect(),
                closing_token: AttachedToken::empty(),
            })
            .collect(),
    };
    let mut list = select_query(None, false, vec![], vec![], None);
    list.body = Box::new(SetExpr::Values(values));
    // The list's columns have plain internal names; the select above it labels them with
    // the first branch's aliases (quoted or not, as written, so outer references resolve
    // as they would against the union).
    let internal: Vec<Ident> = (0..width).map(|i| Ident::new(format!("c{i}"))).collect();
    let from = TableWithJoins {
        relation: TableFactor::Derived {
            lateral: false,
            subquery: list,
            alias: Some(TableAlias {
                explicit: true,
                name: Ident::new(ALIAS),
                columns: internal
                    .iter()
                    .map(|name| TableAliasColumnDef {
                        name: name.clone(),
                        data_type: None,
                    })
                    .collect(),
                at: None,
            }),
            sample: None,
        },
        joins: vec![],
    };
    let mut select = select_query(None, distinct, vec![], vec![from], None);
    let SetExpr::Select(ref mut inner) = *select.body else {
        return None;
    };
    inner.projection = internal
        .into_iter()
        .zip(rows[0].iter().zip(&names))
        .map(|(column, (item, label))| SelectItem::ExprWithAlias {
            expr: Expr::Identifier(column),
            alias: match item {
                SelectItem::ExprWithAlias { alias, .. } => alias.clone(),
                _ => Ident::with_quote('`', label),
            },
        })
        .collect();
    Some(*select.body)
}

struct ConstantUnions;

impl VisitorMut for ConstantUnions {
    type Break = ();

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        if let Some(select) = as_values(&query.body) {
            *query.body = select;
        }
        ControlFlow::Continue(())
    }
}

/// Rewrites every long `UNION ALL` of constant rows in `statement` (see the module doc).
pub fn rewrite(statement: &mut Statement) {
    let _ = statement.visit(&mut ConstantUnions);
}

//! Result column names as MySQL labels them: a select item without an alias is named by
//! its text as the user typed it (`IFNULL(NULL, 3)` stays `IFNULL(NULL, 3)`, `57/17`
//! stays `57/17`), not by the text of the expression it is rewritten to; so are the
//! columns of derived tables, CTEs and views. The text is cut from the statement's
//! tokens, before any rewrite, and becomes the item's alias;
//! [`crate::normalize::mysql_column_names`] names whatever this leaves (plain columns,
//! string literals, items whose text cannot be found).

use std::collections::HashMap;
use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, Ident, Query, SelectItem, SetExpr, Statement, Value, VisitMut, VisitorMut,
};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan};

/// Longest label, in characters (MySQL's MAX_ALIAS_NAME).
const MAX_LABEL: usize = 256;

/// Keywords that end a select list at parenthesis depth 0.
const END_OF_LIST: &[Keyword] = &[
    Keyword::FROM,
    Keyword::WHERE,
    Keyword::GROUP,
    Keyword::HAVING,
    Keyword::ORDER,
    Keyword::LIMIT,
    Keyword::INTO,
    Keyword::UNION,
    Keyword::EXCEPT,
    Keyword::INTERSECT,
    Keyword::MINUS,
    Keyword::WINDOW,
    Keyword::FOR,
    Keyword::LOCK,
    Keyword::QUALIFY,
];

/// Modifiers between SELECT and the first item.
const MODIFIERS: &[Keyword] = &[
    Keyword::ALL,
    Keyword::DISTINCT,
    Keyword::DISTINCTROW,
    Keyword::HIGH_PRIORITY,
    Keyword::STRAIGHT_JOIN,
    Keyword::SQL_SMALL_RESULT,
    Keyword::SQL_BIG_RESULT,
    Keyword::SQL_BUFFER_RESULT,
    Keyword::SQL_NO_CACHE,
    Keyword::SQL_CALC_FOUND_ROWS,
];

fn keyword(t: &Token) -> Option<Keyword> {
    match t {
        Token::Word(w) if w.quote_style.is_none() => Some(w.keyword),
        _ => None,
    }
}

/// Byte offsets of the start of each line of `sql`.
fn line_starts(sql: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(sql.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// The byte offset of a token location (1-based line and character column).
fn offset(sql: &str, lines: &[usize], at: Location) -> Option<usize> {
    let start = *lines.get(usize::try_from(at.line).ok()?.checked_sub(1)?)?;
    let column = usize::try_from(at.column).ok()?.checked_sub(1)?;
    let line = &sql[start..];
    Some(
        start
            + line
                .char_indices()
                .nth(column)
                .map_or(line.len(), |(i, _)| i),
    )
}

/// The source text of each item of the select list starting at token `select`.
fn item_texts(tokens: &[TokenWithSpan], select: usize, sql: &str) -> Option<Vec<String>> {
    let lines = line_starts(sql);
    let mut i = select + 1;
    while let Some(t) = tokens.get(i) {
        match keyword(&t.token) {
            _ if matches!(t.token, Token::Whitespace(_)) => {}
            Some(k) if MODIFIERS.contains(&k) => {}
            _ => break,
        }
        i += 1;
    }
    let mut items = vec![];
    let mut current: Vec<&TokenWithSpan> = vec![];
    let mut depth = 0i32;
    let text = |item: &[&TokenWithSpan]| -> Option<String> {
        let first = item
            .iter()
            .find(|t| !matches!(t.token, Token::Whitespace(_)))?;
        let last = item
            .iter()
            .rfind(|t| !matches!(t.token, Token::Whitespace(_)))?;
        let (start, end) = (
            offset(sql, &lines, first.span.start)?,
            offset(sql, &lines, last.span.end)?,
        );
        let text = sql.get(start..end)?;
        Some(text.chars().take(MAX_LABEL).collect())
    };
    for t in &tokens[i..] {
        match &t.token {
            Token::LParen => depth += 1,
            Token::RParen if depth == 0 => break,
            Token::RParen => depth -= 1,
            Token::Comma if depth == 0 => {
                items.push(text(&current)?);
                current.clear();
                continue;
            }
            Token::SemiColon | Token::EOF if depth == 0 => break,
            token if depth == 0 && keyword(token).is_some_and(|k| END_OF_LIST.contains(&k)) => {
                break;
            }
            _ => {}
        }
        current.push(t);
    }
    items.push(text(&current)?);
    Some(items)
}

fn leftmost_select(query: &mut Query) -> Option<&mut sqlparser::ast::Select> {
    let mut body = query.body.as_mut();
    loop {
        match body {
            SetExpr::Select(select) => return Some(select),
            SetExpr::SetOperation { left, .. } => body = left.as_mut(),
            SetExpr::Query(q) => body = q.body.as_mut(),
            _ => return None,
        }
    }
}

/// Whether MySQL names an unaliased item by something other than its text.
fn named_otherwise(expr: &Expr) -> bool {
    match expr {
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => true,
        Expr::Nested(inner) => matches!(**inner, Expr::Identifier(_) | Expr::CompoundIdentifier(_)),
        Expr::Value(v) => matches!(
            v.value,
            Value::SingleQuotedString(_) | Value::DoubleQuotedString(_)
        ),
        _ => false,
    }
}

/// Labels the leftmost SELECT of every query it visits.
struct Labeler<'a> {
    tokens: &'a [TokenWithSpan],
    sql: &'a str,
    /// Token index of each SELECT keyword, by its location.
    selects: HashMap<(u64, u64), usize>,
}

impl VisitorMut for Labeler<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        let Some(select) = leftmost_select(query) else {
            return ControlFlow::Continue(());
        };
        let at = select.select_token.0.span.start;
        let Some(&index) = self.selects.get(&(at.line, at.column)) else {
            return ControlFlow::Continue(());
        };
        let Some(texts) = item_texts(self.tokens, index, self.sql) else {
            return ControlFlow::Continue(());
        };
        if texts.len() != select.projection.len() {
            return ControlFlow::Continue(());
        }
        for (item, text) in select.projection.iter_mut().zip(texts) {
            let SelectItem::UnnamedExpr(expr) = item else {
                continue;
            };
            if named_otherwise(expr) || text.is_empty() {
                continue;
            }
            *item = SelectItem::ExprWithAlias {
                expr: expr.clone(),
                alias: Ident::with_quote('`', text),
            };
        }
        ControlFlow::Continue(())
    }
}

/// Alias each unaliased select item of the queries in `statement` (parsed from `tokens`,
/// which were cut from `sql`) with its source text.
pub fn label_from_source(statement: &mut Statement, tokens: &[TokenWithSpan], sql: &str) {
    let selects = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| keyword(&t.token) == Some(Keyword::SELECT))
        .map(|(i, t)| ((t.span.start.line, t.span.start.column), i))
        .collect();
    let mut labeler = Labeler {
        tokens,
        sql,
        selects,
    };
    let _ = statement.visit(&mut labeler);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::LakestarDialect;
    use sqlparser::parser::Parser;
    use sqlparser::tokenizer::Tokenizer;

    fn labels(sql: &str) -> Vec<String> {
        let dialect = LakestarDialect::default();
        let tokens = Tokenizer::new(&dialect, sql)
            .tokenize_with_location()
            .unwrap();
        let mut statement = Parser::new(&dialect)
            .with_tokens_with_locations(tokens.clone())
            .parse_statement()
            .unwrap();
        label_from_source(&mut statement, &tokens, sql);
        let Statement::Query(mut q) = statement else {
            panic!()
        };
        leftmost_select(&mut q)
            .unwrap()
            .projection
            .iter()
            .map(|i| match i {
                SelectItem::ExprWithAlias { alias, .. } => alias.value.clone(),
                other => format!("<{other}>"),
            })
            .collect()
    }

    #[test]
    fn items_keep_their_text() {
        assert_eq!(
            labels("SELECT IFNULL(NULL,  3), MOD(7,2) , a, 'x', -a*2 AS y FROM t"),
            ["IFNULL(NULL,  3)", "MOD(7,2)", "<a>", "<'x'>", "y"]
        );
        assert_eq!(
            labels("WITH c AS (SELECT 1 AS a) SELECT CAST(a AS CHAR), é+1\nFROM c"),
            ["CAST(a AS CHAR)", "é+1"]
        );
        assert_eq!(
            labels("(SELECT DISTINCT 57/17, (SELECT 1)) UNION SELECT 1, 2"),
            ["57/17", "(SELECT 1)"]
        );
        assert_eq!(labels("SELECT * FROM (SELECT 1+1) s"), ["<*>"]);
    }
}

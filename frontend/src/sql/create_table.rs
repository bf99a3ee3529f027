//! StarRocks `CREATE TABLE`, parsed with sqlparser's parser plus the StarRocks clauses:
//!
//! ```sql
//! CREATE TABLE [IF NOT EXISTS] [db.]t (col type [NULL|NOT NULL] [DEFAULT v] [AS expr] [COMMENT 'c'], ...)
//! [ENGINE = OLAP]
//! [DUPLICATE KEY(...) | PRIMARY KEY(...) | UNIQUE KEY(...)]
//! [COMMENT 'table comment']
//! [PARTITION BY ...]
//! [DISTRIBUTED BY HASH(...) [BUCKETS n] | DISTRIBUTED BY RANDOM [BUCKETS n]]
//! [ORDER BY (...)]
//! [PROPERTIES ("key" = "value", ...)]
//! ```

use std::collections::BTreeMap;

use lakestar_engine::catalog::{ColumnMeta, Distribution, KeysType, TableMeta};
use lakestar_engine::{user_err, Error, Result};
use sqlparser::ast::{ObjectName, TableConstraint};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{IsOptional, Parser};
use sqlparser::tokenizer::Token;

/// A parsed CREATE TABLE; `table.database` is filled in by the handler.
#[derive(Debug, Clone)]
pub struct CreateTable {
    pub if_not_exists: bool,
    pub name: ObjectName,
    pub table: TableMeta,
    /// `CREATE TABLE ... AS query`: the columns come from the query, and the table is
    /// checked with [`check_table`] once they are known.
    pub as_query: Option<Box<sqlparser::ast::Query>>,
}

fn lower(ident: &sqlparser::ast::Ident) -> String {
    ident.value.to_lowercase()
}

fn word_is(token: &Token, text: &str) -> bool {
    matches!(token, Token::Word(w) if w.value.eq_ignore_ascii_case(text))
}

/// Parse after the caller has checked the statement starts with `CREATE TABLE`.
pub fn parse_create_table(parser: &mut Parser) -> Result<CreateTable> {
    parser.expect_keyword(Keyword::CREATE)?;
    if parser.parse_keyword(Keyword::EXTERNAL) {
        return Err(Error::unsupported("CREATE EXTERNAL TABLE is not supported"));
    }
    let _ = parser.parse_keyword(Keyword::TEMPORARY);
    parser.expect_keyword(Keyword::TABLE)?;
    let if_not_exists = parser.parse_keywords(&[Keyword::IF, Keyword::NOT, Keyword::EXISTS]);
    let name = parser.parse_object_name(false)?;
    if parser.peek_keyword(Keyword::LIKE) {
        return Err(Error::unsupported(
            "CREATE TABLE ... LIKE is not supported yet",
        ));
    }
    let mut columns: Vec<ColumnMeta> = vec![];
    let mut primary_key: Option<Vec<String>> = None;
    // Without a column list this is CREATE TABLE ... AS query.
    let has_columns = parser.consume_token(&Token::LParen);
    let mut in_column_list = has_columns;
    while in_column_list {
        if let Some(constraint) = parser.parse_optional_table_constraint()? {
            // Other constraints and indexes are accepted and ignored.
            if let TableConstraint::PrimaryKey(pk) = constraint {
                primary_key = Some(
                    pk.columns
                        .iter()
                        .map(|c| c.column.expr.to_string().trim_matches('`').to_lowercase())
                        .collect(),
                );
            }
        } else if word_is(&parser.peek_token().token, "INDEX") {
            // StarRocks `INDEX name (cols) [USING BITMAP] [COMMENT '...']`: accepted, ignored.
            skip_until_list_end(parser);
        } else {
            let mut is_primary = false;
            let column = super::column_def::parse_column(parser, &mut is_primary)?;
            if columns.iter().any(|c| c.name == column.name) {
                return Err(user_err!(
                    DuplicateColumn,
                    "Duplicate column name '{}'",
                    column.name
                ));
            }
            if is_primary {
                primary_key = Some(vec![column.name.clone()]);
            }
            if column.generated.is_none() && columns.iter().any(|c| c.generated.is_some()) {
                return Err(user_err!(
                    InvalidDefinition,
                    "Generated columns must follow all regular columns; '{}' comes after one",
                    column.name
                ));
            }
            columns.push(column);
        }
        if !parser.consume_token(&Token::Comma) {
            parser.expect_token(&Token::RParen)?;
            in_column_list = false;
        }
    }

    let mut keys: Option<(KeysType, Vec<String>)> = primary_key.map(|k| (KeysType::Primary, k));
    let mut comment = None;
    let mut partition_columns = vec![];
    let mut partition_clause = None;
    let mut distribution = None;
    let mut order_by = vec![];
    let mut properties = BTreeMap::new();
    let mut as_query = None;
    loop {
        let token = parser.peek_token().token;
        if token == Token::EOF || token == Token::SemiColon {
            break;
        }
        if parser.parse_keyword(Keyword::AS) {
            as_query = Some(parser.parse_query()?);
            break;
        }
        if parser.parse_keyword(Keyword::ENGINE) {
            let _ = parser.consume_token(&Token::Eq);
            let engine = parser.parse_identifier()?;
            if !engine.value.eq_ignore_ascii_case("olap") {
                return Err(Error::unsupported(format!(
                    "ENGINE={} is not supported",
                    engine.value
                )));
            }
        } else if word_is(&token, "DUPLICATE") || word_is(&token, "AGGREGATE") {
            let kind = parser.next_token().token;
            parser.expect_keyword(Keyword::KEY)?;
            let cols = column_list(parser)?;
            if word_is(&kind, "AGGREGATE") {
                return Err(Error::unsupported(
                    "AGGREGATE KEY tables are not supported yet",
                ));
            }
            keys = Some((KeysType::Duplicate, cols));
        } else if parser.parse_keywords(&[Keyword::PRIMARY, Keyword::KEY]) {
            keys = Some((KeysType::Primary, column_list(parser)?));
        } else if parser.parse_keywords(&[Keyword::UNIQUE, Keyword::KEY]) {
            keys = Some((KeysType::Unique, column_list(parser)?));
        } else if parser.parse_keyword(Keyword::COMMENT) {
            let _ = parser.consume_token(&Token::Eq);
            comment = Some(parser.parse_literal_string()?);
        } else if parser.parse_keywords(&[Keyword::PARTITION, Keyword::BY]) {
            let (cols, clause) = partition_by(parser)?;
            partition_columns = cols;
            partition_clause = clause;
        } else if word_is(&token, "DISTRIBUTED") {
            parser.next_token();
            parser.expect_keyword(Keyword::BY)?;
            distribution = Some(distributed_by(parser)?);
        } else if parser.parse_keywords(&[Keyword::ORDER, Keyword::BY]) {
            order_by = column_list(parser)?;
        } else if word_is(&token, "PROPERTIES") {
            parser.next_token();
            properties = key_values(parser)?;
        } else {
            return Err(Error::syntax(format!(
                "Unexpected {token} in CREATE TABLE; expected a table clause"
            )));
        }
    }

    if as_query.is_some() && has_columns {
        return Err(Error::unsupported(
            "CREATE TABLE (columns) AS query is not supported; the query names the columns",
        ));
    }
    let (keys_type, key_columns) = keys.unwrap_or((KeysType::Duplicate, vec![]));
    let mut table = TableMeta {
        catalog: None,
        database: String::new(),
        name: name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map(lower)
            .unwrap_or_default(),
        id: 0,
        columns,
        keys_type,
        key_columns,
        partition_columns,
        partition_clause,
        distribution,
        order_by,
        properties,
        comment,
        create_time_ms: chrono::Utc::now().timestamp_millis(),
    };
    if as_query.is_none() {
        check_table(&mut table)?;
    }
    Ok(CreateTable {
        if_not_exists,
        table,
        name,
        as_query,
    })
}

/// Check a table's clauses against its columns: key, partition, order and distribution
/// columns exist; no key means the first column; upsert keys are NOT NULL.
pub fn check_table(table: &mut TableMeta) -> Result<()> {
    if table.columns.is_empty() {
        return Err(Error::syntax("A table must have at least one column"));
    }
    if table.key_columns.is_empty() {
        table.key_columns = vec![table.columns[0].name.clone()];
    }
    let known = |names: &[String], what: &str| -> Result<()> {
        for n in names {
            if !table.columns.iter().any(|c| &c.name == n) {
                return Err(user_err!(UnknownColumn, "Unknown column '{n}' in {what}"));
            }
        }
        Ok(())
    };
    known(&table.key_columns, "key")?;
    known(&table.partition_columns, "PARTITION BY")?;
    known(&table.order_by, "ORDER BY")?;
    if let Some(Distribution::Hash { columns: hash, .. }) = &table.distribution {
        known(hash, "DISTRIBUTED BY")?;
    }
    if table.keys_type.is_upsert() {
        for c in table.columns.iter_mut() {
            if table.key_columns.contains(&c.name) {
                c.nullable = false;
            }
        }
        if let Some(p) = table
            .partition_columns
            .iter()
            .find(|p| !table.key_columns.contains(p))
        {
            return Err(Error::user(
                lakestar_engine::Reason::InvalidDefinition,
                format!(
                    "Partition column '{p}' must be part of the {}",
                    table.keys_type.sql_name()
                ),
            ));
        }
    }
    Ok(())
}

fn column_list(parser: &mut Parser) -> Result<Vec<String>> {
    Ok(parser
        .parse_parenthesized_column_list(IsOptional::Mandatory, false)?
        .iter()
        .map(lower)
        .collect())
}

/// `PARTITION BY`: a plain column list partitions the Paimon table; any other form
/// (RANGE, LIST, expressions) is kept as written.
fn partition_by(parser: &mut Parser) -> Result<(Vec<String>, Option<String>)> {
    let mut tokens = vec![];
    let mut depth = 0i32;
    loop {
        let token = parser.peek_token().token;
        let at_clause = depth == 0
            && (token == Token::EOF
                || token == Token::SemiColon
                || word_is(&token, "DISTRIBUTED")
                || word_is(&token, "PROPERTIES")
                || word_is(&token, "ORDER")
                || word_is(&token, "COMMENT"));
        if at_clause {
            break;
        }
        match token {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            _ => {}
        }
        tokens.push(parser.next_token().token);
    }
    let inner: Vec<&Token> = match tokens.as_slice() {
        [Token::LParen, middle @ .., Token::RParen] => middle.iter().collect(),
        all => all.iter().collect(),
    };
    let mut columns = vec![];
    let mut plain = !inner.is_empty();
    for (i, t) in inner.iter().enumerate() {
        match (i % 2, t) {
            (0, Token::Word(w)) if w.keyword == Keyword::NoKeyword || w.quote_style.is_some() => {
                columns.push(w.value.to_lowercase())
            }
            (1, Token::Comma) => {}
            _ => plain = false,
        }
    }
    if plain && inner.len() % 2 == 1 {
        Ok((columns, None))
    } else if tokens.is_empty() {
        Err(Error::syntax("PARTITION BY needs a partition description"))
    } else {
        Ok((vec![], Some(render_tokens(&tokens))))
    }
}

fn render_tokens(tokens: &[Token]) -> String {
    let mut out = String::new();
    for (i, t) in tokens.iter().enumerate() {
        let glue = i == 0
            || matches!(t, Token::RParen | Token::Comma)
            || matches!(tokens[i - 1], Token::LParen);
        if !glue {
            out.push(' ');
        }
        out.push_str(&t.to_string());
    }
    out
}

fn distributed_by(parser: &mut Parser) -> Result<Distribution> {
    let kind = parser.next_token().token;
    if word_is(&kind, "HASH") {
        let columns = column_list(parser)?;
        Ok(Distribution::Hash {
            columns,
            buckets: buckets(parser)?,
        })
    } else if word_is(&kind, "RANDOM") {
        Ok(Distribution::Random {
            buckets: buckets(parser)?,
        })
    } else {
        Err(Error::syntax(format!(
            "Expected HASH or RANDOM after DISTRIBUTED BY, found {kind}"
        )))
    }
}

fn buckets(parser: &mut Parser) -> Result<Option<u32>> {
    if word_is(&parser.peek_token().token, "BUCKETS") {
        parser.next_token();
        let n = parser.parse_literal_uint()?;
        if n == 0 || n > 1024 {
            return Err(Error::syntax(format!(
                "BUCKETS {n} is out of range [1, 1024]"
            )));
        }
        return Ok(Some(n as u32));
    }
    Ok(None)
}

pub(crate) fn key_values(parser: &mut Parser) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    parser.expect_token(&Token::LParen)?;
    if parser.consume_token(&Token::RParen) {
        return Ok(out);
    }
    loop {
        let key = string_token(parser)?;
        parser.expect_token(&Token::Eq)?;
        let value = string_token(parser)?;
        out.insert(key, value);
        if parser.consume_token(&Token::Comma) {
            continue;
        }
        parser.expect_token(&Token::RParen)?;
        return Ok(out);
    }
}

fn string_token(parser: &mut Parser) -> Result<String> {
    match parser.next_token().token {
        Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => Ok(s),
        Token::Word(w) => Ok(w.value),
        Token::Number(n, _) => Ok(n),
        other => Err(Error::syntax(format!(
            "Expected a string in PROPERTIES, found {other}"
        ))),
    }
}

fn skip_until_list_end(parser: &mut Parser) {
    let mut depth = 0i32;
    loop {
        match parser.peek_token().token {
            Token::EOF => return,
            Token::Comma | Token::RParen if depth == 0 => return,
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            _ => {}
        }
        parser.next_token();
    }
}

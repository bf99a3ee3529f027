//! SQL text → statements: sqlparser's MySQL dialect, plus StarRocks `CREATE TABLE` and
//! the MySQL administration statements of [`admin`].
//!
//! `?` parameter markers are numbered `$1`, `$2`, ... in text order while tokenizing, so a
//! prepared statement's parameters reach the planner as numbered, typed placeholders.

pub mod admin;
pub mod alter_table;
pub mod build;
pub mod column_def;
pub mod create_table;
pub mod depth;
pub mod insert_columns;
pub mod materialized_view;

use lakestar_engine::{Error, Result};
use lakestar_planner::dialect::LakestarDialect;
use lakestar_planner::semantics::labels::label_from_source;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

pub use admin::AdminStatement;
pub use alter_table::AlterTable;
pub use create_table::CreateTable;

/// A statement Lakestar can dispatch.
#[derive(Debug, Clone)]
pub enum Statement {
    /// Anything sqlparser's MySQL dialect parses.
    Sql(Box<sqlparser::ast::Statement>),
    /// StarRocks CREATE TABLE.
    CreateTable(Box<CreateTable>),
    /// ALTER TABLE column changes.
    AlterTable(Box<AlterTable>),
    /// Asynchronous materialized view statements.
    MaterializedView(Box<materialized_view::MaterializedViewStatement>),
    /// Accounts and MySQL metadata statements sqlparser does not parse.
    Admin(Box<AdminStatement>),
}

impl Statement {
    /// A read-only query (SELECT, set operations, VALUES, WITH).
    pub fn is_select(&self) -> bool {
        matches!(self, Statement::Sql(s) if matches!(**s, sqlparser::ast::Statement::Query(_)))
    }

    /// SHOW WARNINGS / SHOW ERRORS and queries of `@@warning_count` / `@@error_count`,
    /// which must not clear the diagnostics they show.
    pub fn reads_diagnostics(&self) -> bool {
        match self {
            Statement::Admin(a) => matches!(**a, AdminStatement::ShowDiagnostics { .. }),
            Statement::Sql(s) if matches!(**s, sqlparser::ast::Statement::Query(_)) => {
                use sqlparser::ast::{visit_expressions, Expr};
                let counts = |name: &str| {
                    let Some(name) = name.strip_prefix("@@") else {
                        return false;
                    };
                    let name = name.to_ascii_lowercase();
                    let name = name.trim_start_matches("session.");
                    matches!(name, "warning_count" | "error_count")
                };
                visit_expressions(&**s, |e| match e {
                    Expr::Identifier(i) if counts(&i.value) => std::ops::ControlFlow::Break(()),
                    _ => std::ops::ControlFlow::Continue(()),
                })
                .is_break()
            }
            _ => false,
        }
    }
}

/// Parse one statement to prepare; returns it with its number of `?` parameters.
pub fn parse_prepared(sql: &str) -> Result<(Statement, usize)> {
    let dialect = lakestar_planner::dialect::LakestarDialect::default();
    let tokens = starrocks_tokens(&dialect, sql)?;
    let params = tokens
        .iter()
        .filter(|t| matches!(t.token, Token::Placeholder(_)))
        .count();
    let mut statements = parse_tokens(&dialect, tokens, sql)?;
    match statements.len() {
        1 => Ok((statements.remove(0), params)),
        0 => Err(Error::syntax("Query was empty")),
        _ => Err(Error::syntax(
            "You have an error in your SQL syntax: a prepared statement holds one statement",
        )),
    }
}

/// Parse one or more `;`-separated statements.
pub fn parse(sql: &str) -> Result<Vec<Statement>> {
    let dialect = lakestar_planner::dialect::LakestarDialect::default();
    let tokens = starrocks_tokens(&dialect, sql)?;
    parse_tokens(&dialect, tokens, sql)
}

/// Parse the statements of `tokens`, which were cut from `sql`.
fn parse_tokens(
    dialect: &LakestarDialect,
    tokens: Vec<sqlparser::tokenizer::TokenWithSpan>,
    sql: &str,
) -> Result<Vec<Statement>> {
    let mut parser = Parser::new(dialect).with_tokens_with_locations(tokens.clone());
    let mut statements = vec![];
    let mut expect_delimiter = false;
    loop {
        while parser.consume_token(&Token::SemiColon) {
            expect_delimiter = false;
        }
        let next = parser.peek_token().token;
        if next == Token::EOF {
            break;
        }
        if expect_delimiter {
            return Err(Error::syntax(format!(
                "You have an error in your SQL syntax; unexpected '{next}' after the end of a statement"
            )));
        }
        statements.push(if starts_create_table(&parser) {
            Statement::CreateTable(Box::new(create_table::parse_create_table(&mut parser)?))
        } else if materialized_view::starts_materialized_view(&parser) {
            Statement::MaterializedView(Box::new(materialized_view::parse(&mut parser)?))
        } else if alter_table::starts_alter_table(&parser) {
            Statement::AlterTable(Box::new(alter_table::parse_alter_table(&mut parser)?))
        } else if admin::starts_admin(&parser) {
            Statement::Admin(Box::new(admin::parse_admin(&mut parser)?))
        } else {
            let start = parser.index();
            let mut statement = parser.parse_statement()?;
            let end = parser.index().min(tokens.len());
            // After the depth check, which bounds (and rebalances) what the labeler walks.
            depth::check(&mut statement)?;
            label_from_source(&mut statement, &tokens[start..end], sql);
            Statement::Sql(Box::new(statement))
        });
        expect_delimiter = true;
    }
    Ok(statements)
}

/// Tokenize, accepting StarRocks' double-quoted comments (`COMMENT "text"`), which the
/// MySQL dialect would otherwise read as an identifier, and StarRocks' INSERT column lists
/// after PARTITION (`insert_columns`).
fn starrocks_tokens(
    dialect: &LakestarDialect,
    sql: &str,
) -> Result<Vec<sqlparser::tokenizer::TokenWithSpan>> {
    let mut tokens = sqlparser::tokenizer::Tokenizer::new(dialect, sql)
        .tokenize_with_location()
        .map_err(|e| Error::syntax(e.to_string()))?;
    let mut previous_word: Option<Keyword> = None;
    let mut placeholders = 0;
    for t in tokens.iter_mut() {
        match &t.token {
            Token::Whitespace(_) => continue,
            Token::Placeholder(p) if p == "?" => {
                placeholders += 1;
                t.token = Token::Placeholder(format!("${placeholders}"));
            }
            Token::DoubleQuotedString(s) if previous_word == Some(Keyword::COMMENT) => {
                t.token = Token::SingleQuotedString(s.clone());
            }
            _ => {}
        }
        previous_word = match &t.token {
            Token::Word(w) => Some(w.keyword),
            _ => None,
        };
    }
    insert_columns::move_column_list(&mut tokens);
    Ok(tokens)
}

fn starts_create_table(parser: &Parser) -> bool {
    let [a, b, c] = parser.peek_tokens::<3>();
    let is = |t: &Token, k: Keyword| matches!(t, Token::Word(w) if w.keyword == k);
    is(&a, Keyword::CREATE)
        && (is(&b, Keyword::TABLE)
            || ((is(&b, Keyword::EXTERNAL) || is(&b, Keyword::TEMPORARY))
                && is(&c, Keyword::TABLE)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakestar_engine::catalog::{Distribution, KeysType};

    fn create(sql: &str) -> CreateTable {
        match parse(sql).unwrap().remove(0) {
            Statement::CreateTable(c) => *c,
            other => panic!("not a create table: {other:?}"),
        }
    }

    #[test]
    fn starrocks_clauses_are_kept() {
        let c = create(
            "CREATE TABLE IF NOT EXISTS d.t (id BIGINT NOT NULL COMMENT 'k', v VARCHAR(20) DEFAULT 'x', dt DATE) \
             ENGINE=OLAP PRIMARY KEY(id, dt) COMMENT 'tbl' PARTITION BY (dt) \
             DISTRIBUTED BY HASH(id) BUCKETS 4 ORDER BY (v) PROPERTIES (\"replication_num\" = \"1\")",
        );
        assert!(c.if_not_exists);
        let t = c.table;
        assert_eq!(t.keys_type, KeysType::Primary);
        assert_eq!(t.key_columns, vec!["id", "dt"]);
        assert_eq!(t.partition_columns, vec!["dt"]);
        assert_eq!(
            t.distribution,
            Some(Distribution::Hash {
                columns: vec!["id".into()],
                buckets: Some(4)
            })
        );
        assert_eq!(
            t.properties.get("replication_num").map(String::as_str),
            Some("1")
        );
        assert_eq!(t.comment.as_deref(), Some("tbl"));
        assert_eq!(t.columns[1].default.as_deref(), Some("'x'"));
    }

    #[test]
    fn range_partitions_are_kept_as_text() {
        let c = create(
            "CREATE TABLE t (k INT, dt DATE) DUPLICATE KEY(k) PARTITION BY RANGE(dt) (PARTITION p1 VALUES LESS THAN ('2024-01-01')) DISTRIBUTED BY RANDOM",
        );
        assert!(c.table.partition_columns.is_empty());
        assert!(c.table.partition_clause.unwrap().starts_with("RANGE (dt)"));
    }

    #[test]
    fn several_statements() {
        assert_eq!(parse("select 1; select 2;").unwrap().len(), 2);
        assert!(parse("select 1 select 2").is_err());
    }
}

//! StarRocks' asynchronous materialized view statements:
//!
//! ```sql
//! CREATE MATERIALIZED VIEW [IF NOT EXISTS] [db.]mv [COMMENT 'c']
//!   [PARTITION BY col | date_trunc('unit', col)]
//!   [DISTRIBUTED BY HASH(cols) [BUCKETS n] | DISTRIBUTED BY RANDOM [BUCKETS n]]
//!   [REFRESH [IMMEDIATE | DEFERRED] {ASYNC [START ('ts')] [EVERY (INTERVAL n unit)] | MANUAL}]
//!   [ORDER BY (cols)] [PROPERTIES ("k" = "v", ...)]
//!   AS query
//! REFRESH MATERIALIZED VIEW mv [PARTITION START ('a') END ('b')] [FORCE] [WITH {SYNC | ASYNC} MODE]
//! CANCEL REFRESH MATERIALIZED VIEW mv
//! ALTER MATERIALIZED VIEW mv {REFRESH ... | RENAME new | ACTIVE | INACTIVE | SET ("k" = "v")}
//! DROP MATERIALIZED VIEW [IF EXISTS] mv
//! SHOW MATERIALIZED VIEWS [FROM db] [LIKE 'pattern']
//! SHOW CREATE MATERIALIZED VIEW mv
//! ```

use std::collections::BTreeMap;

use lakestar_engine::materialized_view::{Interval, IntervalUnit, RefreshScheme};
use lakestar_engine::{Error, Result};
use sqlparser::ast::{ObjectName, Query};
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

/// `REFRESH [IMMEDIATE | DEFERRED] ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshClause {
    pub deferred: bool,
    pub scheme: RefreshScheme,
}

#[derive(Debug, Clone)]
pub struct CreateMaterializedView {
    pub if_not_exists: bool,
    pub name: ObjectName,
    pub comment: Option<String>,
    pub partition_by: Option<String>,
    pub distributed_by: Option<String>,
    pub refresh: RefreshClause,
    pub properties: BTreeMap<String, String>,
    pub query: Box<Query>,
}

#[derive(Debug, Clone)]
pub enum AlterMaterializedView {
    Refresh(RefreshClause),
    Rename(String),
    Active,
    Inactive,
    Set(BTreeMap<String, String>),
}

#[derive(Debug, Clone)]
pub enum MaterializedViewStatement {
    Create(Box<CreateMaterializedView>),
    Refresh {
        name: ObjectName,
        force: bool,
        /// `WITH SYNC MODE`: the statement waits for the refresh.
        sync: bool,
        /// `PARTITION START ('a') END ('b')`.
        partition_range: Option<(String, String)>,
    },
    CancelRefresh {
        name: ObjectName,
    },
    Alter {
        name: ObjectName,
        change: AlterMaterializedView,
    },
    Drop {
        if_exists: bool,
        name: ObjectName,
    },
    Show {
        database: Option<String>,
        like: Option<String>,
    },
    ShowCreate {
        name: ObjectName,
    },
}

fn word(token: &Token, text: &str) -> bool {
    matches!(token, Token::Word(w) if w.value.eq_ignore_ascii_case(text))
}

/// Whether the parser stands at one of the statements above.
pub fn starts_materialized_view(parser: &Parser) -> bool {
    let t = parser.peek_tokens::<5>();
    let mv = |i: usize| word(&t[i], "MATERIALIZED") && word(&t[i + 1], "VIEW");
    let mvs = |i: usize| word(&t[i], "MATERIALIZED") && word(&t[i + 1], "VIEWS");
    (word(&t[0], "CREATE") && mv(1))
        || (word(&t[0], "REFRESH") && mv(1))
        || (word(&t[0], "CANCEL") && word(&t[1], "REFRESH") && mv(2))
        || (word(&t[0], "ALTER") && mv(1))
        || (word(&t[0], "DROP") && mv(1))
        || (word(&t[0], "SHOW") && mvs(1))
        || (word(&t[0], "SHOW") && word(&t[1], "CREATE") && mv(2))
}

fn expect_words(parser: &mut Parser, words: &[&str]) -> Result<()> {
    for w in words {
        let t = parser.next_token();
        if !word(&t.token, w) {
            return Err(Error::syntax(format!("expected {w}, found {}", t.token)));
        }
    }
    Ok(())
}

fn parse_word(parser: &mut Parser, text: &str) -> bool {
    if word(&parser.peek_token().token, text) {
        parser.next_token();
        true
    } else {
        false
    }
}

/// A string literal, single- or double-quoted.
fn string(parser: &mut Parser) -> Result<String> {
    match parser.next_token().token {
        Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => Ok(s),
        other => Err(Error::syntax(format!("expected a string, found {other}"))),
    }
}

/// `("k" = "v", ...)`, keys in lower case.
pub fn properties(parser: &mut Parser) -> Result<BTreeMap<String, String>> {
    parser.expect_token(&Token::LParen)?;
    let mut map = BTreeMap::new();
    loop {
        let key = string(parser)?;
        parser.expect_token(&Token::Eq)?;
        let value = string(parser)?;
        map.insert(key.to_ascii_lowercase(), value);
        if !parser.consume_token(&Token::Comma) {
            parser.expect_token(&Token::RParen)?;
            return Ok(map);
        }
    }
}

/// The tokens of a clause up to (not including) the next top-level keyword of `stops`.
fn clause_text(parser: &mut Parser, stops: &[&str]) -> String {
    let mut depth = 0usize;
    let mut out = String::new();
    loop {
        let t = parser.peek_token().token;
        if t == Token::EOF || t == Token::SemiColon {
            break;
        }
        if depth == 0 && stops.iter().any(|s| word(&t, s)) {
            break;
        }
        match t {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        if !out.is_empty()
            && !matches!(t, Token::LParen | Token::RParen | Token::Comma)
            && !out.ends_with('(')
        {
            out.push(' ');
        }
        out.push_str(&t.to_string());
        parser.next_token();
    }
    out
}

fn refresh_clause(parser: &mut Parser) -> Result<RefreshClause> {
    let deferred = if parse_word(parser, "DEFERRED") {
        true
    } else {
        parse_word(parser, "IMMEDIATE");
        false
    };
    if parse_word(parser, "MANUAL") {
        return Ok(RefreshClause {
            deferred,
            scheme: RefreshScheme::Manual,
        });
    }
    if !parse_word(parser, "ASYNC") {
        return Err(Error::syntax(format!(
            "REFRESH takes ASYNC or MANUAL, found {}",
            parser.peek_token().token
        )));
    }
    let mut start_ms = None;
    let mut every = None;
    if parse_word(parser, "START") {
        parser.expect_token(&Token::LParen)?;
        let text = string(parser)?;
        parser.expect_token(&Token::RParen)?;
        let start = chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S")
            .or_else(|_| {
                chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                    .map(|d| d.and_time(chrono::NaiveTime::MIN))
            })
            .map_err(|_| Error::syntax(format!("START ('{text}') is not a date-time")))?;
        start_ms = Some(start.and_utc().timestamp_millis());
    }
    if parse_word(parser, "EVERY") {
        parser.expect_token(&Token::LParen)?;
        expect_words(parser, &["INTERVAL"])?;
        let count = match parser.next_token().token {
            Token::Number(n, _) => {
                n.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    Error::syntax(format!("EVERY needs a positive count, got {n}"))
                })?
            }
            Token::SingleQuotedString(n) => n
                .parse::<u64>()
                .map_err(|_| Error::syntax(format!("EVERY needs a count, got '{n}'")))?,
            other => return Err(Error::syntax(format!("EVERY needs a count, got {other}"))),
        };
        let unit = match parser.next_token().token {
            Token::Word(w) => match w.value.to_ascii_uppercase().trim_end_matches('S') {
                "SECOND" => IntervalUnit::Second,
                "MINUTE" => IntervalUnit::Minute,
                "HOUR" => IntervalUnit::Hour,
                "DAY" => IntervalUnit::Day,
                "WEEK" => IntervalUnit::Week,
                "MONTH" => IntervalUnit::Month,
                other => return Err(Error::syntax(format!("unknown interval unit {other}"))),
            },
            other => {
                return Err(Error::syntax(format!(
                    "expected an interval unit, found {other}"
                )))
            }
        };
        parser.expect_token(&Token::RParen)?;
        every = Some(Interval { count, unit });
    }
    Ok(RefreshClause {
        deferred,
        scheme: RefreshScheme::Async { start_ms, every },
    })
}

pub fn parse(parser: &mut Parser) -> Result<MaterializedViewStatement> {
    let first = parser.next_token().token;
    if word(&first, "CREATE") {
        expect_words(parser, &["MATERIALIZED", "VIEW"])?;
        return parse_create(parser).map(|c| MaterializedViewStatement::Create(Box::new(c)));
    }
    if word(&first, "REFRESH") {
        expect_words(parser, &["MATERIALIZED", "VIEW"])?;
        let name = parser.parse_object_name(false)?;
        let mut partition_range = None;
        let mut force = false;
        let mut sync = false;
        loop {
            if parse_word(parser, "PARTITION") {
                expect_words(parser, &["START"])?;
                parser.expect_token(&Token::LParen)?;
                let start = string(parser)?;
                parser.expect_token(&Token::RParen)?;
                expect_words(parser, &["END"])?;
                parser.expect_token(&Token::LParen)?;
                let end = string(parser)?;
                parser.expect_token(&Token::RParen)?;
                partition_range = Some((start, end));
            } else if parse_word(parser, "FORCE") {
                force = true;
            } else if parse_word(parser, "WITH") {
                sync = parse_word(parser, "SYNC");
                if !sync {
                    expect_words(parser, &["ASYNC"])?;
                }
                expect_words(parser, &["MODE"])?;
            } else {
                break;
            }
        }
        return Ok(MaterializedViewStatement::Refresh {
            name,
            force,
            sync,
            partition_range,
        });
    }
    if word(&first, "CANCEL") {
        expect_words(parser, &["REFRESH", "MATERIALIZED", "VIEW"])?;
        let name = parser.parse_object_name(false)?;
        return Ok(MaterializedViewStatement::CancelRefresh { name });
    }
    if word(&first, "ALTER") {
        expect_words(parser, &["MATERIALIZED", "VIEW"])?;
        let name = parser.parse_object_name(false)?;
        let change = if parse_word(parser, "REFRESH") {
            AlterMaterializedView::Refresh(refresh_clause(parser)?)
        } else if parse_word(parser, "RENAME") {
            let _ = parse_word(parser, "TO");
            AlterMaterializedView::Rename(parser.parse_identifier()?.value.to_lowercase())
        } else if parse_word(parser, "ACTIVE") {
            AlterMaterializedView::Active
        } else if parse_word(parser, "INACTIVE") {
            AlterMaterializedView::Inactive
        } else if parse_word(parser, "SET") {
            AlterMaterializedView::Set(properties(parser)?)
        } else {
            return Err(Error::unsupported(format!(
                "ALTER MATERIALIZED VIEW ... {} is not supported",
                parser.peek_token().token
            )));
        };
        return Ok(MaterializedViewStatement::Alter { name, change });
    }
    if word(&first, "DROP") {
        expect_words(parser, &["MATERIALIZED", "VIEW"])?;
        let if_exists = parser.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
        let name = parser.parse_object_name(false)?;
        return Ok(MaterializedViewStatement::Drop { if_exists, name });
    }
    // SHOW
    if parse_word(parser, "CREATE") {
        expect_words(parser, &["MATERIALIZED", "VIEW"])?;
        let name = parser.parse_object_name(false)?;
        return Ok(MaterializedViewStatement::ShowCreate { name });
    }
    expect_words(parser, &["MATERIALIZED", "VIEWS"])?;
    let database = if parse_word(parser, "FROM") || parse_word(parser, "IN") {
        Some(parser.parse_identifier()?.value.to_lowercase())
    } else {
        None
    };
    let like = if parser.parse_keyword(Keyword::LIKE) {
        Some(string(parser)?)
    } else if parser.parse_keyword(Keyword::WHERE) {
        expect_words(parser, &["NAME"])?;
        parser.expect_token(&Token::Eq)?;
        Some(string(parser)?)
    } else {
        None
    };
    Ok(MaterializedViewStatement::Show { database, like })
}

fn parse_create(parser: &mut Parser) -> Result<CreateMaterializedView> {
    let if_not_exists = parser.parse_keywords(&[Keyword::IF, Keyword::NOT, Keyword::EXISTS]);
    let name = parser.parse_object_name(false)?;
    let mut create = CreateMaterializedView {
        if_not_exists,
        name,
        comment: None,
        partition_by: None,
        distributed_by: None,
        // StarRocks: without a REFRESH clause an MV refreshes manually.
        refresh: RefreshClause {
            deferred: false,
            scheme: RefreshScheme::Manual,
        },
        properties: BTreeMap::new(),
        query: Box::new(Query {
            with: None,
            body: Box::new(sqlparser::ast::SetExpr::Values(sqlparser::ast::Values {
                explicit_row: false,
                value_keyword: false,
                rows: vec![],
            })),
            order_by: None,
            limit_clause: None,
            fetch: None,
            locks: vec![],
            for_clause: None,
            settings: None,
            format_clause: None,
            pipe_operators: vec![],
        }),
    };
    const CLAUSES: &[&str] = &[
        "COMMENT",
        "PARTITION",
        "DISTRIBUTED",
        "REFRESH",
        "ORDER",
        "PROPERTIES",
        "AS",
    ];
    loop {
        if parser.parse_keyword(Keyword::AS) {
            create.query = parser.parse_query()?;
            return Ok(create);
        }
        if parse_word(parser, "COMMENT") {
            create.comment = Some(string(parser)?);
        } else if parse_word(parser, "PARTITION") {
            expect_words(parser, &["BY"])?;
            create.partition_by = Some(clause_text(parser, CLAUSES));
        } else if parse_word(parser, "DISTRIBUTED") {
            expect_words(parser, &["BY"])?;
            create.distributed_by = Some(clause_text(parser, CLAUSES));
        } else if parse_word(parser, "REFRESH") {
            create.refresh = refresh_clause(parser)?;
        } else if parse_word(parser, "ORDER") {
            expect_words(parser, &["BY"])?;
            let _ = clause_text(parser, CLAUSES);
        } else if parse_word(parser, "PROPERTIES") {
            create.properties = properties(parser)?;
        } else {
            return Err(Error::syntax(format!(
                "unexpected {} in CREATE MATERIALIZED VIEW",
                parser.peek_token().token
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::MySqlDialect;

    fn statement(sql: &str) -> MaterializedViewStatement {
        let dialect = MySqlDialect {};
        let mut parser = Parser::new(&dialect).try_with_sql(sql).unwrap();
        assert!(starts_materialized_view(&parser), "{sql}");
        parse(&mut parser).unwrap()
    }

    #[test]
    fn create_with_every_clause() {
        let MaterializedViewStatement::Create(c) = statement(
            "CREATE MATERIALIZED VIEW IF NOT EXISTS d.mv COMMENT 'daily' PARTITION BY date_trunc('day', dt) \
             DISTRIBUTED BY HASH(k) BUCKETS 4 REFRESH ASYNC START ('2024-01-01 00:00:00') EVERY (INTERVAL 10 MINUTE) \
             PROPERTIES (\"query_rewrite_consistency\" = \"loose\") AS SELECT k, sum(v) FROM t GROUP BY k",
        ) else {
            panic!("not a create");
        };
        assert!(c.if_not_exists);
        assert_eq!(c.comment.as_deref(), Some("daily"));
        assert_eq!(c.partition_by.as_deref(), Some("date_trunc('day', dt)"));
        assert_eq!(
            c.refresh.scheme,
            RefreshScheme::Async {
                start_ms: Some(1_704_067_200_000),
                every: Some(Interval {
                    count: 10,
                    unit: IntervalUnit::Minute
                })
            }
        );
        assert_eq!(c.properties["query_rewrite_consistency"], "loose");
    }

    #[test]
    fn other_statements() {
        assert!(matches!(
            statement("REFRESH MATERIALIZED VIEW mv FORCE WITH SYNC MODE"),
            MaterializedViewStatement::Refresh {
                force: true,
                sync: true,
                ..
            }
        ));
        assert!(matches!(
            statement("ALTER MATERIALIZED VIEW mv REFRESH MANUAL"),
            MaterializedViewStatement::Alter {
                change: AlterMaterializedView::Refresh(_),
                ..
            }
        ));
        assert!(matches!(
            statement("SHOW MATERIALIZED VIEWS FROM d LIKE 'm%'"),
            MaterializedViewStatement::Show {
                database: Some(_),
                like: Some(_)
            }
        ));
    }
}

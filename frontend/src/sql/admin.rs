//! MySQL administration and metadata statements that sqlparser's MySQL dialect does not
//! parse (or parses without the MySQL shape):
//!
//! ```sql
//! CREATE USER [IF NOT EXISTS] user [IDENTIFIED [WITH plugin] BY 'password']
//! ALTER USER [IF EXISTS] user IDENTIFIED [WITH plugin] BY 'password'
//! DROP USER [IF EXISTS] user [, user ...]
//! SET PASSWORD [FOR user] = 'password' | PASSWORD('password')
//! SHOW GRANTS [FOR user]
//! SHOW {INDEX | INDEXES | KEYS} {FROM | IN} t [{FROM | IN} db]
//! SHOW TABLE STATUS [{FROM | IN} db] [LIKE 'pattern']
//! SHOW [COUNT(*)] {WARNINGS | ERRORS} [LIMIT n]
//! SHOW [STORAGE] ENGINES | SHOW PLUGINS
//! PREPARE name FROM {'statement' | @variable}
//! ADMIN SHOW FRONTEND CONFIG [LIKE 'pattern']
//! CREATE EXTERNAL CATALOG [IF NOT EXISTS] c [COMMENT 'text'] PROPERTIES ("k" = "v", ...)
//! DROP CATALOG [IF EXISTS] c | SHOW CATALOGS | SHOW CREATE CATALOG c
//! ```
//! where `user` is `name`, `'name'@'host'`, `name@host` or `` `name`@`host` ``.

use lakestar_engine::{Error, Result};
use sqlparser::ast::ObjectName;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

/// A user named in an account statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserName {
    pub name: String,
    pub host: String,
}

/// `IDENTIFIED [WITH plugin] BY 'password'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identification {
    pub plugin: Option<String>,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminStatement {
    CreateUser {
        if_not_exists: bool,
        user: UserName,
        identified: Option<Identification>,
    },
    AlterUser {
        if_exists: bool,
        user: UserName,
        identified: Identification,
    },
    DropUser {
        if_exists: bool,
        users: Vec<UserName>,
    },
    SetPassword {
        user: Option<UserName>,
        password: String,
    },
    ShowGrants {
        user: Option<UserName>,
    },
    ShowIndex {
        table: ObjectName,
        database: Option<String>,
    },
    ShowTableStatus {
        database: Option<String>,
        like: Option<String>,
    },
    ShowDiagnostics {
        errors_only: bool,
        count_only: bool,
    },
    ShowEngines,
    ShowPlugins,
    CreateCatalog {
        if_not_exists: bool,
        name: String,
        comment: Option<String>,
        properties: std::collections::BTreeMap<String, String>,
    },
    DropCatalog {
        if_exists: bool,
        name: String,
    },
    ShowCatalogs,
    /// `SET CATALOG c`.
    SetCatalog {
        name: String,
    },
    ShowCreateCatalog {
        name: String,
    },
    /// StarRocks' `ADMIN SHOW FRONTEND CONFIG [LIKE ...]`.
    ShowFrontendConfig {
        like: Option<String>,
    },
    /// MySQL's `PREPARE name FROM ...`; the text, or the user variable holding it.
    PrepareFrom {
        name: String,
        text: Option<String>,
        variable: Option<String>,
    },
}

fn is_word(t: &Token, text: &str) -> bool {
    matches!(t, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(text))
}

/// Whether the parser stands at a statement this module parses.
pub fn starts_admin(parser: &Parser) -> bool {
    let [a, b, c] = parser.peek_tokens::<3>();
    match () {
        _ if is_word(&a, "CREATE") && is_word(&b, "EXTERNAL") => is_word(&c, "CATALOG"),
        _ if is_word(&a, "DROP") && is_word(&b, "CATALOG") => true,
        _ if is_word(&a, "CREATE") || is_word(&a, "ALTER") || is_word(&a, "DROP") => {
            is_word(&b, "USER")
        }
        _ if is_word(&a, "SET") => is_word(&b, "PASSWORD") || is_word(&b, "CATALOG"),
        _ if is_word(&a, "PREPARE") => is_word(&c, "FROM"),
        _ if is_word(&a, "ADMIN") => is_word(&b, "SHOW"),
        _ if is_word(&a, "SHOW") => {
            [
                "GRANTS", "INDEX", "INDEXES", "KEYS", "WARNINGS", "ERRORS", "ENGINES", "PLUGINS",
                "CATALOGS",
            ]
            .iter()
            .any(|k| is_word(&b, k))
                || (is_word(&b, "TABLE") && is_word(&c, "STATUS"))
                || (is_word(&b, "STORAGE") && is_word(&c, "ENGINES"))
                || (is_word(&b, "CREATE") && is_word(&c, "CATALOG"))
                || (is_word(&b, "COUNT") && c == Token::LParen)
        }
        _ => false,
    }
}

/// Parse one statement; the caller checked [`starts_admin`].
pub fn parse_admin(parser: &mut Parser) -> Result<AdminStatement> {
    let first = parser.next_token().token;
    if is_word(&first, "SHOW") {
        return parse_show(parser);
    }
    if is_word(&first, "ADMIN") {
        expect_word(parser, "SHOW")?;
        expect_word(parser, "FRONTEND")?;
        expect_word(parser, "CONFIG")?;
        let like = if parser.parse_keyword(Keyword::LIKE) {
            Some(parse_string(parser)?)
        } else {
            None
        };
        return Ok(AdminStatement::ShowFrontendConfig { like });
    }
    if is_word(&first, "PREPARE") {
        let name = parser.parse_identifier()?.value.to_lowercase();
        parser.expect_keyword(Keyword::FROM)?;
        return Ok(match parser.next_token().token {
            Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => {
                AdminStatement::PrepareFrom {
                    name,
                    text: Some(s),
                    variable: None,
                }
            }
            Token::Word(w) if w.value.starts_with('@') => AdminStatement::PrepareFrom {
                name,
                text: None,
                variable: Some(w.value.trim_start_matches('@').to_lowercase()),
            },
            other => {
                return Err(Error::syntax(format!(
                    "PREPARE ... FROM needs a string or a user variable, found '{other}'"
                )))
            }
        });
    }
    if is_word(&first, "SET") && is_word(&parser.peek_token().token, "CATALOG") {
        parser.next_token();
        let name = parser.parse_identifier()?.value.to_lowercase();
        return Ok(AdminStatement::SetCatalog { name });
    }
    if is_word(&first, "SET") {
        expect_word(parser, "PASSWORD")?;
        let user = if parser.parse_keyword(Keyword::FOR) {
            Some(parse_user(parser)?)
        } else {
            None
        };
        parser.expect_token(&Token::Eq)?;
        let password = if is_word(&parser.peek_token().token, "PASSWORD") {
            parser.next_token();
            parser.expect_token(&Token::LParen)?;
            let p = parse_string(parser)?;
            parser.expect_token(&Token::RParen)?;
            p
        } else {
            parse_string(parser)?
        };
        return Ok(AdminStatement::SetPassword { user, password });
    }
    if is_word(&first, "CREATE") && is_word(&parser.peek_token().token, "EXTERNAL") {
        parser.next_token();
        expect_word(parser, "CATALOG")?;
        let if_not_exists = parser.parse_keywords(&[Keyword::IF, Keyword::NOT, Keyword::EXISTS]);
        let name = parser.parse_identifier()?.value.to_lowercase();
        let comment = if parser.parse_keyword(Keyword::COMMENT) {
            Some(parse_string(parser)?)
        } else {
            None
        };
        expect_word(parser, "PROPERTIES")?;
        let properties = super::create_table::key_values(parser)?
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        return Ok(AdminStatement::CreateCatalog {
            if_not_exists,
            name,
            comment,
            properties,
        });
    }
    if is_word(&first, "DROP") && is_word(&parser.peek_token().token, "CATALOG") {
        parser.next_token();
        let if_exists = parser.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
        let name = parser.parse_identifier()?.value.to_lowercase();
        return Ok(AdminStatement::DropCatalog { if_exists, name });
    }
    expect_word(parser, "USER")?;
    if is_word(&first, "CREATE") {
        let if_not_exists = parser.parse_keywords(&[Keyword::IF, Keyword::NOT, Keyword::EXISTS]);
        let user = parse_user(parser)?;
        let identified = parse_identified(parser, false)?;
        skip_account_options(parser);
        Ok(AdminStatement::CreateUser {
            if_not_exists,
            user,
            identified,
        })
    } else if is_word(&first, "ALTER") {
        let if_exists = parser.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
        let user = parse_user(parser)?;
        let identified = parse_identified(parser, true)?
            .ok_or_else(|| Error::syntax("ALTER USER needs IDENTIFIED BY 'password'"))?;
        skip_account_options(parser);
        Ok(AdminStatement::AlterUser {
            if_exists,
            user,
            identified,
        })
    } else {
        let if_exists = parser.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
        let mut users = vec![parse_user(parser)?];
        while parser.consume_token(&Token::Comma) {
            users.push(parse_user(parser)?);
        }
        Ok(AdminStatement::DropUser { if_exists, users })
    }
}

fn parse_show(parser: &mut Parser) -> Result<AdminStatement> {
    let t = parser.next_token().token;
    if is_word(&t, "GRANTS") {
        let user = if parser.parse_keyword(Keyword::FOR) {
            Some(parse_user(parser)?)
        } else {
            None
        };
        return Ok(AdminStatement::ShowGrants { user });
    }
    if is_word(&t, "INDEX") || is_word(&t, "INDEXES") || is_word(&t, "KEYS") {
        expect_from_or_in(parser)?;
        let table = parser.parse_object_name(false)?;
        let database = parse_optional_database(parser)?;
        skip_where(parser)?;
        return Ok(AdminStatement::ShowIndex { table, database });
    }
    if is_word(&t, "TABLE") {
        expect_word(parser, "STATUS")?;
        let database = parse_optional_database(parser)?;
        let like = if parser.parse_keyword(Keyword::LIKE) {
            Some(parse_string(parser)?)
        } else {
            None
        };
        return Ok(AdminStatement::ShowTableStatus { database, like });
    }
    let count_only = is_word(&t, "COUNT");
    let t = if count_only {
        parser.expect_token(&Token::LParen)?;
        parser.expect_token(&Token::Mul)?;
        parser.expect_token(&Token::RParen)?;
        parser.next_token().token
    } else {
        t
    };
    if is_word(&t, "WARNINGS") || is_word(&t, "ERRORS") {
        if parser.parse_keyword(Keyword::LIMIT) {
            parser.parse_expr()?;
            if parser.consume_token(&Token::Comma) {
                parser.parse_expr()?;
            }
        }
        return Ok(AdminStatement::ShowDiagnostics {
            errors_only: is_word(&t, "ERRORS"),
            count_only,
        });
    }
    if is_word(&t, "STORAGE") {
        expect_word(parser, "ENGINES")?;
        return Ok(AdminStatement::ShowEngines);
    }
    if is_word(&t, "ENGINES") {
        return Ok(AdminStatement::ShowEngines);
    }
    if is_word(&t, "PLUGINS") {
        return Ok(AdminStatement::ShowPlugins);
    }
    if is_word(&t, "CATALOGS") {
        return Ok(AdminStatement::ShowCatalogs);
    }
    if is_word(&t, "CREATE") {
        expect_word(parser, "CATALOG")?;
        let name = parser.parse_identifier()?.value.to_lowercase();
        return Ok(AdminStatement::ShowCreateCatalog { name });
    }
    Err(Error::syntax(format!("unexpected '{t}' after SHOW")))
}

fn expect_word(parser: &mut Parser, word: &str) -> Result<()> {
    let t = parser.next_token().token;
    if is_word(&t, word) {
        Ok(())
    } else {
        Err(Error::syntax(format!(
            "You have an error in your SQL syntax; expected {word}, found '{t}'"
        )))
    }
}

fn expect_from_or_in(parser: &mut Parser) -> Result<()> {
    parser
        .parse_one_of_keywords(&[Keyword::FROM, Keyword::IN])
        .map(|_| ())
        .ok_or_else(|| Error::syntax("expected FROM or IN"))
}

/// `[{FROM | IN} db]`.
fn parse_optional_database(parser: &mut Parser) -> Result<Option<String>> {
    if parser
        .parse_one_of_keywords(&[Keyword::FROM, Keyword::IN])
        .is_some()
    {
        Ok(Some(parser.parse_identifier()?.value.to_lowercase()))
    } else {
        Ok(None)
    }
}

fn skip_where(parser: &mut Parser) -> Result<()> {
    if parser.parse_keyword(Keyword::WHERE) {
        parser.parse_expr()?;
    }
    Ok(())
}

fn parse_string(parser: &mut Parser) -> Result<String> {
    match parser.next_token().token {
        Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => Ok(s),
        other => Err(Error::syntax(format!(
            "expected a quoted string, found '{other}'"
        ))),
    }
}

/// `IDENTIFIED [WITH plugin] [BY 'password' | AS 'hash']`.
fn parse_identified(parser: &mut Parser, required: bool) -> Result<Option<Identification>> {
    if !is_word(&parser.peek_token().token, "IDENTIFIED") {
        if required {
            return Err(Error::syntax("expected IDENTIFIED"));
        }
        return Ok(None);
    }
    parser.next_token();
    let plugin = if parser.parse_keyword(Keyword::WITH) {
        match parser.next_token().token {
            Token::Word(w) => Some(w.value),
            Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => Some(s),
            other => {
                return Err(Error::syntax(format!(
                    "expected a plugin name, found '{other}'"
                )))
            }
        }
    } else {
        None
    };
    let password = if parser.parse_keyword(Keyword::BY) {
        if is_word(&parser.peek_token().token, "PASSWORD") {
            parser.next_token();
        }
        parse_string(parser)?
    } else if parser.parse_keyword(Keyword::AS) {
        return Err(Error::unsupported(
            "IDENTIFIED ... AS 'hash' is not supported; use IDENTIFIED BY 'password'",
        ));
    } else {
        String::new()
    };
    Ok(Some(Identification { plugin, password }))
}

/// Account options Lakestar does not enforce (DEFAULT ROLE, PASSWORD EXPIRE, ...).
fn skip_account_options(parser: &mut Parser) {
    while !matches!(parser.peek_token().token, Token::EOF | Token::SemiColon) {
        parser.next_token();
    }
}

/// `name`, `'name'@'host'`, `name@host`, `` `name`@`host` ``, or `CURRENT_USER[()]`.
pub fn parse_user(parser: &mut Parser) -> Result<UserName> {
    let (name, mut host) = match parser.next_token().token {
        Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => (s, None),
        Token::Word(w) if w.quote_style.is_none() && w.value.contains('@') => {
            let (n, h) = w.value.split_once('@').expect("contains @");
            (
                n.to_string(),
                Some(h.trim_matches(['\'', '"', '`']).to_string()),
            )
        }
        Token::Word(w) => (w.value, None),
        other => {
            return Err(Error::syntax(format!(
                "expected a user name, found '{other}'"
            )))
        }
    };
    if host.is_none() && parser.consume_token(&Token::AtSign) {
        host = Some(match parser.next_token().token {
            Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => s,
            Token::Word(w) => w.value,
            other => {
                return Err(Error::syntax(format!(
                    "expected a host name, found '{other}'"
                )))
            }
        });
    }
    Ok(UserName {
        name,
        host: host.unwrap_or_else(|| "%".to_string()),
    })
}

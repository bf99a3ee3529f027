//! `ALTER TABLE`: the column changes StarRocks users make, parsed here because sqlparser's
//! MySQL dialect wants a generated column's expression in parentheses.
//!
//! ```sql
//! ALTER TABLE [db.]t ADD COLUMN col type [NULL | NOT NULL] [DEFAULT v] [AS expr] [COMMENT 'c']
//! ALTER TABLE [db.]t DROP COLUMN col
//! ALTER TABLE [db.]t MODIFY COLUMN col type ...
//! ```

use lakestar_engine::catalog::ColumnMeta;
use lakestar_engine::{Error, Result};
use sqlparser::ast::ObjectName;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

#[derive(Debug, Clone)]
pub enum AlterTableOperation {
    AddColumn(ColumnMeta),
    DropColumn(String),
    ModifyColumn(ColumnMeta),
}

#[derive(Debug, Clone)]
pub struct AlterTable {
    pub name: ObjectName,
    pub operation: AlterTableOperation,
}

/// Whether the statement is `ALTER TABLE`.
pub fn starts_alter_table(parser: &Parser) -> bool {
    let [a, b] = parser.peek_tokens::<2>();
    matches!(&a, Token::Word(w) if w.keyword == Keyword::ALTER)
        && matches!(&b, Token::Word(w) if w.keyword == Keyword::TABLE)
}

pub fn parse_alter_table(parser: &mut Parser) -> Result<AlterTable> {
    parser.expect_keywords(&[Keyword::ALTER, Keyword::TABLE])?;
    let name = parser.parse_object_name(false)?;
    let operation = if parser.parse_keyword(Keyword::ADD) {
        let _ = parser.parse_keyword(Keyword::COLUMN);
        AlterTableOperation::AddColumn(super::column_def::parse_column(parser, &mut false)?)
    } else if parser.parse_keyword(Keyword::DROP) {
        let _ = parser.parse_keyword(Keyword::COLUMN);
        AlterTableOperation::DropColumn(parser.parse_identifier()?.value.to_lowercase())
    } else if parser.parse_keyword(Keyword::MODIFY) {
        let _ = parser.parse_keyword(Keyword::COLUMN);
        AlterTableOperation::ModifyColumn(super::column_def::parse_column(parser, &mut false)?)
    } else {
        return Err(Error::unsupported(format!(
            "ALTER TABLE ... {} is not supported; use ADD COLUMN, DROP COLUMN or MODIFY COLUMN",
            parser.peek_token().token
        )));
    };
    if !matches!(parser.peek_token().token, Token::EOF | Token::SemiColon) {
        return Err(Error::unsupported(
            "ALTER TABLE takes one change per statement",
        ));
    }
    Ok(AlterTable { name, operation })
}

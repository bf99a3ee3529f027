//! A StarRocks column definition, shared by CREATE TABLE and ALTER TABLE ADD COLUMN:
//!
//! ```sql
//! col type [NULL | NOT NULL] [DEFAULT v] [AS expr] [COMMENT 'c']
//! ```
//!
//! `AS expr` makes a generated column (StarRocks writes the expression without the
//! parentheses MySQL requires; both forms are accepted). Its text is kept as sqlparser
//! prints it; the planner checks and binds it.

use lakestar_engine::catalog::ColumnMeta;
use lakestar_engine::types::SqlType;
use lakestar_engine::{Error, Result};
use sqlparser::ast::ColumnOption;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;

/// Parse one column definition. `primary_key` is set when the column says PRIMARY KEY.
pub fn parse_column(parser: &mut Parser, primary_key: &mut bool) -> Result<ColumnMeta> {
    let name = parser.parse_identifier()?.value.to_lowercase();
    let data_type = parser.parse_data_type()?;
    let mut column = ColumnMeta::new(name, SqlType::from_ast(&data_type)?, true);
    loop {
        if parser.parse_keyword(Keyword::AS) {
            let expr = parser.parse_expr()?;
            column.generated = Some(strip_parens(expr).to_string());
            continue;
        }
        let Some(option) = parser.parse_optional_column_option()? else {
            break;
        };
        match option {
            ColumnOption::Null => column.nullable = true,
            ColumnOption::NotNull => column.nullable = false,
            ColumnOption::Default(expr) => column.default = Some(expr.to_string()),
            ColumnOption::Comment(c) => column.comment = Some(c),
            ColumnOption::PrimaryKey(_) => *primary_key = true,
            ColumnOption::Generated {
                generation_expr: Some(expr),
                ..
            } => column.generated = Some(strip_parens(expr).to_string()),
            other => {
                return Err(Error::unsupported(format!(
                    "column option {other} is not supported"
                )))
            }
        }
    }
    Ok(column)
}

fn strip_parens(expr: sqlparser::ast::Expr) -> sqlparser::ast::Expr {
    match expr {
        sqlparser::ast::Expr::Nested(inner) => strip_parens(*inner),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::MySqlDialect;

    fn column(sql: &str) -> ColumnMeta {
        let dialect = MySqlDialect {};
        let mut parser = Parser::new(&dialect).try_with_sql(sql).unwrap();
        parse_column(&mut parser, &mut false).unwrap()
    }

    #[test]
    fn generated_columns_with_and_without_parentheses() {
        let c = column(
            "dept_name STRING AS get_json_string(data, '$.dept_name') COMMENT 'Department Name'",
        );
        assert_eq!(
            c.generated.as_deref(),
            Some("get_json_string(data, '$.dept_name')")
        );
        assert_eq!(c.comment.as_deref(), Some("Department Name"));
        let c = column("total BIGINT NULL AS (a + b)");
        assert_eq!(c.generated.as_deref(), Some("a + b"));
        assert!(column("v INT NOT NULL DEFAULT '1'").generated.is_none());
    }
}

//! [`LakestarDialect`]: sqlparser's MySQL dialect with MySQL's precedence for `DIV`.
//!
//! sqlparser's MySQL dialect parses the right side of `DIV` as a whole expression, so
//! `98 DIV - 1 + - 44` came out as `98 DIV (-1 + -44)` = -2 (MySQL: -142) and
//! `x BETWEEN a DIV b AND c` failed to parse. Here `DIV` takes its right operand at the
//! precedence of `*`, as MySQL does, and so does `MOD` as an operator (`7 MOD 3`). Everything else is the MySQL dialect's, and the
//! parser sees this dialect as MySQL (its `dialect()` is MySQL's).

use sqlparser::ast::{BinaryOperator, Expr, Statement};
use sqlparser::dialect::{Dialect, MySqlDialect, Precedence};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

#[derive(Debug, Default)]
pub struct LakestarDialect(MySqlDialect);

macro_rules! delegate {
    ($($name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty;)*) => {
        $(fn $name(&self, $($arg: $ty),*) -> $ret { self.0.$name($($arg),*) })*
    };
}

impl Dialect for LakestarDialect {
    fn dialect(&self) -> std::any::TypeId {
        self.0.dialect()
    }

    delegate! {
        is_identifier_start(ch: char) -> bool;
        is_identifier_part(ch: char) -> bool;
        is_delimited_identifier_start(ch: char) -> bool;
        identifier_quote_style(identifier: &str) -> Option<char>;
        supports_string_literal_backslash_escape() -> bool;
        supports_string_literal_concatenation() -> bool;
        ignores_wildcard_escapes() -> bool;
        supports_numeric_prefix() -> bool;
        supports_bitwise_shift_operators() -> bool;
        supports_multiline_comment_hints() -> bool;
        require_interval_qualifier() -> bool;
        supports_limit_comma() -> bool;
        supports_create_table_select() -> bool;
        supports_insert_set() -> bool;
        supports_user_host_grantee() -> bool;
        supports_table_hints() -> bool;
        requires_single_line_comment_whitespace() -> bool;
        supports_match_against() -> bool;
        supports_select_modifiers() -> bool;
        supports_set_names() -> bool;
        supports_comma_separated_set_assignments() -> bool;
        supports_update_order_by() -> bool;
        supports_data_type_signed_suffix() -> bool;
        supports_cross_join_constraint() -> bool;
        supports_double_ampersand_operator() -> bool;
        supports_binary_kw_as_cast() -> bool;
        supports_comment_optimizer_hint() -> bool;
        supports_constraint_keyword_without_name() -> bool;
        supports_key_column_option() -> bool;
    }

    fn is_table_factor_alias(&self, explicit: bool, kw: &Keyword, parser: &mut Parser) -> bool {
        self.0.is_table_factor_alias(explicit, kw, parser)
    }

    fn parse_statement(&self, parser: &mut Parser) -> Option<Result<Statement, ParserError>> {
        self.0.parse_statement(parser)
    }

    /// `a MOD b` is `%`.
    fn get_next_precedence(&self, parser: &Parser) -> Option<Result<u8, ParserError>> {
        match parser.peek_token().token {
            Token::Word(w) if w.keyword == Keyword::MOD => {
                Some(Ok(self.prec_value(Precedence::MulDivModOp)))
            }
            _ => None,
        }
    }

    fn parse_infix(
        &self,
        parser: &mut Parser,
        expr: &Expr,
        precedence: u8,
    ) -> Option<Result<Expr, ParserError>> {
        let op = if parser.parse_keyword(Keyword::DIV) {
            BinaryOperator::MyIntegerDivide
        } else if parser.parse_keyword(Keyword::MOD) {
            BinaryOperator::Modulo
        } else {
            return None;
        };
        // `precedence` is DIV's own (that of `*`): the right operand stops at any operator
        // that binds no tighter, so DIV is left-associative with `*`, `/` and `%`.
        Some(
            parser
                .parse_subexpr(precedence)
                .map(|right| Expr::BinaryOp {
                    left: Box::new(expr.clone()),
                    op: op.clone(),
                    right: Box::new(right),
                }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::LakestarDialect;
    use sqlparser::parser::Parser;

    fn parsed(sql: &str) -> String {
        Parser::parse_sql(&LakestarDialect::default(), sql)
            .unwrap()
            .remove(0)
            .to_string()
    }

    #[test]
    fn div_binds_like_multiplication() {
        // Shown by Display without parentheses; the trees are checked through `+` below.
        let sql = "SELECT 98 DIV - 1 + - 44";
        let statement = Parser::parse_sql(&LakestarDialect::default(), sql)
            .unwrap()
            .remove(0);
        let sqlparser::ast::Statement::Query(q) = statement else {
            panic!()
        };
        let sqlparser::ast::SetExpr::Select(select) = *q.body else {
            panic!()
        };
        let sqlparser::ast::SelectItem::UnnamedExpr(e) = &select.projection[0] else {
            panic!()
        };
        assert!(matches!(
            e,
            sqlparser::ast::Expr::BinaryOp {
                op: sqlparser::ast::BinaryOperator::Plus,
                ..
            }
        ));
        assert_eq!(
            parsed("SELECT x BETWEEN a DIV b AND c"),
            "SELECT x BETWEEN a DIV b AND c"
        );
        assert_eq!(parsed("SELECT a DIV b IS NULL"), "SELECT a DIV b IS NULL");
        assert_eq!(parsed("SELECT -7 MOD 3 + 1"), "SELECT -7 % 3 + 1");
        // Display parses back to the same statement.
        let once = parsed(sql);
        assert_eq!(parsed(&once), once);
    }
}

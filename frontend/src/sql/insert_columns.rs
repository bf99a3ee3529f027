//! StarRocks writes an INSERT's column list after its PARTITION clause
//! (`INSERT INTO t PARTITION (dt = '2024-01-01') (k, v) VALUES ...`); sqlparser's MySQL
//! dialect expects it before. [`move_column_list`] swaps the two token groups so the
//! statement parses with the columns where sqlparser looks for them.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

fn is_word(t: &Token, k: Keyword) -> bool {
    matches!(t, Token::Word(w) if w.keyword == k)
}

/// Index of the token that closes the parenthesis opened at `open`.
fn closing(tokens: &[TokenWithSpan], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn next_significant(tokens: &[TokenWithSpan], from: usize) -> Option<usize> {
    (from..tokens.len()).find(|&i| !matches!(tokens[i].token, Token::Whitespace(_)))
}

/// In every INSERT statement, move a column list that follows `PARTITION (...)` in front of
/// it. Other statements and INSERTs without that shape are left as they are.
pub fn move_column_list(tokens: &mut Vec<TokenWithSpan>) {
    let mut statement_start = true;
    let mut in_insert = false;
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i].token;
        if matches!(token, Token::Whitespace(_)) {
            i += 1;
            continue;
        }
        if *token == Token::SemiColon {
            statement_start = true;
            in_insert = false;
            i += 1;
            continue;
        }
        if statement_start {
            in_insert = is_word(token, Keyword::INSERT);
            statement_start = false;
        }
        if in_insert && is_word(token, Keyword::PARTITION) {
            if let Some(swapped) = swap_after(tokens, i) {
                i = swapped;
                in_insert = false;
                continue;
            }
        }
        i += 1;
    }
}

/// `PARTITION (spec) (columns)` at `partition` → `(columns) PARTITION (spec)`; returns the
/// index after the rewritten tokens.
fn swap_after(tokens: &mut Vec<TokenWithSpan>, partition: usize) -> Option<usize> {
    let spec_open = next_significant(tokens, partition + 1)?;
    if tokens[spec_open].token != Token::LParen {
        return None;
    }
    let spec_close = closing(tokens, spec_open)?;
    let cols_open = next_significant(tokens, spec_close + 1)?;
    if tokens[cols_open].token != Token::LParen {
        return None;
    }
    let first = next_significant(tokens, cols_open + 1)?;
    let is_query = [Keyword::SELECT, Keyword::WITH, Keyword::VALUES]
        .iter()
        .any(|k| is_word(&tokens[first].token, *k))
        || tokens[first].token == Token::LParen;
    if is_query {
        return None;
    }
    let cols_close = closing(tokens, cols_open)?;
    // The column list, without the whitespace that separated it from the spec.
    let mut moved: Vec<TokenWithSpan> = tokens.drain(spec_close + 1..=cols_close).collect();
    moved.drain(..cols_open - spec_close - 1);
    moved.push(TokenWithSpan::wrap(Token::Whitespace(
        sqlparser::tokenizer::Whitespace::Space,
    )));
    let end = cols_close + 1;
    tokens.splice(partition..partition, moved);
    Some(end)
}

#[cfg(test)]
mod tests {
    use sqlparser::dialect::MySqlDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn rewrite(sql: &str) -> String {
        let mut tokens = Tokenizer::new(&MySqlDialect {}, sql)
            .tokenize_with_location()
            .unwrap();
        super::move_column_list(&mut tokens);
        tokens.iter().map(|t| t.token.to_string()).collect()
    }

    #[test]
    fn columns_after_partition_move_before_it() {
        assert_eq!(
            rewrite("INSERT INTO t PARTITION (dt = 'x') (a, b) VALUES (1, 2)"),
            "INSERT INTO t (a, b) PARTITION (dt = 'x') VALUES (1, 2)"
        );
        // A parenthesized query after PARTITION is the source, not a column list.
        let q = "INSERT OVERWRITE t PARTITION (dt = 'x') (SELECT 1)";
        assert_eq!(rewrite(q), q);
        let plain = "INSERT INTO t (a) PARTITION (dt = 'x') SELECT 1; SELECT 1";
        assert_eq!(rewrite(plain), plain);
    }
}

//! A bounded random-SQL run: statements from a generator of its own (fixed seeds, a few
//! thousand per run) over small tables: arithmetic, conversions, functions with right and
//! wrong argument counts, CASE, subqueries, aggregates, and token soup. Whatever a
//! statement does, the answer must be rows or a MySQL error packet, and the connection
//! must keep working. (What the answers are is the random corpus' job:
//! `sqllogictest/random/`.)

use lakestar_tests::{rows, TestServer};
use mysql_async::prelude::Queryable;

/// xorshift64*: the same statements on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const LITERALS: &[&str] = &[
    "0",
    "1",
    "-7",
    "42",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "3.5",
    "-0.001",
    "99999999999999999999.99",
    "1e308",
    "'3'",
    "'abc'",
    "'1.5e3x'",
    "''",
    "NULL",
    "TRUE",
    "'2024-02-29'",
    "'2024-13-45 25:61:61'",
    "X'ff'",
    "'{\"a\": [1, 2]}'",
];
const COLUMNS: &[&str] = &["t.a", "t.b", "t.d", "t.s", "t.dt", "u.a", "u.x"];
const BINARY: &[&str] = &[
    "+", "-", "*", "/", "DIV", "%", "MOD", "=", "<>", "<", ">=", "<=>", "AND", "OR", "XOR", "&",
    "|", "^", "<<", ">>", "LIKE", "REGEXP",
];
const FUNCTIONS: &[&str] = &[
    "ABS",
    "CEIL",
    "FLOOR",
    "ROUND",
    "TRUNCATE",
    "SIGN",
    "SQRT",
    "POW",
    "LN",
    "COALESCE",
    "IFNULL",
    "NULLIF",
    "IF",
    "GREATEST",
    "LEAST",
    "CONCAT",
    "CONCAT_WS",
    "SUBSTRING",
    "LEFT",
    "LENGTH",
    "UPPER",
    "REPLACE",
    "LPAD",
    "HEX",
    "CONV",
    "FORMAT",
    "YEAR",
    "DATE_FORMAT",
    "DATEDIFF",
    "STR_TO_DATE",
    "FROM_UNIXTIME",
    "JSON_EXTRACT",
    "JSON_LENGTH",
    "GET_JSON_STRING",
    "MD5",
    "NOW",
];
const TYPES: &[&str] = &[
    "SIGNED",
    "UNSIGNED",
    "DECIMAL(10, 2)",
    "DECIMAL(38, 30)",
    "CHAR",
    "CHAR(3)",
    "DATE",
    "DATETIME",
    "DOUBLE",
    "JSON",
];
const AGGREGATES: &[&str] = &["COUNT", "SUM", "AVG", "MIN", "MAX", "GROUP_CONCAT"];
const TOKENS: &[&str] = &[
    "SELECT", "FROM", "WHERE", "(", ")", ",", "t", "a", "1", "'x'", "+", "*", "GROUP", "BY",
    "ORDER", "LIMIT", "UNION", "JOIN", "ON", "AS", "NULL", "CASE", "WHEN", "END", "IN", "NOT",
    "EXISTS", ";", "`", "\"", "@@", "@v", "?", "INTERVAL", "DAY", "DISTINCT", "OVER",
];

fn expr(rng: &mut Rng, depth: u32) -> String {
    if depth == 0 {
        return match rng.below(2) {
            0 => rng.pick(LITERALS).to_string(),
            _ => rng.pick(COLUMNS).to_string(),
        };
    }
    let d = depth - 1;
    match rng.below(16) {
        12..=15 => expr(rng, 0),
        0 | 1 => format!("({} {} {})", expr(rng, d), rng.pick(BINARY), expr(rng, d)),
        2 => format!("- {}", expr(rng, d)),
        3 => format!("NOT {}", expr(rng, d)),
        4 => {
            let args: Vec<String> = (0..rng.below(4)).map(|_| expr(rng, d)).collect();
            format!("{}({})", rng.pick(FUNCTIONS), args.join(", "))
        }
        5 => format!("CAST({} AS {})", expr(rng, d), rng.pick(TYPES)),
        6 => format!(
            "CASE WHEN {} THEN {} ELSE {} END",
            expr(rng, d),
            expr(rng, d),
            expr(rng, d)
        ),
        7 => format!(
            "(SELECT {}({}) FROM u WHERE u.a {} {})",
            rng.pick(AGGREGATES),
            expr(rng, d),
            rng.pick(&["=", "<", "<>"]),
            expr(rng, d)
        ),
        8 => format!(
            "{} {}IN (SELECT u.x FROM u WHERE u.a > {})",
            expr(rng, d),
            rng.pick(&["", "NOT "]),
            expr(rng, d)
        ),
        9 => format!(
            "{} BETWEEN {} AND {}",
            expr(rng, d),
            expr(rng, d),
            expr(rng, d)
        ),
        10 => format!("{} IN ({}, {})", expr(rng, d), expr(rng, d), expr(rng, d)),
        _ => format!("{} IS {}NULL", expr(rng, d), rng.pick(&["", "NOT "])),
    }
}

fn statement(rng: &mut Rng) -> String {
    match rng.below(10) {
        // Token soup: mostly syntax errors.
        0 => (0..1 + rng.below(12))
            .map(|_| rng.pick(TOKENS))
            .collect::<Vec<_>>()
            .join(" "),
        1 => format!(
            "SELECT {}({}), {} FROM t LEFT JOIN u ON t.a = u.a GROUP BY {} HAVING {} ORDER BY 1 LIMIT {}",
            rng.pick(AGGREGATES),
            expr(rng, 1),
            rng.pick(COLUMNS),
            rng.pick(COLUMNS),
            expr(rng, 1),
            rng.pick(&["0", "1", "5", "1099511627776"])
        ),
        _ => format!(
            "SELECT {}, {} FROM t LEFT JOIN u ON t.a = u.a WHERE {} ORDER BY {}",
            expr(rng, 2),
            expr(rng, 1),
            expr(rng, 1),
            expr(rng, 1)
        ),
    }
}

#[tokio::test]
async fn random_statements_get_rows_or_mysql_errors() {
    let server = TestServer::start();
    let mut conn = server.connect().await;
    for setup in [
        "CREATE DATABASE rnd_sql",
        "USE rnd_sql",
        "CREATE TABLE t (a INT, b BIGINT, d DECIMAL(10, 2), s VARCHAR(20), dt DATETIME) DUPLICATE KEY(a)",
        "CREATE TABLE u (a INT, x INT) DUPLICATE KEY(a)",
        "INSERT INTO t VALUES (1, 9223372036854775807, 2.50, '3', '2024-01-02 03:04:05'), \
         (2, NULL, -1.25, 'abc', NULL), (3, -5, NULL, NULL, '1999-12-31 23:59:59'), \
         (NULL, 0, 0.00, '', '2024-02-29 00:00:00')",
        "INSERT INTO u VALUES (1, 10), (1, NULL), (2, 20), (5, 50)",
    ] {
        conn.query_drop(setup).await.unwrap();
    }
    let (mut answered, mut refused) = (0, 0);
    let mut samples: Vec<String> = vec![];
    for seed in [1u64, 7, 2026] {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        for i in 0..1_000 {
            let sql = statement(&mut rng);
            match conn.query_drop(&sql).await {
                Ok(()) => answered += 1,
                Err(mysql_async::Error::Server(e)) => {
                    assert!(
                        (1000..4000).contains(&e.code) && e.state.len() == 5,
                        "not a MySQL error for {sql}: {e:?}"
                    );
                    refused += 1;
                    if refused % 200 == 1 {
                        samples.push(format!("{sql}\n    -> {} {}", e.code, e.message));
                    }
                }
                Err(other) => panic!("seed {seed}, statement {i}: {sql}\n  -> {other}"),
            }
            if i % 100 == 99 {
                assert_eq!(rows(&mut conn, "SELECT 1").await, vec![vec!["1"]], "{sql}");
            }
        }
    }
    // Both kinds occur: the run is not all syntax errors, nor all trivially valid.
    assert!(
        answered > 300 && refused > 300,
        "{answered} answered, {refused} refused; some refusals:\n{}",
        samples.join("\n")
    );
    let mut other = server.connect().await;
    assert_eq!(rows(&mut other, "SELECT 1").await, vec![vec!["1"]]);
}

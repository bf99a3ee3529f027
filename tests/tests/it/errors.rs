//! Error codes and SQLSTATEs, and that the connection keeps working after each.

use lakestar_tests::{error_code, rows, TestServer};
use mysql_async::prelude::Queryable;

#[tokio::test]
async fn errors_have_mysql_codes_and_the_connection_survives() {
    let server = TestServer::start();
    let mut conn = server.connect().await;
    conn.query_drop("CREATE DATABASE e").await.unwrap();
    conn.query_drop(
        "CREATE TABLE e.t (k INT NOT NULL, ti TINYINT, d DECIMAL(4,1), v VARCHAR(3), dt DATE)",
    )
    .await
    .unwrap();
    let cases: &[(&str, u16, &str)] = &[
        ("SELEC 1", 1064, "42000"),
        ("USE nope", 1049, "42000"),
        ("SELECT * FROM nope.t", 1049, "42000"),
        ("SELECT * FROM e.nope", 1146, "42S02"),
        ("SELECT nope FROM e.t", 1054, "42S22"),
        ("SELECT * FROM t", 1046, "3D000"),
        ("CREATE TABLE e.t (a INT)", 1050, "42S01"),
        ("CREATE DATABASE e", 1007, "HY000"),
        ("INSERT INTO e.t (k, ti) VALUES (1, 300)", 1264, "22003"),
        ("INSERT INTO e.t (k, d) VALUES (1, 12345.6)", 1264, "22003"),
        ("INSERT INTO e.t (k, ti) VALUES (1, 'abc')", 1366, "HY000"),
        (
            "INSERT INTO e.t (k, dt) VALUES (1, '2024-13-45')",
            1366,
            "HY000",
        ),
        ("INSERT INTO e.t (k, v) VALUES (1, 'abcd')", 1406, "22001"),
        ("INSERT INTO e.t (k) VALUES (NULL)", 1048, "23000"),
        ("INSERT INTO e.t (ti) VALUES (1)", 1364, "HY000"),
        ("INSERT INTO e.t (k) VALUES (1, 2)", 1136, "21S01"),
        ("INSERT INTO e.t (nope) VALUES (1)", 1054, "42S22"),
        ("SELECT @@no_such_variable", 1193, "HY000"),
        ("SET GLOBAL version = 'x'", 1238, "HY000"),
        ("SELECT 9223372036854775807 + 1", 1690, "22003"),
    ];
    for (sql, code, state) in cases {
        let (got_code, got_state) = error_code(&mut conn, sql).await;
        assert_eq!((got_code, got_state.as_str()), (*code, *state), "{sql}");
        // The connection keeps working and nothing was written.
        assert_eq!(
            rows(&mut conn, "SELECT count(*) FROM e.t").await,
            vec![vec!["0"]],
            "{sql}"
        );
    }
}

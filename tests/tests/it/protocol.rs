//! What drivers see: column metadata, session state, connect-time probes.

use lakestar_tests::{rows, TestServer};
use mysql_async::consts::ColumnType;
use mysql_async::prelude::Queryable;

#[tokio::test]
async fn column_metadata_matches_declared_types() {
    let server = TestServer::start();
    let mut conn = server.connect().await;
    conn.query_drop("CREATE DATABASE m").await.unwrap();
    conn.query_drop(
        "CREATE TABLE m.t (i INT NOT NULL, c CHAR(4), v VARCHAR(10), s STRING, d DECIMAL(9,3), \
         f FLOAT, dd DOUBLE, dt DATE, ts DATETIME, b BOOLEAN, ti TINYINT, si SMALLINT, bi BIGINT, li LARGEINT) \
         DUPLICATE KEY(i)",
    )
    .await
    .unwrap();
    let result = conn.query_iter("SELECT * FROM m.t").await.unwrap();
    let columns = result.columns().expect("a result set");
    let got: Vec<(String, ColumnType, u32, u8)> = columns
        .iter()
        .map(|c| {
            (
                c.name_str().to_string(),
                c.column_type(),
                c.column_length(),
                c.decimals(),
            )
        })
        .collect();
    drop(result);
    let expected = vec![
        ("i", ColumnType::MYSQL_TYPE_LONG, 11, 0),
        ("c", ColumnType::MYSQL_TYPE_STRING, 12, 0),
        ("v", ColumnType::MYSQL_TYPE_VAR_STRING, 30, 0),
        ("s", ColumnType::MYSQL_TYPE_VAR_STRING, 65533 * 3, 0),
        ("d", ColumnType::MYSQL_TYPE_NEWDECIMAL, 11, 3),
        ("f", ColumnType::MYSQL_TYPE_FLOAT, 12, 31),
        ("dd", ColumnType::MYSQL_TYPE_DOUBLE, 22, 31),
        ("dt", ColumnType::MYSQL_TYPE_DATE, 10, 0),
        ("ts", ColumnType::MYSQL_TYPE_DATETIME, 26, 6),
        ("b", ColumnType::MYSQL_TYPE_TINY, 1, 0),
        ("ti", ColumnType::MYSQL_TYPE_TINY, 4, 0),
        ("si", ColumnType::MYSQL_TYPE_SHORT, 6, 0),
        ("bi", ColumnType::MYSQL_TYPE_LONGLONG, 20, 0),
        ("li", ColumnType::MYSQL_TYPE_NEWDECIMAL, 40, 0),
    ];
    let expected: Vec<(String, ColumnType, u32, u8)> = expected
        .into_iter()
        .map(|(n, t, l, d)| (n.to_string(), t, l, d))
        .collect();
    assert_eq!(got, expected);
    let result = conn.query_iter("SELECT i FROM m.t").await.unwrap();
    let flags = result.columns().unwrap()[0].flags();
    assert!(flags.contains(mysql_async::consts::ColumnFlags::NOT_NULL_FLAG));
}

#[tokio::test]
async fn values_round_trip_including_null_and_unicode() {
    let server = TestServer::start();
    let mut conn = server.connect().await;
    conn.query_drop("CREATE DATABASE v").await.unwrap();
    conn.query_drop("USE v").await.unwrap();
    conn.query_drop(
        "CREATE TABLE t (k INT, s VARCHAR(20), d DECIMAL(10,2), ts DATETIME, b BOOLEAN, f DOUBLE)",
    )
    .await
    .unwrap();
    conn.query_drop(
        "INSERT INTO t VALUES (1, 'héllo 世界 🎉', 12.5, '2024-02-29 23:59:58', true, 0.5), (2, NULL, NULL, NULL, NULL, NULL)",
    )
    .await
    .unwrap();
    let got = rows(&mut conn, "SELECT k, s, d, ts, b, f FROM t ORDER BY k").await;
    assert_eq!(
        got,
        vec![
            vec![
                "1",
                "héllo 世界 🎉",
                "12.50",
                "2024-02-29 23:59:58",
                "1",
                "0.5"
            ],
            vec!["2", "NULL", "NULL", "NULL", "NULL", "NULL"],
        ]
    );
}

#[tokio::test]
async fn connect_probes_are_answered_from_session_state() {
    let server = TestServer::start();
    let mut conn = server.connect().await;
    conn.query_drop("CREATE DATABASE probe").await.unwrap();
    let id = conn.id();
    let got = rows(
        &mut conn,
        "SELECT @@version_comment, VERSION(), DATABASE(), CONNECTION_ID()",
    )
    .await;
    assert!(got[0][0].starts_with("Lakestar"), "{got:?}");
    assert_eq!(got[0][1], "8.0.33");
    assert_eq!(got[0][2], "NULL");
    assert_eq!(got[0][3], id.to_string());

    conn.query_drop("USE probe").await.unwrap();
    conn.query_drop("SET NAMES utf8mb4").await.unwrap();
    conn.query_drop("SET autocommit=1").await.unwrap();
    conn.query_drop("SET SESSION wait_timeout = 100")
        .await
        .unwrap();
    conn.query_drop("SET @@session.sql_mode = 'ANSI'")
        .await
        .unwrap();
    let got = rows(
        &mut conn,
        "SELECT DATABASE(), @@session.wait_timeout, @@global.wait_timeout, @@sql_mode, @@autocommit",
    )
    .await;
    assert_eq!(got, vec![vec!["probe", "100", "28800", "ANSI", "1"]]);

    // A global change is seen by new sessions, not by this one.
    conn.query_drop("SET GLOBAL net_write_timeout = 77")
        .await
        .unwrap();
    let mut other = server.connect().await;
    assert_eq!(
        rows(&mut other, "SELECT @@net_write_timeout").await,
        vec![vec!["77"]]
    );
    assert_eq!(
        rows(&mut conn, "SELECT @@session.net_write_timeout").await,
        vec![vec!["60"]]
    );

    let got = rows(&mut conn, "SHOW VARIABLES LIKE 'wait_%'").await;
    assert_eq!(got, vec![vec!["wait_timeout", "100"]]);

    // The Connector/J connect batch.
    let got = rows(
        &mut conn,
        "/* mysql-connector-j */ SELECT @@session.auto_increment_increment AS auto_increment_increment, \
         @@character_set_client, @@character_set_connection, @@character_set_results, @@character_set_server, \
         @@collation_server, @@collation_connection, @@init_connect, @@interactive_timeout, @@license, \
         @@lower_case_table_names, @@max_allowed_packet, @@net_write_timeout, @@performance_schema, \
         @@sql_mode, @@system_time_zone, @@time_zone, @@transaction_isolation, @@wait_timeout",
    )
    .await;
    assert_eq!(got[0].len(), 19);
    assert_eq!(got[0][0], "1");
    conn.query_drop("SET character_set_results = NULL")
        .await
        .unwrap();
    assert_eq!(
        rows(&mut conn, "SELECT @@character_set_results").await,
        vec![vec!["NULL"]]
    );
}

#[tokio::test]
async fn user_variables_hold_typed_values() {
    let server = TestServer::start();
    let mut conn = server.connect().await;
    conn.query_drop("SET @a = 40 + 2").await.unwrap();
    conn.query_drop("SET @s = 'x'").await.unwrap();
    assert_eq!(
        rows(&mut conn, "SELECT @a + 1, @s").await,
        vec![vec!["43", "x"]]
    );
}

#[tokio::test]
async fn result_columns_are_named_as_mysql_names_them() {
    let server = TestServer::start();
    let mut conn = server.connect().await;
    conn.query_drop("CREATE DATABASE n").await.unwrap();
    conn.query_drop("CREATE TABLE n.t (k INT, amount DECIMAL(10,2))")
        .await
        .unwrap();
    let result = conn
        .query_iter("SELECT t.k, amount, SUM(amount), count(*), 1, 'x', NULL, amount * 2 AS doubled FROM n.t GROUP BY t.k, amount")
        .await
        .unwrap();
    let names: Vec<String> = result
        .columns()
        .unwrap()
        .iter()
        .map(|c| c.name_str().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "k",
            "amount",
            "SUM(amount)",
            "count(*)",
            "1",
            "x",
            "NULL",
            "doubled"
        ]
    );
    drop(result);
    // Unaliased items are named by their text as typed, rewritten or not; so are the
    // columns of a derived table. A division declares div_precision_increment decimals.
    let result = conn
        .query_iter(
            "SELECT IFNULL(NULL,  3), MOD(7,2) , 57/17*60, -(1), s.* \
             FROM (SELECT 1+1, CAST(k AS CHAR) FROM n.t UNION ALL SELECT 2, 'b') s",
        )
        .await
        .unwrap();
    let columns: Vec<(String, u8)> = result
        .columns()
        .unwrap()
        .iter()
        .map(|c| (c.name_str().to_string(), c.decimals()))
        .collect();
    drop(result);
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "IFNULL(NULL,  3)",
            "MOD(7,2)",
            "57/17*60",
            "-(1)",
            "1+1",
            "CAST(k AS CHAR)"
        ]
    );
    assert_eq!(columns[2].1, 4, "57/17*60 declares 4 decimals");
    // NULL literals are NULL, not empty strings.
    assert_eq!(
        rows(&mut conn, "SELECT NULL, 1").await,
        vec![vec!["NULL", "1"]]
    );
}

#[tokio::test]
async fn update_counts_changed_rows_or_matched_rows_with_client_found_rows() {
    let server = TestServer::start();
    let mut conn = server.connect().await;
    conn.query_drop("CREATE DATABASE fr").await.unwrap();
    conn.query_drop("CREATE TABLE fr.t (k INT NOT NULL, v INT) PRIMARY KEY(k)")
        .await
        .unwrap();
    conn.query_drop("INSERT INTO fr.t VALUES (1, 1), (2, 2), (3, 3)")
        .await
        .unwrap();
    // Without CLIENT_FOUND_ROWS (the mysql CLI): rows changed.
    conn.query_drop("UPDATE fr.t SET v = 1 WHERE k <= 2")
        .await
        .unwrap();
    assert_eq!(conn.affected_rows(), 1);
    // With it (JDBC's default): rows matched, as MySQL reports them.
    let url = format!("{}/?client_found_rows=true", server.url());
    let mut jdbc_like = mysql_async::Conn::from_url(url).await.unwrap();
    jdbc_like
        .query_drop("UPDATE fr.t SET v = 1 WHERE k <= 2")
        .await
        .unwrap();
    assert_eq!(jdbc_like.affected_rows(), 2);
    assert_eq!(
        rows(&mut conn, "SELECT k, v FROM fr.t ORDER BY k").await,
        vec![vec!["1", "1"], vec!["2", "1"], vec!["3", "3"]]
    );
}

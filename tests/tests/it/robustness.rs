//! No input makes the server panic or exit.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use lakestar_tests::raw::{login as raw_login, read_packet};
use lakestar_tests::{rows, TestServer};
use mysql_async::prelude::Queryable;

#[tokio::test]
async fn malformed_packets_close_only_their_connection() {
    let server = TestServer::start();
    let garbage: &[&[u8]] = &[
        b"",
        b"\x01\x00\x00\x01",
        b"\xff\xff\xff\x01garbage",
        b"\x05\x00\x00\x01\x00\x00\x00\x00\x00",
        &[0u8; 64],
    ];
    for bytes in garbage {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut greeting = [0u8; 4];
        stream.read_exact(&mut greeting).unwrap();
        let _ = stream.write_all(bytes);
        drop(stream);
    }
    let mut conn = server.connect().await;
    assert_eq!(rows(&mut conn, "SELECT 1").await, vec![vec!["1"]]);
}

#[tokio::test]
async fn odd_statements_get_errors_not_crashes() {
    let server = TestServer::start();
    let mut conn = server.connect().await;
    let deep = format!("SELECT {}1{}", "(".repeat(500), ")".repeat(500));
    let long_in = format!(
        "SELECT 1 IN ({})",
        (0..20_000)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    let statements = [
        "",
        "   ",
        "-- only a comment",
        "/* unterminated",
        "SELECT '\u{0}'",
        "SELECT 'unterminated",
        "CREATE TABLE",
        "CREATE TABLE t (",
        "INSERT INTO",
        "SELECT * FROM",
        "SHOW",
        "SET",
        "USE",
        "DROP DATABASE",
        "SELECT 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        deep.as_str(),
        long_in.as_str(),
        "SELECT CAST('x' AS DECIMAL(76, 80))",
        "SELECT 9223372036854775807 + 1",
        "SELECT repeat('x', -1)",
        "SELECT * FROM range(-5)",
        "CREATE TABLE x.y (a DECIMAL(0, 0))",
        "CREATE DATABASE `a/b`",
    ];
    for sql in statements {
        // Success or a MySQL error are both fine; what matters is the server answering.
        let _ = conn.query_drop(sql).await;
        assert_eq!(
            rows(&mut conn, "SELECT 1").await,
            vec![vec!["1"]],
            "after {sql:?}"
        );
    }
}

/// Wrong sequence ids and packets over max_allowed_packet get MySQL's error and close that
/// connection only.
#[tokio::test]
async fn out_of_order_and_oversized_packets_close_their_connection() {
    let server = TestServer::start();
    let mut admin = server.connect().await;

    let mut s = raw_login(server.port);
    s.write_all(&[9, 0, 0, 5]).unwrap();
    s.write_all(b"\x03SELECT 1").unwrap();
    let err = read_packet(&mut s);
    assert_eq!((err[0], u16::from_le_bytes([err[1], err[2]])), (0xFF, 1156));
    let mut rest = vec![];
    assert_eq!(s.read_to_end(&mut rest).unwrap(), 0, "connection closed");

    admin
        .query_drop("SET GLOBAL max_allowed_packet = 1024")
        .await
        .unwrap();
    let mut s = raw_login(server.port);
    let query = format!("\x03SELECT '{}'", "x".repeat(2000));
    let len = (query.len() as u32).to_le_bytes();
    s.write_all(&[len[0], len[1], len[2], 0]).unwrap();
    let _ = s.write_all(query.as_bytes());
    let err = read_packet(&mut s);
    assert_eq!((err[0], u16::from_le_bytes([err[1], err[2]])), (0xFF, 1153));

    assert_eq!(rows(&mut admin, "SELECT 1").await, vec![vec!["1"]]);
}

/// The statements that used to abort the whole process (a LIMIT-sized allocation, stack
/// overflows on long operator and UNION chains) answer, or fail with a MySQL error, and
/// the server keeps serving.
#[tokio::test]
async fn huge_statements_cannot_take_the_server_down() {
    let server = TestServer::start();
    let mut conn = server.connect().await;
    conn.query_drop("CREATE DATABASE h").await.unwrap();
    conn.query_drop("USE h").await.unwrap();
    conn.query_drop("CREATE TABLE t (id INT) DUPLICATE KEY(id)")
        .await
        .unwrap();
    conn.query_drop("INSERT INTO t VALUES (1), (2), (3)")
        .await
        .unwrap();
    assert_eq!(
        rows(
            &mut conn,
            "SELECT DISTINCT id FROM t ORDER BY 1 DESC LIMIT 1099511627776"
        )
        .await,
        vec![vec!["3"], vec!["2"], vec!["1"]]
    );
    assert_eq!(
        rows(
            &mut conn,
            "SELECT id FROM t ORDER BY id LIMIT 1 OFFSET 1099511627776"
        )
        .await,
        Vec::<Vec<String>>::new()
    );
    let sum = |n: usize| format!("SELECT {}", vec!["1"; n].join(" + "));
    // Long associative chains are rebalanced and answer.
    let ors = format!(
        "SELECT count(*) FROM t WHERE {}",
        (0..25_000)
            .map(|i| format!("id = {i}"))
            .collect::<Vec<_>>()
            .join(" OR ")
    );
    assert_eq!(rows(&mut conn, &ors).await, vec![vec!["3"]]);
    // Constant rows (one VALUES list) and computed ones (a tree of bounded unions).
    let unions = |n: usize, branch: &dyn Fn(usize) -> String| {
        format!(
            "SELECT count(*), sum(x) FROM ({}) u",
            (0..n).map(branch).collect::<Vec<_>>().join(" UNION ALL ")
        )
    };
    let constant = unions(10_000, &|i| format!("SELECT {i} AS x"));
    assert_eq!(
        rows(&mut conn, &constant).await,
        vec![vec!["10000", "49995000"]]
    );
    let computed = unions(4_000, &|i| {
        format!("SELECT {i} + id AS x FROM t WHERE id = 1")
    });
    assert_eq!(
        rows(&mut conn, &computed).await,
        vec![vec!["4000", "8002000"]]
    );
    // Sums of any length answer (rebalanced), with MySQL's value, also mixed with `-`.
    assert_eq!(rows(&mut conn, &sum(20_000)).await, vec![vec!["20000"]]);
    let mixed = format!(
        "SELECT 100{}",
        (1..10_000)
            .map(|i| if i % 3 == 0 {
                format!(" - {i}")
            } else {
                format!(" + {i}")
            })
            .collect::<String>()
    );
    let expected: i64 = 100
        + (1..10_000i64)
            .map(|i| if i % 3 == 0 { -i } else { i })
            .sum::<i64>();
    assert_eq!(
        rows(&mut conn, &mixed).await,
        vec![vec![expected.to_string()]]
    );
    let in_list = format!(
        "SELECT count(*) FROM t WHERE id IN ({})",
        (0..10_000)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert_eq!(rows(&mut conn, &in_list).await, vec![vec!["3"]]);
    // A chain of other operators too long to plan is MySQL's 1436, not a crash.
    let divisions = format!("SELECT 1{}", " / 1".repeat(20_000));
    let err = conn.query_drop(divisions).await.unwrap_err();
    match err {
        mysql_async::Error::Server(e) => assert_eq!(e.code, 1436, "{}", e.message),
        other => panic!("expected a server error, got {other}"),
    }
    assert_eq!(rows(&mut conn, "SELECT 1").await, vec![vec!["1"]]);
}

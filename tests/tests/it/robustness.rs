//! No input makes the server panic or exit.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

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

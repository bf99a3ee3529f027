//! Session control over the wire: KILL QUERY / KILL CONNECTION, statement timeouts,
//! sql_select_limit, multi-statement results, a client that leaves mid-query, and many
//! concurrent connections.

use std::time::{Duration, Instant};

use lakestar_tests::raw::{login as raw_login, read_packet, write_packet};
use lakestar_tests::{error_code, rows, TestServer};
use mysql_async::prelude::Queryable;

/// Effectively endless: counting 10^12 generated rows.
const ENDLESS: &str = "SELECT count(*) FROM generate_series(1, 1000000000000)";

async fn connection_id(conn: &mut mysql_async::Conn) -> String {
    rows(conn, "SELECT CONNECTION_ID()").await[0][0].clone()
}

/// Wait until the process list shows `id` running a statement.
async fn wait_until_running(observer: &mut mysql_async::Conn, id: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let list = rows(observer, "SHOW FULL PROCESSLIST").await;
        if list.iter().any(|r| r[0] == id && r[4] == "Query") {
            return;
        }
        assert!(Instant::now() < deadline, "{id} never ran: {list:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn kill_query_interrupts_and_kill_connection_closes() {
    let server = TestServer::start();
    let mut victim = server.connect().await;
    let mut admin = server.connect().await;
    let id = connection_id(&mut victim).await;

    let running = tokio::spawn(async move {
        let result = victim.query_drop(ENDLESS).await;
        (victim, result)
    });
    wait_until_running(&mut admin, &id).await;
    admin.query_drop(format!("KILL QUERY {id}")).await.unwrap();
    let (mut victim, result) = tokio::time::timeout(Duration::from_secs(20), running)
        .await
        .expect("KILL QUERY stops the statement")
        .unwrap();
    match result {
        Err(mysql_async::Error::Server(e)) => {
            assert_eq!((e.code, e.state.as_str()), (1317, "70100"))
        }
        other => panic!("expected error 1317, got {other:?}"),
    }
    // The connection survives KILL QUERY.
    assert_eq!(rows(&mut victim, "SELECT 1").await, vec![vec!["1"]]);

    admin
        .query_drop(format!("KILL CONNECTION {id}"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        victim.query_drop("SELECT 1").await.is_err(),
        "connection must be closed"
    );
    let list = rows(&mut admin, "SELECT ID FROM information_schema.PROCESSLIST").await;
    assert!(!list.iter().any(|r| r[0] == id), "{list:?}");
    assert_eq!(error_code(&mut admin, "KILL 999999").await.0, 1094);
}

#[tokio::test]
async fn statement_timeouts_and_select_limit_take_effect() {
    let server = TestServer::start();
    let mut conn = server.connect().await;
    conn.query_drop("SET max_execution_time = 300")
        .await
        .unwrap();
    let started = Instant::now();
    assert_eq!(error_code(&mut conn, ENDLESS).await, (3024, "HY000".into()));
    assert!(started.elapsed() < Duration::from_secs(20));
    conn.query_drop("SET max_execution_time = 0").await.unwrap();
    conn.query_drop("SET query_timeout = 1").await.unwrap();
    assert_eq!(error_code(&mut conn, ENDLESS).await.0, 3024);
    conn.query_drop("SET query_timeout = 300").await.unwrap();

    conn.query_drop("SET SQL_SELECT_LIMIT = 3").await.unwrap();
    let limited = rows(&mut conn, "SELECT value FROM generate_series(1, 10)").await;
    assert_eq!(limited.len(), 3);
    conn.query_drop("SET SQL_SELECT_LIMIT = DEFAULT")
        .await
        .unwrap();
    let all = rows(&mut conn, "SELECT value FROM generate_series(1, 10)").await;
    assert_eq!(all.len(), 10);
}

#[tokio::test]
async fn multi_statements_return_every_result() {
    let server = TestServer::start();
    let mut conn = server.connect().await;
    // mysql_async sets CLIENT_MULTI_STATEMENTS.
    let mut result = conn
        .query_iter("SELECT 1 AS a; SELECT 'x' AS b, 2 AS c; CREATE DATABASE m; SELECT 3")
        .await
        .unwrap();
    let first: Vec<(i64,)> = result.collect().await.unwrap();
    let second: Vec<(String, i64)> = result.collect().await.unwrap();
    let third: Vec<mysql_async::Row> = result.collect().await.unwrap();
    let fourth: Vec<(i64,)> = result.collect().await.unwrap();
    assert_eq!(first, vec![(1,)]);
    assert_eq!(second, vec![("x".to_string(), 2)]);
    assert!(third.is_empty());
    assert_eq!(fourth, vec![(3,)]);
    drop(result);
    // An error stops the batch: the statements after it do not run.
    let err = conn
        .query_drop("CREATE DATABASE m2; SELECT * FROM nowhere.t; CREATE DATABASE m3")
        .await;
    assert!(err.is_err());
    let dbs = rows(&mut conn, "SHOW DATABASES LIKE 'm%'").await;
    assert_eq!(dbs, vec![vec!["m"], vec!["m2"]]);
}

#[tokio::test]
async fn multi_statements_need_the_capability_or_com_set_option() {
    let server = TestServer::start();
    let mut s = raw_login(server.port);
    write_packet(&mut s, 0, b"\x03SELECT 1; SELECT 2");
    let err = read_packet(&mut s);
    assert_eq!(err[0], 0xFF, "refused without CLIENT_MULTI_STATEMENTS");
    assert_eq!(u16::from_le_bytes([err[1], err[2]]), 1064);
    // COM_SET_OPTION MYSQL_OPTION_MULTI_STATEMENTS_ON, answered with EOF.
    write_packet(&mut s, 0, &[0x1b, 0, 0]);
    assert_eq!(read_packet(&mut s)[0], 0xFE);
    write_packet(&mut s, 0, b"\x03SELECT 1; SELECT 2");
    // First result: column count 1, column def, EOF, row, EOF with MORE_RESULTS_EXISTS.
    assert_eq!(read_packet(&mut s), vec![1]);
    read_packet(&mut s);
    read_packet(&mut s);
    read_packet(&mut s);
    let eof = read_packet(&mut s);
    assert_eq!(eof[0], 0xFE);
    let status = u16::from_le_bytes([eof[3], eof[4]]);
    assert!(
        status & 0x0008 != 0,
        "MORE_RESULTS_EXISTS expected: {eof:?}"
    );
    // Unknown commands are errors, not silent OKs.
    let mut s2 = raw_login(server.port);
    write_packet(&mut s2, 0, &[0x1d]);
    assert_eq!(read_packet(&mut s2)[0], 0xFF);
}

#[tokio::test]
async fn a_client_that_leaves_mid_query_cancels_it() {
    let server = TestServer::start();
    let mut admin = server.connect().await;
    let mut s = raw_login(server.port);
    write_packet(&mut s, 0, b"\x03SELECT CONNECTION_ID()");
    // Column count, column definition, EOF, the row, EOF.
    let packets: Vec<Vec<u8>> = (0..5).map(|_| read_packet(&mut s)).collect();
    let row = &packets[3];
    let id = String::from_utf8_lossy(&row[1..]).into_owned();
    assert!(id.chars().all(|c| c.is_ascii_digit()), "{packets:?}");
    write_packet(&mut s, 0, format!("\x03{ENDLESS}").as_bytes());
    wait_until_running(&mut admin, &id).await;
    drop(s);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let list = rows(&mut admin, "SHOW PROCESSLIST").await;
        if !list.iter().any(|r| r[0] == id) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the query kept running after its client left: {list:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_connections() {
    let server = TestServer::start();
    let mut setup = server.connect().await;
    setup
        .query_drop("CREATE DATABASE c; CREATE TABLE c.t (k INT, v STRING) DUPLICATE KEY(k)")
        .await
        .unwrap();
    let url = server.url();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let url = url.clone();
            tokio::spawn(async move {
                let mut conn = mysql_async::Conn::from_url(url).await?;
                conn.query_drop(format!("INSERT INTO c.t VALUES ({i}, 'row {i}')"))
                    .await?;
                let n: Option<i64> = conn
                    .query_first(format!("SELECT count(*) FROM c.t WHERE k = {i}"))
                    .await?;
                assert_eq!(n, Some(1));
                let s: Option<i64> = conn
                    .query_first("SELECT sum(value) FROM generate_series(1, 1000)")
                    .await?;
                assert_eq!(s, Some(500500));
                conn.disconnect().await?;
                Ok::<_, mysql_async::Error>(())
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(
        rows(&mut setup, "SELECT count(*) FROM c.t").await,
        vec![vec!["200"]]
    );
}

//! Restart and crash: acknowledged data survives, partial INSERTs never show.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lakestar_tests::{rows, TestServer};
use mysql_async::prelude::Queryable;

#[tokio::test]
async fn data_and_catalog_survive_restart() {
    let mut server = TestServer::start();
    let mut conn = server.connect().await;
    conn.query_drop("CREATE DATABASE r").await.unwrap();
    conn.query_drop("CREATE TABLE r.dup (k INT, v STRING) DUPLICATE KEY(k) COMMENT 'kept'")
        .await
        .unwrap();
    conn.query_drop(
        "CREATE TABLE r.pk (k INT, v STRING) PRIMARY KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 2",
    )
    .await
    .unwrap();
    conn.query_drop("INSERT INTO r.dup VALUES (1, 'a'), (1, 'a')")
        .await
        .unwrap();
    conn.query_drop("INSERT INTO r.pk VALUES (1, 'a'), (2, 'b')")
        .await
        .unwrap();
    conn.query_drop("INSERT INTO r.pk VALUES (1, 'z')")
        .await
        .unwrap();
    let create_before = rows(&mut conn, "SHOW CREATE TABLE r.pk").await;
    drop(conn);

    server.restart();
    let mut conn = server.connect().await;
    assert_eq!(
        rows(&mut conn, "SHOW DATABASES LIKE 'r'").await,
        vec![vec!["r"]]
    );
    assert_eq!(
        rows(&mut conn, "SELECT k, v FROM r.dup").await,
        vec![vec!["1", "a"], vec!["1", "a"]]
    );
    assert_eq!(
        rows(&mut conn, "SELECT k, v FROM r.pk ORDER BY k").await,
        vec![vec!["1", "z"], vec!["2", "b"]]
    );
    assert_eq!(
        rows(&mut conn, "SHOW CREATE TABLE r.pk").await,
        create_before
    );
    // Writes keep working after the restart.
    conn.query_drop("INSERT INTO r.pk VALUES (2, 'y')")
        .await
        .unwrap();
    assert_eq!(
        rows(&mut conn, "SELECT v FROM r.pk ORDER BY k").await,
        vec![vec!["z"], vec!["y"]]
    );
}

const ROWS_PER_INSERT: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill9_during_concurrent_inserts_keeps_every_acknowledged_row() {
    let mut server = TestServer::start();
    let mut conn = server.connect().await;
    conn.query_drop("CREATE DATABASE c").await.unwrap();
    conn.query_drop("CREATE TABLE c.t (batch INT, i INT, payload STRING) DUPLICATE KEY(batch)")
        .await
        .unwrap();
    conn.query_drop("CREATE TABLE c.pk (batch INT, i INT) PRIMARY KEY(batch, i)")
        .await
        .unwrap();
    drop(conn);

    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let url = server.url();
    let mut writers = vec![];
    for writer in 0..4 {
        let acknowledged = Arc::clone(&acknowledged);
        let url = url.clone();
        writers.push(tokio::spawn(async move {
            let Ok(mut conn) = mysql_async::Conn::from_url(url).await else {
                return;
            };
            for n in 0..10_000 {
                let batch = writer * 100_000 + n;
                let values: Vec<String> = (0..ROWS_PER_INSERT)
                    .map(|i| format!("({batch}, {i}, '{}')", "x".repeat(64)))
                    .collect();
                let table = if n % 2 == 0 { "c.t" } else { "c.pk" };
                let sql = if table == "c.t" {
                    format!("INSERT INTO c.t VALUES {}", values.join(","))
                } else {
                    let values: Vec<String> = (0..ROWS_PER_INSERT)
                        .map(|i| format!("({batch}, {i})"))
                        .collect();
                    format!("INSERT INTO c.pk VALUES {}", values.join(","))
                };
                match conn.query_drop(sql).await {
                    Ok(()) => {
                        acknowledged.lock().unwrap().insert((table, batch));
                    }
                    Err(_) => return, // the server died
                }
            }
        }));
    }
    // Let the writers get going, then crash the server mid-stream.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    server.kill9();
    for w in writers {
        let _ = w.await;
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 4,
        "too few inserts before the crash: {}",
        acknowledged.len()
    );

    server.reopen();
    let mut conn = server.connect().await;
    for table in ["c.t", "c.pk"] {
        let counts = rows(
            &mut conn,
            &format!("SELECT batch, count(*) FROM {table} GROUP BY batch"),
        )
        .await;
        let mut present = BTreeSet::new();
        for row in &counts {
            let batch: i64 = row[0].parse().unwrap();
            assert_eq!(
                row[1],
                ROWS_PER_INSERT.to_string(),
                "partial insert visible in {table}: batch {batch}"
            );
            present.insert(batch);
        }
        for (t, batch) in &acknowledged {
            if *t == table {
                assert!(
                    present.contains(batch),
                    "acknowledged batch {batch} lost from {table}"
                );
            }
        }
    }
    // The table stays writable after recovery.
    conn.query_drop("INSERT INTO c.t VALUES (-1, 0, 'after')")
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_readers_see_each_insert_whole_or_not_at_all() {
    let server = TestServer::start();
    let mut conn = server.connect().await;
    conn.query_drop("CREATE DATABASE a").await.unwrap();
    conn.query_drop("CREATE TABLE a.t (batch INT, i INT) DUPLICATE KEY(batch)")
        .await
        .unwrap();
    let url = server.url();
    let writer = tokio::spawn(async move {
        let mut conn = mysql_async::Conn::from_url(url).await.unwrap();
        for batch in 0..40 {
            let values: Vec<String> = (0..ROWS_PER_INSERT)
                .map(|i| format!("({batch}, {i})"))
                .collect();
            conn.query_drop(format!("INSERT INTO a.t VALUES {}", values.join(",")))
                .await
                .unwrap();
        }
    });
    let mut observed = 0;
    while !writer.is_finished() {
        let count: u64 = rows(&mut conn, "SELECT count(*) FROM a.t").await[0][0]
            .parse()
            .unwrap();
        assert_eq!(
            count % ROWS_PER_INSERT as u64,
            0,
            "a reader saw part of an INSERT"
        );
        observed += 1;
    }
    writer.await.unwrap();
    assert!(observed > 0);
    assert_eq!(
        rows(&mut conn, "SELECT count(*) FROM a.t").await,
        vec![vec![(40 * ROWS_PER_INSERT).to_string()]]
    );
}

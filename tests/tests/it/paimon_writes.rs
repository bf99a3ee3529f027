//! Writes into a `"type" = "paimon"` catalog, as a StarRocks user runs them: CREATE / DROP
//! DATABASE and TABLE, INSERT, INSERT OVERWRITE, UPDATE and DELETE on `cat.db.t`; pypaimon
//! (`tests/clients/paimon_interop.py`) reads what Lakestar wrote; commits race a pypaimon
//! writer without losing its rows; and an UPDATE that read a snapshot another writer has
//! since replaced fails with 1213 instead of overwriting that writer's row.

use lakestar_tests::{error_code, rows, run_python, TestServer};
use mysql_async::prelude::Queryable;

fn strings(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
}

/// pypaimon's rows of a table: `field=value` pairs of each JSON line, sorted.
fn pypaimon_rows(warehouse: &str, db: &str, table: &str) -> Vec<String> {
    let out = run_python("paimon_interop.py", &["read", warehouse, db, table]);
    let mut lines: Vec<String> = out.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

#[tokio::test(flavor = "multi_thread")]
async fn paimon_catalog_writes_are_paimon_writes() {
    let warehouse_dir = tempfile::tempdir().unwrap();
    let warehouse = warehouse_dir.path().display().to_string();
    run_python("paimon_interop.py", &["write", &warehouse]);

    let server = TestServer::start();
    let mut conn = server.connect().await;
    conn.query_drop(format!(
        "CREATE EXTERNAL CATALOG lake PROPERTIES (\"type\" = \"paimon\", \
         \"paimon.catalog.type\" = \"filesystem\", \"paimon.catalog.warehouse\" = \"file://{warehouse}\")"
    ))
    .await
    .unwrap();

    // DDL in the catalog.
    conn.query_drop("CREATE DATABASE lake.shop").await.unwrap();
    assert_eq!(
        error_code(&mut conn, "CREATE DATABASE lake.shop").await.0,
        1007
    );
    conn.query_drop("CREATE DATABASE IF NOT EXISTS lake.shop")
        .await
        .unwrap();
    conn.query_drop(
        "CREATE TABLE lake.shop.kv (id BIGINT NOT NULL, v INT, name VARCHAR(20)) \
         PRIMARY KEY (id) DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES (\"merge-engine\" = \"deduplicate\")",
    )
    .await
    .unwrap();
    conn.query_drop(
        "CREATE TABLE lake.shop.ev (dt DATE, k INT, s STRING) DUPLICATE KEY(dt) PARTITION BY (dt)",
    )
    .await
    .unwrap();
    assert_eq!(
        error_code(&mut conn, "CREATE TABLE lake.shop.ev (a INT)")
            .await
            .0,
        1050
    );
    assert_eq!(
        rows(&mut conn, "SHOW TABLES FROM lake.shop").await,
        strings(&[&["ev"], &["kv"]])
    );

    // DML, each statement one commit with its affected rows.
    conn.query_drop("INSERT INTO lake.shop.kv VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'c')")
        .await
        .unwrap();
    conn.query_drop("UPDATE lake.shop.kv SET v = v + 1 WHERE id >= 2")
        .await
        .unwrap();
    assert_eq!(conn.affected_rows(), 2);
    conn.query_drop("DELETE FROM lake.shop.kv WHERE name = 'a'")
        .await
        .unwrap();
    assert_eq!(conn.affected_rows(), 1);
    assert_eq!(
        rows(&mut conn, "SELECT * FROM lake.shop.kv ORDER BY id").await,
        strings(&[&["2", "21", "b"], &["3", "31", "c"]])
    );
    conn.query_drop(
        "INSERT INTO lake.shop.ev VALUES ('2024-01-01', 1, 'x'), ('2024-01-02', 2, 'y'), \
         ('2024-01-02', 3, 'z')",
    )
    .await
    .unwrap();
    conn.query_drop("DELETE FROM lake.shop.ev WHERE k = 2")
        .await
        .unwrap();
    assert_eq!(conn.affected_rows(), 1);
    conn.query_drop("INSERT OVERWRITE lake.shop.ev PARTITION (dt = '2024-01-01') VALUES (7, 'p')")
        .await
        .unwrap();
    assert_eq!(
        rows(&mut conn, "SELECT dt, k, s FROM lake.shop.ev ORDER BY k").await,
        strings(&[&["2024-01-02", "3", "z"], &["2024-01-01", "7", "p"]])
    );
    // In the current catalog, names resolve as they do in the default one.
    conn.query_drop("SET CATALOG lake").await.unwrap();
    conn.query_drop("USE shop").await.unwrap();
    conn.query_drop("INSERT INTO kv SELECT k + 100, k, s FROM ev")
        .await
        .unwrap();
    conn.query_drop("SET CATALOG default_catalog")
        .await
        .unwrap();

    // pypaimon reads what Lakestar wrote: the retracted key is gone, the updated rows
    // carry their new values.
    assert_eq!(
        pypaimon_rows(&warehouse, "shop", "kv"),
        [
            r#"{"id": 103, "name": "z", "v": 3}"#,
            r#"{"id": 107, "name": "p", "v": 7}"#,
            r#"{"id": 2, "name": "b", "v": 21}"#,
            r#"{"id": 3, "name": "c", "v": 31}"#,
        ]
    );
    assert_eq!(
        pypaimon_rows(&warehouse, "shop", "ev"),
        [
            r#"{"dt": "2024-01-01", "k": 7, "s": "p"}"#,
            r#"{"dt": "2024-01-02", "k": 3, "s": "z"}"#,
        ]
    );

    // Lakestar and pypaimon commit to one table at the same time: no commit is lost.
    let writer = {
        let warehouse = warehouse.clone();
        std::thread::spawn(move || run_python("paimon_interop.py", &["append", &warehouse, "15"]))
    };
    for i in 0..15 {
        conn.query_drop(format!(
            "INSERT INTO lake.xxdb_prod.events VALUES ({}, 'lakestar')",
            1000 + i
        ))
        .await
        .unwrap();
    }
    writer.join().unwrap();
    assert_eq!(
        rows(
            &mut conn,
            "SELECT count(*), count(DISTINCT id), count(CASE WHEN payload = 'lakestar' THEN 1 END) FROM lake.xxdb_prod.events"
        )
        .await,
        strings(&[&["31", "31", "15"]])
    );

    // An UPDATE that read the table before another writer committed to it fails, and the
    // other writer's row survives.
    let signals = tempfile::tempdir().unwrap();
    let signal_dir = signals.path().display().to_string();
    let upserter = {
        let (warehouse, signal_dir) = (warehouse.clone(), signal_dir.clone());
        std::thread::spawn(move || {
            run_python(
                "paimon_interop.py",
                &[
                    "upsert_on_signal",
                    &warehouse,
                    "shop.kv",
                    &signal_dir,
                    "9",
                    "90",
                ],
            )
        })
    };
    while !signals.path().join("ready").exists() {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let mut other = server.connect().await;
    let update = tokio::spawn(async move {
        let result = other
            .query_drop("UPDATE lake.shop.kv SET v = v + SLEEP(3) + 1000 WHERE id = 2")
            .await;
        (other, result)
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    std::fs::write(signals.path().join("go"), b"").unwrap();
    upserter.join().unwrap();
    let (_other, result) = update.await.unwrap();
    match result {
        Err(mysql_async::Error::Server(e)) => {
            assert_eq!((e.code, e.state.as_str()), (1213, "40001"), "{}", e.message)
        }
        other => panic!("expected a write conflict, got {other:?}"),
    }
    assert_eq!(
        rows(
            &mut conn,
            "SELECT id, v FROM lake.shop.kv WHERE id IN (2, 9) ORDER BY id"
        )
        .await,
        strings(&[&["2", "21"], &["9", "90"]])
    );
    // Run again, it succeeds.
    conn.query_drop("UPDATE lake.shop.kv SET v = v + 1000 WHERE id = 2")
        .await
        .unwrap();
    assert_eq!(
        rows(&mut conn, "SELECT v FROM lake.shop.kv WHERE id = 2").await,
        strings(&[&["1021"]])
    );

    // Dropping: a database must be empty first; a dropped table's name can be reused.
    assert_eq!(
        error_code(&mut conn, "DROP DATABASE lake.shop").await.0,
        1010
    );
    conn.query_drop("DROP TABLE lake.shop.kv").await.unwrap();
    assert_eq!(
        error_code(&mut conn, "DROP TABLE lake.shop.kv").await.0,
        1051
    );
    conn.query_drop("DROP TABLE IF EXISTS lake.shop.kv")
        .await
        .unwrap();
    conn.query_drop("CREATE TABLE lake.shop.kv (id BIGINT NOT NULL, v INT) PRIMARY KEY (id)")
        .await
        .unwrap();
    conn.query_drop("INSERT INTO lake.shop.kv VALUES (5, 50)")
        .await
        .unwrap();
    assert_eq!(
        rows(&mut conn, "SELECT * FROM lake.shop.kv").await,
        strings(&[&["5", "50"]])
    );
    conn.query_drop("DROP TABLE lake.shop.kv").await.unwrap();
    conn.query_drop("DROP TABLE lake.shop.ev").await.unwrap();
    conn.query_drop("DROP DATABASE lake.shop").await.unwrap();
    assert_eq!(
        rows(&mut conn, "SHOW DATABASES FROM lake").await,
        strings(&[&["xxdb_prod"]])
    );
}

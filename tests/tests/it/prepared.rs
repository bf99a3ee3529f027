//! Server-side prepared statements over the binary protocol (mysql_async `exec`).

use lakestar_tests::{rows, TestServer};
use mysql_async::prelude::Queryable;
use mysql_async::{Params, Value};

#[tokio::test]
async fn binary_protocol_round_trips_every_type() {
    let server = TestServer::start();
    let mut conn = server.connect().await;
    conn.query_drop(
        "CREATE DATABASE ps; USE ps; CREATE TABLE t (k INT NOT NULL, b BOOLEAN, ti TINYINT, \
         si SMALLINT, bi BIGINT, li LARGEINT, f FLOAT, d DOUBLE, dec1 DECIMAL(12,3), c CHAR(3), \
         v VARCHAR(10), s STRING, dt DATE, ts DATETIME) DUPLICATE KEY(k)",
    )
    .await
    .unwrap();
    let insert = conn
        .prep("INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
        .await
        .unwrap();
    assert_eq!(insert.num_params(), 14);
    let row: Vec<Value> = vec![
        1.into(),
        true.into(),
        (-7i8).into(),
        (-300i16).into(),
        (-(1i64 << 40)).into(),
        "170141183460469231731687303715884105".into(),
        1.5f32.into(),
        (-2.25f64).into(),
        "123456789.125".into(),
        "abc".into(),
        "ünïcødé".into(),
        "☃".into(),
        Value::Date(2024, 2, 29, 0, 0, 0, 0),
        Value::Date(2024, 2, 29, 23, 59, 58, 999_999),
    ];
    conn.exec_drop(&insert, Params::Positional(row))
        .await
        .unwrap();
    conn.exec_drop(
        &insert,
        Params::Positional(
            std::iter::once(Value::Int(2))
                .chain(std::iter::repeat_n(Value::NULL, 13))
                .collect(),
        ),
    )
    .await
    .unwrap();
    let select = conn.prep("SELECT * FROM t WHERE k = ?").await.unwrap();
    assert_eq!(select.num_params(), 1);
    assert_eq!(select.columns().len(), 14);
    let row: mysql_async::Row = conn.exec_first(&select, (1,)).await.unwrap().unwrap();
    let values: Vec<Value> = (0..row.len()).map(|i| row[i].clone()).collect();
    assert_eq!(
        values,
        vec![
            Value::Int(1),
            Value::Int(1),
            Value::Int(-7),
            Value::Int(-300),
            Value::Int(-(1 << 40)),
            Value::Bytes(b"170141183460469231731687303715884105".to_vec()),
            Value::Float(1.5),
            Value::Double(-2.25),
            Value::Bytes(b"123456789.125".to_vec()),
            Value::Bytes(b"abc".to_vec()),
            Value::Bytes("ünïcødé".as_bytes().to_vec()),
            Value::Bytes("☃".as_bytes().to_vec()),
            Value::Date(2024, 2, 29, 0, 0, 0, 0),
            Value::Date(2024, 2, 29, 23, 59, 58, 999_999),
        ]
    );
    let nulls: mysql_async::Row = conn.exec_first(&select, (2,)).await.unwrap().unwrap();
    assert!((1..14).all(|i| nulls[i] == Value::NULL));

    // SHOW as a prepared statement; result names use `?` as written.
    let shown: Vec<(String,)> = conn.exec("SHOW TABLES", ()).await.unwrap();
    assert_eq!(shown, vec![("t".to_string(),)]);
    let stmt = conn.prep("SELECT ? * 2").await.unwrap();
    assert_eq!(stmt.columns()[0].name_str(), "? * 2");
    let doubled: Option<i64> = conn.exec_first(&stmt, (21,)).await.unwrap();
    assert_eq!(doubled, Some(42));
    conn.close(stmt).await.unwrap();
    assert_eq!(
        rows(&mut conn, "SELECT count(*) FROM t").await,
        vec![vec!["2"]]
    );
}

#[tokio::test]
async fn sql_level_prepare_execute_deallocate() {
    let server = TestServer::start();
    let mut conn = server.connect().await;
    conn.query_drop("SET @a = 20, @b = 22, @q = 'SELECT ? + ? AS s'")
        .await
        .unwrap();
    conn.query_drop("PREPARE p FROM @q").await.unwrap();
    assert_eq!(
        rows(&mut conn, "EXECUTE p USING @a, @b").await,
        vec![vec!["42"]]
    );
    assert_eq!(
        lakestar_tests::error_code(&mut conn, "EXECUTE p USING @a")
            .await
            .0,
        1210
    );
    conn.query_drop("DEALLOCATE PREPARE p").await.unwrap();
    assert_eq!(
        lakestar_tests::error_code(&mut conn, "EXECUTE p USING @a, @b")
            .await
            .0,
        1243
    );
}

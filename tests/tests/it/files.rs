//! StarRocks' FILES() table function over Parquet, CSV and JSON files on local disk,
//! with Hive partitions, in FROM and in INSERT ... SELECT.

use lakestar_tests::{rows, TestServer};
use mysql_async::prelude::Queryable;

#[tokio::test(flavor = "multi_thread")]
async fn files_reads_csv_json_and_parquet_in_place() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // CSV with a header, in Hive partitions.
    for (region, rows_text) in [
        ("eu", "id,amount\n1,10.5\n2,20.0\n"),
        ("us", "id,amount\n3,7.5\n"),
    ] {
        let part = root.join("csv").join(format!("region={region}"));
        std::fs::create_dir_all(&part).unwrap();
        std::fs::write(part.join("data.csv"), rows_text).unwrap();
    }
    std::fs::create_dir_all(root.join("json")).unwrap();
    std::fs::write(
        root.join("json/a.json"),
        "{\"k\": 1, \"name\": \"zoë\"}\n{\"k\": 2, \"name\": null}\n",
    )
    .unwrap();
    let csv = format!("file://{}", root.join("csv").display());
    let json = format!("file://{}", root.join("json").display());

    let mut conn = server.connect().await;
    let got = rows(
        &mut conn,
        &format!(
            "SELECT region, count(*), sum(amount) FROM FILES(\"path\" = \"{csv}\", \"format\" = \"csv\", \"csv.skip_header\" = \"1\") GROUP BY region ORDER BY region"
        ),
    )
    .await;
    assert_eq!(got, vec![vec!["eu", "2", "30.5"], vec!["us", "1", "7.5"]]);
    // Partition pruning keeps the answer right when filtering on the partition column.
    let got = rows(
        &mut conn,
        &format!(
            "SELECT id FROM FILES(\"path\" = \"{csv}\", \"format\" = \"csv\", \"csv.skip_header\" = \"1\") WHERE region = 'us'"
        ),
    )
    .await;
    assert_eq!(got, vec![vec!["3"]]);
    let got = rows(
        &mut conn,
        &format!(
            "SELECT k, name FROM FILES(\"path\" = \"{json}\", \"format\" = \"json\") ORDER BY k"
        ),
    )
    .await;
    assert_eq!(got, vec![vec!["1", "zoë"], vec!["2", "NULL"]]);

    // INSERT ... SELECT FROM FILES into an internal table; then read that table's own
    // Parquet data files back with FILES (Lakestar's storage is open Paimon/Parquet).
    conn.query_drop("CREATE DATABASE f").await.unwrap();
    conn.query_drop(
        "CREATE TABLE f.t (id INT, amount DOUBLE, region VARCHAR(8)) DUPLICATE KEY(id)",
    )
    .await
    .unwrap();
    conn.query_drop(format!(
        "INSERT INTO f.t SELECT id, amount, region FROM FILES(\"path\" = \"{csv}\", \"format\" = \"csv\", \"csv.skip_header\" = \"1\")"
    ))
    .await
    .unwrap();
    assert_eq!(
        rows(&mut conn, "SELECT count(*), sum(amount) FROM f.t").await,
        vec![vec!["3", "38"]]
    );
    let bucket = server.data_dir().join("warehouse/f.db/t/bucket-0");
    let parquet = format!("file://{}", bucket.display());
    let got = rows(
        &mut conn,
        &format!("SELECT count(*), sum(amount) FROM FILES(\"path\" = \"{parquet}\", \"format\" = \"parquet\")"),
    )
    .await;
    assert_eq!(got, vec![vec!["3", "38"]]);

    // Bad input is a clear error, and the connection keeps working.
    let err = conn
        .query_drop("SELECT * FROM FILES(\"format\" = \"csv\")")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("path"), "{err}");
    let err = conn
        .query_drop(format!(
            "SELECT * FROM FILES(\"path\" = \"{csv}\", \"format\" = \"orc\")"
        ))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("orc"), "{err}");
    assert_eq!(rows(&mut conn, "SELECT 1").await, vec![vec!["1"]]);
}

/// A `"type" = "files"` external catalog: directories are databases and tables, queried
/// with three-part names (joined with internal tables too), listed by SHOW, persisted.
#[tokio::test(flavor = "multi_thread")]
async fn files_catalog_maps_directories_to_databases_and_tables() {
    let mut server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let sales = dir.path().join("sales");
    for (region, text) in [
        ("eu", "id,amount\n1,10.5\n2,20.0\n"),
        ("us", "id,amount\n3,7.5\n"),
    ] {
        let part = sales.join("orders").join(format!("region={region}"));
        std::fs::create_dir_all(&part).unwrap();
        std::fs::write(part.join("part.csv"), text).unwrap();
    }
    std::fs::create_dir_all(sales.join("customers")).unwrap();
    std::fs::write(
        sales.join("customers/c.json"),
        "{\"id\": 1, \"name\": \"ann\"}\n{\"id\": 3, \"name\": \"bob\"}\n",
    )
    .unwrap();
    let location = format!("file://{}", dir.path().display());

    let mut conn = server.connect().await;
    conn.query_drop(format!(
        "CREATE EXTERNAL CATALOG lake COMMENT 'local' PROPERTIES (\"type\" = \"files\", \
         \"location\" = \"{location}\", \"csv.skip_header\" = \"1\", \"aws.s3.secret_key\" = \"hush\")"
    ))
    .await
    .unwrap();
    assert_eq!(
        rows(&mut conn, "SHOW CATALOGS").await[1],
        vec!["lake", "files", "local"]
    );
    let create = &rows(&mut conn, "SHOW CREATE CATALOG lake").await[0][1];
    assert!(
        create.contains("\"aws.s3.secret_key\" = \"***\"") && !create.contains("hush"),
        "{create}"
    );
    assert_eq!(
        rows(&mut conn, "SHOW DATABASES FROM lake").await,
        vec![vec!["sales"]]
    );
    assert_eq!(
        rows(&mut conn, "SHOW TABLES FROM lake.sales").await,
        vec![vec!["customers"], vec!["orders"]]
    );

    // Three-part names, a join across the catalog, and a join with an internal table.
    conn.query_drop("CREATE DATABASE crm").await.unwrap();
    conn.query_drop("CREATE TABLE crm.vip (id INT) DUPLICATE KEY(id)")
        .await
        .unwrap();
    conn.query_drop("INSERT INTO crm.vip VALUES (3)")
        .await
        .unwrap();
    let got = rows(
        &mut conn,
        "SELECT c.name, o.region, o.amount FROM lake.sales.orders o \
         JOIN lake.sales.customers c ON c.id = o.id \
         JOIN default_catalog.crm.vip v ON v.id = o.id",
    )
    .await;
    assert_eq!(got, vec![vec!["bob", "us", "7.5"]]);
    // ETL into an internal table.
    conn.query_drop(
        "CREATE TABLE crm.orders AS SELECT id, amount, region FROM lake.sales.orders WHERE region = 'eu'",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(&mut conn, "SELECT count(*), sum(amount) FROM crm.orders").await,
        vec![vec!["2", "30.5"]]
    );
    // A file added to a table's directory is read by the next statement.
    std::fs::write(
        sales.join("orders/region=us/more.csv"),
        "id,amount\n4,1.5\n",
    )
    .unwrap();
    assert_eq!(
        rows(
            &mut conn,
            "SELECT count(*), sum(amount) FROM lake.sales.orders"
        )
        .await,
        vec![vec!["4", "39.5"]]
    );
    assert_eq!(
        lakestar_tests::error_code(&mut conn, "SELECT * FROM lake.sales.nope")
            .await
            .0,
        1146
    );
    assert_eq!(
        lakestar_tests::error_code(&mut conn, "SELECT * FROM nocat.a.b")
            .await
            .0,
        1049
    );

    // SET CATALOG and USE catalog.db make bare names resolve in the catalog.
    conn.query_drop("SET CATALOG lake").await.unwrap();
    assert_eq!(rows(&mut conn, "SHOW DATABASES").await, vec![vec!["sales"]]);
    conn.query_drop("USE sales").await.unwrap();
    assert_eq!(
        rows(&mut conn, "SHOW TABLES").await,
        vec![vec!["customers"], vec!["orders"]]
    );
    assert_eq!(
        rows(&mut conn, "SELECT count(*) FROM orders").await,
        vec![vec!["4"]]
    );
    conn.query_drop("USE default_catalog.crm").await.unwrap();
    assert_eq!(
        rows(&mut conn, "SELECT count(*) FROM vip").await,
        vec![vec!["1"]]
    );
    conn.query_drop("USE lake.sales").await.unwrap();
    assert_eq!(
        rows(&mut conn, "SELECT count(*) FROM customers").await,
        vec![vec!["2"]]
    );
    assert_eq!(
        lakestar_tests::error_code(&mut conn, "SET CATALOG nope")
            .await
            .0,
        1049
    );
    conn.query_drop("SET CATALOG default_catalog")
        .await
        .unwrap();

    // The catalog persists; DROP CATALOG removes it.
    drop(conn);
    server.restart();
    let mut conn = server.connect().await;
    assert_eq!(
        rows(&mut conn, "SELECT count(*) FROM lake.sales.orders").await,
        vec![vec!["4"]]
    );
    conn.query_drop("DROP CATALOG lake").await.unwrap();
    assert_eq!(rows(&mut conn, "SHOW CATALOGS").await.len(), 1);
    conn.query_drop("DROP CATALOG IF EXISTS lake")
        .await
        .unwrap();
}

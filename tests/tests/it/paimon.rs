//! `"type" = "paimon"` external catalogs over a warehouse written by a third-party writer
//! (pypaimon, `tests/clients/paimon_interop.py`): every merge engine, sequence fields,
//! deletion vectors, partitions, push-downs; one snapshot per statement while pypaimon keeps
//! committing; the lakehouse issue's INSERT OVERWRITE verbatim; and pypaimon reading the
//! table Lakestar wrote.

use lakestar_tests::{error_code, rows, run_python, TestServer};
use mysql_async::prelude::Queryable;

fn strings(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn paimon_catalog_reads_what_pypaimon_wrote_and_back() {
    let warehouse_dir = tempfile::tempdir().unwrap();
    let warehouse = warehouse_dir.path().display().to_string();
    run_python("paimon_interop.py", &["write", &warehouse]);

    let mut server = TestServer::start();
    let mut conn = server.connect().await;
    conn.query_drop(format!(
        "CREATE EXTERNAL CATALOG paimon_catalog COMMENT 'ods' PROPERTIES (\"type\" = \"paimon\", \
         \"paimon.catalog.type\" = \"filesystem\", \"paimon.catalog.warehouse\" = \"file://{warehouse}\")"
    ))
    .await
    .unwrap();
    assert_eq!(
        rows(&mut conn, "SHOW CATALOGS").await[1],
        vec!["paimon_catalog", "paimon", "ods"]
    );
    assert_eq!(
        rows(&mut conn, "SHOW DATABASES FROM paimon_catalog").await,
        vec![vec!["xxdb_prod"]]
    );
    let tables = rows(&mut conn, "SHOW TABLES FROM paimon_catalog.xxdb_prod").await;
    assert_eq!(
        tables.concat(),
        [
            "dv_events",
            "events",
            "pk_agg",
            "pk_dedup",
            "pk_first_row",
            "pk_partial",
            "pk_partitioned",
            "pk_sequence",
            "user_basic_table"
        ]
    );

    // BI tools browsing information_schema see the lake tables and their columns.
    assert_eq!(
        rows(
            &mut conn,
            "SELECT TABLE_SCHEMA, TABLE_TYPE FROM information_schema.TABLES \
             WHERE TABLE_CATALOG = 'paimon_catalog' AND TABLE_NAME = 'pk_dedup'"
        )
        .await,
        strings(&[&["xxdb_prod", "BASE TABLE"]])
    );
    assert_eq!(
        rows(
            &mut conn,
            "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS \
             WHERE TABLE_CATALOG = 'paimon_catalog' AND TABLE_NAME = 'pk_sequence' \
             ORDER BY ORDINAL_POSITION"
        )
        .await,
        strings(&[&["id", "bigint"], &["ts", "bigint"], &["name", "varchar"]])
    );
    assert!(rows(
        &mut conn,
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE CATALOG_NAME = 'paimon_catalog'"
    )
    .await
    .contains(&vec!["xxdb_prod".to_string()]));

    // Merge-on-read of primary-key tables, one per merge engine.
    let q = |t: &str| format!("SELECT id, v, name FROM paimon_catalog.xxdb_prod.{t} ORDER BY id");
    assert_eq!(
        rows(&mut conn, &q("pk_dedup")).await,
        strings(&[&["1", "11", "a2"], &["2", "20", "b"], &["3", "31", "NULL"]])
    );
    assert_eq!(
        rows(&mut conn, &q("pk_partial")).await,
        strings(&[&["1", "12", "a"], &["2", "20", "b"]])
    );
    assert_eq!(
        rows(&mut conn, &q("pk_agg")).await,
        strings(&[&["1", "6", "c"], &["2", "10", "x"]])
    );
    // first-row tables show only compacted files, as Paimon's Java and Python readers do;
    // pypaimon never compacts, so both readers agree the table reads empty.
    let pypaimon_first_row = run_python(
        "paimon_interop.py",
        &["read", &warehouse, "xxdb_prod", "pk_first_row"],
    );
    assert_eq!(
        rows(&mut conn, &q("pk_first_row")).await.len(),
        pypaimon_first_row.lines().count()
    );
    assert_eq!(
        rows(
            &mut conn,
            "SELECT id, ts, name FROM paimon_catalog.xxdb_prod.pk_sequence ORDER BY id"
        )
        .await,
        strings(&[&["1", "5", "newer"], &["2", "2", "newer"]])
    );
    // Deletion vectors hide rows 2, 5 and 7.
    assert_eq!(
        rows(
            &mut conn,
            "SELECT id FROM paimon_catalog.xxdb_prod.dv_events ORDER BY id"
        )
        .await
        .concat(),
        ["0", "1", "3", "4", "6", "8", "9"]
    );
    // Partitions, decimals, dates and timestamps; a filter on the partition column.
    assert_eq!(
        rows(
            &mut conn,
            "SELECT dt, id, amount, day, at FROM paimon_catalog.xxdb_prod.pk_partitioned \
             WHERE dt = '2024-01-02' ORDER BY id"
        )
        .await,
        strings(&[
            &[
                "2024-01-02",
                "1",
                "3.00",
                "2024-01-02",
                "2024-01-02 04:05:06"
            ],
            &["2024-01-02", "2", "4.00", "2024-01-02", "NULL"]
        ])
    );
    // Projection, filter and limit reach the Paimon scan.
    let plan = rows(
        &mut conn,
        "EXPLAIN SELECT id FROM paimon_catalog.xxdb_prod.pk_partitioned WHERE dt = '2024-01-01' LIMIT 1",
    )
    .await
    .concat()
    .join("\n");
    for pushed in [
        "PaimonTableScan",
        "projection=[id]",
        "predicate=dt = '2024-01-01'",
        "partition_pruned=1",
        "limit=1",
    ] {
        assert!(
            plan.contains(pushed),
            "{pushed} missing from the plan:\n{plan}"
        );
    }
    assert_eq!(
        rows(
            &mut conn,
            "SELECT count(*) FROM (SELECT * FROM paimon_catalog.xxdb_prod.user_basic_table LIMIT 2) t"
        )
        .await,
        strings(&[&["2"]])
    );
    // Unknown names are clear errors.
    assert_eq!(
        error_code(&mut conn, "SELECT * FROM paimon_catalog.xxdb_prod.nope")
            .await
            .0,
        1146
    );
    assert_eq!(
        error_code(&mut conn, "SELECT * FROM paimon_catalog.nodb.t")
            .await
            .0,
        1049
    );

    // Every statement reads one snapshot, however often it names a table, while pypaimon
    // keeps committing.
    let writer = {
        let warehouse = warehouse.clone();
        std::thread::spawn(move || run_python("paimon_interop.py", &["append", &warehouse, "25"]))
    };
    let consistent = "SELECT (SELECT count(*) FROM paimon_catalog.xxdb_prod.events) - \
                      (SELECT count(*) FROM paimon_catalog.xxdb_prod.events e JOIN \
                       paimon_catalog.xxdb_prod.events f ON e.id = f.id)";
    let mut checks = 0;
    while !writer.is_finished() {
        assert_eq!(rows(&mut conn, consistent).await, strings(&[&["0"]]));
        checks += 1;
    }
    writer.join().unwrap();
    assert!(checks > 0);
    assert_eq!(
        rows(
            &mut conn,
            "SELECT count(*) FROM paimon_catalog.xxdb_prod.events"
        )
        .await,
        strings(&[&["26"]])
    );

    // The lakehouse issue's ETL statement, verbatim, twice (overwrite, not append).
    conn.query_drop("CREATE DATABASE dwd").await.unwrap();
    conn.query_drop("USE dwd").await.unwrap();
    conn.query_drop(
        "CREATE TABLE dwd_user_basic (corp_id VARCHAR(32), user_id VARCHAR(32), active INT, \
         status INT, union_id VARCHAR(64), id BIGINT, gmt_create DATETIME, gmt_modified DATETIME) \
         DUPLICATE KEY(corp_id, user_id)",
    )
    .await
    .unwrap();
    let etl = "INSERT OVERWRITE TABLE dwd_user_basic
    SELECT corp_id, user_id, active, status, union_id, id,
           CAST(gmt_create AS DATETIME) AS gmt_create, CAST(gmt_modified AS DATETIME) AS gmt_modified
    FROM paimon_catalog.xxdb_prod.user_basic_table WHERE active = 1;";
    conn.query_drop(etl).await.unwrap();
    conn.query_drop(etl).await.unwrap();
    let expected = strings(&[
        &[
            "c1",
            "u1",
            "1",
            "0",
            "n1",
            "1",
            "2024-01-01 10:00:00",
            "2024-01-02 11:00:00",
        ],
        &[
            "c2",
            "u3",
            "1",
            "2",
            "NULL",
            "3",
            "2024-02-01 08:30:00",
            "2024-02-01 09:30:00",
        ],
        &[
            "c2",
            "u4",
            "1",
            "0",
            "n4",
            "4",
            "2024-03-01 00:00:00",
            "2024-03-01 00:00:01",
        ],
    ]);
    assert_eq!(
        rows(&mut conn, "SELECT * FROM dwd_user_basic ORDER BY id").await,
        expected
    );

    // Views over the lake table and over other views.
    conn.query_drop(
        "CREATE VIEW active_users AS SELECT corp_id, user_id FROM paimon_catalog.xxdb_prod.user_basic_table WHERE active = 1",
    )
    .await
    .unwrap();
    conn.query_drop(
        "CREATE VIEW per_corp (corp, n) AS SELECT corp_id, count(*) FROM active_users GROUP BY corp_id",
    )
    .await
    .unwrap();
    let per_corp = strings(&[&["c1", "1"], &["c2", "2"]]);
    assert_eq!(
        rows(&mut conn, "SELECT * FROM dwd.per_corp ORDER BY corp").await,
        per_corp
    );

    // pypaimon reads the table Lakestar wrote (internal tables are Paimon tables).
    drop(conn);
    server.stop();
    let ours = server.data_dir().join("warehouse").display().to_string();
    let read = run_python(
        "paimon_interop.py",
        &["read", &ours, "dwd", "dwd_user_basic"],
    );
    let mut ids: Vec<&str> = read
        .lines()
        .map(|l| {
            assert!(l.contains("\"corp_id\": \"c"), "{l}");
            l.split("\"id\": ")
                .nth(1)
                .unwrap()
                .split([',', '}'])
                .next()
                .unwrap()
        })
        .collect();
    ids.sort();
    assert_eq!(ids, ["1", "3", "4"], "pypaimon read:\n{read}");
    assert!(
        read.contains("\"gmt_modified\": \"2024-03-01 00:00:01\""),
        "{read}"
    );

    // The catalog definition and the views survive a restart.
    server.reopen();
    let mut conn = server.connect().await;
    assert_eq!(
        rows(&mut conn, "SELECT * FROM dwd.per_corp ORDER BY corp").await,
        per_corp
    );
    assert_eq!(
        rows(
            &mut conn,
            "SELECT count(*) FROM paimon_catalog.xxdb_prod.pk_dedup"
        )
        .await,
        strings(&[&["3"]])
    );
}

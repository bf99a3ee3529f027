//! The async-MV issue's "done" scenario, over a lake table written by a third-party
//! writer (pypaimon): from the `mysql` CLI a user attaches a Paimon warehouse and creates
//! a partitioned MV over a fact table that refreshes every few seconds; the scheduler
//! refreshes it (information_schema shows it); EXPLAIN routes the dashboard queries to
//! it; answers equal the answers without the rewrite before new data lands, while it is
//! stale (the changed partitions are read from the lake table), and after the next
//! scheduled refresh, which overwrites only the changed partitions.

use std::time::{Duration, Instant};

use lakestar_tests::{rows, run_python, TestServer};
use mysql_async::prelude::Queryable;

use crate::materialized_views::explain;
use crate::mysql_cli::run_script;

const DASHBOARD: &[&str] = &[
    "SELECT region, sum(amount), count(*), count(DISTINCT cust) FROM lake.dw.sales GROUP BY region ORDER BY region",
    "SELECT dt, sum(amount) FROM lake.dw.sales WHERE dt >= '2024-01-02' GROUP BY dt ORDER BY dt",
    "SELECT count(*), sum(amount), min(amount) FROM lake.dw.sales WHERE region = 'eu'",
    "SELECT dt, region, avg(amount) FROM lake.dw.sales GROUP BY dt, region ORDER BY dt, region",
];

fn sales(warehouse: &str, day: &str, rows: u32, seed: u32) {
    run_python(
        "paimon_interop.py",
        &[
            "sales",
            warehouse,
            day,
            &rows.to_string(),
            &seed.to_string(),
        ],
    );
}

/// EXPLAIN through the `mysql` CLI: the rewrite report lines.
fn explain_cli(server: &TestServer, sql: &str) -> String {
    let (ok, out, err) = run_script(server, &format!("EXPLAIN {sql};\n"));
    assert!(ok, "EXPLAIN {sql}: {err}");
    out.lines()
        .filter(|l| l.starts_with("materialized_view_rewrite"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every dashboard query's answers with the rewrite on and off, which must be equal.
async fn answers(conn: &mut mysql_async::Conn) -> Vec<Vec<Vec<String>>> {
    let mut out = vec![];
    for sql in DASHBOARD {
        conn.query_drop("SET enable_materialized_view_rewrite = true")
            .await
            .unwrap();
        let with = rows(conn, sql).await;
        conn.query_drop("SET enable_materialized_view_rewrite = false")
            .await
            .unwrap();
        let without = rows(conn, sql).await;
        assert_eq!(
            with, without,
            "answers differ with the rewrite on and off:\n{sql}"
        );
        out.push(with);
    }
    conn.query_drop("SET enable_materialized_view_rewrite = true")
        .await
        .unwrap();
    out
}

/// Wait for a scheduled refresh that finished after `after` task runs, and return its
/// EXTRA_MESSAGE.
async fn scheduled_refresh(conn: &mut mysql_async::Conn, after: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let runs = rows(
            conn,
            "SELECT STATE, EXTRA_MESSAGE, PROPERTIES FROM information_schema.task_runs \
             WHERE TASK_NAME = 'mv-dash.daily_sales' ORDER BY QUERY_ID",
        )
        .await;
        if let Some(run) = runs
            .iter()
            .skip(after)
            .find(|r| r[0] == "SUCCESS" && r[2].contains("SCHEDULE") && !r[1].starts_with("fresh"))
        {
            return run[1].clone();
        }
        assert!(Instant::now() < deadline, "no scheduled refresh: {runs:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

async fn task_run_count(conn: &mut mysql_async::Conn) -> usize {
    rows(
        conn,
        "SELECT count(*) FROM information_schema.task_runs WHERE TASK_NAME = 'mv-dash.daily_sales'",
    )
    .await[0][0]
        .parse()
        .unwrap()
}

async fn rewrite_status(conn: &mut mysql_async::Conn) -> String {
    rows(
        conn,
        "SELECT QUERY_REWRITE_STATUS FROM information_schema.materialized_views \
         WHERE TABLE_SCHEMA = 'dash' AND TABLE_NAME = 'daily_sales'",
    )
    .await[0][0]
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn mv_over_a_paimon_table_refreshes_on_schedule_and_answers_exactly() {
    let warehouse_dir = tempfile::tempdir().unwrap();
    let warehouse = warehouse_dir.path().display().to_string();
    sales(&warehouse, "2024-01-01", 40, 1);
    sales(&warehouse, "2024-01-02", 40, 2);

    let server = TestServer::start();
    let (ok, _, err) = run_script(
        &server,
        &format!(
            "CREATE EXTERNAL CATALOG lake PROPERTIES (\"type\" = \"paimon\", \
             \"paimon.catalog.type\" = \"filesystem\", \"paimon.catalog.warehouse\" = \"file://{warehouse}\");\n\
             CREATE DATABASE dash;\n\
             USE dash;\n\
             CREATE MATERIALIZED VIEW daily_sales PARTITION BY dt REFRESH ASYNC EVERY (INTERVAL 2 SECOND) AS \
             SELECT dt, region, sum(amount) AS total, count(*) AS orders, count(amount) AS amounts, \
             min(amount) AS low, bitmap_union(to_bitmap(cust)) AS custs \
             FROM lake.dw.sales GROUP BY dt, region;\n"
        ),
    );
    assert!(ok, "{err}");
    let mut conn = server.connect().await;

    // The scheduler refreshes it: a SCHEDULE run in task_runs, the view valid.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let runs = rows(
            &mut conn,
            "SELECT STATE, PROPERTIES FROM information_schema.task_runs WHERE TASK_NAME = 'mv-dash.daily_sales'",
        )
        .await;
        if runs
            .iter()
            .any(|r| r[0] == "SUCCESS" && r[1].contains("SCHEDULE"))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the view was never refreshed on schedule: {runs:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(rewrite_status(&mut conn).await, "VALID");
    let before = answers(&mut conn).await;
    for sql in DASHBOARD {
        let report = explain_cli(&server, sql);
        assert!(
            report.contains("dash.daily_sales: used (query rewritten to read it)"),
            "{sql}\n{report}"
        );
    }

    // Stop the schedule, so the stale state can be looked at; new data lands in one
    // existing partition and one new one.
    conn.query_drop("ALTER MATERIALIZED VIEW dash.daily_sales REFRESH MANUAL")
        .await
        .unwrap();
    while conn
        .query_first::<u64, _>(
            "SELECT count(*) FROM information_schema.task_runs WHERE TASK_NAME = 'mv-dash.daily_sales' AND STATE = 'RUNNING'",
        )
        .await
        .unwrap()
        != Some(0)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sales(&warehouse, "2024-01-02", 15, 3);
    sales(&warehouse, "2024-01-03", 25, 4);
    assert_eq!(
        rewrite_status(&mut conn).await,
        "VALID: 2 stale partition(s) read from lake.dw.sales"
    );
    let stale = answers(&mut conn).await;
    assert_ne!(stale, before, "the new data must change the answers");
    let report = explain_cli(&server, DASHBOARD[0]);
    assert!(
        report.contains("partitions 2024-01-02, 2024-01-03 recomputed from lake.dw.sales"),
        "{report}"
    );

    // Back on a schedule: the next refresh overwrites only the two changed partitions.
    let runs = task_run_count(&mut conn).await;
    conn.query_drop(
        "ALTER MATERIALIZED VIEW dash.daily_sales REFRESH ASYNC EVERY (INTERVAL 1 SECOND)",
    )
    .await
    .unwrap();
    assert_eq!(
        scheduled_refresh(&mut conn, runs).await,
        "2 of 3 partitions refreshed"
    );
    assert_eq!(rewrite_status(&mut conn).await, "VALID");
    assert_eq!(answers(&mut conn).await, stale);
    let report = explain_cli(&server, DASHBOARD[1]);
    assert!(
        report.contains("dash.daily_sales: used (query rewritten to read it)"),
        "{report}"
    );
}

/// A partitioned view over a directory of Hive-partitioned Parquet files (a `"type" =
/// "files"` catalog): files added to one partition make only that partition stale.
#[tokio::test(flavor = "multi_thread")]
async fn mv_over_parquet_files_follows_their_partitions() {
    let lake = tempfile::tempdir().unwrap();
    let sales_dir = lake.path().join("shop").join("sales");
    std::fs::create_dir_all(&sales_dir).unwrap();
    run_python(
        "duckdb_copy.py",
        &[&format!(
            "COPY (SELECT i::BIGINT AS id, 'r' || (i % 3) AS region, (i % 50)::BIGINT AS amount, \
             '2024-01-0' || (1 + i % 3) AS dt FROM range(300) t(i)) TO '{}' (FORMAT parquet, PARTITION_BY (dt))",
            sales_dir.display()
        )],
    );
    let server = TestServer::start();
    let mut conn = server.connect().await;
    for sql in [
        format!(
            "CREATE EXTERNAL CATALOG files_lake PROPERTIES (\"type\" = \"files\", \"location\" = \"file://{}\")",
            lake.path().display()
        ),
        "CREATE DATABASE dash".to_string(),
        "CREATE MATERIALIZED VIEW dash.by_day PARTITION BY dt REFRESH DEFERRED MANUAL AS \
         SELECT dt, region, sum(amount) AS total, count(*) AS n FROM files_lake.shop.sales GROUP BY dt, region"
            .to_string(),
        "REFRESH MATERIALIZED VIEW dash.by_day WITH SYNC MODE".to_string(),
    ] {
        conn.query_drop(&sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    // DESCRIBE a lake table by its three-part name, and after SET CATALOG.
    let described = rows(&mut conn, "DESCRIBE files_lake.shop.sales").await;
    let fields: Vec<(&str, &str)> = described
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(
        &fields[..3],
        &[("id", "BIGINT"), ("region", "STRING"), ("amount", "BIGINT")][..],
        "{described:?}"
    );
    assert_eq!(fields[3].0, "dt");
    conn.query_drop("SET CATALOG files_lake").await.unwrap();
    conn.query_drop("USE shop").await.unwrap();
    assert_eq!(rows(&mut conn, "DESC sales").await, described);
    conn.query_drop("SET CATALOG default_catalog")
        .await
        .unwrap();
    let status = "SELECT QUERY_REWRITE_STATUS FROM information_schema.materialized_views WHERE TABLE_NAME = 'by_day'";
    assert_eq!(rows(&mut conn, status).await, vec![vec!["VALID"]]);
    let query = "SELECT region, sum(amount), count(*) FROM files_lake.shop.sales GROUP BY region ORDER BY 1";
    assert!(explain(&mut conn, query)
        .await
        .contains("dash.by_day: used"));
    let before = rows(&mut conn, query).await;

    run_python(
        "duckdb_copy.py",
        &[&format!(
            "COPY (SELECT 1000::BIGINT AS id, 'r9' AS region, 7::BIGINT AS amount) TO '{}' (FORMAT parquet)",
            sales_dir.join("dt=2024-01-02").join("extra.parquet").display()
        )],
    );
    assert_eq!(
        rows(&mut conn, status).await,
        vec![vec![
            "VALID: 1 stale partition(s) read from files_lake.shop.sales"
        ]]
    );
    assert!(explain(&mut conn, query)
        .await
        .contains("partitions 2024-01-02 recomputed from files_lake.shop.sales"));
    let with = rows(&mut conn, query).await;
    conn.query_drop("SET enable_materialized_view_rewrite = false")
        .await
        .unwrap();
    assert_eq!(with, rows(&mut conn, query).await);
    assert_ne!(with, before);
    conn.query_drop("SET enable_materialized_view_rewrite = true")
        .await
        .unwrap();
    conn.query_drop("REFRESH MATERIALIZED VIEW dash.by_day WITH SYNC MODE")
        .await
        .unwrap();
    assert_eq!(
        rows(
            &mut conn,
            "SELECT EXTRA_MESSAGE FROM information_schema.task_runs WHERE TASK_NAME = 'mv-dash.by_day' ORDER BY QUERY_ID DESC LIMIT 1"
        )
        .await,
        vec![vec!["1 of 3 partitions refreshed"]]
    );
    assert_eq!(rows(&mut conn, status).await, vec![vec!["VALID"]]);
    assert_eq!(rows(&mut conn, query).await, with);
}

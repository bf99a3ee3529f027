//! Asynchronous materialized views: DDL, refresh (manual, scheduled, missed while the
//! server was down), EXPLAIN naming the view a query was rewritten to and why others
//! were not used, and a differential test: many generated queries, each run with the
//! rewrite on and off, across refreshes and new writes, must give identical answers.

use std::time::{Duration, Instant};

use lakestar_tests::{rows, TestServer};
use mysql_async::prelude::Queryable;

/// A small deterministic generator (xorshift), so a failure names a reproducible query.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

pub(crate) async fn explain(conn: &mut mysql_async::Conn, sql: &str) -> String {
    rows(conn, &format!("EXPLAIN {sql}"))
        .await
        .iter()
        .map(|r| r.join(" | "))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn load(conn: &mut mysql_async::Conn, from: u64, count: u64) {
    conn.query_drop(format!(
        "INSERT INTO shop.orders SELECT v, v % 37, concat('r', CAST(v % 4 AS STRING)), \
         CAST(date_add('2024-01-01', v % 9) AS DATE), CAST(v % 101 AS DECIMAL(10,2)) + 0.25, v % 7 \
         FROM generate_series({from}, {}) AS g(v)",
        from + count - 1
    ))
    .await
    .unwrap();
}

/// Generated queries over `orders` (and `customers`), in shapes the views can answer and
/// shapes they cannot.
fn query(rng: &mut Rng) -> String {
    let mut filters = vec![];
    if rng.chance(50) {
        filters.push(format!("o.region = 'r{}'", rng.next() % 4));
    }
    if rng.chance(40) {
        filters.push(format!("o.dt >= '2024-01-0{}'", 1 + rng.next() % 8));
    }
    if rng.chance(20) {
        filters.push(format!(
            "o.dt BETWEEN '2024-01-02' AND '2024-01-0{}'",
            3 + rng.next() % 6
        ));
    }
    if rng.chance(15) {
        filters.push(format!("o.amount > {}", rng.next() % 60));
    }
    let join = rng.chance(30);
    if join && rng.chance(50) {
        filters.push(format!("c.segment = 's{}'", rng.next() % 3));
    }
    let from = if join {
        "shop.orders o JOIN shop.customers c ON o.cust = c.cust"
    } else {
        "shop.orders o"
    };
    let where_clause = if filters.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", filters.join(" AND "))
    };
    if rng.chance(15) {
        // No aggregation: only the filtered SPJ view can answer.
        return format!("SELECT o.id, o.region, o.dt, o.amount FROM {from}{where_clause} ORDER BY o.id LIMIT 50");
    }
    let mut keys: Vec<&str> = vec![];
    for k in ["o.region", "o.dt"] {
        if rng.chance(50) {
            keys.push(k);
        }
    }
    if join && rng.chance(50) {
        keys.push("c.segment");
    }
    let aggregates = [
        "sum(o.amount)",
        "count(*)",
        "sum(o.qty)",
        "min(o.amount)",
        "max(o.amount)",
        "avg(o.qty)",
        "avg(o.amount)",
        "count(DISTINCT o.cust)",
        "count(o.amount)",
    ];
    let mut selected: Vec<String> = vec![];
    for _ in 0..(1 + rng.next() % 3) {
        let a = rng.pick(&aggregates).to_string();
        if !selected.contains(&a) {
            selected.push(a);
        }
    }
    let mut select = keys.iter().map(|k| k.to_string()).collect::<Vec<_>>();
    select.extend(selected);
    let group = if keys.is_empty() {
        String::new()
    } else {
        format!(" GROUP BY {}", keys.join(", "))
    };
    // HAVING compares an aggregate with a DECIMAL literal; ORDER BY every column, so
    // LIMIT keeps the same rows either way.
    let having = if !keys.is_empty() && rng.chance(30) {
        format!(" HAVING sum(o.amount) > {}.50", rng.next() % 400)
    } else {
        String::new()
    };
    let order: Vec<String> = (1..=select.len()).map(|i| i.to_string()).collect();
    let limit = if rng.chance(25) {
        format!(" LIMIT {}", 1 + rng.next() % 10)
    } else {
        String::new()
    };
    format!(
        "SELECT {} FROM {from}{where_clause}{group}{having} ORDER BY {}{limit}",
        select.join(", "),
        order.join(", ")
    )
}

/// Run every query with the rewrite on and off; the answers must be equal. Returns how
/// many were answered from a view.
async fn differential(conn: &mut mysql_async::Conn, seed: u64, count: usize) -> usize {
    differential_in(conn, "shop", seed, count).await
}

#[tokio::test(flavor = "multi_thread")]
async fn materialized_views_refresh_rewrite_and_answer_exactly() {
    let mut server = TestServer::start();
    let mut conn = server.connect().await;
    for sql in [
        "CREATE DATABASE shop",
        "CREATE TABLE shop.orders (id BIGINT, cust BIGINT, region VARCHAR(8), dt DATE, amount DECIMAL(10,2), qty BIGINT) DUPLICATE KEY(id)",
        "CREATE TABLE shop.customers (cust BIGINT, segment VARCHAR(8)) PRIMARY KEY(cust)",
        "INSERT INTO shop.customers SELECT v, concat('s', CAST(v % 3 AS STRING)) FROM generate_series(0, 36) AS g(v)",
    ] {
        conn.query_drop(sql).await.unwrap();
    }
    load(&mut conn, 1, 2000).await;
    for sql in [
        "CREATE MATERIALIZED VIEW shop.daily REFRESH MANUAL AS \
         SELECT region, dt, sum(amount) AS total, count(*) AS orders, sum(qty) AS qty, \
         min(amount) AS low, max(amount) AS high, count(amount) AS amounts, count(qty) AS qtys, \
         bitmap_union(to_bitmap(cust)) AS custs FROM shop.orders GROUP BY region, dt",
        "CREATE MATERIALIZED VIEW shop.by_segment REFRESH MANUAL AS \
         SELECT o.region, c.segment, o.dt, sum(o.amount) AS total, count(*) AS orders, \
         bitmap_union(to_bitmap(o.cust)) AS custs, sum(o.qty) AS qty, count(o.qty) AS qtys \
         FROM shop.orders o JOIN shop.customers c ON o.cust = c.cust GROUP BY o.region, c.segment, o.dt",
        "CREATE MATERIALIZED VIEW shop.big_orders REFRESH DEFERRED MANUAL AS \
         SELECT id, region, dt, amount, cust FROM shop.orders WHERE amount > 20",
    ] {
        conn.query_drop(sql).await.unwrap();
    }
    for mv in ["daily", "by_segment", "big_orders"] {
        conn.query_drop(format!(
            "REFRESH MATERIALIZED VIEW shop.{mv} WITH SYNC MODE"
        ))
        .await
        .unwrap();
    }
    // The catalog views.
    let listed = rows(&mut conn, "SHOW MATERIALIZED VIEWS FROM shop").await;
    assert_eq!(listed.len(), 3, "{listed:?}");
    let status = rows(
        &mut conn,
        "SELECT TABLE_NAME, REFRESH_TYPE, IS_ACTIVE, LAST_REFRESH_STATE, QUERY_REWRITE_STATUS, TABLE_ROWS > 0 \
         FROM information_schema.materialized_views WHERE TABLE_SCHEMA = 'shop' ORDER BY TABLE_NAME",
    )
    .await;
    assert_eq!(
        status,
        vec![
            vec!["big_orders", "MANUAL", "true", "SUCCESS", "VALID", "1"],
            vec!["by_segment", "MANUAL", "true", "SUCCESS", "VALID", "1"],
            vec!["daily", "MANUAL", "true", "SUCCESS", "VALID", "1"],
        ]
    );
    let create = &rows(&mut conn, "SHOW CREATE MATERIALIZED VIEW shop.daily").await[0][1];
    assert!(
        create.contains("REFRESH IMMEDIATE MANUAL") && create.contains("bitmap_union"),
        "{create}"
    );
    // An MV can be queried directly.
    assert_eq!(
        rows(&mut conn, "SELECT sum(orders) FROM shop.daily").await,
        vec![vec!["2000"]]
    );

    // EXPLAIN names the view used, and why the others were not.
    let dashboard = "SELECT region, sum(amount), count(DISTINCT cust) FROM shop.orders WHERE dt >= '2024-01-03' GROUP BY region ORDER BY region";
    let plan = explain(&mut conn, dashboard).await;
    assert!(plan.contains("shop.daily: used"), "{plan}");
    assert!(
        plan.contains("TableScan: default_catalog.shop.daily") || plan.contains("table=shop.daily"),
        "{plan}"
    );
    assert!(plan.contains("shop.big_orders: not used"), "{plan}");

    // Answers with the rewrite equal answers without, fresh...
    let fresh = differential(&mut conn, 7, 60).await;
    assert!(fresh >= 20, "only {fresh} of 60 queries were rewritten");
    // ...after new writes (the views are stale: not used, answers still equal)...
    load(&mut conn, 2001, 500).await;
    let plan = explain(&mut conn, dashboard).await;
    assert!(plan.contains("shop.daily: not used: stale"), "{plan}");
    assert_eq!(differential(&mut conn, 11, 30).await, 0);
    // ...unless staleness is allowed, which the user chose...
    conn.query_drop(
        "ALTER MATERIALIZED VIEW shop.daily SET (\"query_rewrite_consistency\" = \"loose\")",
    )
    .await
    .unwrap();
    assert!(explain(&mut conn, dashboard)
        .await
        .contains("shop.daily: used"));
    conn.query_drop(
        "ALTER MATERIALIZED VIEW shop.daily SET (\"query_rewrite_consistency\" = \"checked\")",
    )
    .await
    .unwrap();
    // ...and after refreshing again.
    for mv in ["daily", "by_segment", "big_orders"] {
        conn.query_drop(format!(
            "REFRESH MATERIALIZED VIEW shop.{mv} WITH SYNC MODE"
        ))
        .await
        .unwrap();
    }
    assert!(differential(&mut conn, 13, 60).await >= 20);

    // Inactive views are not used; dropping removes the view and its data.
    conn.query_drop("ALTER MATERIALIZED VIEW shop.daily INACTIVE")
        .await
        .unwrap();
    assert!(explain(&mut conn, dashboard)
        .await
        .contains("shop.daily: not used: inactive"));
    conn.query_drop("ALTER MATERIALIZED VIEW shop.daily ACTIVE")
        .await
        .unwrap();
    conn.query_drop("DROP MATERIALIZED VIEW shop.big_orders")
        .await
        .unwrap();
    conn.query_drop("DROP MATERIALIZED VIEW IF EXISTS shop.big_orders")
        .await
        .unwrap();
    assert_eq!(
        lakestar_tests::error_code(&mut conn, "SELECT * FROM shop.big_orders")
            .await
            .0,
        1146
    );

    // Definitions and refresh records survive a restart; the rewrite still applies.
    drop(conn);
    server.restart();
    let mut conn = server.connect().await;
    assert!(explain(&mut conn, dashboard)
        .await
        .contains("shop.daily: used"));
}

#[tokio::test(flavor = "multi_thread")]
async fn scheduled_refreshes_run_on_time_and_after_a_restart() {
    let mut server = TestServer::start();
    let mut conn = server.connect().await;
    for sql in [
        "CREATE DATABASE s",
        "CREATE TABLE s.events (k INT, v INT) DUPLICATE KEY(k)",
        "INSERT INTO s.events VALUES (1, 10), (2, 20)",
        "CREATE MATERIALIZED VIEW s.totals REFRESH ASYNC EVERY (INTERVAL 1 SECOND) AS SELECT k, sum(v) AS total FROM s.events GROUP BY k",
    ] {
        conn.query_drop(sql).await.unwrap();
    }
    // New data lands; the schedule refreshes the view within a few seconds.
    conn.query_drop("INSERT INTO s.events VALUES (1, 5)")
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got = rows(&mut conn, "SELECT k, total FROM s.totals ORDER BY k").await;
        let status = rows(
            &mut conn,
            "SELECT QUERY_REWRITE_STATUS FROM information_schema.materialized_views WHERE TABLE_NAME = 'totals'",
        )
        .await;
        if got == vec![vec!["1", "15"], vec!["2", "20"]] && status[0][0] == "VALID" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the view was not refreshed on schedule: {got:?} {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let runs = rows(
        &mut conn,
        "SELECT count(*) FROM information_schema.task_runs WHERE TASK_NAME = 'mv-s.totals' AND STATE = 'SUCCESS'",
    )
    .await;
    assert!(runs[0][0].parse::<u64>().unwrap() >= 2, "{runs:?}");

    // A refresh due while the server is down runs once when it starts again.
    let start = chrono_free_timestamp(3);
    conn.query_drop(format!(
        "CREATE MATERIALIZED VIEW s.later REFRESH ASYNC START ('{start}') EVERY (INTERVAL 1 DAY) AS SELECT count(*) AS n FROM s.events"
    ))
    .await
    .unwrap();
    drop(conn);
    server.stop();
    tokio::time::sleep(Duration::from_secs(4)).await;
    server.reopen();
    let mut conn = server.connect().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let runs = rows(
            &mut conn,
            "SELECT STATE FROM information_schema.task_runs WHERE TASK_NAME = 'mv-s.later'",
        )
        .await;
        if runs == vec![vec!["SUCCESS"]] {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the missed refresh did not run: {runs:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // A manual refresh can be cancelled only while it runs.
    assert!(conn
        .query_drop("CANCEL REFRESH MATERIALIZED VIEW s.later")
        .await
        .is_err());
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) `seconds` from now.
fn chrono_free_timestamp(seconds: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + seconds;
    let days = now / 86_400;
    let rem = now % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `rows` rows into one day's partition of `db.orders`, ids from `from`.
async fn load_day(conn: &mut mysql_async::Conn, db: &str, from: u64, count: u64, day: u32) {
    conn.query_drop(format!(
        "INSERT INTO {db}.orders SELECT v, v % 37, concat('r', CAST(v % 4 AS STRING)), \
         CAST('2024-01-0{day}' AS DATE), CAST(v % 101 AS DECIMAL(10,2)) + 0.25, v % 7 \
         FROM generate_series({from}, {}) AS g(v)",
        from + count - 1
    ))
    .await
    .unwrap();
}

/// The generated queries of [`differential`] over database `db` instead of `shop`.
async fn differential_in(conn: &mut mysql_async::Conn, db: &str, seed: u64, count: usize) -> usize {
    let mut rng = Rng(seed);
    let mut rewritten = 0;
    for _ in 0..count {
        let sql = query(&mut rng).replace("shop.", &format!("{db}."));
        conn.query_drop("SET enable_materialized_view_rewrite = true")
            .await
            .unwrap();
        let with = rows(conn, &sql).await;
        if explain(conn, &sql).await.contains("used (query rewritten") {
            rewritten += 1;
        }
        conn.query_drop("SET enable_materialized_view_rewrite = false")
            .await
            .unwrap();
        let without = rows(conn, &sql).await;
        assert_eq!(
            with, without,
            "answers differ with the rewrite on and off:\n{sql}"
        );
    }
    conn.query_drop("SET enable_materialized_view_rewrite = true")
        .await
        .unwrap();
    rewritten
}

/// Partitioned views (partial refresh, partition-union compensation), queries joining
/// more tables than a view, and a view over a view: generated queries answer the same
/// with the rewrite on and off across writes to some partitions and refreshes.
#[tokio::test(flavor = "multi_thread")]
async fn partitioned_nested_and_delta_join_rewrites_answer_exactly() {
    let server = TestServer::start();
    let mut conn = server.connect().await;
    for sql in [
        "CREATE DATABASE lake2",
        "CREATE TABLE lake2.orders (id BIGINT, cust BIGINT, region VARCHAR(8), dt DATE NOT NULL, amount DECIMAL(10,2), qty BIGINT) DUPLICATE KEY(id) PARTITION BY (dt)",
        "CREATE TABLE lake2.customers (cust BIGINT, segment VARCHAR(8)) PRIMARY KEY(cust)",
        "INSERT INTO lake2.customers SELECT v, concat('s', CAST(v % 3 AS STRING)) FROM generate_series(0, 36) AS g(v)",
        "CREATE VIEW lake2.r1_orders (id, cust, dt, amount) AS SELECT id, cust, dt, amount FROM lake2.orders WHERE region = 'r1'",
    ] {
        conn.query_drop(sql).await.unwrap();
    }
    for day in 1..=9 {
        load_day(&mut conn, "lake2", u64::from(day) * 1000, 200, day).await;
    }
    for sql in [
        "CREATE MATERIALIZED VIEW lake2.daily PARTITION BY dt REFRESH DEFERRED MANUAL AS \
         SELECT region, dt, sum(amount) AS total, count(*) AS orders, sum(qty) AS qty, \
         min(amount) AS low, max(amount) AS high, count(amount) AS amounts, count(qty) AS qtys, \
         bitmap_union(to_bitmap(cust)) AS custs FROM lake2.orders GROUP BY region, dt",
        // Grouped by the join key: queries joining customers read it joined to customers.
        "CREATE MATERIALIZED VIEW lake2.per_cust PARTITION BY date_trunc('day', dt) REFRESH DEFERRED MANUAL AS \
         SELECT cust, region, dt, sum(amount) AS total, count(*) AS orders, sum(qty) AS qty, \
         count(qty) AS qtys, count(amount) AS amounts, min(amount) AS low, max(amount) AS high, \
         bitmap_union(to_bitmap(cust)) AS custs FROM lake2.orders GROUP BY cust, region, dt",
        // Over `daily`: region-level rollups read it after being rewritten onto `daily`.
        "CREATE MATERIALIZED VIEW lake2.by_region REFRESH DEFERRED MANUAL AS \
         SELECT region, sum(total) AS total, sum(orders) AS orders FROM lake2.daily GROUP BY region",
        // Over a logical view.
        "CREATE MATERIALIZED VIEW lake2.r1_daily REFRESH DEFERRED MANUAL AS \
         SELECT dt, sum(amount) AS total, count(*) AS orders FROM lake2.r1_orders GROUP BY dt",
    ] {
        conn.query_drop(sql).await.unwrap();
    }
    for mv in ["daily", "per_cust", "by_region", "r1_daily"] {
        conn.query_drop(format!(
            "REFRESH MATERIALIZED VIEW lake2.{mv} WITH SYNC MODE"
        ))
        .await
        .unwrap();
    }
    let join = "SELECT c.segment, sum(o.amount), count(*) FROM lake2.orders o JOIN lake2.customers c ON o.cust = c.cust GROUP BY c.segment ORDER BY 1";
    let plan = explain(&mut conn, join).await;
    assert!(plan.contains("lake2.per_cust: used"), "{plan}");
    let nested =
        "SELECT region, sum(amount), count(*) FROM lake2.orders GROUP BY region ORDER BY 1";
    let plan = explain(&mut conn, nested).await;
    assert!(plan.contains("lake2.by_region: used"), "{plan}");
    assert!(
        plan.contains("TableScan: default_catalog.lake2.by_region")
            || plan.contains("table=lake2.by_region"),
        "{plan}"
    );
    // Through logical views, both ways; the smaller of two views that answer is chosen.
    for sql in [
        "SELECT dt, sum(amount) FROM lake2.orders WHERE region = 'r1' GROUP BY dt ORDER BY dt",
        "SELECT sum(amount), count(*) FROM lake2.r1_orders WHERE dt >= '2024-01-05'",
    ] {
        let plan = explain(&mut conn, sql).await;
        assert!(plan.contains("lake2.r1_daily: used"), "{plan}");
        assert!(
            plan.contains("lake2.daily: not used: a cheaper view"),
            "{plan}"
        );
        let with = rows(&mut conn, sql).await;
        conn.query_drop("SET enable_materialized_view_rewrite = false")
            .await
            .unwrap();
        assert_eq!(with, rows(&mut conn, sql).await, "{sql}");
        conn.query_drop("SET enable_materialized_view_rewrite = true")
            .await
            .unwrap();
    }
    assert!(differential_in(&mut conn, "lake2", 17, 60).await >= 20);

    // Writes to two partitions: the views answer with those partitions recomputed.
    load_day(&mut conn, "lake2", 50_000, 100, 3).await;
    load_day(&mut conn, "lake2", 60_000, 100, 7).await;
    let plan = explain(&mut conn, nested).await;
    assert!(
        plan.contains("lake2.daily: used (query rewritten to read it; partitions 2024-01-03, 2024-01-07 recomputed"),
        "{plan}"
    );
    assert!(differential_in(&mut conn, "lake2", 19, 60).await >= 20);

    // A refresh overwrites those two partitions only; the nested view is stale until its
    // own refresh, and answers stay exact throughout.
    conn.query_drop("REFRESH MATERIALIZED VIEW lake2.daily WITH SYNC MODE")
        .await
        .unwrap();
    let message = rows(
        &mut conn,
        "SELECT EXTRA_MESSAGE FROM information_schema.task_runs WHERE TASK_NAME = 'mv-lake2.daily' ORDER BY QUERY_ID DESC LIMIT 1",
    )
    .await;
    assert_eq!(message, vec![vec!["2 of 9 partitions refreshed"]]);
    assert!(explain(&mut conn, nested)
        .await
        .contains("lake2.by_region: not used: stale"));
    differential_in(&mut conn, "lake2", 23, 30).await;
    for mv in ["per_cust", "by_region", "r1_daily"] {
        conn.query_drop(format!(
            "REFRESH MATERIALIZED VIEW lake2.{mv} WITH SYNC MODE"
        ))
        .await
        .unwrap();
    }
    assert!(explain(&mut conn, nested)
        .await
        .contains("lake2.by_region: used"));
    assert!(differential_in(&mut conn, "lake2", 29, 60).await >= 20);
}

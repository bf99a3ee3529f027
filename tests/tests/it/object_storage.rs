//! Lake data on S3-compatible storage: a real S3 server (moto, installed by
//! `scripts/install-clients`) on loopback, filled with boto3 (`tests/clients/s3_tool.py`).
//! A files catalog, `FILES()` and a Paimon catalog read from it; the block and metadata
//! caches count hits in `information_schema.cache_stats`; the S3 server restarts mid-test
//! (moto forgets its objects on restart, so new contents are uploaded to the same keys and
//! must be read, not the cached old blocks).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lakestar_tests::{python, rows, run_python, TestServer};
use mysql_async::prelude::Queryable;

struct Moto {
    child: Option<Child>,
    port: u16,
}

impl Moto {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut moto = Self { child: None, port };
        moto.spawn();
        moto
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self) {
        let server = python().with_file_name("moto_server");
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &self.port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e} (run scripts/install-clients)", server.display()));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "moto did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.stop();
    }
}

fn s3_tool(moto: &Moto, args: &[&str]) {
    let endpoint = moto.endpoint();
    let mut all = vec![endpoint.as_str()];
    all.extend_from_slice(args);
    run_python("s3_tool.py", &all);
}

/// Hits and misses of one cache.
async fn cache(conn: &mut mysql_async::Conn, name: &str) -> (u64, u64) {
    let got = rows(
        conn,
        &format!(
            "SELECT HITS, MISSES FROM information_schema.cache_stats WHERE CACHE_NAME = '{name}'"
        ),
    )
    .await;
    (got[0][0].parse().unwrap(), got[0][1].parse().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn lake_data_on_s3_compatible_storage() {
    let mut moto = Moto::start();
    s3_tool(&moto, &["orders", "lake", "sales/orders", "100"]);
    // A Paimon warehouse written by pypaimon, uploaded as it is.
    let warehouse = tempfile::tempdir().unwrap();
    run_python(
        "paimon_interop.py",
        &["write", &warehouse.path().display().to_string()],
    );
    s3_tool(
        &moto,
        &[
            "upload",
            "paimon",
            "warehouse",
            &warehouse.path().display().to_string(),
        ],
    );

    let server = TestServer::start();
    let mut conn = server.connect().await;
    let s3 = format!(
        "\"aws.s3.endpoint\" = \"{}\", \"aws.s3.access_key\" = \"lakestar\", \
         \"aws.s3.secret_key\" = \"lakestar-secret\", \"aws.s3.region\" = \"us-east-1\", \
         \"aws.s3.enable_path_style_access\" = \"true\"",
        moto.endpoint()
    );
    conn.query_drop(format!(
        "CREATE EXTERNAL CATALOG s3lake PROPERTIES (\"type\" = \"files\", \"location\" = \"s3://lake/\", {s3})"
    ))
    .await
    .unwrap();
    assert_eq!(
        rows(&mut conn, "SHOW DATABASES FROM s3lake").await,
        vec![vec!["sales"]]
    );
    assert_eq!(
        rows(&mut conn, "SHOW TABLES FROM s3lake.sales").await,
        vec![vec!["orders"]]
    );
    let by_region = "SELECT region, count(*), sum(amount) FROM s3lake.sales.orders \
                     GROUP BY region ORDER BY region";
    let expected = vec![vec!["eu", "50", "1912.5"], vec!["us", "50", "5662.5"]];
    assert_eq!(rows(&mut conn, by_region).await, expected);
    // The same data read again comes from the block cache.
    let (hits_before, _) = cache(&mut conn, "file_data").await;
    assert_eq!(rows(&mut conn, by_region).await, expected);
    let (hits_after, misses) = cache(&mut conn, "file_data").await;
    assert!(
        hits_after > hits_before,
        "no block cache hits ({hits_after} hits, {misses} misses)"
    );
    let (footer_hits, _) = cache(&mut conn, "file_metadata").await;
    assert!(footer_hits > 0, "no Parquet footer cache hits");

    // FILES() on S3, and an INSERT ... SELECT from it.
    let files =
        format!("FILES(\"path\" = \"s3://lake/sales/orders/\", \"format\" = \"parquet\", {s3})");
    assert_eq!(
        rows(
            &mut conn,
            &format!("SELECT count(*), max(id) FROM {files} WHERE region = 'us'")
        )
        .await,
        vec![vec!["50", "100"]]
    );
    conn.query_drop("CREATE DATABASE s3copy").await.unwrap();
    conn.query_drop("CREATE TABLE s3copy.orders (id BIGINT, amount DOUBLE) DUPLICATE KEY(id)")
        .await
        .unwrap();
    conn.query_drop(format!(
        "INSERT INTO s3copy.orders SELECT id, amount FROM {files}"
    ))
    .await
    .unwrap();
    assert_eq!(
        rows(&mut conn, "SELECT count(*) FROM s3copy.orders").await,
        vec![vec!["100"]]
    );

    // A Paimon warehouse on S3, merge-on-read as on local disk; metadata comes from the cache
    // the second time.
    conn.query_drop(format!(
        "CREATE EXTERNAL CATALOG s3paimon PROPERTIES (\"type\" = \"paimon\", \
         \"paimon.catalog.type\" = \"filesystem\", \"paimon.catalog.warehouse\" = \"s3://paimon/warehouse\", {s3})"
    ))
    .await
    .unwrap();
    let pk = "SELECT id, v, name FROM s3paimon.xxdb_prod.pk_partial ORDER BY id";
    let pk_expected = vec![vec!["1", "12", "a"], vec!["2", "20", "b"]];
    assert_eq!(rows(&mut conn, pk).await, pk_expected);
    let (meta_hits_before, _) = cache(&mut conn, "paimon_metadata").await;
    assert_eq!(rows(&mut conn, pk).await, pk_expected);
    let (meta_hits_after, _) = cache(&mut conn, "paimon_metadata").await;
    assert!(
        meta_hits_after > meta_hits_before,
        "no Paimon metadata cache hits"
    );
    // A join across the two S3 catalogs and the internal catalog.
    assert_eq!(
        rows(
            &mut conn,
            "SELECT o.id, o.amount, p.name, c.amount FROM s3lake.sales.orders o \
             JOIN s3paimon.xxdb_prod.pk_partial p ON p.id = o.id \
             JOIN default_catalog.s3copy.orders c ON c.id = o.id ORDER BY o.id"
        )
        .await,
        vec![vec!["1", "1.5", "a", "1.5"], vec!["2", "3", "b", "3"]]
    );
    let (data_hits, _) = cache(&mut conn, "paimon_data").await;
    assert!(data_hits > 0, "no Paimon data cache hits");

    // The S3 server goes away: a clear error, and the connection keeps working.
    moto.stop();
    let err = conn
        .query_drop("SELECT count(*) FROM s3lake.sales.orders")
        .await
        .unwrap_err();
    assert!(matches!(err, mysql_async::Error::Server(_)), "{err}");
    assert_eq!(rows(&mut conn, "SELECT 1").await, vec![vec!["1"]]);

    // It comes back (empty: moto keeps objects in memory); new contents under the same
    // keys are read, never the old cached blocks.
    moto.spawn();
    s3_tool(&moto, &["orders", "lake", "sales/orders", "10"]);
    assert_eq!(
        rows(&mut conn, by_region).await,
        vec![vec!["eu", "5", "22.5"], vec!["us", "5", "60"]]
    );
}

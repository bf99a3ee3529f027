//! The real `mysql`/`mariadb` command-line client runs a script against the server.

use std::io::Write;
use std::process::{Command, Stdio};

use lakestar_tests::TestServer;

pub(crate) fn client() -> &'static str {
    for candidate in ["mysql", "mariadb"] {
        if Command::new(candidate).arg("--version").output().is_ok() {
            return candidate;
        }
    }
    panic!("neither `mysql` nor `mariadb` is installed; .ci/run installs mariadb-client");
}

pub(crate) fn run_script(server: &TestServer, script: &str) -> (bool, String, String) {
    run_script_with(server, &[], script)
}

/// Run a script with `mysql --batch` plus `options`: (success, stdout, stderr).
fn run_script_with(server: &TestServer, options: &[&str], script: &str) -> (bool, String, String) {
    let mut child = Command::new(client())
        .args([
            "-h",
            "127.0.0.1",
            "-P",
            &server.port.to_string(),
            "-u",
            "root",
        ])
        .arg("--batch")
        .args(options)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mysql client");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn mysql_cli_runs_a_session_script() {
    let mut server = TestServer::start();
    let script = r#"
SELECT @@version_comment LIMIT 1;
CREATE DATABASE IF NOT EXISTS shop;
USE shop;
CREATE TABLE orders (id BIGINT NOT NULL, customer VARCHAR(32), amount DECIMAL(10,2), created DATETIME)
  PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES ("replication_num" = "1");
INSERT INTO orders VALUES (1, 'ann', 10.50, '2024-01-01 10:00:00'), (2, 'bob', 20.00, '2024-01-02 11:00:00');
INSERT INTO orders (id, customer, amount) VALUES (1, 'ann', 99.99);
SELECT id, customer, amount, created FROM orders ORDER BY id;
SELECT customer, sum(amount) AS total FROM orders GROUP BY customer ORDER BY customer;
SHOW TABLES;
"#;
    let (ok, stdout, stderr) = run_script(&server, script);
    assert!(ok, "client failed: {stderr}");
    let expected_rows =
        "id\tcustomer\tamount\tcreated\n1\tann\t99.99\tNULL\n2\tbob\t20.00\t2024-01-02 11:00:00\n";
    assert!(stdout.contains(expected_rows), "{stdout}");
    assert!(
        stdout.contains("customer\ttotal\nann\t99.99\nbob\t20.00\n"),
        "{stdout}"
    );
    assert!(stdout.contains("Tables_in_shop\norders\n"), "{stdout}");

    // An error stops the script with the MySQL code; the server is unharmed.
    let (ok, _, stderr) = run_script(&server, "USE shop;\nSELECT * FROM missing;\n");
    assert!(!ok);
    assert!(stderr.contains("ERROR 1146 (42S02)"), "{stderr}");

    server.restart();
    let (ok, stdout, stderr) = run_script(&server, "SELECT count(*) FROM shop.orders;\n");
    assert!(ok, "{stderr}");
    assert!(stdout.contains("count(*)\n2\n"), "{stdout}");
}

/// The CLI as a BI-style session: metadata browsing, every type with NULLs and unicode,
/// SQL-level prepared statements, an error followed by a good query (with --force), and a
/// 1-million-row result streamed with --quick.
#[test]
fn mysql_cli_browses_metadata_prepares_and_streams() {
    let server = TestServer::start();
    let script = r#"
CREATE DATABASE cli;
USE cli;
CREATE TABLE t (k INT NOT NULL, b BOOLEAN, bi BIGINT, d DOUBLE, dec1 DECIMAL(20,6), v VARCHAR(20), dt DATE, ts DATETIME) PRIMARY KEY(k);
INSERT INTO t VALUES (1, true, 1099511627776, 2.25, 12345678901234.567891, 'héllo ☃', '2024-01-02', '2024-01-02 03:04:05.123456'), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'cli';
SELECT TABLE_NAME, TABLE_TYPE, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'cli';
SHOW FULL TABLES;
SELECT * FROM t ORDER BY k;
SET @k = 1;
PREPARE s FROM 'SELECT v, dec1 FROM t WHERE k = ?';
EXECUTE s USING @k;
DEALLOCATE PREPARE s;
SELECT * FROM missing;
SELECT 'still here';
SELECT count(*), sum(value) FROM generate_series(1, 1000000);
"#;
    let (_, stdout, stderr) = run_script_with(&server, &["--force", "--quick"], script);
    assert!(stdout.contains("SCHEMA_NAME\ncli\n"), "{stdout}");
    assert!(
        stdout.contains("TABLE_NAME\tTABLE_TYPE\tTABLE_ROWS\nt\tBASE TABLE\tNULL\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Tables_in_cli\tTable_type\nt\tBASE TABLE\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "1\t1\t1099511627776\t2.25\t12345678901234.567891\théllo ☃\t2024-01-02\t2024-01-02 03:04:05.123456\n\
             2\tNULL\tNULL\tNULL\tNULL\tNULL\tNULL\tNULL\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("v\tdec1\nhéllo ☃\t12345678901234.567891\n"),
        "{stdout}"
    );
    assert!(stderr.contains("ERROR 1146 (42S02)"), "{stderr}");
    assert!(stdout.contains("still here\nstill here\n"), "{stdout}");
    assert!(stdout.contains("1000000\t500000500000\n"), "{stdout}");
}

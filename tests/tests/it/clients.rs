//! The client matrix: real drivers and tools, installed by `scripts/install-clients`
//! (which `scripts/test-all` runs), each against its own server. Every client script
//! connects, browses metadata as a BI tool does, round-trips every type, runs prepared
//! statements, survives an error, and streams a 1-million-row result; it prints
//! "<client>: OK" and exits 0 only if all of that matched.
//!
//! A missing client is a failure, not a skip: run `scripts/install-clients`.

use std::path::Path;
use std::process::Command;

use lakestar_tests::{clients_dir, python, TestServer};

/// Run a client command against a fresh server and check it reports success.
fn run_client(name: &str, mut command: Command) {
    let server = TestServer::start();
    command.arg(server.port.to_string());
    let output = command.output().unwrap_or_else(|e| {
        panic!("{name}: cannot run {command:?}: {e} (run scripts/install-clients)")
    });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains(&format!("{name}: OK")),
        "{name} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
}

fn python_driver(driver: &str) {
    let mut c = Command::new(python());
    c.arg(clients_dir().join("python_driver.py")).arg(driver);
    run_client(driver, c);
}

#[test]
fn pymysql() {
    python_driver("pymysql");
}

#[test]
fn mysql_connector_python_pure() {
    python_driver("mysql-connector-pure");
}

#[test]
fn mysql_connector_python_c_extension() {
    python_driver("mysql-connector-c");
}

#[test]
fn mysqlclient() {
    python_driver("mysqlclient");
}

fn sqlalchemy(dialect: &str) {
    let mut c = Command::new(python());
    c.arg(clients_dir().join("sqlalchemy_reflection.py"))
        .arg(dialect);
    run_client(&format!("sqlalchemy-{dialect}"), c);
}

#[test]
fn sqlalchemy_stock_mysql_dialect() {
    sqlalchemy("mysql");
}

#[test]
fn sqlalchemy_starrocks_dialect() {
    sqlalchemy("starrocks");
}

#[test]
fn jdbc_mariadb_connector_j() {
    let jar = "/usr/share/java/mariadb-java-client.jar";
    assert!(
        Path::new(jar).exists(),
        "{jar} is missing: run scripts/install-clients"
    );
    let classes = tempfile::tempdir().expect("temp dir");
    let status = Command::new("javac")
        .args(["-d", &classes.path().display().to_string(), "-cp", jar])
        .arg(clients_dir().join("JdbcClient.java"))
        .status()
        .expect("run javac (run scripts/install-clients)");
    assert!(status.success(), "javac failed");
    let mut c = Command::new("java");
    c.arg("-cp")
        .arg(format!("{jar}:{}", classes.path().display()))
        .arg("JdbcClient");
    run_client("jdbc", c);
}

#[test]
fn nodejs_mysql2() {
    let dir = clients_dir().join("node");
    assert!(
        dir.join("node_modules/mysql2").exists(),
        "mysql2 is missing: run scripts/install-clients"
    );
    let mut c = Command::new("node");
    c.arg(dir.join("mysql2_client.js"));
    run_client("mysql2", c);
}

//! Accounts and authentication: CREATE / ALTER / DROP USER, both password plugins, TLS,
//! persistence of accounts as hashes only.

use std::path::Path;
use std::process::Command;

use lakestar_tests::{lakestar_binary, python, rows, TestServer};
use mysql_async::prelude::Queryable;

fn run_auth_phase(phase: &str, port: u16) {
    let out = Command::new(python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("clients/auth.py"))
        .arg(phase)
        .arg(port.to_string())
        .output()
        .expect("run auth.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(&format!("auth-{phase}: OK")),
        "auth.py {phase} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A self-signed certificate and key made with the openssl command.
fn certificate(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=localhost", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("run openssl")
        .status;
    assert!(status.success(), "openssl req failed");
    (cert, key)
}

#[test]
fn accounts_authenticate_with_both_plugins_and_persist_as_hashes() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("data");
    let mut server = TestServer::start_in(&data_dir);
    run_auth_phase("create", server.port);
    server.stop();

    // Only hashes reach the disk.
    let catalog = std::fs::read_to_string(data_dir.join("catalog.json")).unwrap();
    for secret in ["native-secret", "new-secret", "sha-secret"] {
        assert!(
            !catalog.contains(secret),
            "password {secret} stored in clear"
        );
    }
    assert!(catalog.contains("caching_sha2_password"), "{catalog}");

    // Restart with TLS: accounts survive, and caching_sha2 full authentication runs over TLS.
    let (cert, key) = certificate(temp.path());
    let mut command = Command::new(lakestar_binary());
    command
        .args(["--mysql-port", "0", "--data-dir"])
        .arg(&data_dir)
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key);
    let server = TestServer::spawn(command, &data_dir);
    run_auth_phase("after-restart-tls", server.port);
}

#[tokio::test]
async fn mysql_async_native_password_and_change_user() {
    let server = TestServer::start();
    let mut root = server.connect().await;
    root.query_drop("CREATE USER app IDENTIFIED BY 's3cret'")
        .await
        .unwrap();
    root.query_drop("CREATE DATABASE appdb").await.unwrap();
    let url = format!("mysql://app:s3cret@127.0.0.1:{}/appdb", server.port);
    let mut app = mysql_async::Conn::from_url(url).await.unwrap();
    assert_eq!(
        rows(&mut app, "SELECT CURRENT_USER(), DATABASE()").await,
        vec![vec!["'app'@'%'", "appdb"]]
    );
    let bad = format!("mysql://app:nope@127.0.0.1:{}", server.port);
    match mysql_async::Conn::from_url(bad).await {
        Err(mysql_async::Error::Server(e)) => assert_eq!(e.code, 1045),
        other => panic!("expected 1045, got {other:?}"),
    }
    // COM_CHANGE_USER re-authenticates: the right password switches user, a wrong one fails.
    let opts = mysql_async::ChangeUserOpts::default()
        .with_user(Some("root".into()))
        .with_pass(Some(String::new()));
    app.change_user(opts).await.unwrap();
    assert_eq!(
        rows(&mut app, "SELECT CURRENT_USER()").await,
        vec![vec!["'root'@'%'"]]
    );
    let opts = mysql_async::ChangeUserOpts::default()
        .with_user(Some("app".into()))
        .with_pass(Some("wrong".into()));
    assert!(app.change_user(opts).await.is_err());
    // COM_RESET_CONNECTION resets session variables.
    let mut conn = server.connect().await;
    conn.query_drop("SET @x = 5, sql_select_limit = 7")
        .await
        .unwrap();
    conn.reset().await.unwrap();
    assert_eq!(
        rows(&mut conn, "SELECT @x IS NULL, @@sql_select_limit > 7").await,
        vec![vec!["1", "1"]]
    );
}

//! The binary takes its settings from flags, environment variables and a TOML file.

use std::process::Command;

use lakestar_tests::{lakestar_binary, rows, TestServer};

#[tokio::test]
async fn settings_come_from_toml_and_environment_with_flags_winning() {
    let temp = tempfile::tempdir().unwrap();
    let toml_dir = temp.path().join("from-toml");
    let config = temp.path().join("lakestar.toml");
    std::fs::write(
        &config,
        format!(
            "host = \"127.0.0.1\"\nmysql-port = 0\ndata-dir = \"{}\"\n",
            toml_dir.display()
        ),
    )
    .unwrap();
    let mut command = Command::new(lakestar_binary());
    command.arg("--config").arg(&config);
    let server = TestServer::spawn(command, &toml_dir);
    let mut conn = server.connect().await;
    assert_eq!(rows(&mut conn, "SELECT 1").await, vec![vec!["1"]]);
    drop(conn);
    drop(server);
    assert!(toml_dir.join("catalog.json").exists() || toml_dir.join("warehouse").exists());

    // The environment overrides the file; a flag overrides the environment.
    let env_dir = temp.path().join("from-env");
    let mut command = Command::new(lakestar_binary());
    command
        .arg("--config")
        .arg(&config)
        .env("LAKESTAR_DATA_DIR", &env_dir)
        .env("LAKESTAR_MYSQL_PORT", "1");
    command.arg("--mysql-port").arg("0");
    let server = TestServer::spawn(command, &env_dir);
    drop(server);
    assert!(env_dir.join("warehouse").exists());

    // A bad config file is refused with a message, not a panic.
    std::fs::write(&config, "no-such-setting = 1\n").unwrap();
    let out = Command::new(lakestar_binary())
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-setting"));
}

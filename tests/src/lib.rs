//! Test harness: runs the real `lakestar` binary on a free port with its own data
//! directory, and connects to it with real MySQL clients.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mysql_async::prelude::Queryable;

/// Path of the `lakestar` binary, built (once per test process) so tests never run a stale one.
/// Set `LAKESTAR_BIN` to test a binary built elsewhere.
pub fn lakestar_binary() -> PathBuf {
    if let Ok(p) = std::env::var("LAKESTAR_BIN") {
        return PathBuf::from(p);
    }
    static BUILD: std::sync::Once = std::sync::Once::new();
    BUILD.call_once(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let mut command = Command::new(cargo);
        // Cargo gives this test process its package's variables (CARGO_MANIFEST_DIR, ...);
        // build scripts that watch them (ring's watches CARGO_MANIFEST_DIR) would see a
        // change and rebuild half the dependency stack. Build with the user's environment.
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("CARGO_PKG_")
                || key.starts_with("CARGO_MANIFEST_")
                || key.starts_with("CARGO_CRATE_")
                || key.starts_with("CARGO_BIN_")
                || key == "CARGO_PRIMARY_PACKAGE"
            {
                command.env_remove(key.as_ref());
            }
        }
        let status = command
            // The same selection as `cargo test --workspace`, so the binary shares the
            // test build's feature set and dependency artifacts instead of compiling them
            // a second time.
            .args(["build", "--quiet", "--workspace", "--all-targets"])
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .status()
            .expect("run cargo build");
        assert!(
            status.success(),
            "cargo build --workspace --all-targets failed"
        );
    });
    // target/<profile>/deps/<test-binary> → target/<profile>/lakestar
    let exe = std::env::current_exe().expect("current exe");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir");
    let bin = profile_dir.join("lakestar");
    assert!(
        bin.exists(),
        "{} not found: build it with `cargo build` (cargo test --workspace builds it)",
        bin.display()
    );
    bin
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The client scripts (`tests/clients`).
pub fn clients_dir() -> PathBuf {
    workspace_root().join("tests/clients")
}

/// The Python of the clients' virtual environment (drivers, pypaimon, DuckDB, moto),
/// installed by `scripts/install-clients`. Missing is a failure, not a skip.
pub fn python() -> PathBuf {
    let p = workspace_root().join("target/clients/venv/bin/python");
    assert!(
        p.exists(),
        "{} is missing: run scripts/install-clients",
        p.display()
    );
    p
}

/// Run a Python script of `tests/clients` with arguments; panic with its output unless it
/// exits 0. Returns its stdout.
pub fn run_python(script: &str, args: &[&str]) -> String {
    let output = Command::new(python())
        .arg(clients_dir().join(script))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {script}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{script} {args:?} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// A running server process.
pub struct TestServer {
    child: Option<Child>,
    pub port: u16,
    data_dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl TestServer {
    /// Start a server on a fresh data directory.
    pub fn start() -> Self {
        let temp = tempfile::tempdir().expect("temp dir");
        let data_dir = temp.path().join("data");
        let mut s = Self::start_in(&data_dir);
        s._temp = Some(temp);
        s
    }

    /// Start a server on an existing (or new) data directory.
    pub fn start_in(data_dir: &Path) -> Self {
        let mut command = Command::new(lakestar_binary());
        command
            .arg("--mysql-port")
            .arg("0")
            .arg("--data-dir")
            .arg(data_dir);
        Self::spawn(command, data_dir)
    }

    /// Start `lakestar` as configured by `command` (flags, environment, config file);
    /// `data_dir` is where that configuration puts the data.
    pub fn spawn(mut command: Command, data_dir: &Path) -> Self {
        let mut child = command
            .env(
                "LAKESTAR_LOG",
                std::env::var("LAKESTAR_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn lakestar");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(60);
        let port = loop {
            assert!(Instant::now() < deadline, "server did not become ready");
            let line = lines
                .next()
                .expect("server exited before it was ready")
                .expect("read stdout");
            if let Some(rest) = line.strip_prefix("Lakestar is ready: ") {
                let port = rest
                    .split_whitespace()
                    .skip_while(|w| *w != "-P")
                    .nth(1)
                    .expect("port in ready line");
                break port.parse().expect("port number");
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self {
            child: Some(child),
            port,
            data_dir: data_dir.to_path_buf(),
            _temp: None,
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    pub fn url(&self) -> String {
        format!("mysql://root@127.0.0.1:{}", self.port)
    }

    pub async fn connect(&self) -> mysql_async::Conn {
        mysql_async::Conn::from_url(self.url())
            .await
            .expect("connect to lakestar")
    }

    /// Stop with SIGTERM and wait for a clean exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            unsafe {
                libc::kill(child.id() as i32, libc::SIGTERM);
            }
            let status = child.wait().expect("wait for server");
            assert!(status.success(), "server exited with {status}");
        }
    }

    /// Kill with SIGKILL, as a crash would.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("kill -9");
            let _ = child.wait();
        }
    }

    /// Stop (cleanly) and start again on the same data directory.
    pub fn restart(&mut self) {
        self.stop();
        self.reopen();
    }

    /// Start again on the same data directory after a stop or kill.
    pub fn reopen(&mut self) {
        let next = Self::start_in(&self.data_dir.clone());
        self.port = next.port;
        let mut next = next;
        self.child = next.child.take();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Run a query and return every row as strings (NULL as "NULL").
pub async fn rows(conn: &mut mysql_async::Conn, sql: &str) -> Vec<Vec<String>> {
    let result: Vec<mysql_async::Row> = conn
        .query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    result
        .into_iter()
        .map(|row| {
            (0..row.len())
                .map(|i| match row.as_ref(i).expect("value") {
                    mysql_async::Value::NULL => "NULL".to_string(),
                    mysql_async::Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                    other => other.as_sql(true),
                })
                .collect()
        })
        .collect()
}

/// The MySQL error code of a failing statement.
pub async fn error_code(conn: &mut mysql_async::Conn, sql: &str) -> (u16, String) {
    match conn.query_drop(sql).await {
        Ok(()) => panic!("expected an error from {sql}"),
        Err(mysql_async::Error::Server(e)) => (e.code, e.state),
        Err(e) => panic!("expected a server error from {sql}, got {e}"),
    }
}

/// Raw MySQL packets, for tests that need what no driver sends (wrong sequence ids,
/// missing capabilities, a socket closed mid-query).
pub mod raw {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;

    /// Write one packet with sequence id `seq`.
    pub fn write_packet(s: &mut TcpStream, seq: u8, body: &[u8]) {
        let len = (body.len() as u32).to_le_bytes();
        s.write_all(&[len[0], len[1], len[2], seq]).unwrap();
        s.write_all(body).unwrap();
    }

    /// Read one packet's payload.
    pub fn read_packet(s: &mut TcpStream) -> Vec<u8> {
        let mut header = [0u8; 4];
        s.read_exact(&mut header).unwrap();
        let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
        let mut body = vec![0; len];
        s.read_exact(&mut body).unwrap();
        body
    }

    /// Log in as root (empty password) with PROTOCOL_41, SECURE_CONNECTION and
    /// PLUGIN_AUTH only: no CLIENT_MULTI_STATEMENTS, no DEPRECATE_EOF.
    pub fn login(port: u16) -> TcpStream {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let _greeting = read_packet(&mut s);
        let caps: u32 = 0x200 | 0x8000 | 0x80000;
        let mut body = caps.to_le_bytes().to_vec();
        body.extend_from_slice(&(1u32 << 24).to_le_bytes());
        body.push(33);
        body.extend_from_slice(&[0; 23]);
        body.extend_from_slice(b"root\0\0mysql_native_password\0");
        write_packet(&mut s, 1, &body);
        let ok = read_packet(&mut s);
        assert_eq!(ok[0], 0x00, "login failed: {ok:?}");
        s
    }
}

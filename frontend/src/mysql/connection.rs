//! One client connection: handshake (with optional TLS), authentication, then a loop of
//! commands. Results are written by [`super::results`]; prepared statements live in
//! [`super::prepared`].

use std::sync::Arc;

use futures::FutureExt;
use lakestar_engine::variables::SERVER_VERSION;
use lakestar_engine::{user_err, Error, Reason};
use tokio::sync::watch;
use tracing::{debug, info, warn};

use super::authentication::{self, AuthAttempt};
use super::error::{err_packet, mysql_code, ER_ACCESS_DENIED, ER_UNKNOWN_COM};
use super::handshake::{self, caps};
use super::packet::{ClientStream, Cursor, PacketIo};
use crate::auth::password;
use crate::context::FrontendContext;
use crate::dispatch;
use crate::process::{Kills, ProcessGuard};
use crate::session::{Diagnostic, Session};
use crate::sql;

pub(super) mod command {
    pub const QUIT: u8 = 0x01;
    pub const INIT_DB: u8 = 0x02;
    pub const QUERY: u8 = 0x03;
    pub const FIELD_LIST: u8 = 0x04;
    pub const STATISTICS: u8 = 0x09;
    pub const PROCESS_KILL: u8 = 0x0c;
    pub const PING: u8 = 0x0e;
    pub const CHANGE_USER: u8 = 0x11;
    pub const STMT_PREPARE: u8 = 0x16;
    pub const STMT_EXECUTE: u8 = 0x17;
    pub const STMT_SEND_LONG_DATA: u8 = 0x18;
    pub const STMT_CLOSE: u8 = 0x19;
    pub const STMT_RESET: u8 = 0x1a;
    pub const SET_OPTION: u8 = 0x1b;
    pub const STMT_FETCH: u8 = 0x1c;
    pub const RESET_CONNECTION: u8 = 0x1f;
}

pub struct Connection {
    pub(super) io: PacketIo,
    pub(super) ctx: Arc<FrontendContext>,
    pub(super) capabilities: u32,
    pub(super) session: Session,
    pub(super) process: ProcessGuard,
    pub(super) kills: watch::Receiver<Kills>,
    pub(super) secure: bool,
}

impl Connection {
    /// Run the handshake and serve commands until the client leaves.
    pub async fn serve(
        ctx: Arc<FrontendContext>,
        stream: Box<dyn ClientStream>,
        client_host: String,
    ) -> std::io::Result<()> {
        let mut io = PacketIo::new(stream);
        let connection_id = ctx.next_connection_id();
        let nonce = password::nonce();
        let tls = ctx.auth.tls().cloned();
        io.seq = 0;
        io.write_packet(&handshake::initial_handshake(
            connection_id,
            &nonce,
            SERVER_VERSION,
            tls.is_some(),
        ))
        .await?;
        io.flush().await?;
        let Some(mut packet) = io.read_packet().await? else {
            return Ok(());
        };
        let mut secure = false;
        if let (Some(acceptor), true) = (&tls, handshake::is_ssl_request(&packet)) {
            let seq = io.seq;
            let stream = acceptor.accept(io.into_inner()).await?;
            io = PacketIo::new(Box::new(stream));
            io.seq = seq;
            secure = true;
            packet = match io.read_packet().await? {
                Some(p) => p,
                None => return Ok(()),
            };
        }
        let Some(response) = handshake::parse_handshake_response(&packet) else {
            io.write_packet(&err_packet(ER_UNKNOWN_COM, "Bad handshake"))
                .await?;
            return io.flush().await;
        };
        let attempt = AuthAttempt {
            user: &response.user,
            client_plugin: response
                .auth_plugin
                .as_deref()
                .unwrap_or(handshake::NATIVE_PASSWORD),
            response: response.auth_response.clone(),
            nonce,
            secure,
        };
        if let Err(denied) = authentication::authenticate(&mut io, &ctx.auth, attempt).await? {
            let msg = access_denied(&response.user, &client_host, denied.used_password);
            io.write_packet(&err_packet(ER_ACCESS_DENIED, &msg)).await?;
            return io.flush().await;
        }
        let capabilities = response.capabilities & handshake::server_capabilities(true);
        let mut session = Session::new(
            connection_id,
            response.user.clone(),
            client_host.clone(),
            &ctx.globals,
        );
        session.multi_statements = capabilities & caps::MULTI_STATEMENTS != 0;
        session.client_found_rows = capabilities & caps::FOUND_ROWS != 0;
        if let Some(db) = &response.database {
            if let Err(e) = dispatch::use_database(&ctx, &mut session, db) {
                io.write_packet(&err_packet(mysql_code(&e), e.message()))
                    .await?;
                return io.flush().await;
            }
        }
        let process = ctx
            .processes
            .register(connection_id, &session.user, &client_host);
        process
            .process
            .set_activity(&session.user, session.current_db.as_deref(), None);
        let kills = process.process.subscribe();
        info!(connection_id, user = %session.user, tls = secure, "connection opened");
        let mut conn = Connection {
            io,
            ctx,
            capabilities,
            session,
            process,
            kills,
            secure,
        };
        conn.write_ok(0, false).await?;
        conn.io.flush().await?;
        let result = conn.command_loop().await;
        info!(connection_id, "connection closed");
        result
    }

    async fn command_loop(&mut self) -> std::io::Result<()> {
        self.io.max_packet = self
            .session
            .variables
            .get_int("max_allowed_packet", &self.ctx.globals)
            .map_or(usize::MAX, |n| n.max(1024) as usize);
        loop {
            self.io.seq = 0;
            let packet = tokio::select! {
                packet = self.io.read_packet() => packet,
                _ = self.kills.wait_for(|k| k.connection) => return Ok(()),
            };
            let packet = match packet {
                Ok(p) => p,
                Err(e) => return self.refuse_packet(e).await,
            };
            let Some(packet) = packet else {
                return Ok(());
            };
            if self.io.first_seq != 0 {
                let e = std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    super::packet::PacketError::OutOfOrder,
                );
                return self.refuse_packet(e).await;
            }
            let Some((&cmd, body)) = packet.split_first() else {
                continue;
            };
            match cmd {
                command::QUIT => return Ok(()),
                command::PING => self.write_ok(0, false).await?,
                command::INIT_DB => {
                    let db = String::from_utf8_lossy(body).into_owned();
                    match dispatch::use_database(&self.ctx, &mut self.session, &db) {
                        Ok(()) => self.write_ok(0, false).await?,
                        Err(e) => self.write_error(&e).await?,
                    }
                }
                command::QUERY => {
                    let sql = String::from_utf8_lossy(body).into_owned();
                    self.run_query(&sql).await?;
                }
                command::FIELD_LIST => self.field_list(body).await?,
                command::STATISTICS => {
                    let text = self.ctx.statistics_line();
                    self.io.write_packet(text.as_bytes()).await?;
                }
                command::PROCESS_KILL => {
                    let id = Cursor::new(body).u32().unwrap_or(0);
                    match dispatch::kill(&self.ctx, &self.session, id, true) {
                        Ok(_) => self.write_ok(0, false).await?,
                        Err(e) => self.write_error(&e).await?,
                    }
                }
                command::SET_OPTION => match Cursor::new(body).u16() {
                    Some(0) => {
                        self.session.multi_statements = true;
                        self.write_eof(false).await?
                    }
                    Some(1) => {
                        self.session.multi_statements = false;
                        self.write_eof(false).await?
                    }
                    _ => {
                        self.write_raw_error(ER_UNKNOWN_COM, "Unknown COM_SET_OPTION value")
                            .await?
                    }
                },
                command::CHANGE_USER => {
                    if !self.change_user(body).await? {
                        self.io.flush().await?;
                        return Ok(());
                    }
                }
                command::RESET_CONNECTION => {
                    self.session.reset(&self.ctx.globals);
                    self.write_ok(0, false).await?;
                }
                command::STMT_PREPARE => self.stmt_prepare(body).await?,
                command::STMT_EXECUTE => self.stmt_execute(body).await?,
                command::STMT_SEND_LONG_DATA => self.stmt_send_long_data(body),
                command::STMT_CLOSE => self.stmt_close(body),
                command::STMT_RESET => self.stmt_reset(body).await?,
                command::STMT_FETCH => {
                    self.write_raw_error(
                        ER_UNKNOWN_COM,
                        "COM_STMT_FETCH: cursors are not supported; results are streamed",
                    )
                    .await?
                }
                other => {
                    self.write_raw_error(ER_UNKNOWN_COM, &format!("Unknown command {other:#04x}"))
                        .await?
                }
            }
            self.io.flush().await?;
        }
    }

    /// COM_QUERY: one statement, or several when multi-statements are on; each gets its
    /// own result, flagged with SERVER_MORE_RESULTS_EXISTS except the last.
    async fn run_query(&mut self, text: &str) -> std::io::Result<()> {
        debug!(
            connection_id = self.session.connection_id,
            sql = text,
            "query"
        );
        self.ctx
            .processes
            .questions
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let statements = match sql::parse(text) {
            Ok(s) if s.is_empty() => Err(Error::syntax("Query was empty")),
            Ok(s) if s.len() > 1 && !self.session.multi_statements => Err(Error::syntax(
                "You have an error in your SQL syntax: several statements in one query need CLIENT_MULTI_STATEMENTS",
            )),
            other => other,
        };
        let statements = match statements {
            Ok(s) => s,
            Err(e) => {
                self.record_error(&e);
                return self.write_error(&e).await;
            }
        };
        let count = statements.len();
        for (i, statement) in statements.into_iter().enumerate() {
            let more = i + 1 < count;
            let keeps_diagnostics = statement.reads_diagnostics();
            if !keeps_diagnostics {
                self.session.diagnostics.clear();
                self.session.warnings.take();
            }
            let limits = self.start_statement(&statement, text);
            let ctx = Arc::clone(&self.ctx);
            let fut =
                std::panic::AssertUnwindSafe(dispatch::execute(&ctx, &mut self.session, statement))
                    .catch_unwind()
                    .map(|r| r.unwrap_or_else(|panic| Err(panic_error(panic))));
            let result = guard(&mut self.io, &mut self.kills, limits, fut).await;
            let ok = match result {
                Ok(output) => self.write_output(output, more, false, limits).await?,
                Err(e) => {
                    self.record_error(&e);
                    self.write_error(&e).await?;
                    false
                }
            };
            if !keeps_diagnostics {
                self.session.collect_warnings();
            }
            self.process.process.set_activity(
                &self.session.user,
                self.session.current_db.as_deref(),
                None,
            );
            if !ok {
                break;
            }
        }
        Ok(())
    }

    /// Mark the connection busy with `text` and fix the statement's limits. KILLs counted
    /// before this call do not reach the statement; every later one does.
    pub(super) fn start_statement(
        &mut self,
        statement: &crate::sql::Statement,
        text: &str,
    ) -> Limits {
        let limits = Limits {
            deadline: self.session.deadline(statement, &self.ctx.globals),
            kills_seen: self.kills.borrow().queries,
        };
        self.process.process.set_activity(
            &self.session.user,
            self.session.current_db.as_deref(),
            Some(text),
        );
        limits
    }

    /// Report a refused packet (too large, out of order) and end the connection, as MySQL
    /// does; other I/O errors just end it.
    async fn refuse_packet(&mut self, e: std::io::Error) -> std::io::Result<()> {
        use super::packet::PacketError;
        let code = match e.get_ref().and_then(|i| i.downcast_ref::<PacketError>()) {
            Some(PacketError::TooLarge) => super::error::MysqlCode {
                code: 1153,
                sqlstate: "08S01",
            },
            Some(PacketError::OutOfOrder) => super::error::MysqlCode {
                code: 1156,
                sqlstate: "08S01",
            },
            None => return Err(e),
        };
        warn!(connection_id = self.session.connection_id, error = %e, "closing connection");
        self.io.seq = self.io.seq.max(1);
        self.write_raw_error(code, &e.to_string()).await?;
        self.io.flush().await
    }

    /// Keep an error for SHOW WARNINGS / SHOW ERRORS.
    pub(super) fn record_error(&mut self, e: &Error) {
        self.session.row_count = -1;
        let code = mysql_code(e);
        self.session.diagnostics = vec![Diagnostic::error(code.code, e.message())];
    }

    /// COM_CHANGE_USER: authenticate as another user and start a fresh session.
    /// Returns false when authentication failed (the connection is then closed).
    async fn change_user(&mut self, body: &[u8]) -> std::io::Result<bool> {
        let mut c = Cursor::new(body);
        let user = c
            .null_str()
            .map(|u| String::from_utf8_lossy(u).into_owned())
            .unwrap_or_default();
        let response = if self.capabilities & caps::SECURE_CONNECTION != 0 {
            c.u8().and_then(|n| c.take(n as usize)).unwrap_or_default()
        } else {
            c.null_str().unwrap_or_default()
        }
        .to_vec();
        let db = c
            .null_str()
            .map(|d| String::from_utf8_lossy(d).into_owned())
            .filter(|d| !d.is_empty());
        let _charset = c.u16();
        // The client scrambled its response with the connection's first nonce, which we
        // do not keep; a fresh nonce and an auth switch (forced by naming no plugin) make
        // it answer again with the account's plugin.
        let attempt = AuthAttempt {
            user: &user,
            client_plugin: "",
            response,
            nonce: password::nonce(),
            secure: self.secure,
        };
        match authentication::authenticate(&mut self.io, &self.ctx.auth, attempt).await? {
            Ok(_) => {}
            Err(denied) => {
                let msg = access_denied(&user, &self.session.client_host, denied.used_password);
                self.io
                    .write_packet(&err_packet(ER_ACCESS_DENIED, &msg))
                    .await?;
                return Ok(false);
            }
        }
        let mut session = Session::new(
            self.session.connection_id,
            user,
            self.session.client_host.clone(),
            &self.ctx.globals,
        );
        session.multi_statements = self.capabilities & caps::MULTI_STATEMENTS != 0;
        session.client_found_rows = self.capabilities & caps::FOUND_ROWS != 0;
        if let Some(db) = db {
            if let Err(e) = dispatch::use_database(&self.ctx, &mut session, &db) {
                self.write_error(&e).await?;
                return Ok(true);
            }
        }
        self.session = session;
        self.process.process.set_activity(
            &self.session.user,
            self.session.current_db.as_deref(),
            None,
        );
        self.write_ok(0, false).await?;
        Ok(true)
    }

    /// COM_FIELD_LIST (the mysql CLI's auto-rehash): the table's column definitions.
    async fn field_list(&mut self, body: &[u8]) -> std::io::Result<()> {
        let table = body.split(|&b| b == 0).next().unwrap_or_default();
        let table = String::from_utf8_lossy(table).to_lowercase();
        let meta = self
            .session
            .current_db
            .as_deref()
            .and_then(|db| self.ctx.catalog.table_now(db, &table));
        match meta {
            None => {
                let db = self.session.current_db.clone().unwrap_or_default();
                let e = user_err!(UnknownTable, "Table '{db}.{table}' doesn't exist");
                self.write_error(&e).await
            }
            Some(meta) => {
                for column in &meta.columns {
                    let mut def = super::column::ColumnDef::from_field(&column.to_arrow_field());
                    def.schema = meta.database.clone();
                    def.table = meta.name.clone();
                    let mut packet = def.encode();
                    packet.push(0xFB); // no default values
                    self.io.write_packet(&packet).await?;
                }
                self.write_eof(false).await
            }
        }
    }
}

/// When a running statement must stop.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    pub deadline: Option<tokio::time::Instant>,
    /// KILL QUERY count when the statement started.
    pub kills_seen: u64,
}

/// Run a statement future unless it is killed, times out, or the client goes away.
pub(super) async fn guard<T>(
    io: &mut PacketIo,
    kills: &mut watch::Receiver<Kills>,
    limits: Limits,
    fut: impl std::future::Future<Output = lakestar_engine::Result<T>>,
) -> lakestar_engine::Result<T> {
    let baseline = limits.kills_seen;
    let timeout = async {
        match limits.deadline {
            Some(d) => tokio::time::sleep_until(d).await,
            None => std::future::pending().await,
        }
    };
    let client_gone = async {
        if !io.wait_for_close().await {
            // The client sent more bytes (pipelining): leave them for the next command.
            std::future::pending::<()>().await
        }
    };
    tokio::select! {
        biased;
        r = fut => r,
        _ = kills.wait_for(|k| k.queries > baseline || k.connection) => Err(interrupted()),
        _ = timeout => Err(timed_out()),
        _ = client_gone => Err(Error::new(
            lakestar_engine::ErrorKind::Cancelled,
            Reason::QueryInterrupted,
            "the client closed the connection",
        )),
    }
}

pub(super) fn interrupted() -> Error {
    Error::new(
        lakestar_engine::ErrorKind::Cancelled,
        Reason::QueryInterrupted,
        "Query execution was interrupted",
    )
}

pub(super) fn timed_out() -> Error {
    Error::new(
        lakestar_engine::ErrorKind::Cancelled,
        Reason::QueryTimeout,
        "Query execution was interrupted, maximum statement execution time exceeded",
    )
}

fn access_denied(user: &str, host: &str, used_password: bool) -> String {
    format!(
        "Access denied for user '{user}'@'{host}' (using password: {})",
        if used_password { "YES" } else { "NO" }
    )
}

pub(super) fn panic_error(panic: Box<dyn std::any::Any + Send>) -> Error {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    warn!(%message, "statement panicked");
    Error::internal(format!("statement panicked: {message}"))
}

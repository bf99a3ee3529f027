//! One client connection: handshake, then a loop of commands.

use std::sync::Arc;

use futures::{FutureExt, StreamExt};
use lakestar_engine::variables::SERVER_VERSION;
use lakestar_engine::Error;
use tokio::io::{AsyncRead, AsyncWrite};
use tracing::{debug, info, warn};

use super::column::ColumnDef;
use super::error::{
    err_packet, mysql_code, MysqlCode, ER_ACCESS_DENIED, ER_UNKNOWN_COM, ER_UNSUPPORTED_PS,
};
use super::handshake::{self, caps, STATUS_AUTOCOMMIT};
use super::packet::{put_lenenc_int, PacketIo};
use super::text_row::encode_rows;
use crate::context::FrontendContext;
use crate::dispatch;
use crate::output::QueryOutput;
use crate::session::Session;

mod command {
    pub const QUIT: u8 = 0x01;
    pub const INIT_DB: u8 = 0x02;
    pub const QUERY: u8 = 0x03;
    pub const FIELD_LIST: u8 = 0x04;
    pub const STATISTICS: u8 = 0x09;
    pub const PING: u8 = 0x0e;
    pub const STMT_PREPARE: u8 = 0x16;
    pub const STMT_EXECUTE: u8 = 0x17;
    pub const STMT_SEND_LONG_DATA: u8 = 0x18;
    pub const STMT_CLOSE: u8 = 0x19;
    pub const STMT_RESET: u8 = 0x1a;
    pub const RESET_CONNECTION: u8 = 0x1f;
}

pub struct Connection<R, W> {
    io: PacketIo<R, W>,
    ctx: Arc<FrontendContext>,
    capabilities: u32,
    session: Session,
    started: std::time::Instant,
}

impl<R: AsyncRead + Unpin + Send, W: AsyncWrite + Unpin + Send> Connection<R, W> {
    /// Run the handshake and serve commands until the client leaves.
    pub async fn serve(
        ctx: Arc<FrontendContext>,
        reader: R,
        writer: W,
        client_host: String,
    ) -> std::io::Result<()> {
        let mut io = PacketIo::new(reader, writer);
        let connection_id = ctx.next_connection_id();
        let salt = make_salt();
        io.seq = 0;
        io.write_packet(&handshake::initial_handshake(
            connection_id,
            &salt,
            SERVER_VERSION,
        ))
        .await?;
        io.flush().await?;
        let Some(packet) = io.read_packet().await? else {
            return Ok(());
        };
        let Some(response) = handshake::parse_handshake_response(&packet) else {
            io.write_packet(&err_packet(ER_UNKNOWN_COM, "Bad handshake"))
                .await?;
            return io.flush().await;
        };
        let mut auth_response = response.auth_response.clone();
        let plugin = response
            .auth_plugin
            .as_deref()
            .unwrap_or(handshake::NATIVE_PASSWORD);
        if plugin != handshake::NATIVE_PASSWORD && !auth_response.is_empty() {
            io.write_packet(&handshake::auth_switch_request(&salt))
                .await?;
            io.flush().await?;
            match io.read_packet().await? {
                Some(p) => auth_response = p,
                None => return Ok(()),
            }
        }
        // Only password-less accounts exist until users are added (CREATE USER).
        if !auth_response.is_empty() {
            let msg = format!(
                "Access denied for user '{}'@'{}' (using password: YES)",
                response.user, client_host
            );
            io.write_packet(&err_packet(ER_ACCESS_DENIED, &msg)).await?;
            return io.flush().await;
        }
        let capabilities = response.capabilities & handshake::SERVER_CAPABILITIES;
        let mut session = Session::new(
            connection_id,
            response.user.clone(),
            client_host,
            &ctx.globals,
        );
        if let Some(db) = &response.database {
            let db = db.to_lowercase();
            if !ctx.catalog.database_exists_now(&db) {
                let e = lakestar_engine::user_err!(UnknownDatabase, "Unknown database '{db}'");
                io.write_packet(&err_packet(mysql_code(&e), e.message()))
                    .await?;
                return io.flush().await;
            }
            session.current_db = Some(db);
        }
        info!(connection_id, user = %session.user, "connection opened");
        let mut conn = Connection {
            io,
            ctx,
            capabilities,
            session,
            started: std::time::Instant::now(),
        };
        conn.write_ok(0).await?;
        conn.io.flush().await?;
        let result = conn.command_loop().await;
        info!(connection_id, "connection closed");
        result
    }

    async fn command_loop(&mut self) -> std::io::Result<()> {
        loop {
            self.io.seq = 0;
            let Some(packet) = self.io.read_packet().await? else {
                return Ok(());
            };
            let Some((&cmd, body)) = packet.split_first() else {
                continue;
            };
            match cmd {
                command::QUIT => return Ok(()),
                command::PING => self.write_ok(0).await?,
                command::INIT_DB => {
                    let db = String::from_utf8_lossy(body).into_owned();
                    match dispatch::use_database(&self.ctx, &mut self.session, &db) {
                        Ok(()) => self.write_ok(0).await?,
                        Err(e) => self.write_error(&e).await?,
                    }
                }
                command::QUERY => {
                    let sql = String::from_utf8_lossy(body).into_owned();
                    self.run_query(&sql).await?;
                }
                command::FIELD_LIST => self.field_list(body).await?,
                command::STATISTICS => {
                    let text = format!(
                        "Uptime: {}  Threads: 1  Questions: 0  Slow queries: 0  Opens: 0  Flush tables: 0  Open tables: 0  Queries per second avg: 0.000",
                        self.started.elapsed().as_secs()
                    );
                    self.io.write_packet(text.as_bytes()).await?;
                }
                command::RESET_CONNECTION => {
                    self.session.reset(&self.ctx.globals);
                    self.write_ok(0).await?;
                }
                command::STMT_PREPARE
                | command::STMT_EXECUTE
                | command::STMT_SEND_LONG_DATA
                | command::STMT_CLOSE
                | command::STMT_RESET => {
                    if cmd == command::STMT_CLOSE || cmd == command::STMT_SEND_LONG_DATA {
                        continue; // no response is sent for these commands
                    }
                    self.write_raw_error(
                        ER_UNSUPPORTED_PS,
                        "Server-side prepared statements are not supported yet; use client-side prepared statements",
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

    async fn run_query(&mut self, sql: &str) -> std::io::Result<()> {
        debug!(connection_id = self.session.connection_id, sql, "query");
        let ctx = Arc::clone(&self.ctx);
        let result =
            std::panic::AssertUnwindSafe(dispatch::execute_sql(&ctx, &mut self.session, sql))
                .catch_unwind()
                .await
                .unwrap_or_else(|panic| Err(panic_error(panic)));
        match result {
            Ok(output) => self.write_output(output).await,
            Err(e) => self.write_error(&e).await,
        }
    }

    async fn write_output(&mut self, output: QueryOutput) -> std::io::Result<()> {
        match output {
            QueryOutput::Ok { affected_rows } => self.write_ok(affected_rows).await,
            QueryOutput::Rows { schema, mut stream } => {
                // Fetch the first batch before sending metadata, so an error that shows up
                // at once is reported as an error packet rather than a broken result set.
                let first = std::panic::AssertUnwindSafe(stream.next())
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|p| Some(Err(panic_error(p).into_datafusion())));
                if let Some(Err(e)) = first {
                    return self.write_error(&Error::from_datafusion(e)).await;
                }
                let mut buf = Vec::new();
                put_lenenc_int(&mut buf, schema.fields().len() as u64);
                self.io.write_packet(&buf).await?;
                for field in schema.fields() {
                    self.io
                        .write_packet(&ColumnDef::from_field(field).encode())
                        .await?;
                }
                if !self.deprecate_eof() {
                    self.write_eof().await?;
                }
                let mut next = first;
                while let Some(batch) = next {
                    match batch {
                        Ok(batch) => {
                            let mut rows = Vec::new();
                            let encoded = encode_rows(&batch, |row| {
                                rows.push(row.to_vec());
                                Ok(())
                            });
                            if let Err(e) = encoded {
                                return self.write_error(&Error::internal(e.to_string())).await;
                            }
                            for row in rows {
                                self.io.write_packet(&row).await?;
                            }
                        }
                        Err(e) => return self.write_error(&Error::from_datafusion(e)).await,
                    }
                    next = std::panic::AssertUnwindSafe(stream.next())
                        .catch_unwind()
                        .await
                        .unwrap_or_else(|p| Some(Err(panic_error(p).into_datafusion())));
                }
                if self.deprecate_eof() {
                    let mut ok = vec![0xFE, 0, 0];
                    ok.extend_from_slice(&STATUS_AUTOCOMMIT.to_le_bytes());
                    ok.extend_from_slice(&0u16.to_le_bytes());
                    self.io.write_packet(&ok).await
                } else {
                    self.write_eof().await
                }
            }
        }
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
                let e =
                    lakestar_engine::user_err!(UnknownTable, "Table '{db}.{table}' doesn't exist");
                self.write_error(&e).await
            }
            Some(meta) => {
                for column in &meta.columns {
                    let mut def = ColumnDef::from_field(&column.to_arrow_field());
                    def.schema = meta.database.clone();
                    def.table = meta.name.clone();
                    let mut packet = def.encode();
                    packet.push(0xFB); // no default values
                    self.io.write_packet(&packet).await?;
                }
                self.write_eof().await
            }
        }
    }

    fn deprecate_eof(&self) -> bool {
        self.capabilities & caps::DEPRECATE_EOF != 0
    }

    async fn write_ok(&mut self, affected_rows: u64) -> std::io::Result<()> {
        let mut buf = vec![0x00];
        put_lenenc_int(&mut buf, affected_rows);
        put_lenenc_int(&mut buf, 0);
        buf.extend_from_slice(&STATUS_AUTOCOMMIT.to_le_bytes());
        buf.extend_from_slice(&0u16.to_le_bytes());
        self.io.write_packet(&buf).await
    }

    async fn write_eof(&mut self) -> std::io::Result<()> {
        let mut buf = vec![0xFE, 0, 0];
        buf.extend_from_slice(&STATUS_AUTOCOMMIT.to_le_bytes());
        self.io.write_packet(&buf).await
    }

    async fn write_error(&mut self, e: &Error) -> std::io::Result<()> {
        let code = mysql_code(e);
        debug!(code = code.code, error = %e, "statement failed");
        self.write_raw_error(code, &e.to_string()).await
    }

    async fn write_raw_error(&mut self, code: MysqlCode, message: &str) -> std::io::Result<()> {
        self.io.write_packet(&err_packet(code, message)).await
    }
}

fn panic_error(panic: Box<dyn std::any::Any + Send>) -> Error {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    warn!(%message, "statement panicked");
    Error::internal(format!("statement panicked: {message}"))
}

fn make_salt() -> [u8; 20] {
    use std::hash::{BuildHasher, Hasher};
    let mut salt = [0u8; 20];
    let state = std::collections::hash_map::RandomState::new();
    for (i, chunk) in salt.chunks_mut(8).enumerate() {
        let mut h = state.build_hasher();
        h.write_usize(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        let bytes = h.finish().to_le_bytes();
        for (dst, src) in chunk.iter_mut().zip(bytes) {
            // Printable, non-NUL bytes, as MySQL servers send.
            *dst = 0x21 + (src % 0x5e);
        }
    }
    salt
}

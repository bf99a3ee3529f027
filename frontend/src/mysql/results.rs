//! Writing statement results: OK, EOF, ERR packets and result sets in the text protocol
//! (COM_QUERY) or the binary protocol (COM_STMT_EXECUTE), streamed batch by batch.

use futures::{FutureExt, StreamExt};
use lakestar_engine::Error;
use tracing::debug;

use super::binary_row::encode_binary_rows;
use super::column::ColumnDef;
use super::connection::{guard, panic_error, Connection, Limits};
use super::error::{err_packet, mysql_code, MysqlCode};
use super::handshake::caps;
use super::packet::put_lenenc_int;
use super::text_row::encode_rows;
use crate::output::QueryOutput;

pub const STATUS_IN_TRANS: u16 = 0x0001;
pub const STATUS_AUTOCOMMIT: u16 = 0x0002;
pub const STATUS_MORE_RESULTS_EXISTS: u16 = 0x0008;

impl Connection {
    /// Server status flags for OK and EOF packets.
    pub(super) fn status(&self, more_results: bool) -> u16 {
        let mut status = 0;
        // Drivers track autocommit from this flag (Connector/J skips `SET autocommit=1`
        // when the last status said it was on), so it follows the session variable.
        if self
            .session
            .variables
            .get_int("autocommit", &self.ctx.globals)
            .unwrap_or(1)
            != 0
        {
            status |= STATUS_AUTOCOMMIT;
        }
        if self.session.in_transaction {
            status |= STATUS_IN_TRANS;
        }
        if more_results {
            status |= STATUS_MORE_RESULTS_EXISTS;
        }
        status
    }

    /// The last statement's warnings: those kept plus those its functions raised.
    fn warning_count(&self) -> u16 {
        (self.session.diagnostics.len() as u64 + self.session.warnings.count()).min(u16::MAX as u64)
            as u16
    }

    /// Write a statement's output. Returns whether it succeeded (an error packet was not
    /// written), so multi-statement execution knows whether to go on.
    pub(super) async fn write_output(
        &mut self,
        output: QueryOutput,
        more_results: bool,
        binary: bool,
        limits: Limits,
    ) -> std::io::Result<bool> {
        let (schema, mut stream) = match output {
            QueryOutput::Ok { affected_rows } => {
                self.session.row_count = i64::try_from(affected_rows).unwrap_or(i64::MAX);
                self.write_ok(affected_rows, more_results).await?;
                return Ok(true);
            }
            QueryOutput::Rows { schema, stream } => {
                self.session.row_count = -1;
                (schema, stream)
            }
        };
        // Fetch the first batch before sending metadata, so an error that shows up at once
        // is reported as an error packet rather than a broken result set.
        let mut next = next_batch(self, &mut stream, limits).await;
        if let Some(Err(e)) = &next {
            let e = e.clone();
            self.record_error(&e);
            self.write_error(&e).await?;
            return Ok(false);
        }
        let mut found_rows = 0u64;
        let mut buf = Vec::new();
        put_lenenc_int(&mut buf, schema.fields().len() as u64);
        self.io.write_packet(&buf).await?;
        self.write_column_defs(&schema).await?;
        while let Some(batch) = next {
            let batch = match batch {
                Ok(b) => b,
                Err(e) => {
                    self.record_error(&e);
                    self.write_error(&e).await?;
                    return Ok(false);
                }
            };
            found_rows += batch.num_rows() as u64;
            let mut rows = Vec::new();
            let encoded = if binary {
                encode_binary_rows(&batch, |row| {
                    rows.push(row.to_vec());
                    Ok(())
                })
            } else {
                encode_rows(&batch, |row| {
                    rows.push(row.to_vec());
                    Ok(())
                })
            };
            if let Err(e) = encoded {
                let e = Error::internal(e.to_string());
                self.write_error(&e).await?;
                return Ok(false);
            }
            for row in rows {
                self.io.write_packet(&row).await?;
            }
            next = next_batch(self, &mut stream, limits).await;
        }
        self.session.found_rows = found_rows;
        if self.deprecate_eof() {
            let mut ok = vec![0xFE, 0, 0];
            ok.extend_from_slice(&self.status(more_results).to_le_bytes());
            ok.extend_from_slice(&self.warning_count().to_le_bytes());
            self.io.write_packet(&ok).await?;
        } else {
            self.write_eof(more_results).await?;
        }
        Ok(true)
    }

    /// One column definition per field, then EOF unless the client deprecated it.
    pub(super) async fn write_column_defs(
        &mut self,
        schema: &datafusion::arrow::datatypes::Schema,
    ) -> std::io::Result<()> {
        for field in schema.fields() {
            self.io
                .write_packet(&ColumnDef::from_field(field).encode())
                .await?;
        }
        if !self.deprecate_eof() {
            self.write_eof(false).await?;
        }
        Ok(())
    }

    pub(super) fn deprecate_eof(&self) -> bool {
        self.capabilities & caps::DEPRECATE_EOF != 0
    }

    pub(super) async fn write_ok(
        &mut self,
        affected_rows: u64,
        more_results: bool,
    ) -> std::io::Result<()> {
        let mut buf = vec![0x00];
        put_lenenc_int(&mut buf, affected_rows);
        put_lenenc_int(&mut buf, 0);
        buf.extend_from_slice(&self.status(more_results).to_le_bytes());
        buf.extend_from_slice(&self.warning_count().to_le_bytes());
        self.io.write_packet(&buf).await
    }

    pub(super) async fn write_eof(&mut self, more_results: bool) -> std::io::Result<()> {
        let mut buf = vec![0xFE];
        buf.extend_from_slice(&self.warning_count().to_le_bytes());
        buf.extend_from_slice(&self.status(more_results).to_le_bytes());
        self.io.write_packet(&buf).await
    }

    pub(super) async fn write_error(&mut self, e: &Error) -> std::io::Result<()> {
        let code = mysql_code(e);
        debug!(code = code.code, error = %e, "statement failed");
        self.write_raw_error(code, &e.to_string()).await
    }

    pub(super) async fn write_raw_error(
        &mut self,
        code: MysqlCode,
        message: &str,
    ) -> std::io::Result<()> {
        self.io.write_packet(&err_packet(code, message)).await
    }
}

/// The next batch, unless the statement is killed, times out, or panics.
async fn next_batch(
    conn: &mut Connection,
    stream: &mut datafusion::execution::SendableRecordBatchStream,
    limits: Limits,
) -> Option<lakestar_engine::Result<datafusion::arrow::array::RecordBatch>> {
    let fut = std::panic::AssertUnwindSafe(stream.next())
        .catch_unwind()
        .map(|r| match r {
            Ok(Some(Ok(b))) => Ok(Some(b)),
            Ok(Some(Err(e))) => Err(Error::from_datafusion(e)),
            Ok(None) => Ok(None),
            Err(panic) => Err(panic_error(panic)),
        });
    // The client cannot be sending anything while a result streams, so no need to watch it
    // for pipelined bytes; a closed socket shows up as a failed write.
    match guard(&mut conn.io, &mut conn.kills, limits, fut).await {
        Ok(Some(b)) => Some(Ok(b)),
        Ok(None) => None,
        Err(e) => Some(Err(e)),
    }
}

//! The binary protocol's prepared statements: COM_STMT_PREPARE, EXECUTE, SEND_LONG_DATA,
//! CLOSE and RESET. Statement state lives in the session ([`crate::prepared`]).

use std::sync::Arc;

use futures::FutureExt;
use lakestar_engine::{user_err, Error};

use super::column::{types, ColumnDef, CHARSET_BINARY};
use super::connection::{guard, panic_error, Connection};
use super::packet::Cursor;
use super::params;
use crate::prepared::{self, PreparedStatement};

impl Connection {
    pub(super) async fn stmt_prepare(&mut self, body: &[u8]) -> std::io::Result<()> {
        let text = String::from_utf8_lossy(body).into_owned();
        self.session.diagnostics.clear();
        let prepared = match PreparedStatement::parse(&text) {
            Ok(p) => p,
            Err(e) => {
                self.record_error(&e);
                return self.write_error(&e).await;
            }
        };
        let schema =
            match prepared::result_schema(&self.ctx, &self.session, &prepared.statement).await {
                Ok(s) => s,
                Err(e) => {
                    self.record_error(&e);
                    return self.write_error(&e).await;
                }
            };
        let id = self.session.next_statement_id;
        self.session.next_statement_id = id.wrapping_add(1).max(1);
        let params = prepared.param_count;
        self.session.prepared.insert(id, prepared);
        let columns = schema.as_ref().map_or(0, |s| s.fields().len());
        let mut ok = vec![0x00];
        ok.extend_from_slice(&id.to_le_bytes());
        ok.extend_from_slice(&(columns as u16).to_le_bytes());
        ok.extend_from_slice(&(params as u16).to_le_bytes());
        ok.push(0);
        ok.extend_from_slice(&0u16.to_le_bytes());
        self.io.write_packet(&ok).await?;
        if params > 0 {
            for _ in 0..params {
                let mut def = ColumnDef::from_arrow(&datafusion::arrow::datatypes::DataType::Utf8);
                def.name = "?".into();
                def.column_type = types::VAR_STRING;
                def.charset = CHARSET_BINARY;
                self.io.write_packet(&def.encode()).await?;
            }
            if !self.deprecate_eof() {
                self.write_eof(false).await?;
            }
        }
        if let Some(schema) = schema.filter(|s| !s.fields().is_empty()) {
            self.write_column_defs(&schema).await?;
        }
        Ok(())
    }

    pub(super) async fn stmt_execute(&mut self, body: &[u8]) -> std::io::Result<()> {
        self.ctx
            .processes
            .questions
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.session.diagnostics.clear();
        self.session.warnings.take();
        let mut c = Cursor::new(body);
        let (Some(id), Some(_flags), Some(_iterations)) = (c.u32(), c.u8(), c.u32()) else {
            return self.malformed("COM_STMT_EXECUTE").await;
        };
        let Some(stmt) = self.session.prepared.get_mut(&id) else {
            let e = prepared::unknown_statement(&id.to_string());
            self.record_error(&e);
            return self.write_error(&e).await;
        };
        let long_data = std::mem::take(&mut stmt.long_data);
        let Some(values) =
            params::decode(&mut c, stmt.param_count, &mut stmt.param_types, &long_data)
        else {
            return self.malformed("COM_STMT_EXECUTE parameters").await;
        };
        let statement = stmt.statement.clone();
        let limits = self.start_statement(&statement, &statement_text(&statement));
        let ctx = Arc::clone(&self.ctx);
        let fut = std::panic::AssertUnwindSafe(prepared::execute(
            &ctx,
            &mut self.session,
            statement,
            values,
        ))
        .catch_unwind()
        .map(|r| r.unwrap_or_else(|panic| Err(panic_error(panic))));
        let result = guard(&mut self.io, &mut self.kills, limits, fut).await;
        match result {
            Ok(output) => {
                self.write_output(output, false, true, limits).await?;
            }
            Err(e) => {
                self.record_error(&e);
                self.write_error(&e).await?;
            }
        }
        self.session.collect_warnings();
        self.process.process.set_activity(
            &self.session.user,
            self.session.current_db.as_deref(),
            None,
        );
        Ok(())
    }

    /// COM_STMT_SEND_LONG_DATA: append to a parameter's value; no response.
    pub(super) fn stmt_send_long_data(&mut self, body: &[u8]) {
        let mut c = Cursor::new(body);
        let (Some(id), Some(param)) = (c.u32(), c.u16()) else {
            return;
        };
        if let Some(stmt) = self.session.prepared.get_mut(&id) {
            if (param as usize) < stmt.param_count {
                stmt.long_data
                    .entry(param as usize)
                    .or_default()
                    .extend_from_slice(c.remaining());
            }
        }
    }

    /// COM_STMT_CLOSE: forget the statement; no response.
    pub(super) fn stmt_close(&mut self, body: &[u8]) {
        if let Some(id) = Cursor::new(body).u32() {
            self.session.prepared.remove(&id);
        }
    }

    /// COM_STMT_RESET: drop long data sent so far.
    pub(super) async fn stmt_reset(&mut self, body: &[u8]) -> std::io::Result<()> {
        let id = Cursor::new(body).u32().unwrap_or(0);
        match self.session.prepared.get_mut(&id) {
            Some(stmt) => {
                stmt.long_data.clear();
                self.write_ok(0, false).await
            }
            None => {
                let e = prepared::unknown_statement(&id.to_string());
                self.write_error(&e).await
            }
        }
    }

    async fn malformed(&mut self, what: &str) -> std::io::Result<()> {
        let e: Error = user_err!(WrongArguments, "Malformed {what} packet");
        self.record_error(&e);
        self.write_error(&e).await
    }
}

fn statement_text(statement: &crate::sql::Statement) -> String {
    match statement {
        crate::sql::Statement::Sql(s) => s.to_string(),
        other => format!("{other:?}").chars().take(200).collect(),
    }
}

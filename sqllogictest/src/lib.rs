//! A sqllogictest engine that talks to a real `lakestar` server over the MySQL protocol.
//!
//! Each `.slt` file gets its own server and data directory. Besides SQL, a file may use
//! one runner command as a statement: `restart` stops the server cleanly, starts it again
//! on the same data directory and reconnects (for durability tests).
//!
//! Errors are reported as `ERROR <code> (<sqlstate>): <message>`, so files can match on the
//! MySQL code: `statement error ERROR 1146`.

use std::sync::Arc;

use lakestar_tests::TestServer;
use mysql_async::prelude::Queryable;
use sqllogictest::{AsyncDB, DBOutput, DefaultColumnType};
use tokio::sync::Mutex;

/// An error as a MySQL client sees it.
#[derive(Debug)]
pub struct MysqlError(String);

impl std::fmt::Display for MysqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MysqlError {}

impl From<mysql_async::Error> for MysqlError {
    fn from(e: mysql_async::Error) -> Self {
        match e {
            mysql_async::Error::Server(s) => {
                MysqlError(format!("ERROR {} ({}): {}", s.code, s.state, s.message))
            }
            other => MysqlError(other.to_string()),
        }
    }
}

/// One connection of a test file.
pub struct LakestarDb {
    server: Arc<Mutex<TestServer>>,
    conn: mysql_async::Conn,
}

impl LakestarDb {
    pub async fn connect(server: Arc<Mutex<TestServer>>) -> Result<Self, MysqlError> {
        let url = server.lock().await.url();
        let conn = mysql_async::Conn::from_url(url).await?;
        Ok(Self { server, conn })
    }
}

fn text(value: &mysql_async::Value) -> String {
    match value {
        mysql_async::Value::NULL => "NULL".to_string(),
        mysql_async::Value::Bytes(b) if b.is_empty() => "(empty)".to_string(),
        mysql_async::Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => other.as_sql(true),
    }
}

#[async_trait::async_trait]
impl AsyncDB for LakestarDb {
    type Error = MysqlError;
    type ColumnType = DefaultColumnType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<Self::ColumnType>, Self::Error> {
        if sql.trim().eq_ignore_ascii_case("restart") {
            let url = {
                let mut server = self.server.lock().await;
                server.restart();
                server.url()
            };
            self.conn = mysql_async::Conn::from_url(url).await?;
            return Ok(DBOutput::StatementComplete(0));
        }
        let mut result = self.conn.query_iter(sql).await?;
        let columns = result.columns();
        match columns {
            Some(columns) if !columns.is_empty() => {
                let width = columns.len();
                let rows: Vec<mysql_async::Row> = result.collect().await?;
                Ok(DBOutput::Rows {
                    types: vec![DefaultColumnType::Any; width],
                    rows: rows
                        .iter()
                        .map(|r| (0..r.len()).map(|i| text(r.as_ref(i).unwrap())).collect())
                        .collect(),
                })
            }
            _ => {
                let affected = result.affected_rows();
                result.drop_result().await?;
                Ok(DBOutput::StatementComplete(affected))
            }
        }
    }

    async fn shutdown(&mut self) {}

    fn engine_name(&self) -> &str {
        "lakestar"
    }
}

//! One client connection's state.

use std::collections::HashMap;
use std::sync::Arc;

use lakestar_engine::variables::{GlobalVariables, SessionVariables};
use lakestar_planner::variables::UserVariableProvider;

use crate::prepared::PreparedStatement;
use crate::sql::Statement;

/// A warning or error kept for `SHOW WARNINGS` / `SHOW ERRORS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// `Note`, `Warning` or `Error`.
    pub level: &'static str,
    pub code: u16,
    pub message: String,
}

impl Diagnostic {
    pub fn error(code: u16, message: impl Into<String>) -> Self {
        Self {
            level: "Error",
            code,
            message: message.into(),
        }
    }

    pub fn warning(code: u16, message: impl Into<String>) -> Self {
        Self {
            level: "Warning",
            code,
            message: message.into(),
        }
    }
}

/// What a connection remembers between statements.
#[derive(Debug)]
pub struct Session {
    pub connection_id: u32,
    pub user: String,
    pub client_host: String,
    /// The external catalog chosen with SET CATALOG / USE c.db; None: default_catalog.
    pub current_catalog: Option<String>,
    pub current_db: Option<String>,
    pub variables: SessionVariables,
    pub user_variables: UserVariableProvider,
    /// CLIENT_MULTI_STATEMENTS, from the handshake or COM_SET_OPTION.
    pub multi_statements: bool,
    /// CLIENT_FOUND_ROWS (JDBC sets it): UPDATE reports the rows it matched, not only
    /// those it changed.
    pub client_found_rows: bool,
    /// Warnings and errors of the last statement.
    pub diagnostics: Vec<Diagnostic>,
    /// Where the running statement's functions raise warnings; moved into `diagnostics`
    /// when it ends ([`Session::collect_warnings`]).
    pub warnings: lakestar_engine::warnings::Warnings,
    /// `ROW_COUNT()`: rows the last statement changed; -1 after a result set or an error.
    pub row_count: i64,
    /// `FOUND_ROWS()`: rows the last result set sent (without SQL_CALC_FOUND_ROWS, MySQL's
    /// answer too).
    pub found_rows: u64,
    /// Between BEGIN / START TRANSACTION and COMMIT / ROLLBACK (see `handlers::transaction`).
    pub in_transaction: bool,
    /// Statements written since BEGIN, which ROLLBACK cannot undo.
    pub writes_in_transaction: u64,
    /// Server-side prepared statements by id (COM_STMT_PREPARE).
    pub prepared: HashMap<u32, PreparedStatement>,
    pub next_statement_id: u32,
    /// SQL-level prepared statements by name (PREPARE s FROM ...).
    pub named_prepared: HashMap<String, PreparedStatement>,
}

impl Session {
    pub fn new(
        connection_id: u32,
        user: String,
        client_host: String,
        globals: &Arc<GlobalVariables>,
    ) -> Self {
        Self {
            connection_id,
            user,
            client_host,
            current_catalog: None,
            current_db: None,
            variables: SessionVariables::new(globals),
            user_variables: UserVariableProvider::default(),
            multi_statements: false,
            client_found_rows: false,
            diagnostics: vec![],
            warnings: Default::default(),
            row_count: -1,
            found_rows: 0,
            in_transaction: false,
            writes_in_transaction: 0,
            prepared: HashMap::new(),
            next_statement_id: 1,
            named_prepared: HashMap::new(),
        }
    }

    /// Move the warnings the last statement raised into its diagnostics.
    pub fn collect_warnings(&mut self) {
        for w in self.warnings.take() {
            if self.diagnostics.len() >= lakestar_engine::warnings::MAX_KEPT {
                break;
            }
            self.diagnostics.push(Diagnostic::warning(
                crate::mysql::error::warning_code(w.kind),
                w.message,
            ));
        }
    }

    /// `database` if given, else the session's current database (MySQL 1046 if none).
    pub fn database_or_current(&self, database: Option<&str>) -> lakestar_engine::Result<String> {
        match database {
            Some(d) => Ok(d.to_string()),
            None => self.current_db.clone().ok_or_else(|| {
                lakestar_engine::user_err!(NoDatabaseSelected, "No database selected")
            }),
        }
    }

    /// Back to the state of a new connection (COM_RESET_CONNECTION), keeping identity,
    /// database and the multi-statement option.
    pub fn reset(&mut self, globals: &Arc<GlobalVariables>) {
        self.variables = SessionVariables::new(globals);
        self.user_variables = UserVariableProvider::default();
        self.diagnostics.clear();
        self.in_transaction = false;
        self.writes_in_transaction = 0;
        self.prepared.clear();
        self.named_prepared.clear();
    }

    /// When the statement must stop: `query_timeout` (seconds, every statement) and
    /// `max_execution_time` (milliseconds, SELECT only, 0 = none), whichever comes first.
    pub fn deadline(
        &self,
        statement: &Statement,
        globals: &GlobalVariables,
    ) -> Option<tokio::time::Instant> {
        let now = tokio::time::Instant::now();
        let mut deadline = self
            .variables
            .get_int("query_timeout", globals)
            .filter(|s| *s > 0)
            .map(|s| now + std::time::Duration::from_secs(s as u64));
        if statement.is_select() {
            if let Some(ms) = self
                .variables
                .get_int("max_execution_time", globals)
                .filter(|ms| *ms > 0)
            {
                let d = now + std::time::Duration::from_millis(ms as u64);
                deadline = Some(deadline.map_or(d, |x| x.min(d)));
            }
        }
        deadline
    }

    /// `sql_select_limit`, when set below its unlimited default.
    pub fn select_limit(&self, globals: &GlobalVariables) -> Option<usize> {
        self.variables
            .get_int("sql_select_limit", globals)
            .filter(|n| *n >= 0 && *n < i64::MAX)
            .map(|n| n as usize)
    }
}

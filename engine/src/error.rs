//! The engine's error type, shared by every layer below the MySQL edge.
//!
//! An [`Error`] carries a [`ErrorKind`] (whose fault it is: the user's input, a feature we
//! do not have, a bug, a resource limit, a cancellation) and a [`Reason`] (what exactly went
//! wrong, precise enough that the frontend can map it to a MySQL error code and SQLSTATE in
//! one place). The message is for humans only: no caller matches on it.

use std::fmt;

/// Whose fault an error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The statement or its data is wrong; fixing the input fixes the error.
    User,
    /// The statement is valid but asks for something Lakestar does not implement yet.
    Unsupported,
    /// A bug in Lakestar; the message asks the user to report it.
    Internal,
    /// A memory, disk or time limit was hit.
    Resource,
    /// The statement was cancelled (KILL, timeout, shutdown).
    Cancelled,
}

/// What went wrong, in terms the MySQL edge maps to an error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Syntax,
    NoDatabaseSelected,
    UnknownDatabase,
    UnknownTable,
    /// DROP of a table that does not exist (MySQL 1051).
    UnknownTableToDrop,
    /// DROP of a database that does not exist (MySQL 1008).
    UnknownDatabaseToDrop,
    UnknownColumn,
    TableExists,
    DatabaseExists,
    DuplicateColumn,
    /// A value cannot be converted to the column's type (MySQL 1366).
    BadValue,
    /// A value is outside the column type's range (MySQL 1264).
    OutOfRange,
    /// A string value is longer than the column allows (MySQL 1406).
    DataTooLong,
    /// NULL written into a NOT NULL column (MySQL 1048).
    NotNull,
    /// A NOT NULL column without a default was left out of an INSERT (MySQL 1364).
    NoDefault,
    /// Column count of INSERT does not match value count (MySQL 1136).
    ValueCount,
    UnknownVariable,
    WrongVariableValue,
    /// A `time_zone` that is neither SYSTEM, an offset nor a known zone (MySQL 1298).
    UnknownTimeZone,
    /// A variable was set at a scope it does not have (MySQL 1228/1229).
    VariableScope,
    ReadOnlyVariable,
    InvalidDefinition,
    /// CREATE USER of an existing account, or DROP/ALTER of a missing one (MySQL 1396).
    UserExists,
    UnknownUser,
    /// Wrong user or password (MySQL 1045).
    AccessDenied,
    /// A view's column list and its query have different column counts (MySQL 1353).
    ViewColumnCount,
    /// KILL QUERY / KILL CONNECTION reached the statement (MySQL 1317).
    QueryInterrupted,
    /// `max_execution_time` / `query_timeout` elapsed (MySQL 3024).
    QueryTimeout,
    /// KILL of a connection id that does not exist (MySQL 1094).
    UnknownThread,
    /// EXECUTE / DEALLOCATE of an unknown prepared statement (MySQL 1243).
    UnknownPreparedStatement,
    /// Wrong number of parameters or arguments (MySQL 1210).
    WrongArguments,
    /// A value given for a generated column (MySQL 3105).
    GeneratedColumnValue,
    /// Dropping or changing a column a generated column uses (MySQL 3108).
    GeneratedColumnDependency,
    /// An integer result outside BIGINT's range (MySQL 1690).
    NumericOverflow,
    /// A statement nested too deeply to plan (MySQL 1436).
    TooDeep,
    /// A selected column is neither grouped nor aggregated (MySQL 1055, ONLY_FULL_GROUP_BY).
    NotInGroupBy,
    /// A scalar subquery returned more than one row (MySQL 1242).
    SubqueryRows,
    /// DROP DATABASE of a lake database that still holds tables (MySQL 1010).
    DatabaseNotEmpty,
    /// Another writer committed to the table first and the statement cannot be replayed
    /// on top of it (MySQL 1213, SQLSTATE 40001: retry the statement).
    WriteConflict,
    /// Lake storage failed: an object store or file system could not be read or written
    /// (MySQL 1030, "Got error from storage engine").
    Storage,
    Other,
}

/// The engine's error.
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    reason: Reason,
    message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, reason: Reason, message: impl Into<String>) -> Self {
        Self {
            kind,
            reason,
            message: message.into(),
        }
    }

    /// A user error with a specific reason.
    pub fn user(reason: Reason, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::User, reason, message)
    }

    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported, Reason::Other, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, Reason::Other, message)
    }

    /// Lake storage could not be read or written (unreachable, missing or damaged files).
    pub fn storage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Resource, Reason::Storage, message)
    }

    pub fn syntax(message: impl Into<String>) -> Self {
        Self::user(Reason::Syntax, message)
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn reason(&self) -> Reason {
        self.reason
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// Convert a DataFusion error, keeping an engine error that travelled inside it.
    pub fn from_datafusion(err: datafusion::error::DataFusionError) -> Self {
        use datafusion::error::DataFusionError as D;
        if let Some(inner) = find_engine_error(&err) {
            return inner.clone();
        }
        match err {
            D::SQL(e, _) => Self::syntax(e.to_string()),
            D::Plan(msg) if msg.starts_with("Column in SELECT must be in GROUP BY") => {
                Self::user(Reason::NotInGroupBy, msg)
            }
            D::Plan(msg) => Self::user(Reason::Other, msg),
            D::SchemaError(e, _) => {
                use datafusion::common::SchemaError as S;
                match e.as_ref() {
                    S::FieldNotFound { field, .. } => Self::user(
                        Reason::UnknownColumn,
                        format!("Unknown column '{}' in 'field list'", field.name),
                    ),
                    other => Self::user(Reason::Other, strip_backtrace(&other.to_string())),
                }
            }
            D::NotImplemented(msg) => Self::unsupported(msg),
            D::ResourcesExhausted(msg) => Self::new(ErrorKind::Resource, Reason::Other, msg),
            D::Internal(msg) => Self::internal(msg),
            // DataFusion's check of an uncorrelated scalar subquery.
            D::Execution(msg) if msg.starts_with("Scalar subquery returned more than one row") => {
                Self::user(Reason::SubqueryRows, "Subquery returns more than 1 row")
            }
            D::Context(ctx, inner) => {
                let e = Self::from_datafusion(*inner);
                Self::new(e.kind, e.reason, format!("{ctx}: {}", e.message))
            }
            D::Diagnostic(_, inner) => Self::from_datafusion(*inner),
            D::ArrowError(e, _) => match e.as_ref() {
                // A DataFusion error carried through an Arrow stream (a memory limit hit
                // while a batch was built, ...) keeps its kind.
                datafusion::arrow::error::ArrowError::ExternalError(inner)
                    if inner.is::<datafusion::error::DataFusionError>() =>
                {
                    let inner = inner
                        .downcast_ref::<datafusion::error::DataFusionError>()
                        .expect("checked above");
                    Self::from_datafusion(clone_datafusion_error(inner))
                }
                other => Self::user(Reason::Other, other.to_string()),
            },
            D::Shared(inner) => Self::from_datafusion(clone_datafusion_error(&inner)),
            D::ObjectStore(e) => Self::storage(e.to_string()),
            D::IoError(e) => Self::storage(e.to_string()),
            other => Self::user(Reason::Other, strip_backtrace(&other.to_string())),
        }
    }

    /// Wrap into a DataFusion error so it can cross DataFusion APIs and come back intact.
    pub fn into_datafusion(self) -> datafusion::error::DataFusionError {
        datafusion::error::DataFusionError::External(Box::new(self))
    }
}

/// A copy of the parts of a DataFusion error that decide its kind (errors are not Clone).
fn clone_datafusion_error(
    err: &datafusion::error::DataFusionError,
) -> datafusion::error::DataFusionError {
    use datafusion::error::DataFusionError as D;
    match err {
        D::ResourcesExhausted(m) => D::ResourcesExhausted(m.clone()),
        D::NotImplemented(m) => D::NotImplemented(m.clone()),
        D::Plan(m) => D::Plan(m.clone()),
        D::Internal(m) => D::Internal(m.clone()),
        D::Execution(m) => D::Execution(m.clone()),
        other => D::Execution(other.to_string()),
    }
}

fn strip_backtrace(s: &str) -> String {
    s.split("\n\nbacktrace").next().unwrap_or(s).to_string()
}

fn find_engine_error(err: &datafusion::error::DataFusionError) -> Option<&Error> {
    use datafusion::error::DataFusionError as D;
    match err {
        D::External(e) => e.downcast_ref::<Error>(),
        D::Context(_, inner) => find_engine_error(inner),
        D::Diagnostic(_, inner) => find_engine_error(inner),
        D::Shared(inner) => find_engine_error(inner),
        D::ArrowError(e, _) => match e.as_ref() {
            datafusion::arrow::error::ArrowError::ExternalError(inner) => inner
                .downcast_ref::<datafusion::error::DataFusionError>()
                .and_then(find_engine_error)
                .or_else(|| inner.downcast_ref::<Error>()),
            _ => None,
        },
        D::Collection(errs) => errs.iter().find_map(find_engine_error),
        _ => None,
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::Internal => write!(
                f,
                "Internal error: {}. This is a bug in Lakestar; please report it",
                self.message
            ),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

impl From<datafusion::error::DataFusionError> for Error {
    fn from(err: datafusion::error::DataFusionError) -> Self {
        Self::from_datafusion(err)
    }
}

impl From<sqlparser::parser::ParserError> for Error {
    fn from(err: sqlparser::parser::ParserError) -> Self {
        Self::syntax(err.to_string())
    }
}

/// Build a user error: `user_err!(UnknownTable, "Unknown table '{}'", name)`.
#[macro_export]
macro_rules! user_err {
    ($reason:ident, $($arg:tt)*) => {
        $crate::error::Error::user($crate::error::Reason::$reason, format!($($arg)*))
    };
}

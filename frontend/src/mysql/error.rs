//! The one place engine errors become MySQL error codes and SQLSTATEs.

use lakestar_engine::{Error, ErrorKind, Reason};

/// A MySQL error code with its SQLSTATE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MysqlCode {
    pub code: u16,
    pub sqlstate: &'static str,
}

const fn code(code: u16, sqlstate: &'static str) -> MysqlCode {
    MysqlCode { code, sqlstate }
}

pub const ER_ACCESS_DENIED: MysqlCode = code(1045, "28000");
pub const ER_UNKNOWN_COM: MysqlCode = code(1047, "08S01");
pub const ER_UNSUPPORTED_PS: MysqlCode = code(1295, "HY000");
pub const ER_UNKNOWN_ERROR: MysqlCode = code(1105, "HY000");
pub const ER_QUERY_INTERRUPTED: MysqlCode = code(1317, "70100");

/// The MySQL code for an engine error.
pub fn mysql_code(err: &Error) -> MysqlCode {
    match err.reason() {
        Reason::Syntax => code(1064, "42000"),
        Reason::NoDatabaseSelected => code(1046, "3D000"),
        Reason::UnknownDatabase => code(1049, "42000"),
        Reason::UnknownTable => code(1146, "42S02"),
        Reason::UnknownTableToDrop => code(1051, "42S02"),
        Reason::UnknownDatabaseToDrop => code(1008, "HY000"),
        Reason::UnknownColumn => code(1054, "42S22"),
        Reason::TableExists => code(1050, "42S01"),
        Reason::DatabaseExists => code(1007, "HY000"),
        Reason::DuplicateColumn => code(1060, "42S21"),
        Reason::BadValue => code(1366, "HY000"),
        Reason::OutOfRange => code(1264, "22003"),
        Reason::DataTooLong => code(1406, "22001"),
        Reason::NotNull => code(1048, "23000"),
        Reason::NoDefault => code(1364, "HY000"),
        Reason::ValueCount => code(1136, "21S01"),
        Reason::UnknownVariable => code(1193, "HY000"),
        Reason::WrongVariableValue => code(1231, "42000"),
        Reason::UnknownTimeZone => code(1298, "HY000"),
        Reason::VariableScope => code(1229, "HY000"),
        Reason::ReadOnlyVariable => code(1238, "HY000"),
        Reason::UserExists | Reason::UnknownUser => code(1396, "HY000"),
        Reason::ViewColumnCount => code(1353, "HY000"),
        Reason::AccessDenied => ER_ACCESS_DENIED,
        Reason::QueryInterrupted => ER_QUERY_INTERRUPTED,
        Reason::QueryTimeout => code(3024, "HY000"),
        Reason::UnknownThread => code(1094, "HY000"),
        Reason::UnknownPreparedStatement => code(1243, "HY000"),
        Reason::WrongArguments => code(1210, "HY000"),
        Reason::Storage => code(1030, "HY000"),
        Reason::NumericOverflow => code(1690, "22003"),
        Reason::TooDeep => code(1436, "HY000"),
        Reason::DatabaseNotEmpty => code(1010, "HY000"),
        Reason::SubqueryRows => code(1242, "21000"),
        Reason::NotInGroupBy => code(1055, "42000"),
        Reason::WriteConflict => code(1213, "40001"),
        Reason::GeneratedColumnValue => code(3105, "HY000"),
        Reason::GeneratedColumnDependency => code(3108, "HY000"),
        Reason::InvalidDefinition | Reason::Other => match err.kind() {
            ErrorKind::Cancelled => ER_QUERY_INTERRUPTED,
            ErrorKind::Resource => code(1041, "HY000"),
            _ => ER_UNKNOWN_ERROR,
        },
    }
}

/// The MySQL code of a warning.
pub fn warning_code(kind: lakestar_engine::warnings::WarningKind) -> u16 {
    use lakestar_engine::warnings::WarningKind as W;
    match kind {
        W::DivisionByZero => 1365,
        W::TruncatedValue => 1292,
        W::ResultTooLarge => 1301,
    }
}

/// Encode an ERR packet payload.
pub fn err_packet(code: MysqlCode, message: &str) -> Vec<u8> {
    let mut buf = Vec::with_capacity(message.len() + 9);
    buf.push(0xFF);
    buf.extend_from_slice(&code.code.to_le_bytes());
    buf.push(b'#');
    buf.extend_from_slice(code.sqlstate.as_bytes());
    buf.extend_from_slice(message.as_bytes());
    buf
}

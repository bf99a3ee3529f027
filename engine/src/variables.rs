//! The one typed registry of system variables.
//!
//! Every variable a client can read with `@@name`, set with `SET`, or list with
//! `SHOW VARIABLES` is declared once in [`REGISTRY`] with its scope, type, default and doc.
//! [`GlobalVariables`] holds server-wide values; [`SessionVariables`] holds one connection's
//! values, initialised from the globals when the connection opens (as in MySQL).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use crate::error::{Error, Reason, Result};

/// Server version reported to clients: a MySQL 8 version so drivers enable modern paths.
pub const SERVER_VERSION: &str = "8.0.33";
/// Lakestar's own version.
pub const LAKESTAR_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where a variable lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Server-wide only (`SET GLOBAL`).
    Global,
    /// Per session, with a global default (`SET [SESSION|GLOBAL]`).
    Both,
    /// Per session only.
    Session,
}

/// A variable's type, which decides how `SET` values are checked and normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarType {
    Bool,
    Int {
        min: i64,
        max: i64,
    },
    Str,
    /// A string that may be NULL; an empty default means NULL.
    OptionalStr,
    Enum(&'static [&'static str]),
    /// `SYSTEM`, an offset (`+08:00`) or a named zone (`Asia/Shanghai`).
    TimeZone,
}

/// A variable's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarValue {
    Int(i64),
    Str(String),
    Null,
}

impl fmt::Display for VarValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VarValue::Int(i) => write!(f, "{i}"),
            VarValue::Str(s) => f.write_str(s),
            VarValue::Null => Ok(()),
        }
    }
}

/// One declared variable.
#[derive(Debug)]
pub struct VarDef {
    pub name: &'static str,
    pub scope: Scope,
    pub ty: VarType,
    pub default: &'static str,
    pub read_only: bool,
    pub doc: &'static str,
}

impl VarDef {
    /// Check and normalise a value for this variable.
    pub fn normalize(&self, value: &VarValue) -> Result<VarValue> {
        let bad = || {
            Error::user(
                Reason::WrongVariableValue,
                format!(
                    "Variable '{}' can't be set to the value of '{}'",
                    self.name, value
                ),
            )
        };
        match (self.ty, value) {
            (VarType::Bool, VarValue::Int(i)) if *i == 0 || *i == 1 => Ok(VarValue::Int(*i)),
            (VarType::Bool, VarValue::Str(s)) => match s.to_ascii_lowercase().as_str() {
                "on" | "true" | "1" => Ok(VarValue::Int(1)),
                "off" | "false" | "0" => Ok(VarValue::Int(0)),
                _ => Err(bad()),
            },
            (VarType::Int { min, max }, VarValue::Int(i)) => {
                Ok(VarValue::Int((*i).clamp(min, max)))
            }
            (VarType::Int { min, max }, VarValue::Str(s)) => parse_int(s)
                .map(|i| VarValue::Int(i.clamp(min, max)))
                .ok_or_else(bad),
            (VarType::Str, VarValue::Str(s)) => Ok(VarValue::Str(s.clone())),
            (VarType::Str, VarValue::Int(i)) => Ok(VarValue::Str(i.to_string())),
            (VarType::Str | VarType::OptionalStr, VarValue::Null) => Ok(VarValue::Null),
            (VarType::OptionalStr, v) => Ok(VarValue::Str(v.to_string())),
            (VarType::TimeZone, v) => {
                time_zone(&v.to_string()).map(VarValue::Str).ok_or_else(|| {
                    Error::user(
                        Reason::UnknownTimeZone,
                        format!("Unknown or incorrect time zone: '{v}'"),
                    )
                })
            }
            (VarType::Enum(options), v) => {
                let text = v.to_string();
                options
                    .iter()
                    .find(|o| o.eq_ignore_ascii_case(&text))
                    .map(|o| VarValue::Str(o.to_string()))
                    .ok_or_else(bad)
            }
            _ => Err(bad()),
        }
    }

    fn default_value(&self) -> VarValue {
        match self.ty {
            VarType::Bool | VarType::Int { .. } => {
                VarValue::Int(parse_int(self.default).unwrap_or_default())
            }
            VarType::OptionalStr if self.default.is_empty() => VarValue::Null,
            _ => VarValue::Str(self.default.to_string()),
        }
    }
}

/// `text` as a `time_zone` value: `SYSTEM`, an offset from -13:59 to +14:00 (written
/// `+HH:MM`), or a zone name the time-zone database knows; `None` if it is none of these.
pub fn time_zone(text: &str) -> Option<String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("system") {
        return Some("SYSTEM".to_string());
    }
    if let Some(rest) = text.strip_prefix(['+', '-']) {
        let (hours, minutes) = rest.split_once(':')?;
        let (hours, minutes): (u32, u32) = (hours.parse().ok()?, minutes.parse().ok()?);
        let negative = text.starts_with('-');
        let total = hours * 60 + minutes;
        let in_range =
            minutes < 60 && (negative && total <= 13 * 60 + 59 || !negative && total <= 14 * 60);
        return in_range.then(|| format!("{}{hours:02}:{minutes:02}", &text[..1]));
    }
    use std::str::FromStr;
    datafusion::arrow::array::timezone::Tz::from_str(text)
        .ok()
        .map(|_| text.to_string())
}

/// An integer setting; values above `i64::MAX` (MySQL's 18446744073709551615 "no limit")
/// saturate.
fn parse_int(text: &str) -> Option<i64> {
    let text = text.trim();
    text.parse::<i64>().ok().or_else(|| {
        text.parse::<u64>()
            .ok()
            .map(|u| i64::try_from(u).unwrap_or(i64::MAX))
    })
}

const ISOLATION: &[&str] = &[
    "READ-UNCOMMITTED",
    "READ-COMMITTED",
    "REPEATABLE-READ",
    "SERIALIZABLE",
];
const I64: VarType = VarType::Int {
    min: 0,
    max: i64::MAX,
};

macro_rules! var {
    ($name:literal, $scope:ident, $ty:expr, $default:literal, $doc:literal) => {
        VarDef {
            name: $name,
            scope: Scope::$scope,
            ty: $ty,
            default: $default,
            read_only: false,
            doc: $doc,
        }
    };
    (ro $name:literal, $scope:ident, $ty:expr, $default:literal, $doc:literal) => {
        VarDef {
            name: $name,
            scope: Scope::$scope,
            ty: $ty,
            default: $default,
            read_only: true,
            doc: $doc,
        }
    };
}

/// Every system variable, sorted by name.
pub static REGISTRY: &[VarDef] = &[
    var!(
        "auto_increment_increment",
        Both,
        I64,
        "1",
        "Step of AUTO_INCREMENT values (read by JDBC drivers)."
    ),
    var!(
        "autocommit",
        Both,
        VarType::Bool,
        "1",
        "Every statement commits on its own; Lakestar always autocommits."
    ),
    var!(
        "character_set_client",
        Both,
        VarType::Str,
        "utf8mb4",
        "Character set of statements sent by the client."
    ),
    var!(
        "character_set_connection",
        Both,
        VarType::Str,
        "utf8mb4",
        "Character set literals are converted to."
    ),
    var!(
        "character_set_database",
        Both,
        VarType::Str,
        "utf8mb4",
        "Character set of the default database."
    ),
    var!(
        "character_set_results",
        Both,
        VarType::Str,
        "utf8mb4",
        "Character set of results sent to the client."
    ),
    var!(
        "character_set_server",
        Both,
        VarType::Str,
        "utf8mb4",
        "Server default character set."
    ),
    var!(ro "character_set_system", Global, VarType::Str, "utf8mb3", "Character set of identifiers."),
    var!(
        "collation_connection",
        Both,
        VarType::Str,
        "utf8mb4_0900_bin",
        "Collation of the connection character set."
    ),
    var!(
        "collation_database",
        Both,
        VarType::Str,
        "utf8mb4_0900_bin",
        "Collation of the default database."
    ),
    var!(
        "collation_server",
        Both,
        VarType::Str,
        "utf8mb4_0900_bin",
        "Server default collation."
    ),
    var!(
        "default_storage_engine",
        Both,
        VarType::Str,
        "OLAP",
        "Engine of new tables."
    ),
    var!(
        "div_precision_increment",
        Both,
        VarType::Int { min: 0, max: 30 },
        "4",
        "Digits added to the scale of a division result."
    ),
    var!(
        "enable_generated_column_rewrite",
        Both,
        VarType::Bool,
        "1",
        "Read a generated column wherever a query computes its expression."
    ),
    var!(
        "enable_materialized_view_rewrite",
        Both,
        VarType::Bool,
        "1",
        "Answer queries from fresh asynchronous materialized views (StarRocks name)."
    ),
    var!(
        "enable_profile",
        Both,
        VarType::Bool,
        "0",
        "Collect a query profile (StarRocks name)."
    ),
    var!(
        "group_concat_max_len",
        Both,
        I64,
        "1024",
        "Maximum length of a GROUP_CONCAT result."
    ),
    var!(ro "have_query_cache", Global, VarType::Str, "NO", "Whether the query cache exists."),
    var!(
        "init_connect",
        Global,
        VarType::Str,
        "",
        "Statements run for every new connection."
    ),
    var!(
        "interactive_timeout",
        Both,
        I64,
        "3600",
        "Seconds an interactive connection may idle."
    ),
    var!(
        "language",
        Global,
        VarType::Str,
        "/lakestar/share/english/",
        "Directory of error messages."
    ),
    var!(ro "license", Global, VarType::Str, "Apache License 2.0", "License of the server."),
    var!(ro "lower_case_table_names", Global, VarType::Int { min: 0, max: 2 }, "1", "Names of databases and tables are stored in lowercase and compared case-insensitively."),
    var!(
        "max_allowed_packet",
        Both,
        VarType::Int {
            min: 1024,
            max: 1_073_741_824
        },
        "67108864",
        "Largest packet the server accepts or sends."
    ),
    var!(
        "max_execution_time",
        Both,
        I64,
        "0",
        "Milliseconds a SELECT may run; 0 is unlimited."
    ),
    var!(
        "net_buffer_length",
        Both,
        I64,
        "16384",
        "Initial size of the connection buffer."
    ),
    var!(
        "net_read_timeout",
        Both,
        I64,
        "60",
        "Seconds to wait for more data from the client."
    ),
    var!(
        "net_write_timeout",
        Both,
        I64,
        "60",
        "Seconds to wait to write a block to the client."
    ),
    var!(
        "performance_schema",
        Global,
        VarType::Bool,
        "0",
        "Whether performance_schema is enabled."
    ),
    var!(
        "query_cache_size",
        Global,
        I64,
        "0",
        "Query cache size (no query cache: always 0)."
    ),
    var!(
        "query_cache_type",
        Both,
        VarType::Enum(&["OFF", "ON", "DEMAND"]),
        "OFF",
        "Query cache mode."
    ),
    var!(
        "query_timeout",
        Both,
        VarType::Int {
            min: 1,
            max: 259200
        },
        "300",
        "Seconds a query may run (StarRocks name)."
    ),
    var!(ro "socket", Global, VarType::OptionalStr, "", "Unix socket path; NULL: Lakestar listens on TCP only."),
    var!(
        "sql_mode",
        Both,
        VarType::Str,
        "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION",
        "SQL mode flags."
    ),
    var!(
        "sql_safe_updates",
        Both,
        VarType::Bool,
        "0",
        "Refuse UPDATE/DELETE without a key."
    ),
    var!(
        "sql_select_limit",
        Both,
        VarType::Int {
            min: 0,
            max: i64::MAX
        },
        "18446744073709551615",
        "Largest number of rows a SELECT returns."
    ),
    var!(ro "system_time_zone", Global, VarType::Str, "UTC", "Time zone of the server host."),
    var!(
        "time_zone",
        Both,
        VarType::TimeZone,
        "SYSTEM",
        "Session time zone."
    ),
    var!(
        "transaction_isolation",
        Both,
        VarType::Enum(ISOLATION),
        "REPEATABLE-READ",
        "Transaction isolation level."
    ),
    var!(
        "transaction_read_only",
        Both,
        VarType::Bool,
        "0",
        "Whether transactions are read-only."
    ),
    var!(
        "tx_isolation",
        Both,
        VarType::Enum(ISOLATION),
        "REPEATABLE-READ",
        "Alias of transaction_isolation (MySQL 5.x drivers)."
    ),
    var!(
        "tx_read_only",
        Both,
        VarType::Bool,
        "0",
        "Alias of transaction_read_only."
    ),
    var!(ro "version", Global, VarType::Str, "8.0.33", "Server version reported to clients."),
    var!(ro "version_comment", Global, VarType::Str, "Lakestar", "Server description shown by the mysql CLI."),
    var!(ro "version_compile_os", Global, VarType::Str, "Linux", "Operating system the server was built for."),
    var!(
        "wait_timeout",
        Both,
        I64,
        "28800",
        "Seconds a connection may idle."
    ),
];

/// Look up a variable by name (case-insensitive).
pub fn lookup(name: &str) -> Option<&'static VarDef> {
    REGISTRY.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

fn unknown(name: &str) -> Error {
    Error::user(
        Reason::UnknownVariable,
        format!("Unknown system variable '{name}'"),
    )
}

fn version_comment() -> String {
    format!("Lakestar {LAKESTAR_VERSION}")
}

/// Look up a variable for `SET [GLOBAL]` and normalise the value, refusing read-only
/// variables and the wrong scope.
fn checked_assignment(
    name: &str,
    value: &VarValue,
    global: bool,
) -> Result<(&'static VarDef, VarValue)> {
    let def = lookup(name).ok_or_else(|| unknown(name))?;
    if def.read_only {
        return Err(Error::user(
            Reason::ReadOnlyVariable,
            format!("Variable '{}' is a read only variable", def.name),
        ));
    }
    let wrong_scope = match (global, def.scope) {
        (true, Scope::Session) => Some("a SESSION variable and can't be used with SET GLOBAL"),
        (false, Scope::Global) => Some("a GLOBAL variable and should be set with SET GLOBAL"),
        _ => None,
    };
    if let Some(what) = wrong_scope {
        return Err(Error::user(
            Reason::VariableScope,
            format!("Variable '{}' is {what}", def.name),
        ));
    }
    Ok((def, def.normalize(value)?))
}

/// Server-wide values.
#[derive(Debug, Default)]
pub struct GlobalVariables {
    values: RwLock<BTreeMap<&'static str, VarValue>>,
}

impl GlobalVariables {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn get(&self, name: &str) -> Result<VarValue> {
        let def = lookup(name).ok_or_else(|| unknown(name))?;
        if def.scope == Scope::Session {
            return Err(Error::user(
                Reason::VariableScope,
                format!("Variable '{}' is a SESSION variable", def.name),
            ));
        }
        Ok(self.value_of(def))
    }

    fn value_of(&self, def: &'static VarDef) -> VarValue {
        if def.name == "version_comment" {
            return VarValue::Str(version_comment());
        }
        self.values
            .read()
            .expect("variables lock")
            .get(def.name)
            .cloned()
            .unwrap_or_else(|| def.default_value())
    }

    pub fn set(&self, name: &str, value: &VarValue) -> Result<()> {
        let (def, v) = checked_assignment(name, value, true)?;
        self.values
            .write()
            .expect("variables lock")
            .insert(def.name, v);
        Ok(())
    }
}

/// One session's values; unset variables fall back to the global value captured at connect.
#[derive(Debug, Clone)]
pub struct SessionVariables {
    values: BTreeMap<&'static str, VarValue>,
}

impl SessionVariables {
    /// Snapshot the global values, as MySQL does when a session starts.
    pub fn new(globals: &GlobalVariables) -> Self {
        let values = REGISTRY
            .iter()
            .filter(|d| d.scope != Scope::Global)
            .map(|d| (d.name, globals.value_of(d)))
            .collect();
        Self { values }
    }

    /// The session value, or the global value of a global-only variable.
    pub fn get(&self, name: &str, globals: &GlobalVariables) -> Result<VarValue> {
        let def = lookup(name).ok_or_else(|| unknown(name))?;
        Ok(match self.values.get(def.name) {
            Some(v) => v.clone(),
            None => globals.value_of(def),
        })
    }

    pub fn set(&mut self, name: &str, value: &VarValue) -> Result<()> {
        let (def, v) = checked_assignment(name, value, false)?;
        // Keep aliases in step.
        let alias = match def.name {
            "transaction_isolation" => Some("tx_isolation"),
            "tx_isolation" => Some("transaction_isolation"),
            "transaction_read_only" => Some("tx_read_only"),
            "tx_read_only" => Some("transaction_read_only"),
            _ => None,
        };
        if let Some(a) = alias {
            self.values.insert(a, v.clone());
        }
        self.values.insert(def.name, v);
        Ok(())
    }

    /// All variables with their session-visible values, sorted by name.
    pub fn all(&self, globals: &GlobalVariables) -> Vec<(&'static str, VarValue)> {
        REGISTRY
            .iter()
            .map(|d| {
                let v = self
                    .values
                    .get(d.name)
                    .cloned()
                    .unwrap_or_else(|| globals.value_of(d));
                (d.name, v)
            })
            .collect()
    }

    /// An integer variable's value, for engine settings such as `sql_select_limit`.
    pub fn get_int(&self, name: &str, globals: &GlobalVariables) -> Option<i64> {
        match self.get(name, globals).ok()? {
            VarValue::Int(i) => Some(i),
            VarValue::Str(s) => s.parse().ok(),
            VarValue::Null => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_and_unique() {
        for pair in REGISTRY.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} !< {}",
                pair[0].name,
                pair[1].name
            );
        }
    }

    #[test]
    fn session_set_and_scope_rules() {
        let g = GlobalVariables::new();
        let mut s = SessionVariables::new(&g);
        s.set("autocommit", &VarValue::Str("OFF".into())).unwrap();
        assert_eq!(s.get("AUTOCOMMIT", &g).unwrap(), VarValue::Int(0));
        assert!(s.set("version", &VarValue::Str("x".into())).is_err());
        assert!(s.set("no_such_var", &VarValue::Int(1)).is_err());
        g.set("wait_timeout", &VarValue::Int(10)).unwrap();
        assert_eq!(
            SessionVariables::new(&g).get("wait_timeout", &g).unwrap(),
            VarValue::Int(10)
        );
        assert_eq!(s.get("wait_timeout", &g).unwrap(), VarValue::Int(28800));
    }
}

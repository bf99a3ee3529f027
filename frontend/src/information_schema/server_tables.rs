//! information_schema tables about the server: engines, collations, character sets,
//! keywords, variables, the process list; and the rows of SHOW PLUGINS / SHOW STATUS.

use lakestar_engine::variables::{VarValue, REGISTRY};

use super::rows::{Cell, Kind, Kind::Int as I, Kind::Text as T, Rows};
use super::SystemSources;

pub const ENGINES: &[(&str, Kind)] = &[
    ("ENGINE", T),
    ("SUPPORT", T),
    ("COMMENT", T),
    ("TRANSACTIONS", T),
    ("XA", T),
    ("SAVEPOINTS", T),
];

pub const COLLATIONS: &[(&str, Kind)] = &[
    ("COLLATION_NAME", T),
    ("CHARACTER_SET_NAME", T),
    ("ID", I),
    ("IS_DEFAULT", T),
    ("IS_COMPILED", T),
    ("SORTLEN", I),
    ("PAD_ATTRIBUTE", T),
];

pub const CHARACTER_SETS: &[(&str, Kind)] = &[
    ("CHARACTER_SET_NAME", T),
    ("DEFAULT_COLLATE_NAME", T),
    ("DESCRIPTION", T),
    ("MAXLEN", I),
];

pub const KEYWORDS: &[(&str, Kind)] = &[("WORD", T), ("RESERVED", I)];

pub const VARIABLES: &[(&str, Kind)] = &[("VARIABLE_NAME", T), ("VARIABLE_VALUE", T)];

pub const PROCESSLIST: &[(&str, Kind)] = &[
    ("ID", I),
    ("USER", T),
    ("HOST", T),
    ("DB", T),
    ("COMMAND", T),
    ("TIME", I),
    ("STATE", T),
    ("INFO", T),
];

/// Lakestar's caches of lake reads (metadata and data blocks), one row per cache.
pub const CACHE_STATS: &[(&str, Kind)] = &[
    ("CACHE_NAME", T),
    ("CAPACITY_BYTES", I),
    ("USED_BYTES", I),
    ("ENTRIES", I),
    ("HITS", I),
    ("MISSES", I),
];

pub const PLUGINS: &[(&str, Kind)] = &[
    ("Name", T),
    ("Status", T),
    ("Type", T),
    ("Library", T),
    ("License", T),
];

pub const STATUS: &[(&str, Kind)] = &[("Variable_name", T), ("Value", T)];

/// (name, character set, id, is default). Id 33 (`utf8_general_ci`) is what the server
/// announces in its handshake and what Power BI and ODBC drivers look up.
pub const COLLATION_LIST: &[(&str, &str, i64, bool)] = &[
    ("ascii_general_ci", "ascii", 11, true),
    ("binary", "binary", 63, true),
    ("latin1_swedish_ci", "latin1", 8, true),
    ("utf8_bin", "utf8", 83, false),
    ("utf8_general_ci", "utf8", 33, true),
    ("utf8mb4_0900_ai_ci", "utf8mb4", 255, false),
    ("utf8mb4_bin", "utf8mb4", 46, false),
    ("utf8mb4_general_ci", "utf8mb4", 45, true),
];

/// (name, default collation, description, max bytes per character).
pub const CHARSET_LIST: &[(&str, &str, &str, i64)] = &[
    ("ascii", "ascii_general_ci", "US ASCII", 1),
    ("binary", "binary", "Binary pseudo charset", 1),
    ("latin1", "latin1_swedish_ci", "cp1252 West European", 1),
    ("utf8", "utf8_general_ci", "UTF-8 Unicode", 3),
    ("utf8mb4", "utf8mb4_general_ci", "UTF-8 Unicode", 4),
];

/// MySQL 8 reserved words (a keyword not listed here is reported as non-reserved).
const RESERVED: &[&str] = &[
    "ADD",
    "ALL",
    "ALTER",
    "AND",
    "AS",
    "ASC",
    "BETWEEN",
    "BIGINT",
    "BY",
    "CASE",
    "CAST",
    "CHAR",
    "CHECK",
    "COLUMN",
    "CREATE",
    "CROSS",
    "CURRENT_DATE",
    "CURRENT_TIMESTAMP",
    "DATABASE",
    "DATABASES",
    "DECIMAL",
    "DEFAULT",
    "DELETE",
    "DESC",
    "DESCRIBE",
    "DISTINCT",
    "DOUBLE",
    "DROP",
    "ELSE",
    "EXISTS",
    "EXPLAIN",
    "FALSE",
    "FLOAT",
    "FOR",
    "FROM",
    "FULL",
    "GROUP",
    "HAVING",
    "IF",
    "IN",
    "INDEX",
    "INNER",
    "INSERT",
    "INT",
    "INTEGER",
    "INTERVAL",
    "INTO",
    "IS",
    "JOIN",
    "KEY",
    "KEYS",
    "KILL",
    "LEFT",
    "LIKE",
    "LIMIT",
    "NOT",
    "NULL",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "OVER",
    "PARTITION",
    "PRIMARY",
    "RANGE",
    "RIGHT",
    "SCHEMA",
    "SELECT",
    "SET",
    "SHOW",
    "SMALLINT",
    "TABLE",
    "THEN",
    "TINYINT",
    "TO",
    "TRUE",
    "UNION",
    "UNIQUE",
    "UPDATE",
    "USE",
    "USING",
    "VALUES",
    "VARCHAR",
    "WHEN",
    "WHERE",
    "WITH",
];

pub fn engines() -> Rows {
    let mut rows = Rows::new(ENGINES);
    rows.push(vec![
        "OLAP".into(),
        "DEFAULT".into(),
        "Lakestar internal tables, stored as Apache Paimon tables; each statement is atomic".into(),
        "NO".into(),
        "NO".into(),
        "NO".into(),
    ]);
    rows
}

pub fn collations() -> Rows {
    let mut rows = Rows::new(COLLATIONS);
    for (name, charset, id, default) in COLLATION_LIST {
        rows.push(vec![
            (*name).into(),
            (*charset).into(),
            (*id).into(),
            if *default { "Yes" } else { "" }.into(),
            "Yes".into(),
            1.into(),
            "PAD SPACE".into(),
        ]);
    }
    rows
}

pub fn character_sets() -> Rows {
    let mut rows = Rows::new(CHARACTER_SETS);
    for (name, collation, description, maxlen) in CHARSET_LIST {
        rows.push(vec![
            (*name).into(),
            (*collation).into(),
            (*description).into(),
            (*maxlen).into(),
        ]);
    }
    rows
}

pub fn keywords() -> Rows {
    let mut rows = Rows::new(KEYWORDS);
    for word in sqlparser::keywords::ALL_KEYWORDS {
        rows.push(vec![
            (*word).into(),
            i64::from(RESERVED.contains(word)).into(),
        ]);
    }
    rows
}

fn variable_value(v: &VarValue) -> Cell {
    match v {
        VarValue::Null => Cell::Null,
        other => Cell::Text(other.to_string()),
    }
}

pub fn global_variables(sources: &SystemSources) -> Rows {
    let mut rows = Rows::new(VARIABLES);
    for def in REGISTRY.iter() {
        if let Ok(v) = sources.globals.get(def.name) {
            rows.push(vec![def.name.into(), variable_value(&v)]);
        }
    }
    rows
}

pub fn session_variables(sources: &SystemSources) -> Rows {
    let mut rows = Rows::new(VARIABLES);
    for (name, v) in sources.session_variables.all(&sources.globals) {
        rows.push(vec![name.into(), variable_value(&v)]);
    }
    rows
}

pub fn cache_stats(sources: &SystemSources) -> Rows {
    let mut rows = Rows::new(CACHE_STATS);
    let int = |v: u64| Cell::Int(i64::try_from(v).unwrap_or(i64::MAX));
    for c in sources.external.cache_stats() {
        rows.push(vec![
            c.name.into(),
            int(c.capacity_bytes),
            int(c.used_bytes),
            int(c.entries),
            int(c.hits),
            int(c.misses),
        ]);
    }
    rows
}

pub fn processlist(sources: &SystemSources) -> Rows {
    let mut rows = Rows::new(PROCESSLIST);
    for p in sources.processes.all() {
        let a = p.activity();
        rows.push(vec![
            i64::from(p.id).into(),
            a.user.into(),
            p.host.as_str().into(),
            a.db.into(),
            a.command.into(),
            (a.since.elapsed().as_secs() as i64).into(),
            if a.info.is_some() { "executing" } else { "" }.into(),
            a.info.into(),
        ]);
    }
    rows
}

pub fn plugins() -> Rows {
    let mut rows = Rows::new(PLUGINS);
    for (name, kind) in [
        ("mysql_native_password", "AUTHENTICATION"),
        ("caching_sha2_password", "AUTHENTICATION"),
        ("OLAP", "STORAGE ENGINE"),
    ] {
        rows.push(vec![
            name.into(),
            "ACTIVE".into(),
            kind.into(),
            Cell::Null,
            "Apache-2.0".into(),
        ]);
    }
    rows
}

pub fn status(sources: &SystemSources) -> Rows {
    use std::sync::atomic::Ordering::Relaxed;
    let mut rows = Rows::new(STATUS);
    let threads = sources.processes.all().len() as i64;
    let running = sources
        .processes
        .all()
        .iter()
        .filter(|p| p.activity().info.is_some())
        .count() as i64;
    for (name, value) in [
        ("Aborted_connects", 0),
        (
            "Connections",
            sources.processes.connections.load(Relaxed) as i64,
        ),
        (
            "Questions",
            sources.processes.questions.load(Relaxed) as i64,
        ),
        ("Threads_connected", threads),
        ("Threads_running", running),
        ("Uptime", sources.started.elapsed().as_secs() as i64),
    ] {
        rows.push(vec![name.into(), value.to_string().into()]);
    }
    rows
}

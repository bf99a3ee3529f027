//! information_schema tables that describe catalog objects, in MySQL 8's layout (plus
//! StarRocks' `COLUMN_SIZE` / `DECIMAL_DIGITS` in COLUMNS).

use lakestar_engine::catalog::{ColumnMeta, Distribution, KeysType, TableMeta, ViewMeta};
use lakestar_engine::types::SqlType;
use lakestar_engine::Result;

use super::rows::{Cell, Kind, Kind::Int as I, Kind::Text as T, Rows};
use super::{external_tables, SystemSources, INFORMATION_SCHEMA, TABLE_NAMES};

pub const SCHEMATA: &[(&str, Kind)] = &[
    ("CATALOG_NAME", T),
    ("SCHEMA_NAME", T),
    ("DEFAULT_CHARACTER_SET_NAME", T),
    ("DEFAULT_COLLATION_NAME", T),
    ("SQL_PATH", T),
    ("DEFAULT_ENCRYPTION", T),
];

pub const TABLES: &[(&str, Kind)] = &[
    ("TABLE_CATALOG", T),
    ("TABLE_SCHEMA", T),
    ("TABLE_NAME", T),
    ("TABLE_TYPE", T),
    ("ENGINE", T),
    ("VERSION", I),
    ("ROW_FORMAT", T),
    ("TABLE_ROWS", I),
    ("AVG_ROW_LENGTH", I),
    ("DATA_LENGTH", I),
    ("MAX_DATA_LENGTH", I),
    ("INDEX_LENGTH", I),
    ("DATA_FREE", I),
    ("AUTO_INCREMENT", I),
    ("CREATE_TIME", T),
    ("UPDATE_TIME", T),
    ("CHECK_TIME", T),
    ("TABLE_COLLATION", T),
    ("CHECKSUM", I),
    ("CREATE_OPTIONS", T),
    ("TABLE_COMMENT", T),
];

pub const COLUMNS: &[(&str, Kind)] = &[
    ("TABLE_CATALOG", T),
    ("TABLE_SCHEMA", T),
    ("TABLE_NAME", T),
    ("COLUMN_NAME", T),
    ("ORDINAL_POSITION", I),
    ("COLUMN_DEFAULT", T),
    ("IS_NULLABLE", T),
    ("DATA_TYPE", T),
    ("CHARACTER_MAXIMUM_LENGTH", I),
    ("CHARACTER_OCTET_LENGTH", I),
    ("NUMERIC_PRECISION", I),
    ("NUMERIC_SCALE", I),
    ("DATETIME_PRECISION", I),
    ("CHARACTER_SET_NAME", T),
    ("COLLATION_NAME", T),
    ("COLUMN_TYPE", T),
    ("COLUMN_KEY", T),
    ("EXTRA", T),
    ("PRIVILEGES", T),
    ("COLUMN_COMMENT", T),
    ("GENERATION_EXPRESSION", T),
    ("SRS_ID", I),
    ("COLUMN_SIZE", I),
    ("DECIMAL_DIGITS", I),
];

pub const STATISTICS: &[(&str, Kind)] = &[
    ("TABLE_CATALOG", T),
    ("TABLE_SCHEMA", T),
    ("TABLE_NAME", T),
    ("NON_UNIQUE", I),
    ("INDEX_SCHEMA", T),
    ("INDEX_NAME", T),
    ("SEQ_IN_INDEX", I),
    ("COLUMN_NAME", T),
    ("COLLATION", T),
    ("CARDINALITY", I),
    ("SUB_PART", I),
    ("PACKED", T),
    ("NULLABLE", T),
    ("INDEX_TYPE", T),
    ("COMMENT", T),
    ("INDEX_COMMENT", T),
    ("IS_VISIBLE", T),
    ("EXPRESSION", T),
];

pub const KEY_COLUMN_USAGE: &[(&str, Kind)] = &[
    ("CONSTRAINT_CATALOG", T),
    ("CONSTRAINT_SCHEMA", T),
    ("CONSTRAINT_NAME", T),
    ("TABLE_CATALOG", T),
    ("TABLE_SCHEMA", T),
    ("TABLE_NAME", T),
    ("COLUMN_NAME", T),
    ("ORDINAL_POSITION", I),
    ("POSITION_IN_UNIQUE_CONSTRAINT", I),
    ("REFERENCED_TABLE_SCHEMA", T),
    ("REFERENCED_TABLE_NAME", T),
    ("REFERENCED_COLUMN_NAME", T),
];

pub const TABLE_CONSTRAINTS: &[(&str, Kind)] = &[
    ("CONSTRAINT_CATALOG", T),
    ("CONSTRAINT_SCHEMA", T),
    ("CONSTRAINT_NAME", T),
    ("TABLE_SCHEMA", T),
    ("TABLE_NAME", T),
    ("CONSTRAINT_TYPE", T),
    ("ENFORCED", T),
];

pub const VIEWS: &[(&str, Kind)] = &[
    ("TABLE_CATALOG", T),
    ("TABLE_SCHEMA", T),
    ("TABLE_NAME", T),
    ("VIEW_DEFINITION", T),
    ("CHECK_OPTION", T),
    ("IS_UPDATABLE", T),
    ("DEFINER", T),
    ("SECURITY_TYPE", T),
    ("CHARACTER_SET_CLIENT", T),
    ("COLLATION_CONNECTION", T),
];

pub const REFERENTIAL_CONSTRAINTS: &[(&str, Kind)] = &[
    ("CONSTRAINT_CATALOG", T),
    ("CONSTRAINT_SCHEMA", T),
    ("CONSTRAINT_NAME", T),
    ("UNIQUE_CONSTRAINT_CATALOG", T),
    ("UNIQUE_CONSTRAINT_SCHEMA", T),
    ("UNIQUE_CONSTRAINT_NAME", T),
    ("MATCH_OPTION", T),
    ("UPDATE_RULE", T),
    ("DELETE_RULE", T),
    ("TABLE_NAME", T),
    ("REFERENCED_TABLE_NAME", T),
];

pub const ROUTINES: &[(&str, Kind)] = &[
    ("SPECIFIC_NAME", T),
    ("ROUTINE_CATALOG", T),
    ("ROUTINE_SCHEMA", T),
    ("ROUTINE_NAME", T),
    ("ROUTINE_TYPE", T),
    ("DATA_TYPE", T),
    ("ROUTINE_DEFINITION", T),
    ("ROUTINE_COMMENT", T),
    ("DEFINER", T),
];

/// StarRocks' `information_schema.tables_config` (read by the `starrocks` SQLAlchemy
/// dialect and other StarRocks tooling).
pub const TABLES_CONFIG: &[(&str, Kind)] = &[
    ("TABLE_SCHEMA", T),
    ("TABLE_NAME", T),
    ("TABLE_ENGINE", T),
    ("TABLE_MODEL", T),
    ("PRIMARY_KEY", T),
    ("PARTITION_KEY", T),
    ("DISTRIBUTE_KEY", T),
    ("DISTRIBUTE_TYPE", T),
    ("DISTRIBUTE_BUCKET", I),
    ("SORT_KEY", T),
    ("PROPERTIES", T),
    ("TABLE_ID", I),
];

const DEF: &str = "def";

fn databases(sources: &SystemSources) -> Vec<String> {
    sources
        .catalog
        .snapshot()
        .databases
        .keys()
        .cloned()
        .collect()
}

fn tables(sources: &SystemSources) -> Vec<TableMeta> {
    sources
        .catalog
        .snapshot()
        .databases
        .values()
        .flat_map(|d| d.tables.values().cloned())
        .collect()
}

fn views(sources: &SystemSources) -> Vec<ViewMeta> {
    sources
        .catalog
        .snapshot()
        .databases
        .values()
        .flat_map(|d| d.views.values().cloned())
        .collect()
}

/// information_schema.VIEWS.
pub fn views_table(sources: &SystemSources) -> Rows {
    let mut rows = Rows::new(VIEWS);
    for view in views(sources) {
        rows.push(vec![
            DEF.into(),
            view.database.as_str().into(),
            view.name.as_str().into(),
            view.definition.as_str().into(),
            "NONE".into(),
            "NO".into(),
            "root@%".into(),
            "DEFINER".into(),
            "utf8mb4".into(),
            "utf8mb4_general_ci".into(),
        ]);
    }
    rows
}

fn create_time(meta: &TableMeta) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(meta.create_time_ms)
        .map(|t| t.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string())
}

pub fn schemata(sources: &SystemSources) -> Rows {
    let mut rows = Rows::new(SCHEMATA);
    let mut names = vec![(DEF.to_string(), INFORMATION_SCHEMA.to_string())];
    names.extend(databases(sources).into_iter().map(|d| (DEF.to_string(), d)));
    names.extend(
        external_tables::databases(sources)
            .into_iter()
            .map(|d| (d.catalog, d.name)),
    );
    for (catalog, name) in names {
        rows.push(vec![
            catalog.into(),
            name.into(),
            "utf8mb4".into(),
            "utf8mb4_general_ci".into(),
            Cell::Null,
            "NO".into(),
        ]);
    }
    rows
}

pub async fn tables_table(sources: &SystemSources) -> Result<Rows> {
    let mut rows = Rows::new(TABLES);
    for name in TABLE_NAMES {
        rows.push(table_row(
            INFORMATION_SCHEMA,
            &name.to_ascii_uppercase(),
            "SYSTEM VIEW",
            "MEMORY",
            None,
            None,
            "",
        ));
    }
    for view in views(sources) {
        rows.push(table_row(
            &view.database,
            &view.name,
            "VIEW",
            "",
            None,
            chrono::DateTime::from_timestamp_millis(view.create_time_ms)
                .map(|t| t.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string()),
            view.comment.as_deref().unwrap_or("VIEW"),
        ));
    }
    for table in external_tables::tables(sources, false).await {
        let mut row = table_row(
            &table.database,
            &table.name,
            "BASE TABLE",
            &table.catalog_type.to_ascii_uppercase(),
            None,
            None,
            "",
        );
        row[0] = table.catalog.into();
        rows.push(row);
    }
    for meta in tables(sources) {
        let count = sources.storage.row_count(&meta).await.ok().flatten();
        rows.push(table_row(
            &meta.database,
            &meta.name,
            "BASE TABLE",
            "OLAP",
            count.map(|c| c as i64),
            create_time(&meta),
            meta.comment.as_deref().unwrap_or(""),
        ));
    }
    Ok(rows)
}

fn table_row(
    schema: &str,
    name: &str,
    table_type: &str,
    engine: &str,
    table_rows: Option<i64>,
    created: Option<String>,
    comment: &str,
) -> Vec<Cell> {
    vec![
        DEF.into(),
        schema.into(),
        name.into(),
        table_type.into(),
        engine.into(),
        10.into(),
        "Dynamic".into(),
        table_rows.into(),
        Cell::Int(0),
        Cell::Int(0),
        Cell::Int(0),
        Cell::Int(0),
        Cell::Int(0),
        Cell::Null,
        created.into(),
        Cell::Null,
        Cell::Null,
        "utf8mb4_general_ci".into(),
        Cell::Null,
        "".into(),
        comment.into(),
    ]
}

fn key_name(meta: &TableMeta) -> Option<&'static str> {
    match meta.keys_type {
        KeysType::Primary => Some("PRIMARY"),
        KeysType::Unique => Some("UNIQUE"),
        KeysType::Duplicate => None,
    }
}

pub async fn columns(sources: &SystemSources) -> Rows {
    let mut rows = Rows::new(COLUMNS);
    for table in external_tables::tables(sources, true).await {
        let Some(schema) = &table.schema else {
            continue;
        };
        for (i, field) in schema.fields().iter().enumerate() {
            let t = SqlType::from_arrow(field.data_type()).unwrap_or(SqlType::String);
            let mut row = column_row(
                &table.database,
                &table.name,
                i,
                &ColumnMeta::new(field.name().clone(), t, field.is_nullable()),
                "",
            );
            row[0] = table.catalog.as_str().into();
            rows.push(row);
        }
    }
    for view in views(sources) {
        for (i, c) in view.column_types.iter().enumerate() {
            rows.push(column_row(&view.database, &view.name, i, c, ""));
        }
    }
    for meta in tables(sources) {
        for (i, c) in meta.columns.iter().enumerate() {
            let is_key = meta.key_columns.contains(&c.name);
            let column_key = match (is_key, meta.keys_type) {
                (true, KeysType::Primary) => "PRI",
                (true, KeysType::Unique) => "UNI",
                (true, KeysType::Duplicate) => "DUP",
                (false, _) => "",
            };
            rows.push(column_row(&meta.database, &meta.name, i, c, column_key));
        }
    }
    rows
}

/// One row of COLUMNS.
fn column_row(
    database: &str,
    table: &str,
    index: usize,
    c: &ColumnMeta,
    column_key: &str,
) -> Vec<Cell> {
    let t = c.sql_type;
    let chars = t.char_length().map(|n| n as i64);
    let (precision, scale) = t
        .numeric_precision_scale()
        .map_or((None, None), |(p, s)| (Some(p as i64), Some(s as i64)));
    let datetime_precision = matches!(t, SqlType::DateTime).then_some(0i64);
    vec![
        DEF.into(),
        database.into(),
        table.into(),
        c.name.as_str().into(),
        (index as i64 + 1).into(),
        c.default
            .as_deref()
            .map(|d| d.trim_matches('\'').to_string())
            .into(),
        if c.nullable { "YES" } else { "NO" }.into(),
        t.mysql_data_type().into(),
        chars.into(),
        chars.map(|n| n * 4).into(),
        precision.into(),
        scale.into(),
        datetime_precision.into(),
        t.is_string().then_some("utf8mb4").into(),
        t.is_string().then_some("utf8mb4_general_ci").into(),
        t.mysql_column_type().into(),
        column_key.into(),
        if c.generated.is_some() {
            "STORED GENERATED"
        } else {
            ""
        }
        .into(),
        "select,insert".into(),
        c.comment.clone().unwrap_or_default().into(),
        c.generated.clone().unwrap_or_default().into(),
        Cell::Null,
        chars.or(precision).into(),
        scale.into(),
    ]
}

pub fn statistics(sources: &SystemSources) -> Rows {
    let mut rows = Rows::new(STATISTICS);
    for meta in tables(sources) {
        let Some(index) = key_name(&meta) else {
            continue;
        };
        for (i, column) in meta.key_columns.iter().enumerate() {
            rows.push(vec![
                DEF.into(),
                meta.database.as_str().into(),
                meta.name.as_str().into(),
                Cell::Int(0),
                meta.database.as_str().into(),
                index.into(),
                (i as i64 + 1).into(),
                column.as_str().into(),
                "A".into(),
                Cell::Null,
                Cell::Null,
                Cell::Null,
                "".into(),
                "BTREE".into(),
                "".into(),
                "".into(),
                "YES".into(),
                Cell::Null,
            ]);
        }
    }
    rows
}

pub fn key_column_usage(sources: &SystemSources) -> Rows {
    let mut rows = Rows::new(KEY_COLUMN_USAGE);
    for meta in tables(sources) {
        let Some(index) = key_name(&meta) else {
            continue;
        };
        for (i, column) in meta.key_columns.iter().enumerate() {
            rows.push(vec![
                DEF.into(),
                meta.database.as_str().into(),
                index.into(),
                DEF.into(),
                meta.database.as_str().into(),
                meta.name.as_str().into(),
                column.as_str().into(),
                (i as i64 + 1).into(),
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
            ]);
        }
    }
    rows
}

pub fn table_constraints(sources: &SystemSources) -> Rows {
    let mut rows = Rows::new(TABLE_CONSTRAINTS);
    for meta in tables(sources) {
        let Some(index) = key_name(&meta) else {
            continue;
        };
        let kind = if index == "PRIMARY" {
            "PRIMARY KEY"
        } else {
            "UNIQUE"
        };
        rows.push(vec![
            DEF.into(),
            meta.database.as_str().into(),
            index.into(),
            meta.database.as_str().into(),
            meta.name.as_str().into(),
            kind.into(),
            "YES".into(),
        ]);
    }
    rows
}

pub fn tables_config(sources: &SystemSources) -> Rows {
    let mut rows = Rows::new(TABLES_CONFIG);
    for meta in tables(sources) {
        let model = match meta.keys_type {
            KeysType::Duplicate => "DUP_KEYS",
            KeysType::Primary => "PRI_KEYS",
            KeysType::Unique => "UNQ_KEYS",
        };
        let (dist_type, dist_key, buckets) = match &meta.distribution {
            Some(Distribution::Hash { columns, buckets }) => ("HASH", columns.join(", "), *buckets),
            Some(Distribution::Random { buckets }) => ("RANDOM", String::new(), *buckets),
            None => ("RANDOM", String::new(), None),
        };
        let sort_key = if meta.order_by.is_empty() {
            meta.key_columns.join(", ")
        } else {
            meta.order_by.join(", ")
        };
        rows.push(vec![
            meta.database.as_str().into(),
            meta.name.as_str().into(),
            "OLAP".into(),
            model.into(),
            meta.key_columns.join(", ").into(),
            meta.partition_columns.join(", ").into(),
            dist_key.into(),
            dist_type.into(),
            buckets.map(i64::from).into(),
            sort_key.into(),
            serde_json::to_string(&meta.properties)
                .unwrap_or_default()
                .into(),
            (meta.id as i64).into(),
        ]);
    }
    rows
}

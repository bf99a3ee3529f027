//! The catalog model: what a database and a table are, independent of where they are stored.
//!
//! The frontend's catalog manager persists these structs; the backend's storage creates and
//! opens lake tables from a [`TableMeta`]; the planner reads them to bind statements.

use std::collections::BTreeMap;

use datafusion::arrow::datatypes::{Field, Schema, SchemaRef};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::types::{SqlType, SQL_TYPE_METADATA_KEY};

/// Name of the internal catalog (StarRocks' name for it).
pub const DEFAULT_CATALOG: &str = "default_catalog";

/// A database of the internal catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseMeta {
    pub name: String,
    /// Monotonic id; storage locations include it so a re-created name never sees old files.
    pub id: u64,
}

/// StarRocks' table models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeysType {
    /// `DUPLICATE KEY(...)`: every row is kept (append).
    Duplicate,
    /// `PRIMARY KEY(...)`: the last write for a key wins (upsert).
    Primary,
    /// `UNIQUE KEY(...)`: same visible semantics as primary key.
    Unique,
}

impl KeysType {
    pub fn sql_name(&self) -> &'static str {
        match self {
            KeysType::Duplicate => "DUPLICATE KEY",
            KeysType::Primary => "PRIMARY KEY",
            KeysType::Unique => "UNIQUE KEY",
        }
    }

    /// Whether writes replace earlier rows with the same key.
    pub fn is_upsert(&self) -> bool {
        !matches!(self, KeysType::Duplicate)
    }
}

/// `DISTRIBUTED BY ...`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Distribution {
    Hash {
        columns: Vec<String>,
        buckets: Option<u32>,
    },
    Random {
        buckets: Option<u32>,
    },
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMeta {
    pub name: String,
    pub sql_type: SqlType,
    pub nullable: bool,
    /// The DEFAULT expression as SQL text (a literal or `CURRENT_TIMESTAMP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// A generated column's expression (`col type AS expr`), as SQL text over the table's
    /// other columns. Its value is computed and stored whenever a row is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
}

impl ColumnMeta {
    /// A regular column.
    pub fn new(name: impl Into<String>, sql_type: SqlType, nullable: bool) -> Self {
        Self {
            name: name.into(),
            sql_type,
            nullable,
            default: None,
            comment: None,
            generated: None,
        }
    }

    /// The Arrow field, carrying the declared SQL type (and a generated column's
    /// expression) as metadata.
    pub fn to_arrow_field(&self) -> Field {
        Field::new(&self.name, self.sql_type.to_arrow(), self.nullable)
            .with_metadata(self.field_metadata())
    }

    /// The metadata of this column's Arrow field: the declared type, and the expression of a
    /// generated column ([`GENERATED_METADATA_KEY`]), which the planner's generated-column
    /// rewrite reads from scanned schemas.
    pub fn field_metadata(&self) -> std::collections::HashMap<String, String> {
        let mut m: std::collections::HashMap<String, String> =
            [(SQL_TYPE_METADATA_KEY.to_string(), self.sql_type.to_string())]
                .into_iter()
                .collect();
        if let Some(expr) = &self.generated {
            m.insert(GENERATED_METADATA_KEY.to_string(), expr.clone());
        }
        m
    }
}

/// Arrow field metadata key holding a generated column's expression (SQL text).
pub const GENERATED_METADATA_KEY: &str = "lakestar.generated";

/// A table of the internal catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableMeta {
    /// The external catalog the table lives in (a Paimon catalog); `None`: Lakestar's
    /// internal catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
    pub database: String,
    pub name: String,
    /// Monotonic id; the storage location includes it.
    pub id: u64,
    pub columns: Vec<ColumnMeta>,
    pub keys_type: KeysType,
    pub key_columns: Vec<String>,
    /// Columns the table is physically partitioned by (a plain column list).
    #[serde(default)]
    pub partition_columns: Vec<String>,
    /// The `PARTITION BY ...` clause as written, when it is more than a column list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_clause: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<Distribution>,
    #[serde(default)]
    pub order_by: Vec<String>,
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Unix milliseconds.
    pub create_time_ms: i64,
}

impl TableMeta {
    pub fn column(&self, name: &str) -> Option<&ColumnMeta> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// The Arrow schema, with each field carrying its declared SQL type.
    pub fn arrow_schema(&self) -> SchemaRef {
        Arc::new(Schema::new(
            self.columns
                .iter()
                .map(ColumnMeta::to_arrow_field)
                .collect::<Vec<_>>(),
        ))
    }

    /// The table's name in storage: the plain table name, so other engines reading the
    /// warehouse see `database.table`. Storage left over from a dropped table of the same
    /// name is replaced when the table is created again.
    pub fn storage_name(&self) -> String {
        self.name.clone()
    }
}

/// A logical view: a stored query, expanded where a statement names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewMeta {
    pub database: String,
    pub name: String,
    /// The column names given in `CREATE VIEW v (a, b)`; empty: the query's own names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// The view's columns with the types its query gave them when it was created
    /// (information_schema.COLUMNS); empty for views created before Lakestar kept them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub column_types: Vec<ColumnMeta>,
    /// The query, with every table reference qualified by its database, as SQL text.
    pub definition: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub create_time_ms: i64,
}

/// An external catalog (`CREATE EXTERNAL CATALOG c PROPERTIES ("type" = ...)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalCatalogMeta {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// As given, keys in lower case (`type`, `location`, ...).
    pub properties: BTreeMap<String, String>,
}

impl ExternalCatalogMeta {
    /// The `type` property (`files`, `paimon`, ...).
    pub fn catalog_type(&self) -> &str {
        self.properties.get("type").map_or("", String::as_str)
    }
}

/// Read-only view of the internal catalog, used by the planner to bind statements.
pub trait CatalogView: Send + Sync + std::fmt::Debug {
    fn database_exists(&self, name: &str) -> bool;
    fn database_names(&self) -> Vec<String>;
    fn table(&self, database: &str, name: &str) -> Option<TableMeta>;
    fn table_names(&self, database: &str) -> Vec<String>;
    /// A logical view of that name, if there is one.
    fn view(&self, database: &str, name: &str) -> Option<ViewMeta>;
    /// An external catalog of that name, if there is one.
    fn external_catalog(&self, name: &str) -> Option<ExternalCatalogMeta>;
    /// Names of the external catalogs.
    fn external_catalog_names(&self) -> Vec<String>;
    /// Every asynchronous materialized view.
    fn materialized_views(&self) -> Vec<crate::materialized_view::MaterializedViewMeta> {
        vec![]
    }
}

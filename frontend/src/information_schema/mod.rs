//! `information_schema`: MySQL 8's system views with real contents, served to DataFusion
//! as a schema of the default catalog. Every table is built when a statement names it,
//! from the catalog, the process list and the variable registry, so it is always current.
//! SHOW statements that MySQL defines over these views (SHOW COLLATION, SHOW ENGINES, ...)
//! use the same rows.

pub mod catalog_tables;
pub mod external_tables;
pub mod mv_tables;
pub mod rows;
pub mod server_tables;

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use datafusion::catalog::{SchemaProvider, TableProvider};
use datafusion::datasource::MemTable;
use datafusion::error::Result as DFResult;
use lakestar_engine::storage::{ExternalCatalogs, TableStorage};
use lakestar_engine::variables::{GlobalVariables, SessionVariables};
use lakestar_engine::Result;

use crate::catalog::CatalogManager;
use crate::process::ProcessList;
use rows::Rows;

pub const INFORMATION_SCHEMA: &str = "information_schema";

/// The tables, by their (lower-case) SQL names.
pub const TABLE_NAMES: &[&str] = &[
    "cache_stats",
    "character_sets",
    "collations",
    "columns",
    "engines",
    "global_variables",
    "key_column_usage",
    "keywords",
    "materialized_views",
    "processlist",
    "referential_constraints",
    "routines",
    "schemata",
    "session_variables",
    "statistics",
    "table_constraints",
    "tables",
    "tables_config",
    "task_runs",
    "views",
];

/// What system tables are built from; a snapshot of the session's variables included.
#[derive(Debug, Clone)]
pub struct SystemSources {
    pub catalog: Arc<CatalogManager>,
    pub storage: Arc<dyn TableStorage>,
    pub external: Arc<dyn ExternalCatalogs>,
    pub materialized_views: Arc<crate::materialized_views::MaterializedViews>,
    pub processes: Arc<ProcessList>,
    pub globals: Arc<GlobalVariables>,
    pub session_variables: SessionVariables,
    pub started: Instant,
}

/// Build the rows of one table, by lower-case name.
pub async fn build(name: &str, sources: &SystemSources) -> Result<Option<Rows>> {
    use catalog_tables as c;
    use server_tables as s;
    Ok(Some(match name {
        "cache_stats" => s::cache_stats(sources),
        "character_sets" => s::character_sets(),
        "collations" => s::collations(),
        "columns" => c::columns(sources).await,
        "engines" => s::engines(),
        "global_variables" => s::global_variables(sources),
        "key_column_usage" => c::key_column_usage(sources),
        "keywords" => s::keywords(),
        "materialized_views" => mv_tables::materialized_views(sources).await?,
        "processlist" => s::processlist(sources),
        "referential_constraints" => Rows::new(c::REFERENTIAL_CONSTRAINTS),
        "routines" => Rows::new(c::ROUTINES),
        "schemata" => c::schemata(sources),
        "session_variables" => s::session_variables(sources),
        "statistics" => c::statistics(sources),
        "table_constraints" => c::table_constraints(sources),
        "tables" => c::tables_table(sources).await?,
        "tables_config" => c::tables_config(sources),
        "task_runs" => mv_tables::task_runs(sources),
        "views" => c::views_table(sources),
        _ => return Ok(None),
    }))
}

/// The DataFusion schema provider.
#[derive(Debug)]
pub struct InformationSchema {
    sources: SystemSources,
}

impl InformationSchema {
    pub fn new(sources: SystemSources) -> Self {
        Self { sources }
    }
}

#[async_trait]
impl SchemaProvider for InformationSchema {
    fn table_names(&self) -> Vec<String> {
        TABLE_NAMES.iter().map(|s| s.to_string()).collect()
    }

    async fn table(&self, name: &str) -> DFResult<Option<Arc<dyn TableProvider>>> {
        let name = name.to_ascii_lowercase();
        let Some(rows) = build(&name, &self.sources)
            .await
            .map_err(|e| e.into_datafusion())?
        else {
            return Ok(None);
        };
        let batch = rows.into_batch().map_err(|e| e.into_datafusion())?;
        let table = MemTable::try_new(batch.schema(), vec![vec![batch]])?;
        Ok(Some(Arc::new(table)))
    }

    fn table_exist(&self, name: &str) -> bool {
        TABLE_NAMES.contains(&name.to_ascii_lowercase().as_str())
    }
}

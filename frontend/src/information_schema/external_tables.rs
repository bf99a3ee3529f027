//! The tables of external catalogs, as information_schema lists them: BI tools browse
//! `information_schema.TABLES` / `COLUMNS` / `SCHEMATA` of the default catalog and would
//! not see lake tables otherwise. Rows of external objects carry the catalog's name in
//! `TABLE_CATALOG` / `CATALOG_NAME` (internal objects: `def`).
//!
//! A catalog that cannot be listed (storage down, credentials revoked) is left out with a
//! warning rather than failing every information_schema query.

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::CatalogProvider;
use std::sync::Arc;

use super::SystemSources;

/// One database of an external catalog.
#[derive(Debug, Clone)]
pub struct ExternalDatabase {
    pub catalog: String,
    pub name: String,
}

/// One table of an external catalog; `schema` is read only when columns were asked for.
#[derive(Debug, Clone)]
pub struct ExternalTable {
    pub catalog: String,
    pub catalog_type: String,
    pub database: String,
    pub name: String,
    pub schema: Option<SchemaRef>,
}

fn open_catalogs(sources: &SystemSources) -> Vec<(String, String, Arc<dyn CatalogProvider>)> {
    let snapshot = sources.catalog.snapshot();
    snapshot
        .catalogs
        .values()
        .filter_map(|meta| match sources.external.open(meta) {
            Ok(provider) => Some((
                meta.name.clone(),
                meta.catalog_type().to_string(),
                provider,
            )),
            Err(e) => {
                tracing::warn!(catalog = %meta.name, error = %e, "information_schema skips a catalog");
                None
            }
        })
        .collect()
}

/// Every database of every external catalog.
pub fn databases(sources: &SystemSources) -> Vec<ExternalDatabase> {
    let mut out = vec![];
    for (catalog, _, provider) in open_catalogs(sources) {
        for name in provider.schema_names() {
            out.push(ExternalDatabase {
                catalog: catalog.clone(),
                name,
            });
        }
    }
    out
}

/// Every table of every external catalog, with its columns when `with_schema`.
pub async fn tables(sources: &SystemSources, with_schema: bool) -> Vec<ExternalTable> {
    let mut out = vec![];
    for (catalog, catalog_type, provider) in open_catalogs(sources) {
        for database in provider.schema_names() {
            let Some(schema_provider) = provider.schema(&database) else {
                continue;
            };
            let mut names = schema_provider.table_names();
            names.sort();
            for name in names {
                let schema = if with_schema {
                    match schema_provider.table(&name).await {
                        Ok(Some(table)) => Some(table.schema()),
                        Ok(None) => continue,
                        Err(e) => {
                            tracing::warn!(%catalog, %database, table = %name, error = %e,
                                "information_schema skips a table");
                            continue;
                        }
                    }
                } else {
                    None
                };
                out.push(ExternalTable {
                    catalog: catalog.clone(),
                    catalog_type: catalog_type.clone(),
                    database: database.clone(),
                    name,
                    schema,
                });
            }
        }
    }
    out
}

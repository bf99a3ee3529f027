//! External catalogs: CREATE EXTERNAL CATALOG, DROP CATALOG, SHOW CATALOGS,
//! SHOW CREATE CATALOG (secrets masked).

use std::collections::BTreeMap;

use lakestar_engine::catalog::{ExternalCatalogMeta, DEFAULT_CATALOG};
use lakestar_engine::{user_err, Result};

use crate::context::FrontendContext;
use crate::output::QueryOutput;

pub async fn create(
    ctx: &FrontendContext,
    if_not_exists: bool,
    name: &str,
    comment: Option<String>,
    properties: BTreeMap<String, String>,
) -> Result<QueryOutput> {
    let meta = ExternalCatalogMeta {
        name: name.to_string(),
        comment,
        properties,
    };
    if ctx.catalog.snapshot().catalogs.contains_key(name) && if_not_exists {
        return Ok(QueryOutput::ok());
    }
    ctx.external.check(&meta).await?;
    ctx.catalog.create_catalog(meta, if_not_exists).await?;
    Ok(QueryOutput::ok())
}

pub async fn drop(ctx: &FrontendContext, name: &str, if_exists: bool) -> Result<QueryOutput> {
    ctx.catalog.drop_catalog(name, if_exists).await?;
    Ok(QueryOutput::ok())
}

pub fn show(ctx: &FrontendContext) -> Result<QueryOutput> {
    let mut rows = vec![vec![
        Some(DEFAULT_CATALOG.to_string()),
        Some("Internal".to_string()),
        Some("An internal catalog contains this cluster's self-managed tables.".to_string()),
    ]];
    for meta in ctx.catalog.snapshot().catalogs.values() {
        rows.push(vec![
            Some(meta.name.clone()),
            Some(meta.catalog_type().to_string()),
            meta.comment.clone(),
        ]);
    }
    QueryOutput::text_rows(&["Catalog", "Type", "Comment"], rows)
}

/// Properties whose values are secrets.
fn is_secret(key: &str) -> bool {
    ["secret", "password", "token", "access_key", "credential"]
        .iter()
        .any(|s| key.contains(s))
}

pub fn show_create(ctx: &FrontendContext, name: &str) -> Result<QueryOutput> {
    let meta = ctx
        .catalog
        .snapshot()
        .catalogs
        .get(name)
        .cloned()
        .ok_or_else(|| user_err!(UnknownDatabase, "Unknown catalog '{name}'"))?;
    let properties: Vec<String> = meta
        .properties
        .iter()
        .map(|(k, v)| {
            let v = if is_secret(k) { "***" } else { v.as_str() };
            format!("\"{k}\" = \"{v}\"")
        })
        .collect();
    let mut text = format!("CREATE EXTERNAL CATALOG `{}`", meta.name);
    if let Some(comment) = &meta.comment {
        text.push_str(&format!("\nCOMMENT \"{comment}\""));
    }
    text.push_str(&format!(
        "\nPROPERTIES (\n  {}\n)",
        properties.join(",\n  ")
    ));
    QueryOutput::text_rows(
        &["Catalog", "Create Catalog"],
        vec![vec![Some(meta.name), Some(text)]],
    )
}

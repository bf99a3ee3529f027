//! Preparing a statement's materialized-view candidates for the rewrite
//! (`optimizer::mv_rewrite`): the views over tables the statement reads, their
//! definitions bound and analyzed, scans of their storage tables, and whether their data
//! may answer the statement now.
//!
//! Freshness is exact: a view is fresh while every base table is at the version its last
//! refresh read (`materialized_view::BaseVersion`). A stale view is used only when its
//! `query_rewrite_consistency` is `loose`, or within `mv_rewrite_staleness_second` of its
//! last refresh.

use std::collections::BTreeSet;

use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::datasource::provider_as_source;
use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use datafusion::sql::TableReference;
use lakestar_engine::catalog::DEFAULT_CATALOG;
use lakestar_engine::materialized_view::{MaterializedViewMeta, RewriteConsistency};
use lakestar_engine::{Error, Result};

use super::Binder;
use crate::catalog_provider::LakestarCatalogList;
use crate::optimizer::mv_rewrite::{MvCandidate, MvRewriteContext};

/// The tables a plan scans, resolved against the session's defaults.
pub fn scanned_tables(plan: &LogicalPlan, catalog: &str, schema: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let _ = plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node {
            let r = scan.table_name.clone().resolve(catalog, schema);
            out.insert(format!("{}.{}.{}", r.catalog, r.schema, r.table));
        }
        Ok(TreeNodeRecursion::Continue)
    });
    out
}

impl Binder<'_> {
    fn catalog_list(&self) -> Result<&LakestarCatalogList> {
        let list: &dyn std::any::Any = self.state.catalog_list().as_ref();
        list.downcast_ref::<LakestarCatalogList>()
            .ok_or_else(|| Error::internal("the session's catalog list is not Lakestar's"))
    }

    /// Fill the statement's candidates for the materialized-view rewrite, if it is on.
    pub async fn prepare_mv_candidates(&self, plan: &LogicalPlan) -> Result<()> {
        let Some(context) = self.state.config().get_extension::<MvRewriteContext>() else {
            return Ok(());
        };
        let views = self.view.materialized_views();
        if views.is_empty() {
            return Ok(());
        }
        let options = self.state.config_options();
        let (catalog, schema) = (
            options.catalog.default_catalog.clone(),
            options.catalog.default_schema.clone(),
        );
        let read = scanned_tables(plan, &catalog, &schema);
        let mut candidates = vec![];
        for mv in views {
            // A view's own storage is read as a table, not rewritten into itself.
            let Ok(definition) = self.bind_mv_definition(&mv).await else {
                continue;
            };
            let base = scanned_tables(&definition, &catalog, &schema);
            if base.is_disjoint(&read) {
                continue;
            }
            let reference =
                TableReference::full(DEFAULT_CATALOG, mv.database.as_str(), mv.name.as_str());
            let Some(provider) = self
                .state
                .catalog_list()
                .catalog(DEFAULT_CATALOG)
                .and_then(|c| c.schema(&mv.database))
            else {
                continue;
            };
            let Ok(Some(provider)) = provider.table(&mv.name).await else {
                continue;
            };
            let scan =
                LogicalPlanBuilder::scan(reference.clone(), provider_as_source(provider), None)
                    .and_then(|b| b.build())
                    .map_err(Error::from_datafusion)?;
            let list = self.catalog_list()?;
            let unusable =
                unusable_reason(&mv, |t| async move { list.table_version(&t).await }).await?;
            candidates.push(MvCandidate {
                name: format!("{}.{}", mv.database, mv.name),
                definition,
                scan,
                reference,
                rows: mv.last_refresh.as_ref().map(|r| r.rows),
                unusable,
            });
        }
        context.set_candidates(candidates);
        Ok(())
    }

    /// A view's definition, bound and analyzed as the optimizer sees a query.
    async fn bind_mv_definition(&self, mv: &MaterializedViewMeta) -> Result<LogicalPlan> {
        let query = super::views::parse_query(&mv.definition)?;
        let binder = Binder::new(self.state, self.view, Some(&mv.database));
        let plan = binder
            .bind_query(sqlparser::ast::Statement::Query(Box::new(query)))
            .await?;
        self.state
            .analyzer()
            .execute_and_check(plan, self.state.config_options(), |_, _| {})
            .map_err(Error::from_datafusion)
    }
}

/// Why `mv`'s data may not answer a query now, if it may not (`version` gives a base
/// table's current version by full name).
pub async fn unusable_reason<F, Fut>(
    mv: &MaterializedViewMeta,
    version: F,
) -> Result<Option<String>>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<Option<i64>>>,
{
    if !mv.active {
        return Ok(Some(format!(
            "inactive: {}",
            mv.inactive_reason
                .as_deref()
                .unwrap_or("ALTER ... INACTIVE")
        )));
    }
    let consistency = mv.consistency();
    if consistency == RewriteConsistency::Disable {
        return Ok(Some("query_rewrite_consistency = disable".to_string()));
    }
    let Some(refresh) = &mv.last_refresh else {
        return Ok(Some("stale: never refreshed".to_string()));
    };
    if consistency == RewriteConsistency::Loose {
        return Ok(None);
    }
    for base in &refresh.base_versions {
        let now = version(base.table.clone()).await?;
        if base.version.is_none() || now != base.version {
            let within = mv.staleness_seconds() > 0
                && chrono::Utc::now().timestamp_millis() - refresh.finish_ms
                    <= mv.staleness_seconds() * 1000;
            if within {
                return Ok(None);
            }
            return Ok(Some(format!(
                "stale: {} changed since the last refresh",
                base.table
            )));
        }
    }
    Ok(None)
}

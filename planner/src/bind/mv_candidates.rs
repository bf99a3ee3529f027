//! Preparing a statement's materialized-view candidates for the rewrite
//! (`optimizer::mv_rewrite`): the views over tables the statement reads, their
//! definitions bound and analyzed, scans of their storage tables, and whether their data
//! may answer the statement now.
//!
//! Only views whose recorded base tables the statement reads (and views over those) are
//! bound, so statements about other tables pay nothing for them.
//!
//! Freshness is exact: a view is fresh while every base table is at the version its last
//! refresh read (`materialized_view::BaseVersion`). A stale view is used only when its
//! `query_rewrite_consistency` is `loose`, or within `mv_rewrite_staleness_second` of its
//! last refresh. A partitioned view whose only change is in some partitions of the base
//! table it follows is usable with those partitions recomputed from the base tables
//! ([`Freshness::StalePartitions`], `mv_partitions`).

use std::collections::BTreeSet;

use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::datasource::provider_as_source;
use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use datafusion::sql::TableReference;
use lakestar_engine::catalog::DEFAULT_CATALOG;
use lakestar_engine::materialized_view::{MaterializedViewMeta, RewriteConsistency};
use lakestar_engine::{Error, Result};

use super::Binder;
use crate::catalog_provider::VersionSource;
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
        let mut read = scanned_tables(plan, &catalog, &schema);
        if read.is_empty() {
            context.set_candidates(vec![]);
            return Ok(());
        }
        let mut bound = vec![];
        for mv in might_answer(views, &read) {
            // A view's own storage is read as a table, not rewritten into itself.
            let Ok(definition) = self.bind_mv_definition(&mv).await else {
                continue;
            };
            let base = scanned_tables(&definition, &catalog, &schema);
            bound.push((mv, definition, base));
        }
        // Views over the statement's tables, and views over those views (a block
        // rewritten onto a view may be rewritten again onto a view over it).
        let mut chosen = vec![];
        loop {
            let (over, rest): (Vec<_>, Vec<_>) = bound
                .into_iter()
                .partition(|(_, _, base): &(_, _, BTreeSet<String>)| !base.is_disjoint(&read));
            bound = rest;
            if over.is_empty() {
                break;
            }
            for (mv, _, _) in &over {
                read.insert(format!("{DEFAULT_CATALOG}.{}.{}", mv.database, mv.name));
            }
            chosen.extend(over);
        }
        let mut candidates = vec![];
        for (mv, definition, _) in chosen {
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
            let list = crate::catalog_provider::lakestar_catalogs(self.state)?;
            let (scan, unusable, compensation) = match freshness(&mv, list.versions()).await? {
                Freshness::Usable => (scan, None, None),
                Freshness::Unusable(reason) => (scan, Some(reason), None),
                Freshness::StalePartitions { base_table, values } => {
                    match self.compensate(&mv, &definition, &scan, &reference, &values) {
                        Some((compensated, view_values)) => (
                            compensated,
                            None,
                            Some(if view_values == values {
                                format!(
                                    "partitions {} recomputed from {base_table}",
                                    values.join(", ")
                                )
                            } else {
                                format!(
                                    "partitions {} recomputed from {base_table} (its partitions {} changed)",
                                    view_values.join(", "),
                                    values.join(", ")
                                )
                            }),
                        ),
                        None => (
                            scan,
                            Some(format!(
                                "stale: {base_table} changed since the last refresh"
                            )),
                            None,
                        ),
                    }
                }
            };
            candidates.push(MvCandidate {
                name: format!("{}.{}", mv.database, mv.name),
                definition,
                scan,
                reference,
                rows: mv.last_refresh.as_ref().map(|r| r.rows),
                unusable,
                compensation,
            });
        }
        context.set_candidates(candidates);
        Ok(())
    }

    /// The view's rows with its stale partitions recomputed from the base tables, if its
    /// partition column is still where the last refresh found it; and those partitions
    /// (of the view) as text.
    fn compensate(
        &self,
        mv: &MaterializedViewMeta,
        definition: &LogicalPlan,
        scan: &LogicalPlan,
        reference: &TableReference,
        values: &[String],
    ) -> Option<(LogicalPlan, Vec<String>)> {
        let options = self.state.config_options();
        let defaults = crate::optimizer::mv_rewrite::spjg::Defaults {
            catalog: options.catalog.default_catalog.clone(),
            schema: options.catalog.default_schema.clone(),
        };
        let mapping = super::mv_partitions::partition_mapping(mv, definition, &defaults)?;
        let recorded = mv.last_refresh.as_ref()?.partitions.as_ref()?;
        if recorded.base_table != mapping.base_table() || recorded.column != mapping.column {
            return None;
        }
        let view_values = mapping.view_values(values).ok()?;
        let plan = super::mv_partitions::compensated_scan(
            scan,
            definition,
            reference,
            &mapping,
            &view_values,
        )
        .ok()?;
        Some((plan, view_values))
    }

    /// A view's definition, bound and analyzed as the optimizer sees a query.
    pub async fn bind_mv_definition(&self, mv: &MaterializedViewMeta) -> Result<LogicalPlan> {
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

/// The views that may be about a statement reading `read`, judged by the base tables their
/// last refresh recorded (views never refreshed are kept: their definitions tell), and the
/// views over those: only these are bound.
fn might_answer(
    views: Vec<MaterializedViewMeta>,
    read: &BTreeSet<String>,
) -> Vec<MaterializedViewMeta> {
    let mut reached = read.clone();
    let (mut kept, mut rest): (Vec<_>, Vec<_>) =
        views.into_iter().partition(|mv| mv.last_refresh.is_none());
    loop {
        let (over, others): (Vec<_>, Vec<_>) = rest.into_iter().partition(|mv| {
            mv.last_refresh
                .as_ref()
                .is_some_and(|r| r.base_versions.iter().any(|b| reached.contains(&b.table)))
        });
        rest = others;
        if over.is_empty() {
            break;
        }
        for mv in &over {
            reached.insert(format!("{DEFAULT_CATALOG}.{}.{}", mv.database, mv.name));
        }
        kept.extend(over);
    }
    kept
}

/// Whether a view's data may answer a query now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// Fresh, or stale in a way its consistency setting accepts.
    Usable,
    /// Fresh except these partitions (values of its partition column), whose base
    /// partitions changed since the last refresh: usable with partition-union
    /// compensation.
    StalePartitions {
        base_table: String,
        values: Vec<String>,
    },
    /// Not usable, and why.
    Unusable(String),
}

impl Freshness {
    /// What `information_schema.materialized_views.QUERY_REWRITE_STATUS` shows.
    pub fn status(&self) -> String {
        match self {
            Freshness::Usable => "VALID".to_string(),
            Freshness::StalePartitions { base_table, values } => format!(
                "VALID: {} stale partition(s) read from {base_table}",
                values.len()
            ),
            Freshness::Unusable(reason) => reason.clone(),
        }
    }
}

/// Whether `mv`'s data may answer a query now, with versions read from `versions`.
pub async fn freshness(
    mv: &MaterializedViewMeta,
    versions: VersionSource<'_>,
) -> Result<Freshness> {
    if !mv.active {
        return Ok(Freshness::Unusable(format!(
            "inactive: {}",
            mv.inactive_reason
                .as_deref()
                .unwrap_or("ALTER ... INACTIVE")
        )));
    }
    let consistency = mv.consistency();
    if consistency == RewriteConsistency::Disable {
        return Ok(Freshness::Unusable(
            "query_rewrite_consistency = disable".to_string(),
        ));
    }
    let Some(refresh) = &mv.last_refresh else {
        return Ok(Freshness::Unusable("stale: never refreshed".to_string()));
    };
    if consistency == RewriteConsistency::Loose {
        return Ok(Freshness::Usable);
    }
    let within_staleness = mv.staleness_seconds() > 0
        && chrono::Utc::now().timestamp_millis() - refresh.finish_ms
            <= mv.staleness_seconds() * 1000;
    let mut changed = vec![];
    for base in &refresh.base_versions {
        let now = versions.table_version(&base.table).await?;
        if base.version.is_none() || now != base.version {
            changed.push(base.table.clone());
        }
    }
    let Some(first) = changed.first() else {
        return Ok(Freshness::Usable);
    };
    if within_staleness {
        return Ok(Freshness::Usable);
    }
    let stale = || Freshness::Unusable(format!("stale: {first} changed since the last refresh"));
    // Only the partition base table changed: which of its partitions did?
    let Some(record) = &refresh.partitions else {
        return Ok(stale());
    };
    if changed.len() != 1 || *first != record.base_table {
        return Ok(stale());
    }
    let Some(now) = versions.partition_versions(&record.base_table).await? else {
        return Ok(stale());
    };
    if now.column != record.versions.column {
        return Ok(stale());
    }
    let values: Option<Vec<String>> = record.versions.changed_since(&now).into_iter().collect();
    Ok(match values {
        Some(values) if values.is_empty() => Freshness::Usable,
        Some(values) => Freshness::StalePartitions {
            base_table: record.base_table.clone(),
            values,
        },
        // The NULL partition changed: not compensated.
        None => stale(),
    })
}

//! Materialized-view rewrite: a query block that an asynchronous materialized view can
//! answer reads the view's storage table instead of its base tables.
//!
//! The binder prepares the candidates of a statement ([`MvCandidate`]: the views over
//! tables the statement reads, their definitions bound and analyzed, their storage scans,
//! and whether their data may be used — fresh, or stale within what the view's
//! `query_rewrite_consistency` allows) into the statement's [`MvRewriteContext`]. This
//! rule then tries every query block in SPJG form ([`spjg`]) against every usable
//! candidate ([`matching`]) and keeps the cheapest rewrite (the view with the fewest
//! rows). What happened to each candidate is reported for EXPLAIN.

pub mod decimal_avg;
pub mod matching;
pub mod spjg;

use std::sync::{Arc, Mutex};

use datafusion::common::tree_node::{Transformed, TreeNodeRecursion};
use datafusion::common::{Result as DFResult, TableReference};
use datafusion::logical_expr::LogicalPlan;
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};

use spjg::{Defaults, Spjg};

/// A materialized view a statement may be answered from.
#[derive(Debug)]
pub struct MvCandidate {
    /// `database.name`.
    pub name: String,
    /// The view's definition, bound and analyzed.
    pub definition: LogicalPlan,
    /// A scan of the view's storage table, qualified by `reference`.
    pub scan: LogicalPlan,
    pub reference: TableReference,
    /// Rows in the storage table, when known (the cost of reading it).
    pub rows: Option<u64>,
    /// Why the view's data may not answer queries now (stale, inactive, ...).
    pub unusable: Option<String>,
}

/// The candidates of one statement, and what became of them.
#[derive(Debug, Default)]
pub struct MvRewriteContext {
    candidates: Mutex<Vec<Arc<MvCandidate>>>,
    report: Mutex<Vec<(String, String)>>,
}

impl MvRewriteContext {
    pub fn set_candidates(&self, candidates: Vec<MvCandidate>) {
        *self.candidates.lock().expect("candidates") =
            candidates.into_iter().map(Arc::new).collect();
        self.report.lock().expect("report").clear();
    }

    /// For each candidate considered: "rewritten" or the reason it was not used.
    pub fn report(&self) -> Vec<(String, String)> {
        self.report.lock().expect("report").clone()
    }

    fn note(&self, mv: &str, outcome: String) {
        if std::env::var("LAKESTAR_MV_DEBUG").is_ok() {
            eprintln!("mv-rewrite {mv}: {outcome}");
        }
        let mut report = self.report.lock().expect("report");
        if let Some(entry) = report.iter_mut().find(|(m, _)| m == mv) {
            // A rewrite anywhere in the statement is the outcome that counts.
            if entry.1 != "rewritten" {
                entry.1 = outcome;
            }
        } else {
            report.push((mv.to_string(), outcome));
        }
    }
}

#[derive(Debug)]
pub struct MaterializedViewRewrite {
    pub context: Arc<MvRewriteContext>,
}

impl OptimizerRule for MaterializedViewRewrite {
    fn name(&self) -> &str {
        "materialized_view_rewrite"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        None
    }

    fn supports_rewrite(&self) -> bool {
        true
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        config: &dyn OptimizerConfig,
    ) -> DFResult<Transformed<LogicalPlan>> {
        let candidates = self.context.candidates.lock().expect("candidates").clone();
        if candidates.is_empty() {
            return Ok(Transformed::no(plan));
        }
        let Some(registry) = config.function_registry() else {
            return Ok(Transformed::no(plan));
        };
        let options = config.options();
        let defaults = Defaults {
            catalog: options.catalog.default_catalog.clone(),
            schema: options.catalog.default_schema.clone(),
        };
        // Candidates' definitions are written with full names; their forms resolve alike.
        let views: Vec<(Arc<MvCandidate>, Option<Spjg>)> = candidates
            .iter()
            .map(|c| (Arc::clone(c), Spjg::extract(&c.definition, &defaults)))
            .collect();
        plan.transform_down_with_subqueries(|node| {
            let Some(query) = Spjg::extract(&node, &defaults) else {
                return Ok(Transformed::no(node));
            };
            let mut best: Option<(LogicalPlan, u64, &str)> = None;
            for (candidate, view) in &views {
                if !candidate_tables_overlap(view.as_ref(), &query) {
                    continue;
                }
                if let Some(reason) = &candidate.unusable {
                    self.context.note(&candidate.name, reason.clone());
                    continue;
                }
                let Some(view) = view else {
                    self.context
                        .note(&candidate.name, "its query is not in SPJG form".to_string());
                    continue;
                };
                match matching::rewrite(
                    &query,
                    view,
                    &candidate.scan,
                    &candidate.reference,
                    registry,
                ) {
                    Ok(rewritten) => {
                        let cost = candidate.rows.unwrap_or(u64::MAX / 2);
                        if best.as_ref().is_none_or(|(_, c, _)| cost < *c) {
                            if let Some((_, _, loser)) = &best {
                                self.context
                                    .note(loser, "a cheaper view answers the query".to_string());
                            }
                            best = Some((rewritten, cost, &candidate.name));
                        } else {
                            self.context.note(
                                &candidate.name,
                                "a cheaper view answers the query".to_string(),
                            );
                        }
                    }
                    Err(reason) => self.context.note(&candidate.name, reason),
                }
            }
            match best {
                Some((rewritten, _, name)) => {
                    self.context.note(name, "rewritten".to_string());
                    Ok(Transformed::new(rewritten, true, TreeNodeRecursion::Jump))
                }
                None => Ok(Transformed::no(node)),
            }
        })
    }
}

/// Whether a candidate is about the query's tables at all (reasons are reported only
/// for views over at least one of them).
fn candidate_tables_overlap(view: Option<&Spjg>, query: &Spjg) -> bool {
    match view {
        Some(v) => v.tables.iter().any(|t| query.tables.contains(t)),
        None => true,
    }
}

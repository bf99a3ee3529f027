//! Materialized-view rewrite: a query block that an asynchronous materialized view can
//! answer reads the view's storage table instead of its base tables.
//!
//! The binder prepares the candidates of a statement ([`MvCandidate`]: the views over
//! tables the statement reads and the views over those views, their definitions bound and
//! analyzed, their storage scans — with stale partitions recomputed from the base tables
//! where a partitioned view allows it — and whether their data may be used: fresh, or
//! stale within what the view's `query_rewrite_consistency` allows) into the statement's
//! [`MvRewriteContext`]. This rule then tries every query block in SPJG form ([`spjg`])
//! against every usable candidate ([`matching`]) and keeps the cheapest rewrite (fewest
//! rows read). Passes repeat while they change the plan, so nested views apply. What
//! happened to each candidate is reported for EXPLAIN ([`Outcome`]).

pub mod decimal_avg;
pub mod matching;
pub mod predicates;
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
    /// When `scan` recomputes stale partitions from the base tables: which.
    pub compensation: Option<String>,
}

/// What became of one candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A query block reads the view (`detail`: stale partitions recomputed, ...).
    Used { detail: Option<String> },
    /// Why the view was not used.
    NotUsed(String),
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Used { detail: None } => write!(f, "used (query rewritten to read it)"),
            Outcome::Used {
                detail: Some(detail),
            } => write!(f, "used (query rewritten to read it; {detail})"),
            Outcome::NotUsed(reason) => write!(f, "not used: {reason}"),
        }
    }
}

/// The candidates of one statement, and what became of them.
#[derive(Debug, Default)]
pub struct MvRewriteContext {
    candidates: Mutex<Vec<Arc<MvCandidate>>>,
    report: Mutex<Vec<(String, Outcome)>>,
}

impl MvRewriteContext {
    pub fn set_candidates(&self, candidates: Vec<MvCandidate>) {
        *self.candidates.lock().expect("candidates") =
            candidates.into_iter().map(Arc::new).collect();
        self.report.lock().expect("report").clear();
    }

    /// For each candidate considered, what became of it.
    pub fn report(&self) -> Vec<(String, Outcome)> {
        self.report.lock().expect("report").clone()
    }

    fn not_used(&self, mv: &str, reason: String) {
        self.note(mv, Outcome::NotUsed(reason));
    }

    fn note(&self, mv: &str, outcome: Outcome) {
        tracing::debug!(mv, %outcome, "materialized view rewrite");
        let mut report = self.report.lock().expect("report");
        if let Some(entry) = report.iter_mut().find(|(m, _)| m == mv) {
            // A rewrite anywhere in the statement is the outcome that counts; otherwise
            // the reason for the outermost block (the first one tried).
            if matches!(outcome, Outcome::Used { .. }) {
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
        // A block rewritten onto a view may be rewritten again onto a view defined over
        // that view (nested views): passes repeat while they change the plan.
        let mut plan = plan;
        let mut changed = false;
        for _ in 0..views.len() {
            let pass = self.rewrite_pass(plan, &views, registry, &defaults)?;
            plan = pass.data;
            if !pass.transformed {
                break;
            }
            changed = true;
        }
        Ok(if changed {
            Transformed::yes(plan)
        } else {
            Transformed::no(plan)
        })
    }
}

impl MaterializedViewRewrite {
    /// One top-down pass: every block in SPJG form that a view answers reads the
    /// cheapest such view.
    fn rewrite_pass(
        &self,
        plan: LogicalPlan,
        views: &[(Arc<MvCandidate>, Option<Spjg>)],
        registry: &dyn datafusion::execution::FunctionRegistry,
        defaults: &Defaults,
    ) -> DFResult<Transformed<LogicalPlan>> {
        plan.transform_down_with_subqueries(|node| {
            // A compensated view's base-table side stays as it is.
            if let LogicalPlan::SubqueryAlias(alias) = &node {
                if alias.alias.table() == crate::bind::mv_partitions::COMPENSATION_ALIAS {
                    return Ok(Transformed::new(node, false, TreeNodeRecursion::Jump));
                }
            }
            let Some(query) = Spjg::extract(&node, defaults) else {
                return Ok(Transformed::no(node));
            };
            let mut best: Option<(LogicalPlan, u64, &Arc<MvCandidate>)> = None;
            for (candidate, view) in views {
                if !candidate_tables_overlap(view.as_ref(), &query) {
                    continue;
                }
                if let Some(reason) = &candidate.unusable {
                    self.context.not_used(&candidate.name, reason.clone());
                    continue;
                }
                let Some(view) = view else {
                    self.context
                        .not_used(&candidate.name, "its query is not in SPJG form".to_string());
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
                        let rewritten = conform(rewritten, node.schema())?;
                        let cost = rewrite_cost(candidate, view, &query);
                        if best.as_ref().is_none_or(|(_, c, _)| cost < *c) {
                            if let Some((_, _, loser)) = &best {
                                self.context.not_used(
                                    &loser.name,
                                    "a cheaper view answers the query".to_string(),
                                );
                            }
                            best = Some((rewritten, cost, candidate));
                        } else {
                            self.context.not_used(
                                &candidate.name,
                                "a cheaper view answers the query".to_string(),
                            );
                        }
                    }
                    Err(reason) => self.context.not_used(&candidate.name, reason),
                }
            }
            match best {
                Some((rewritten, _, candidate)) => {
                    self.context.note(
                        &candidate.name,
                        Outcome::Used {
                            detail: candidate.compensation.clone(),
                        },
                    );
                    Ok(Transformed::new(rewritten, true, TreeNodeRecursion::Jump))
                }
                None => Ok(Transformed::no(node)),
            }
        })
    }
}

/// The rewritten block with the column types of the block it replaces: an aggregate
/// rolled up from a view can come out wider (`sum` of a view's `sum` column), and the
/// expressions above the block (HAVING, ORDER BY, outer arithmetic) were typed against
/// the original.
fn conform(
    rewritten: LogicalPlan,
    original: &datafusion::common::DFSchemaRef,
) -> DFResult<LogicalPlan> {
    use datafusion::logical_expr::{cast, Expr, LogicalPlanBuilder};
    let schema = Arc::clone(rewritten.schema());
    if schema.fields().len() != original.fields().len()
        || schema
            .fields()
            .iter()
            .zip(original.fields())
            .all(|(a, b)| a.data_type() == b.data_type())
    {
        return Ok(rewritten);
    }
    let exprs: Vec<Expr> = (0..schema.fields().len())
        .map(|i| {
            let (qualifier, field) = schema.qualified_field(i);
            let (original_qualifier, original_field) = original.qualified_field(i);
            let column = Expr::Column(datafusion::common::Column::from((qualifier, field)));
            let typed = if field.data_type() == original_field.data_type() {
                column
            } else {
                cast(column, original_field.data_type().clone())
            };
            typed.alias_qualified(original_qualifier.cloned(), original_field.name())
        })
        .collect();
    LogicalPlanBuilder::from(rewritten).project(exprs)?.build()
}

/// Rows a rewrite reads: the view's, plus those of the tables it joins the view with
/// (from their providers' statistics; unknown counts weigh as much as a big table).
fn rewrite_cost(candidate: &MvCandidate, view: &Spjg, query: &Spjg) -> u64 {
    const UNKNOWN: u64 = 1 << 40;
    let mut cost = candidate.rows.unwrap_or(UNKNOWN);
    for (table, scan) in &query.scans {
        if view.tables.contains(table) {
            continue;
        }
        cost = cost.saturating_add(scan_rows(scan).unwrap_or(UNKNOWN));
    }
    cost
}

/// A table scan's row count, when its provider knows it.
fn scan_rows(scan: &LogicalPlan) -> Option<u64> {
    let LogicalPlan::TableScan(scan) = scan else {
        return None;
    };
    let provider = datafusion::datasource::source_as_provider(&scan.source).ok()?;
    let statistics = provider.statistics()?;
    statistics.num_rows.get_value().map(|n| *n as u64)
}

/// Whether a candidate is about the query's tables at all (reasons are reported only
/// for views over at least one of them).
fn candidate_tables_overlap(view: Option<&Spjg>, query: &Spjg) -> bool {
    match view {
        Some(v) => v.tables.iter().any(|t| query.tables.contains(t)),
        None => true,
    }
}

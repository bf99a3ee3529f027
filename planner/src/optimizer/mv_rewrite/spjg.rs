//! The SPJG normal form of a query block: which base tables it joins (inner joins only),
//! the conjunctive predicates over them (join conditions included), an optional GROUP BY
//! with its aggregates and HAVING, and the output expressions.
//!
//! Every column is rewritten to its *canonical* form, qualified by the fully resolved
//! base table (`catalog.database.table`), so that a query and a materialized view that
//! name tables differently (aliases, two- or three-part names) compare equal. A subquery
//! that only projects and filters (a logical view's expansion) is inlined: its output
//! columns stand for their canonical expressions. Blocks that
//! read a table twice (self-joins), use outer joins, subqueries, windows, DISTINCT, or
//! anything else outside scan / filter / inner join / aggregate / project are not in
//! SPJG form and are never rewritten.

use std::collections::HashMap;

use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Column, DFSchemaRef, TableReference};
use datafusion::logical_expr::utils::split_conjunction;
use datafusion::logical_expr::{Aggregate, Expr, JoinType, LogicalPlan, Operator};

/// A block in SPJG form.
#[derive(Debug, Clone)]
pub struct Spjg {
    /// The base tables, canonical names, sorted.
    pub tables: Vec<TableReference>,
    /// The scan of each base table, as the block reads it (for a rewrite that joins the
    /// view with the tables it does not cover).
    pub scans: Vec<(TableReference, LogicalPlan)>,
    /// Conjuncts of WHERE and join conditions, canonical.
    pub predicates: Vec<Expr>,
    /// `Some` when the block aggregates (an empty list: a global aggregate).
    pub group_by: Option<Vec<Expr>>,
    pub aggregates: Vec<Expr>,
    /// HAVING conjuncts, over `group_by` and `aggregates` expressions.
    pub having: Vec<Expr>,
    /// The output expressions, over base columns (or, when aggregating, over
    /// `group_by` and `aggregates` expressions), unaliased.
    pub outputs: Vec<Expr>,
    /// The block's output schema, which a rewrite must reproduce.
    pub schema: DFSchemaRef,
}

/// Where the block's table references resolve to.
#[derive(Debug, Clone)]
pub struct Defaults {
    pub catalog: String,
    pub schema: String,
}

impl Defaults {
    fn resolve(&self, r: &TableReference) -> TableReference {
        let resolved = r.clone().resolve(&self.catalog, &self.schema);
        TableReference::full(
            resolved.catalog.to_string(),
            resolved.schema.to_string(),
            resolved.table.to_string(),
        )
    }
}

/// Remove aliases anywhere in an expression.
pub fn unalias(expr: Expr) -> Expr {
    expr.transform_up(|e| {
        Ok(match e {
            Expr::Alias(a) => Transformed::yes(*a.expr),
            other => Transformed::no(other),
        })
    })
    .map(|t| t.data)
    .unwrap_or_else(|_| unreachable!("the closure never fails"))
}

struct Extractor<'a> {
    defaults: &'a Defaults,
    /// Qualifier used in the block → canonical table.
    qualifiers: HashMap<TableReference, TableReference>,
    /// Columns of inlined subqueries (views) → their canonical expressions.
    inlined: HashMap<Column, Expr>,
    tables: Vec<TableReference>,
    scans: Vec<(TableReference, LogicalPlan)>,
    predicates: Vec<Expr>,
}

impl Extractor<'_> {
    /// Walk the scan / filter / join part of a block.
    fn relations(&mut self, plan: &LogicalPlan) -> Option<()> {
        match plan {
            LogicalPlan::Filter(f) => {
                self.predicates
                    .extend(split_conjunction(&f.predicate).into_iter().cloned());
                self.relations(&f.input)
            }
            LogicalPlan::Join(j) if j.join_type == JoinType::Inner => {
                for (l, r) in &j.on {
                    self.predicates.push(Expr::BinaryExpr(
                        datafusion::logical_expr::BinaryExpr::new(
                            Box::new(l.clone()),
                            Operator::Eq,
                            Box::new(r.clone()),
                        ),
                    ));
                }
                if let Some(f) = &j.filter {
                    self.predicates
                        .extend(split_conjunction(f).into_iter().cloned());
                }
                self.relations(&j.left)?;
                self.relations(&j.right)
            }
            LogicalPlan::SubqueryAlias(a) => match a.input.as_ref() {
                LogicalPlan::TableScan(scan) => self.table(&a.alias, scan),
                LogicalPlan::Projection(p) => {
                    let exprs = self.inline(p)?;
                    for (expr, field) in exprs.into_iter().zip(p.schema.fields()) {
                        self.inlined
                            .insert(Column::new(Some(a.alias.clone()), field.name()), expr);
                    }
                    Some(())
                }
                _ => None,
            },
            LogicalPlan::TableScan(scan) => self.table(&scan.table_name, scan),
            _ => None,
        }
    }

    /// The canonical output expressions of a subquery that only projects (possibly
    /// twice: a view's column list renames its outputs) over scans, filters and joins.
    fn inline(&mut self, p: &datafusion::logical_expr::Projection) -> Option<Vec<Expr>> {
        match p.input.as_ref() {
            LogicalPlan::Projection(inner) => {
                let exprs = self.inline(inner)?;
                for (expr, (qualifier, field)) in exprs.into_iter().zip(inner.schema.iter()) {
                    self.inlined
                        .insert(Column::new(qualifier.cloned(), field.name()), expr);
                }
            }
            other => self.relations(other)?,
        }
        p.expr
            .iter()
            .map(|e| self.canonical(unalias(e.clone())))
            .collect()
    }

    fn table(
        &mut self,
        qualifier: &TableReference,
        scan: &datafusion::logical_expr::TableScan,
    ) -> Option<()> {
        if scan.fetch.is_some() {
            return None;
        }
        let canonical = self.defaults.resolve(&scan.table_name);
        if self.tables.contains(&canonical) {
            return None;
        }
        self.predicates.extend(scan.filters.iter().cloned());
        self.qualifiers.insert(qualifier.clone(), canonical.clone());
        self.scans
            .push((canonical.clone(), LogicalPlan::TableScan(scan.clone())));
        self.tables.push(canonical);
        Some(())
    }

    /// An expression with every column canonical; `None` if a column is not of a table
    /// of the block.
    fn canonical(&self, expr: Expr) -> Option<Expr> {
        let mut ok = true;
        let out = expr
            .transform_up(|e| {
                Ok(match e {
                    Expr::Column(c) => {
                        let table = c
                            .relation
                            .as_ref()
                            .and_then(|r| self.qualifiers.get(r))
                            .cloned();
                        match (table, self.inlined.get(&c)) {
                            (Some(t), _) => {
                                Transformed::yes(Expr::Column(Column::new(Some(t), c.name)))
                            }
                            (None, Some(inlined)) => Transformed::yes(inlined.clone()),
                            (None, None) => {
                                ok = false;
                                Transformed::no(Expr::Column(c))
                            }
                        }
                    }
                    Expr::Alias(a) => Transformed::yes(*a.expr),
                    Expr::ScalarSubquery(_)
                    | Expr::Exists(_)
                    | Expr::InSubquery(_)
                    | Expr::OuterReferenceColumn(..) => {
                        ok = false;
                        Transformed::no(e)
                    }
                    other => Transformed::no(other),
                })
            })
            .ok()?
            .data;
        ok.then_some(out)
    }
}

/// An expression over an aggregate's output columns, rewritten over its group and
/// aggregate expressions.
fn over_aggregate(expr: &Expr, aggregate: &Aggregate) -> Option<Expr> {
    let group_count = aggregate.group_expr.len();
    let mut ok = true;
    let out = expr
        .clone()
        .transform_up(|e| {
            Ok(match e {
                Expr::Column(c) => match aggregate.schema.index_of_column(&c) {
                    Ok(i) if i < group_count => {
                        Transformed::yes(unalias(aggregate.group_expr[i].clone()))
                    }
                    Ok(i) => match aggregate.aggr_expr.get(i - group_count) {
                        Some(a) => Transformed::yes(unalias(a.clone())),
                        None => {
                            ok = false;
                            Transformed::no(Expr::Column(c))
                        }
                    },
                    Err(_) => {
                        ok = false;
                        Transformed::no(Expr::Column(c))
                    }
                },
                Expr::Alias(a) => Transformed::yes(*a.expr),
                other => Transformed::no(other),
            })
        })
        .ok()?
        .data;
    ok.then_some(out)
}

impl Spjg {
    /// The SPJG form of a block topped by a projection, if it has one.
    pub fn extract(plan: &LogicalPlan, defaults: &Defaults) -> Option<Self> {
        let LogicalPlan::Projection(projection) = plan else {
            return None;
        };
        let mut extractor = Extractor {
            defaults,
            qualifiers: HashMap::new(),
            inlined: HashMap::new(),
            tables: vec![],
            scans: vec![],
            predicates: vec![],
        };
        let mut body = projection.input.as_ref();
        let mut having = vec![];
        if let LogicalPlan::Filter(f) = body {
            if let LogicalPlan::Aggregate(_) = f.input.as_ref() {
                having = split_conjunction(&f.predicate)
                    .into_iter()
                    .cloned()
                    .collect();
                body = f.input.as_ref();
            }
        }
        let (group_by, aggregates, outputs, having) = match body {
            LogicalPlan::Aggregate(aggregate) => {
                extractor.relations(&aggregate.input)?;
                let group_by = aggregate
                    .group_expr
                    .iter()
                    .map(|g| extractor.canonical(unalias(g.clone())))
                    .collect::<Option<Vec<_>>>()?;
                if aggregate
                    .group_expr
                    .iter()
                    .any(|g| matches!(g, Expr::GroupingSet(_)))
                {
                    return None;
                }
                let aggregates = aggregate
                    .aggr_expr
                    .iter()
                    .map(|a| extractor.canonical(unalias(a.clone())))
                    .collect::<Option<Vec<_>>>()?;
                let lift =
                    |e: &Expr| over_aggregate(e, aggregate).and_then(|e| extractor.canonical(e));
                let outputs = projection
                    .expr
                    .iter()
                    .map(lift)
                    .collect::<Option<Vec<_>>>()?;
                let having = having.iter().map(lift).collect::<Option<Vec<_>>>()?;
                (Some(group_by), aggregates, outputs, having)
            }
            other => {
                extractor.relations(other)?;
                let outputs = projection
                    .expr
                    .iter()
                    .map(|e| extractor.canonical(unalias(e.clone())))
                    .collect::<Option<Vec<_>>>()?;
                (None, vec![], outputs, vec![])
            }
        };
        let predicates = std::mem::take(&mut extractor.predicates)
            .into_iter()
            .map(|p| extractor.canonical(p))
            .collect::<Option<Vec<_>>>()?;
        let mut tables = extractor.tables;
        tables.sort_by_key(|t| t.to_string());
        Some(Self {
            tables,
            scans: extractor.scans,
            predicates,
            group_by,
            aggregates,
            having,
            outputs,
            schema: projection.schema.clone(),
        })
    }
}

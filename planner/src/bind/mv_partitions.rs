//! Partitioned materialized views: how a view's partitions follow its base table's, and
//! the plan that answers from a view some of whose partitions are stale.
//!
//! A view `PARTITION BY col` follows a base table when `col` is one of the view's
//! outputs computed from that table's (single) partition column alone: the column itself,
//! or a deterministic function of it such as `date_trunc('month', dt)` (then several base
//! partitions make one view partition). Each refresh
//! records the version of every base partition (`PartitionRecord`). Afterwards, writes to
//! some base partitions make only the matching view partitions stale: a refresh
//! overwrites just those, and until then the rewrite reads the fresh partitions from the
//! view and the stale ones from the base tables (*partition-union compensation*).

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Column, ScalarValue, TableReference};
use datafusion::logical_expr::simplify::SimplifyContext;
use datafusion::logical_expr::{cast, col, lit, Expr, LogicalPlan, LogicalPlanBuilder};
use datafusion::optimizer::simplify_expressions::ExprSimplifier;
use lakestar_engine::materialized_view::MaterializedViewMeta;
use lakestar_engine::{Error, Result};

use crate::optimizer::mv_rewrite::spjg::{Defaults, Spjg};

/// The alias the base-table side of a compensated view is wrapped in; the rewrite does
/// not rewrite inside it (it would read the view it compensates).
pub const COMPENSATION_ALIAS: &str = "__mv_stale_partitions";

/// Which base table and column a partitioned view's partition column reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionMapping {
    /// Position of the partition column among the view's outputs.
    pub index: usize,
    /// The view's partition column.
    pub column: String,
    /// The base column, canonical (qualified by `catalog.database.table`).
    pub base: Column,
    /// The view column's expression over the base column (canonical).
    pub expr: Expr,
    /// The base column's type.
    pub base_type: DataType,
}

impl PartitionMapping {
    /// The base table, `catalog.database.table`.
    pub fn base_table(&self) -> String {
        self.base
            .relation
            .as_ref()
            .map(|r| r.to_string())
            .unwrap_or_default()
    }

    /// The view partitions that hold the rows of these base partitions (values as text),
    /// sorted, without repeats.
    pub fn view_values(&self, base_values: &[String]) -> Result<Vec<String>> {
        let base = &self.base;
        let simplifier = ExprSimplifier::new(SimplifyContext::default());
        let mut out = vec![];
        for value in base_values {
            let literal = partition_literal(value, &self.base_type)?;
            let applied = self
                .expr
                .clone()
                .transform_up(|e| {
                    Ok(match e {
                        Expr::Column(c) if c == *base => Transformed::yes(literal.clone()),
                        other => Transformed::no(other),
                    })
                })
                .map_err(Error::from_datafusion)?
                .data;
            let Expr::Literal(result, _) = simplifier
                .simplify(applied)
                .map_err(Error::from_datafusion)?
            else {
                return Err(Error::internal(format!(
                    "the partition expression {} does not evaluate to a constant",
                    self.expr
                )));
            };
            out.push(scalar_text(&result)?);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// A value as partition text: what `partition_literal` reads back.
fn scalar_text(value: &ScalarValue) -> Result<String> {
    let text = value
        .cast_to(&DataType::Utf8)
        .map_err(Error::from_datafusion)?
        .to_string();
    // Arrow writes timestamps as `2024-01-01T00:00:00`; MySQL spells them with a space.
    Ok(match value.data_type() {
        DataType::Timestamp(..) => text.replacen('T', " ", 1),
        _ => text,
    })
}

/// The base column a view output reads, if it is computed from exactly one column, with no
/// aggregate and nothing volatile.
fn single_column(expr: &Expr) -> Option<Column> {
    let columns = expr.column_refs();
    let [column] = columns.into_iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let aggregate = expr
        .exists(|e| {
            Ok(matches!(
                e,
                Expr::AggregateFunction(_) | Expr::WindowFunction(_) | Expr::ScalarSubquery(_)
            ))
        })
        .unwrap_or(true);
    (!aggregate && !expr.is_volatile()).then(|| column.clone())
}

/// How `mv`'s partition column maps to a base table's column, if the view is partitioned
/// and its definition (bound) reads the column directly.
pub fn partition_mapping(
    mv: &MaterializedViewMeta,
    definition: &LogicalPlan,
    defaults: &Defaults,
) -> Option<PartitionMapping> {
    let column = mv.partition_column()?;
    let spjg = Spjg::extract(definition, defaults)?;
    let index = definition
        .schema()
        .fields()
        .iter()
        .position(|f| f.name().eq_ignore_ascii_case(&column))?;
    let expr = spjg.outputs.get(index)?.clone();
    let base = single_column(&expr)?;
    let table = base.relation.as_ref()?;
    let (_, scan) = spjg.scans.iter().find(|(t, _)| t == table)?;
    let base_type = scan
        .schema()
        .fields()
        .iter()
        .find(|f| f.name() == &base.name)?
        .data_type()
        .clone();
    Some(PartitionMapping {
        index,
        column,
        base: base.clone(),
        expr,
        base_type,
    })
}

/// A partition value (as recorded) as a literal of `data_type`.
pub fn partition_literal(
    value: &str,
    data_type: &datafusion::arrow::datatypes::DataType,
) -> Result<Expr> {
    ScalarValue::Utf8(Some(value.to_string()))
        .cast_to(data_type)
        .map(lit)
        .map_err(Error::from_datafusion)
}

/// The rows of a view with its `stale` partitions (values of the partition column at
/// `mapping.index`) recomputed from the base tables: the view's storage without them,
/// unioned with the definition restricted to them. Qualified by `reference`, with the
/// storage's schema.
pub fn compensated_scan(
    storage: &LogicalPlan,
    definition: &LogicalPlan,
    reference: &TableReference,
    mapping: &PartitionMapping,
    stale: &[String],
) -> Result<LogicalPlan> {
    let df = Error::from_datafusion;
    let storage_schema = storage.schema();
    let definition_schema = definition.schema();
    if storage_schema.fields().len() != definition_schema.fields().len() {
        return Err(Error::internal(
            "a materialized view's storage does not match its definition",
        ));
    }
    let storage_column = Expr::Column(Column::from(storage_schema.qualified_field(mapping.index)));
    let storage_type = storage_schema.field(mapping.index).data_type();
    let stale_in_storage = stale
        .iter()
        .map(|v| partition_literal(v, storage_type))
        .collect::<Result<Vec<_>>>()?;
    // The NULL partition is never among the stale ones (such a view is not compensated).
    let fresh = LogicalPlanBuilder::from(storage.clone())
        .filter(
            storage_column
                .clone()
                .is_null()
                .or(storage_column.in_list(stale_in_storage, true)),
        )
        .map_err(df)?
        .build()
        .map_err(df)?;
    let definition_column = Expr::Column(Column::from(
        definition_schema.qualified_field(mapping.index),
    ));
    let definition_type = definition_schema.field(mapping.index).data_type();
    let stale_in_definition = stale
        .iter()
        .map(|v| partition_literal(v, definition_type))
        .collect::<Result<Vec<_>>>()?;
    let recomputed = LogicalPlanBuilder::from(definition.clone())
        .filter(definition_column.in_list(stale_in_definition, false))
        .and_then(|b| b.alias(COMPENSATION_ALIAS))
        .map_err(df)?;
    let as_storage: Vec<Expr> = storage_schema
        .fields()
        .iter()
        .zip(definition_schema.fields().iter())
        .map(|(s, d)| {
            cast(
                col(Column::new(Some(COMPENSATION_ALIAS), d.name())),
                s.data_type().clone(),
            )
            .alias(s.name())
        })
        .collect();
    let recomputed = recomputed
        .project(as_storage)
        .map_err(df)?
        .build()
        .map_err(df)?;
    LogicalPlanBuilder::from(fresh)
        .union(recomputed)
        .and_then(|b| b.alias(reference.clone()))
        .and_then(|b| b.build())
        .map_err(df)
}

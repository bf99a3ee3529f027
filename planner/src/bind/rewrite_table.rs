//! Binding the rewrite of a table into a new definition (ALTER TABLE ADD COLUMN with a
//! DEFAULT or a generated expression): one INSERT OVERWRITE that reads every row of the
//! table as it is and writes it in the new layout, computing the new column.

use std::sync::Arc;

use datafusion::catalog::TableProvider;
use datafusion::common::Column;
use datafusion::datasource::provider_as_source;
use datafusion::logical_expr::dml::InsertOp;
use datafusion::logical_expr::{DmlStatement, Expr, LogicalPlan, LogicalPlanBuilder, WriteOp};
use datafusion::sql::TableReference;
use lakestar_engine::catalog::{TableMeta, DEFAULT_CATALOG};
use lakestar_engine::{Error, Result};

use super::insert::InsertTarget;
use super::Binder;

impl Binder<'_> {
    /// `INSERT OVERWRITE` of `new`'s layout (through `target`, a provider of the table
    /// opened with the new definition) from the table as `old` defines it.
    pub async fn bind_table_rewrite(
        &self,
        old: &TableMeta,
        new: &TableMeta,
        target: Arc<dyn TableProvider>,
    ) -> Result<LogicalPlan> {
        let source = self
            .state
            .catalog_list()
            .catalog(DEFAULT_CATALOG)
            .and_then(|c| c.schema(&old.database))
            .ok_or_else(|| Error::internal(format!("database {} is gone", old.database)))?
            .table(&old.name)
            .await
            .map_err(Error::from_datafusion)?
            .ok_or_else(|| Error::internal(format!("table {} is gone", old.name)))?;
        let reference =
            TableReference::full(DEFAULT_CATALOG, old.database.as_str(), old.name.as_str());
        // The regular columns both definitions have, read as they are.
        let kept: Vec<usize> = new
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.generated.is_none() && old.column(&c.name).is_some_and(|o| o.generated.is_none())
            })
            .map(|(i, _)| i)
            .collect();
        let scan = LogicalPlanBuilder::scan(reference.clone(), provider_as_source(source), None)
            .and_then(|b| {
                b.project(kept.iter().map(|i| {
                    Expr::Column(Column::new(Some(reference.clone()), &new.columns[*i].name))
                }))
            })
            .and_then(|b| b.build())
            .map_err(Error::from_datafusion)?;
        let insert_target = InsertTarget {
            meta: new,
            stored: target.schema(),
            columns: kept,
            statics: vec![],
        };
        let input = self.project_source(&insert_target, scan)?;
        Ok(LogicalPlan::Dml(DmlStatement::new(
            reference,
            provider_as_source(target),
            WriteOp::Insert(InsertOp::Overwrite),
            Arc::new(input),
        )))
    }
}

//! Binding `INSERT [INTO|OVERWRITE] t [(cols)] {VALUES ... | SELECT ...}`.
//!
//! The source is bound as an ordinary query; then one projection maps it onto every column
//! of the table: listed columns take the source value through a store-assignment cast,
//! unlisted columns take their DEFAULT (or NULL), and `DEFAULT` inside VALUES is replaced by
//! the column's default before binding.

use std::sync::Arc;

use datafusion::common::{Column, DFSchema};
use datafusion::datasource::provider_as_source;
use datafusion::logical_expr::dml::InsertOp;
use datafusion::logical_expr::{lit, DmlStatement, Expr, LogicalPlan, LogicalPlanBuilder, WriteOp};
use datafusion::scalar::ScalarValue;
use datafusion::sql::parser::Statement as DFStatement;
use datafusion::sql::TableReference;
use lakestar_engine::catalog::{ColumnMeta, TableMeta, DEFAULT_CATALOG};
use lakestar_engine::{user_err, Error, Result};
use sqlparser::ast::{
    Expr as SqlExpr, ExprWithAlias, Insert, Parens, SetExpr, Statement, TableObject,
};

use super::references::check_references;
use super::Binder;
use crate::normalize::normalize_identifiers;
use crate::store_cast::StoreCast;

impl Binder<'_> {
    /// Bind an INSERT statement into a DML plan.
    pub async fn bind_insert(&self, mut statement: Statement) -> Result<LogicalPlan> {
        normalize_identifiers(&mut statement);
        let Statement::Insert(insert) = statement else {
            return Err(Error::internal(
                "bind_insert called with a non-INSERT statement",
            ));
        };
        let Insert {
            table,
            columns,
            source,
            overwrite,
            assignments,
            on,
            partitioned,
            ..
        } = insert;
        if !assignments.is_empty() {
            return Err(Error::unsupported(
                "INSERT ... SET is not supported; use VALUES",
            ));
        }
        if on.is_some() {
            return Err(Error::unsupported(
                "INSERT ... ON DUPLICATE KEY UPDATE is not supported; PRIMARY KEY tables upsert",
            ));
        }
        let TableObject::TableName(name) = table else {
            return Err(Error::unsupported(
                "INSERT INTO TABLE FUNCTION is not supported",
            ));
        };
        let reference = table_reference(&name)?;
        let meta = self.resolve_write_table(&reference).await?;

        let statics = match &partitioned {
            Some(spec) => self.static_partition(&meta, spec)?,
            None => vec![],
        };
        let targets = target_columns(&meta, &columns, &statics)?;
        let source = source.ok_or_else(|| Error::syntax("INSERT needs VALUES or a query"))?;
        let provider = if overwrite && partitioned.is_some() {
            let list = self.catalog_list()?;
            let spec: Vec<(String, ScalarValue)> = statics
                .iter()
                .map(|(i, v)| (meta.columns[*i].name.clone(), v.clone()))
                .collect();
            list.partition_overwrite_target(&meta, &spec).await?
        } else if let Some(provider) = self.catalog_list()?.external_insert_target(&meta).await? {
            provider
        } else {
            self.target_provider(&meta).await?
        };
        let target = InsertTarget {
            meta: &meta,
            stored: provider.schema(),
            columns: targets,
            statics,
        };
        let input = match source.body.as_ref() {
            SetExpr::Values(values) => self.plan_values(&target, &values.rows)?,
            _ => self.plan_query_source(&target, source).await?,
        };
        let op = if overwrite {
            InsertOp::Overwrite
        } else {
            InsertOp::Append
        };
        Ok(LogicalPlan::Dml(DmlStatement::new(
            super::write_rows::full_name(&meta),
            provider_as_source(provider),
            WriteOp::Insert(op),
            Arc::new(input),
        )))
    }

    /// The table an INSERT writes, as the catalog opens it.
    async fn target_provider(
        &self,
        meta: &TableMeta,
    ) -> Result<Arc<dyn datafusion::catalog::TableProvider>> {
        self.state
            .catalog_list()
            .catalog(DEFAULT_CATALOG)
            .and_then(|c| c.schema(&meta.database))
            .ok_or_else(|| user_err!(UnknownDatabase, "Unknown database '{}'", meta.database))?
            .table(&meta.name)
            .await
            .map_err(Error::from_datafusion)?
            .ok_or_else(|| {
                user_err!(
                    UnknownTable,
                    "Table '{}.{}' doesn't exist",
                    meta.database,
                    meta.name
                )
            })
    }

    /// `PARTITION (col = value, ...)`: every partition column of the table, each with a
    /// constant, converted to the column's type. Returns (column index, value) pairs.
    fn static_partition(
        &self,
        meta: &TableMeta,
        spec: &[SqlExpr],
    ) -> Result<Vec<(usize, ScalarValue)>> {
        let mut out = Vec::with_capacity(spec.len());
        for item in spec {
            let SqlExpr::BinaryOp {
                left,
                op: sqlparser::ast::BinaryOperator::Eq,
                right,
            } = item
            else {
                return Err(Error::unsupported(format!(
                    "PARTITION ({item}): name partitions by their column values, as in PARTITION (dt = '2024-01-01')"
                )));
            };
            let SqlExpr::Identifier(column) = left.as_ref() else {
                return Err(Error::syntax(format!(
                    "PARTITION ({item}): expected a column name"
                )));
            };
            let index = meta
                .columns
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(&column.value))
                .ok_or_else(|| {
                    user_err!(
                        UnknownColumn,
                        "Unknown column '{}' in 'partition clause'",
                        column.value
                    )
                })?;
            let name = &meta.columns[index].name;
            if !meta
                .partition_columns
                .iter()
                .any(|p| p.eq_ignore_ascii_case(name))
            {
                return Err(user_err!(
                    InvalidDefinition,
                    "Column '{name}' is not a partition column of '{}'",
                    meta.name
                ));
            }
            if out.iter().any(|(i, _)| *i == index) {
                return Err(user_err!(
                    DuplicateColumn,
                    "Column '{name}' specified twice"
                ));
            }
            let expr = self
                .state
                .create_logical_expr_from_sql_expr(
                    ExprWithAlias {
                        expr: right.as_ref().clone(),
                        alias: None,
                    },
                    &DFSchema::empty(),
                )
                .map_err(Error::from_datafusion)?;
            let Expr::Literal(value, _) = expr else {
                return Err(Error::syntax(format!(
                    "PARTITION ({item}): the value must be a constant"
                )));
            };
            let value =
                crate::store_cast::store_scalar(&value, name, meta.columns[index].sql_type)?;
            out.push((index, value));
        }
        if out.len() != meta.partition_columns.len() {
            return Err(user_err!(
                InvalidDefinition,
                "PARTITION must give a value for every partition column of '{}' ({})",
                meta.name,
                meta.partition_columns.join(", ")
            ));
        }
        Ok(out)
    }

    /// `VALUES (...), ...`: every cell is converted to its column's type on its own, so
    /// rows may mix literal kinds (a string in one row, NOW() in the next).
    fn plan_values(
        &self,
        target: &InsertTarget<'_>,
        rows: &[Parens<Vec<SqlExpr>>],
    ) -> Result<LogicalPlan> {
        let mut planned = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().map(|r| &r.content).enumerate() {
            if row.len() != target.columns.len() {
                return Err(user_err!(
                    ValueCount,
                    "Column count doesn't match value count at row {}",
                    i + 1
                ));
            }
            let mut exprs = Vec::with_capacity(target.meta.columns.len());
            for (index, column) in target.regular_columns() {
                let value = match target.columns.iter().position(|&t| t == index) {
                    Some(pos) if is_default_keyword(&row[pos]) => self.default_expr(column)?,
                    Some(pos) => self
                        .state
                        .create_logical_expr_from_sql_expr(
                            ExprWithAlias {
                                expr: row[pos].clone(),
                                alias: None,
                            },
                            &DFSchema::empty(),
                        )
                        .map_err(Error::from_datafusion)
                        .and_then(|e| match self.params {
                            Some(values) => crate::params::bind_expr(e, values),
                            None => Ok(e),
                        })?,
                    None => target
                        .fixed_value(index)
                        .map_or_else(|| self.default_expr(column), Ok)?,
                };
                exprs.push(target.store_cast(index, value, Some(i + 1))?);
            }
            planned.push(exprs);
        }
        let names = target.regular_columns().enumerate().map(|(i, (_, c))| {
            Expr::Column(Column::from_name(format!("column{}", i + 1))).alias(&c.name)
        });
        let plan = LogicalPlanBuilder::values(planned)
            .and_then(|b| b.project(names))
            .and_then(|b| b.build())
            .map_err(Error::from_datafusion)?;
        self.add_generated(target, plan)
    }

    /// Every column in table order: the regular ones from `plan` (one column each, named
    /// after the table's columns), the generated ones computed from them.
    fn add_generated(&self, target: &InsertTarget<'_>, plan: LogicalPlan) -> Result<LogicalPlan> {
        if target.meta.columns.iter().all(|c| c.generated.is_none()) {
            return Ok(plan);
        }
        let schema = plan.schema().clone();
        let mut exprs = Vec::with_capacity(target.meta.columns.len());
        for (index, column) in target.meta.columns.iter().enumerate() {
            let expr = if column.generated.is_some() {
                let value = crate::generated::bind_expression(self.state, column, &schema)?;
                target.store_cast(index, value, None)?
            } else {
                Expr::Column(Column::from_name(&column.name))
            };
            exprs.push(expr);
        }
        LogicalPlanBuilder::from(plan)
            .project(exprs)
            .and_then(|b| b.build())
            .map_err(Error::from_datafusion)
    }

    /// `INSERT ... SELECT`: the query's columns, by position, onto the listed columns.
    pub(super) async fn plan_query_source(
        &self,
        target: &InsertTarget<'_>,
        source: Box<sqlparser::ast::Query>,
    ) -> Result<LogicalPlan> {
        let mut query = Statement::Query(source);
        super::views::expand_views(&mut query, self.view_db(), self.view)?;
        normalize_identifiers(&mut query);
        crate::semantics::subqueries::rewrite(&mut query);
        check_references(self, &DFStatement::Statement(Box::new(query.clone())))?;
        let source_plan = self.plan_with_params(query).await?;
        self.project_source(target, source_plan)
    }

    /// The rows of `source_plan` (one column per listed target column, by position) as
    /// every column of the table: listed ones cast, others defaulted, generated computed.
    pub(super) fn project_source(
        &self,
        target: &InsertTarget<'_>,
        source_plan: LogicalPlan,
    ) -> Result<LogicalPlan> {
        if source_plan.schema().fields().len() != target.columns.len() {
            return Err(user_err!(
                ValueCount,
                "Column count doesn't match value count at row 1"
            ));
        }
        let mut exprs = Vec::with_capacity(target.meta.columns.len());
        for (index, column) in target.regular_columns() {
            let value = match target.columns.iter().position(|&t| t == index) {
                Some(pos) => {
                    let (qualifier, f) = source_plan.schema().qualified_field(pos);
                    Expr::Column(Column::new(qualifier.cloned(), f.name()))
                }
                None => target
                    .fixed_value(index)
                    .map_or_else(|| self.default_expr(column), Ok)?,
            };
            exprs.push(target.store_cast(index, value, None)?);
        }
        let plan = LogicalPlanBuilder::from(source_plan)
            .project(exprs)
            .and_then(|b| b.build())
            .map_err(Error::from_datafusion)?;
        self.add_generated(target, plan)
    }

    /// The value of a column left out of an INSERT.
    fn default_expr(&self, column: &ColumnMeta) -> Result<Expr> {
        match &column.default {
            // Parsed and rewritten as a statement's expressions are (`CURRENT_TIMESTAMP`
            // has MySQL's whole seconds).
            Some(text) => {
                let dialect = crate::dialect::LakestarDialect::default();
                let mut expr = sqlparser::parser::Parser::new(&dialect)
                    .try_with_sql(text)
                    .and_then(|mut p| p.parse_expr())
                    .map_err(|e| Error::syntax(e.to_string()))?;
                crate::normalize::normalize_expr(&mut expr);
                self.state
                    .create_logical_expr_from_sql_expr(
                        ExprWithAlias { expr, alias: None },
                        &DFSchema::empty(),
                    )
                    .map_err(Error::from_datafusion)
            }
            None if column.nullable => Ok(lit(ScalarValue::Null)),
            None => Err(user_err!(
                NoDefault,
                "Field '{}' doesn't have a default value",
                column.name
            )),
        }
    }
}

/// The table an INSERT writes and the columns it lists.
pub(super) struct InsertTarget<'a> {
    pub(super) meta: &'a TableMeta,
    pub(super) stored: datafusion::arrow::datatypes::SchemaRef,
    /// Indexes into `meta.columns`, in the order the INSERT lists them.
    pub(super) columns: Vec<usize>,
    /// Columns with a value fixed by `PARTITION (col = value)`.
    pub(super) statics: Vec<(usize, ScalarValue)>,
}

impl InsertTarget<'_> {
    /// The columns a row supplies: every column but the generated ones.
    fn regular_columns(&self) -> impl Iterator<Item = (usize, &ColumnMeta)> {
        self.meta
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.generated.is_none())
    }

    /// The value a PARTITION clause fixes for column `index`.
    fn fixed_value(&self, index: usize) -> Option<Expr> {
        self.statics
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, v)| lit(v.clone()))
    }

    /// Convert a value to the stored type of column `index`, named after the column.
    fn store_cast(&self, index: usize, value: Expr, row: Option<usize>) -> Result<Expr> {
        let column = &self.meta.columns[index];
        let field = self
            .stored
            .field_with_name(&column.name)
            .map_err(|_| Error::internal(format!("column {} missing from storage", column.name)))?;
        Ok(StoreCast::expr(
            value,
            &column.name,
            column.sql_type,
            field.data_type().clone(),
            field.is_nullable() && column.nullable,
            row,
        )
        .alias(&column.name))
    }
}

pub(super) fn table_reference(name: &sqlparser::ast::ObjectName) -> Result<TableReference> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| {
            p.as_ident()
                .map(|i| i.value.to_lowercase())
                .ok_or_else(|| Error::syntax(format!("invalid table name {name}")))
        })
        .collect::<Result<_>>()?;
    Ok(match parts.as_slice() {
        [t] => TableReference::bare(t.as_str()),
        [d, t] => TableReference::partial(d.as_str(), t.as_str()),
        [c, d, t] => TableReference::full(c.as_str(), d.as_str(), t.as_str()),
        _ => return Err(Error::syntax(format!("invalid table name {name}"))),
    })
}

/// Indexes into the table's columns, in the order the INSERT lists them; without a list,
/// every column but those a PARTITION clause fixes.
pub(super) fn target_columns(
    meta: &TableMeta,
    columns: &[sqlparser::ast::ObjectName],
    statics: &[(usize, ScalarValue)],
) -> Result<Vec<usize>> {
    let fixed = |i: usize| statics.iter().any(|(s, _)| *s == i);
    if columns.is_empty() {
        return Ok((0..meta.columns.len())
            .filter(|i| !fixed(*i) && meta.columns[*i].generated.is_none())
            .collect());
    }
    let mut out = Vec::with_capacity(columns.len());
    for name in columns {
        let ident = name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .ok_or_else(|| Error::syntax(format!("invalid column name {name}")))?;
        let index = meta
            .columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(&ident.value))
            .ok_or_else(|| {
                user_err!(
                    UnknownColumn,
                    "Unknown column '{}' in 'field list'",
                    ident.value
                )
            })?;
        if meta.columns[index].generated.is_some() {
            return Err(user_err!(
                GeneratedColumnValue,
                "The value specified for generated column '{}' in table '{}' is not allowed",
                meta.columns[index].name,
                meta.name
            ));
        }
        if fixed(index) {
            return Err(user_err!(
                InvalidDefinition,
                "Column '{}' has its value in the PARTITION clause",
                ident.value
            ));
        }
        if out.contains(&index) {
            return Err(user_err!(
                DuplicateColumn,
                "Column '{}' specified twice",
                ident.value
            ));
        }
        out.push(index);
    }
    Ok(out)
}

fn is_default_keyword(expr: &SqlExpr) -> bool {
    matches!(expr, SqlExpr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"))
}

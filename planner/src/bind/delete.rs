//! `DELETE FROM t [WHERE ...]`, `DELETE FROM t USING t JOIN u ... WHERE ...` and
//! `DELETE t FROM t JOIN u ... WHERE ...`, with any WHERE (subqueries included):
//!
//! - PRIMARY KEY tables: the rows to delete are `SELECT DISTINCT t.* FROM ... WHERE ...`,
//!   written as Paimon retractions (row kind DELETE) in one commit.
//! - DUPLICATE KEY tables (no key to retract by): the table is rewritten in one commit
//!   with the rows the condition does not select, `SELECT t.* FROM t WHERE (cond) IS NOT
//!   TRUE` (StarRocks allows only simple conditions here; MySQL users expect all).

use datafusion::logical_expr::LogicalPlan;
use lakestar_engine::catalog::TableMeta;
use lakestar_engine::storage::WriteMode;
use lakestar_engine::{Error, Result};
use sqlparser::ast::{Delete, Expr, FromTable, ObjectName, TableWithJoins, With};

use super::write_rows::{column_of, regular_columns, select_query, target_qualifier};
use super::Binder;

/// The table a DELETE removes rows from, the name its rows go by in the query, and the
/// tables the query reads.
fn parts(delete: &Delete) -> Result<(ObjectName, ObjectName, Vec<TableWithJoins>)> {
    let from = match &delete.from {
        FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => t.clone(),
    };
    if delete.tables.len() > 1 {
        return Err(Error::unsupported(
            "DELETE from several tables at once is not supported",
        ));
    }
    if let Some(target) = delete.tables.first() {
        // DELETE t FROM t JOIN u ...: `t` names a table (or alias) of FROM.
        let mut found = None;
        for twj in &from {
            for factor in
                std::iter::once(&twj.relation).chain(twj.joins.iter().map(|j| &j.relation))
            {
                let (name, qualifier) = target_qualifier(factor)?;
                if qualifier == *target || name == *target {
                    found = Some((name, qualifier));
                }
            }
        }
        let (name, qualifier) = found
            .ok_or_else(|| Error::syntax(format!("Unknown table '{target}' in MULTI DELETE")))?;
        return Ok((name, qualifier, from));
    }
    let first = from
        .first()
        .ok_or_else(|| Error::syntax("DELETE needs a table"))?;
    if from.len() > 1 || !first.joins.is_empty() {
        return Err(Error::unsupported(
            "DELETE from several tables at once is not supported",
        ));
    }
    let (name, qualifier) = target_qualifier(&first.relation)?;
    let source = match &delete.using {
        Some(using) => using.clone(),
        None => from,
    };
    Ok((name, qualifier, source))
}

impl Binder<'_> {
    /// The table a DELETE writes.
    pub async fn delete_target(&self, delete: &Delete) -> Result<TableMeta> {
        let (name, _, _) = parts(delete)?;
        self.write_target(&name).await
    }

    /// Bind a DELETE from `meta` (from [`Binder::delete_target`]) into a write plan;
    /// returns it with the mode it writes in.
    pub async fn bind_delete(
        &self,
        delete: Delete,
        with: Option<With>,
        meta: &TableMeta,
    ) -> Result<(LogicalPlan, WriteMode)> {
        if delete.limit.is_some() || !delete.order_by.is_empty() {
            return Err(Error::unsupported(
                "DELETE ... ORDER BY / LIMIT is not supported",
            ));
        }
        let (_, qualifier, from) = parts(&delete)?;
        let projection: Vec<Expr> = regular_columns(meta)
            .map(|c| column_of(&qualifier, c))
            .collect();
        if meta.keys_type.is_upsert() {
            let rows = select_query(with, true, projection, from, delete.selection);
            let plan = self.bind_write(meta, WriteMode::Retract, rows).await?;
            return Ok((plan, WriteMode::Retract));
        }
        if from.len() > 1 || from.iter().any(|t| !t.joins.is_empty()) {
            return Err(Error::unsupported(format!(
                "DELETE with a join is supported on PRIMARY KEY tables; '{}' is a {} table",
                meta.name,
                meta.keys_type.sql_name()
            )));
        }
        // Without WHERE every row goes: nothing is kept.
        let kept = Some(match delete.selection {
            Some(cond) => Expr::IsNotTrue(Box::new(Expr::Nested(Box::new(cond)))),
            None => Expr::Value(sqlparser::ast::Value::Boolean(false).into()),
        });
        let rows = select_query(with, false, projection, from, kept);
        let plan = self.bind_write(meta, WriteMode::Replace, rows).await?;
        Ok((plan, WriteMode::Replace))
    }
}

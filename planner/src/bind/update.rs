//! `[WITH ...] UPDATE t [AS a] [JOIN ...] SET c = expr [, ...] [FROM t2 [JOIN ...]] WHERE ...`
//! on PRIMARY KEY tables: the updated rows are `SELECT <new value or old value of every
//! column> FROM <t and the joined tables> WHERE ...`, upserted under their keys in one
//! commit; unless the client counts matched rows ([`UpdateCount`]), rows the SET leaves
//! as they are are not written. Setting a key column is an error (the row would move to another key); UPDATE
//! of a DUPLICATE KEY table is StarRocks' error.

use datafusion::logical_expr::LogicalPlan;
use lakestar_engine::catalog::TableMeta;
use lakestar_engine::storage::WriteMode;
use lakestar_engine::{user_err, Error, Result};
use sqlparser::ast::{
    AssignmentTarget, BinaryOperator, Expr, UnaryOperator, Update, UpdateTableFromKind, With,
};

use super::write_rows::{column_of, regular_columns, select_query, target_qualifier};
use super::Binder;

/// Which rows an UPDATE writes and counts as affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateCount {
    /// Every row the WHERE clause matches (CLIENT_FOUND_ROWS).
    Matched,
    /// Only rows whose values change (MySQL's affected rows).
    Changed,
}

impl Binder<'_> {
    /// The table an UPDATE writes.
    pub async fn update_target(&self, update: &Update) -> Result<TableMeta> {
        let (name, _) = target_qualifier(&update.table.relation)?;
        self.write_target(&name).await
    }

    /// Bind an UPDATE of `meta` (from [`Binder::update_target`]) into a write plan.
    pub async fn bind_update(
        &self,
        update: Update,
        with: Option<With>,
        meta: &TableMeta,
        count: UpdateCount,
    ) -> Result<LogicalPlan> {
        if !meta.keys_type.is_upsert() {
            return Err(Error::unsupported(format!(
                "UPDATE is supported only on PRIMARY KEY tables; '{}' is a {} table",
                meta.name,
                meta.keys_type.sql_name()
            )));
        }
        if update.limit.is_some() || !update.order_by.is_empty() {
            return Err(Error::unsupported(
                "UPDATE ... ORDER BY / LIMIT is not supported",
            ));
        }
        let (_, qualifier) = target_qualifier(&update.table.relation)?;
        let mut values = std::collections::HashMap::new();
        for assignment in update.assignments {
            let AssignmentTarget::ColumnName(column) = assignment.target else {
                return Err(Error::unsupported(
                    "UPDATE of a column tuple is not supported",
                ));
            };
            let name = column
                .0
                .last()
                .and_then(|p| p.as_ident())
                .map(|i| i.value.to_lowercase())
                .ok_or_else(|| Error::syntax(format!("invalid column name {column}")))?;
            let Some(meta_column) = meta.columns.iter().find(|c| c.name == name) else {
                return Err(user_err!(
                    UnknownColumn,
                    "Unknown column '{name}' in 'field list'"
                ));
            };
            if meta_column.generated.is_some() {
                return Err(user_err!(
                    GeneratedColumnValue,
                    "The value specified for generated column '{}' in table '{}' is not allowed",
                    meta_column.name,
                    meta.name
                ));
            }
            if meta
                .key_columns
                .iter()
                .any(|k| k.eq_ignore_ascii_case(&name))
            {
                return Err(Error::unsupported(format!(
                    "UPDATE cannot set the primary key column '{name}'"
                )));
            }
            values.insert(name, assignment.value);
        }
        // Rows whose every assigned column already holds its new value (NULL-safe) are
        // unchanged: with UpdateCount::Changed they are neither written nor counted.
        let mut unchanged: Option<Expr> = None;
        let mut names: Vec<&String> = values.keys().collect();
        names.sort();
        for name in names {
            let same = Expr::BinaryOp {
                left: Box::new(column_of(&qualifier, name)),
                op: BinaryOperator::Spaceship,
                right: Box::new(Expr::Nested(Box::new(values[name].clone()))),
            };
            unchanged = Some(match unchanged {
                None => same,
                Some(all) => Expr::BinaryOp {
                    left: Box::new(all),
                    op: BinaryOperator::And,
                    right: Box::new(same),
                },
            });
        }
        let selection = match (count, unchanged, update.selection) {
            (UpdateCount::Changed, Some(unchanged), selection) => {
                let changed = Expr::UnaryOp {
                    op: UnaryOperator::Not,
                    expr: Box::new(Expr::Nested(Box::new(unchanged))),
                };
                Some(match selection {
                    None => changed,
                    Some(s) => Expr::BinaryOp {
                        left: Box::new(Expr::Nested(Box::new(s))),
                        op: BinaryOperator::And,
                        right: Box::new(changed),
                    },
                })
            }
            (_, _, selection) => selection,
        };
        let projection = regular_columns(meta)
            .map(|c| values.remove(c).unwrap_or_else(|| column_of(&qualifier, c)))
            .collect();
        let mut from = vec![update.table];
        if let Some(UpdateTableFromKind::AfterSet(t) | UpdateTableFromKind::BeforeSet(t)) =
            update.from
        {
            from.extend(t);
        }
        let rows = select_query(with, false, projection, from, selection);
        self.bind_write(meta, WriteMode::Upsert, rows).await
    }
}

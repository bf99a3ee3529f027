//! What UPDATE and DELETE share: the rows they write are a query over the table (built as
//! a SELECT tree, never as text), bound like the source of an INSERT that lists every
//! column but the generated ones (store-assignment casts, generated columns recomputed),
//! and written through the table opened for the statement's [`WriteMode`].

use std::sync::Arc;

use datafusion::datasource::provider_as_source;
use datafusion::logical_expr::dml::InsertOp;
use datafusion::logical_expr::{DmlStatement, LogicalPlan, WriteOp};
use datafusion::sql::TableReference;
use lakestar_engine::catalog::{TableMeta, DEFAULT_CATALOG};
use lakestar_engine::storage::WriteMode;
use lakestar_engine::{Error, Result};
use sqlparser::ast::{
    Distinct, Expr, GroupByExpr, Ident, ObjectName, Query, Select, SelectFlavor, SelectItem,
    SetExpr, TableFactor, TableWithJoins, With,
};

use super::insert::{target_columns, InsertTarget};
use super::references::resolve_table;
use super::Binder;

/// The name a statement's target table goes by in its query (its alias, or its name).
pub(super) fn target_qualifier(relation: &TableFactor) -> Result<(ObjectName, ObjectName)> {
    let TableFactor::Table { name, alias, .. } = relation else {
        return Err(Error::unsupported(
            "UPDATE and DELETE write a table named directly",
        ));
    };
    let qualifier = match alias {
        Some(a) => ObjectName::from(vec![a.name.clone()]),
        None => name.clone(),
    };
    Ok((name.clone(), qualifier))
}

/// `qualifier.column`.
pub(super) fn column_of(qualifier: &ObjectName, column: &str) -> Expr {
    let mut parts: Vec<Ident> = qualifier
        .0
        .iter()
        .filter_map(|p| p.as_ident().cloned())
        .collect();
    parts.push(Ident::new(column));
    Expr::CompoundIdentifier(parts)
}

/// `[WITH ...] SELECT [DISTINCT] projection FROM from [WHERE selection]`.
pub fn select_query(
    with: Option<With>,
    distinct: bool,
    projection: Vec<Expr>,
    from: Vec<TableWithJoins>,
    selection: Option<Expr>,
) -> Box<Query> {
    let select = Select {
        select_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        optimizer_hints: vec![],
        distinct: distinct.then_some(Distinct::Distinct),
        select_modifiers: None,
        top: None,
        top_before_distinct: false,
        projection: projection
            .into_iter()
            .map(SelectItem::UnnamedExpr)
            .collect(),
        exclude: None,
        into: None,
        from,
        lateral_views: vec![],
        prewhere: None,
        selection,
        connect_by: vec![],
        group_by: GroupByExpr::Expressions(vec![], vec![]),
        cluster_by: vec![],
        distribute_by: vec![],
        sort_by: vec![],
        having: None,
        named_window: vec![],
        qualify: None,
        window_before_qualify: false,
        value_table_mode: None,
        flavor: SelectFlavor::Standard,
    };
    Box::new(Query {
        with,
        body: Box::new(SetExpr::Select(Box::new(select))),
        order_by: None,
        limit_clause: None,
        fetch: None,
        locks: vec![],
        for_clause: None,
        settings: None,
        format_clause: None,
        pipe_operators: vec![],
    })
}

impl Binder<'_> {
    /// The table an UPDATE or DELETE writes.
    pub async fn write_target(&self, name: &ObjectName) -> Result<TableMeta> {
        let reference = super::insert::table_reference(name)?;
        self.resolve_write_table(&reference).await
    }

    /// The table a write names: an internal table, or a table of a writable external
    /// catalog (named in full, or in the current catalog of `SET CATALOG`).
    pub(super) async fn resolve_write_table(
        &self,
        reference: &TableReference,
    ) -> Result<TableMeta> {
        let external = match (reference, self.current_catalog) {
            (
                TableReference::Full {
                    catalog,
                    schema,
                    table,
                },
                _,
            ) if catalog.as_ref() != DEFAULT_CATALOG => {
                Some((catalog.to_string(), schema.to_string(), table.to_string()))
            }
            (TableReference::Partial { schema, table }, Some(catalog)) => {
                Some((catalog.to_string(), schema.to_string(), table.to_string()))
            }
            (TableReference::Bare { table }, Some(catalog)) => {
                let db = self.current_db.ok_or_else(|| {
                    lakestar_engine::user_err!(NoDatabaseSelected, "No database selected")
                })?;
                Some((catalog.to_string(), db.to_string(), table.to_string()))
            }
            _ => None,
        };
        match external {
            Some((catalog, db, table)) => {
                self.catalog_list()?
                    .external_write_table(&catalog, &db, &table)
                    .await
            }
            None => resolve_table(reference, self.current_db, self.view),
        }
    }

    /// The session's catalog list, which opens write targets.
    pub(super) fn catalog_list(&self) -> Result<&crate::catalog_provider::LakestarCatalogList> {
        let list: &dyn std::any::Any = self.state.catalog_list().as_ref();
        list.downcast_ref::<crate::catalog_provider::LakestarCatalogList>()
            .ok_or_else(|| Error::internal("the session's catalog list is not Lakestar's"))
    }

    /// Bind `rows` (one value per column of `meta` but the generated ones, in table order)
    /// as a write of the table in `mode`.
    pub(super) async fn bind_write(
        &self,
        meta: &TableMeta,
        mode: WriteMode,
        rows: Box<Query>,
    ) -> Result<LogicalPlan> {
        let provider = self.catalog_list()?.write_target(meta, mode).await?;
        let target = InsertTarget {
            meta,
            stored: provider.schema(),
            columns: target_columns(meta, &[], &[])?,
            statics: vec![],
        };
        let input = self.plan_query_source(&target, rows).await?;
        Ok(LogicalPlan::Dml(DmlStatement::new(
            full_name(meta),
            provider_as_source(provider),
            WriteOp::Insert(InsertOp::Append),
            Arc::new(input),
        )))
    }
}

/// The regular (not generated) columns of a table, in order.
pub(super) fn regular_columns(meta: &TableMeta) -> impl Iterator<Item = &str> {
    meta.columns
        .iter()
        .filter(|c| c.generated.is_none())
        .map(|c| c.name.as_str())
}

/// A table's full name: `catalog.database.table`.
pub(super) fn full_name(meta: &TableMeta) -> TableReference {
    let catalog = meta.catalog.as_deref().unwrap_or(DEFAULT_CATALOG);
    TableReference::full(catalog, meta.database.as_str(), meta.name.as_str())
}

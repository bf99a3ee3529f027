//! Logical views.
//!
//! A view is stored as SQL text whose table references are all qualified with their
//! database ([`qualify_tables`], at CREATE VIEW). Binding expands each reference to a view
//! into a derived table `(definition) AS name (columns)` ([`expand_views`]); the expanded
//! query is bound like any other, so views over views, joins with tables and every
//! optimisation simply work.

use std::ops::ControlFlow;

use lakestar_engine::catalog::{CatalogView, DEFAULT_CATALOG};
use lakestar_engine::{user_err, Error, Result};
use sqlparser::ast::{
    Ident, ObjectName, ObjectNamePart, Query, Statement, TableAlias, TableAliasColumnDef,
    TableFactor, VisitMut, VisitorMut,
};
use sqlparser::parser::Parser;

/// How many view references one statement may expand (views over views included).
const MAX_EXPANSIONS: usize = 256;

/// Names of CTEs in scope, which shadow tables and views of the same name.
fn cte_names(query: &Query) -> Vec<String> {
    query
        .with
        .as_ref()
        .map(|w| {
            w.cte_tables
                .iter()
                .map(|c| c.alias.name.value.to_lowercase())
                .collect()
        })
        .unwrap_or_default()
}

/// `[catalog.][db.]name` as (db, name), if it names the internal catalog.
fn split_name(name: &ObjectName, current_db: Option<&str>) -> Option<(String, String)> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| p.as_ident().map(|i| i.value.to_lowercase()))
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [t] => Some((current_db?.to_string(), t.clone())),
        [d, t] => Some((d.clone(), t.clone())),
        [c, d, t] if c == DEFAULT_CATALOG => Some((d.clone(), t.clone())),
        _ => None,
    }
}

struct Expander<'a> {
    current_db: Option<&'a str>,
    view: &'a dyn CatalogView,
    ctes: Vec<String>,
    expansions: usize,
    error: Option<Error>,
}

impl VisitorMut for Expander<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        self.ctes.extend(cte_names(query));
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        let TableFactor::Table {
            name,
            alias,
            args: None,
            ..
        } = factor
        else {
            return ControlFlow::Continue(());
        };
        if name.0.len() == 1 && self.ctes.contains(&name.to_string().to_lowercase()) {
            return ControlFlow::Continue(());
        }
        let Some((db, table)) = split_name(name, self.current_db) else {
            return ControlFlow::Continue(());
        };
        let Some(view) = self.view.view(&db, &table) else {
            return ControlFlow::Continue(());
        };
        self.expansions += 1;
        if self.expansions > MAX_EXPANSIONS {
            self.error = Some(user_err!(
                InvalidDefinition,
                "View '{db}.{table}' references itself or nests more than {MAX_EXPANSIONS} views"
            ));
            return ControlFlow::Break(());
        }
        let subquery = match parse_query(&view.definition) {
            Ok(q) => q,
            Err(e) => {
                self.error = Some(e);
                return ControlFlow::Break(());
            }
        };
        let columns: Vec<TableAliasColumnDef> = match alias.as_ref() {
            Some(a) if !a.columns.is_empty() => a.columns.clone(),
            _ => view
                .columns
                .iter()
                .map(|c| TableAliasColumnDef::from_name(c.as_str()))
                .collect(),
        };
        let alias_name = alias
            .as_ref()
            .map(|a| a.name.clone())
            .unwrap_or_else(|| Ident::new(table));
        *factor = TableFactor::Derived {
            lateral: false,
            subquery: Box::new(subquery),
            alias: Some(TableAlias {
                explicit: true,
                name: alias_name,
                columns,
                at: None,
            }),
            sample: None,
        };
        ControlFlow::Continue(())
    }
}

/// Replace every reference to a view by its definition.
pub fn expand_views(
    statement: &mut Statement,
    current_db: Option<&str>,
    view: &dyn CatalogView,
) -> Result<()> {
    let mut expander = Expander {
        current_db,
        view,
        ctes: vec![],
        expansions: 0,
        error: None,
    };
    let _ = statement.visit(&mut expander);
    expander.error.map_or(Ok(()), Err)
}

/// Parse a stored view definition.
pub fn parse_query(sql: &str) -> Result<Query> {
    let mut statements = Parser::parse_sql(&crate::dialect::LakestarDialect::default(), sql)
        .map_err(|e| Error::internal(format!("stored view definition does not parse: {e}")))?;
    match statements.pop() {
        Some(Statement::Query(q)) if statements.is_empty() => Ok(*q),
        _ => Err(Error::internal("stored view definition is not a query")),
    }
}

struct Qualifier<'a> {
    db: &'a str,
    ctes: Vec<String>,
    /// Also prefix `default_catalog` to one- and two-part names.
    with_catalog: bool,
}

impl VisitorMut for Qualifier<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        self.ctes.extend(cte_names(query));
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        // Table functions (`generate_series(1, 3)`) keep their names.
        if let TableFactor::Table {
            name, args: None, ..
        } = factor
        {
            if name.0.len() == 1 && !self.ctes.contains(&name.to_string().to_lowercase()) {
                name.0
                    .insert(0, ObjectNamePart::Identifier(Ident::new(self.db)));
            }
            if self.with_catalog && name.0.len() == 2 {
                name.0.insert(
                    0,
                    ObjectNamePart::Identifier(Ident::new(
                        lakestar_engine::catalog::DEFAULT_CATALOG,
                    )),
                );
            }
        }
        ControlFlow::Continue(())
    }
}

/// Qualify every unqualified table reference of a view's query with `db`, so the stored
/// definition means the same whatever database a later session uses.
pub fn qualify_tables(query: &mut Query, db: &str) {
    let _ = query.visit(&mut Qualifier {
        db,
        ctes: vec![],
        with_catalog: false,
    });
}

/// Qualify every table reference with its catalog and database (`default_catalog.db.t`
/// unless a catalog is named), as materialized view definitions are stored, so they mean
/// the same whatever catalog a later session uses.
pub fn qualify_tables_fully(query: &mut Query, db: &str) {
    let _ = query.visit(&mut Qualifier {
        db,
        ctes: vec![],
        with_catalog: true,
    });
}

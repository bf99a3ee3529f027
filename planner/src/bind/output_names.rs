//! Duplicate result column names, which MySQL allows (`SELECT a, a FROM t`,
//! `SELECT 1 AS x, 2 AS x`, `SELECT *, a FROM t`) and a DataFusion plan does not: before
//! binding, a later item whose name repeats an earlier one gets a unique alias; after
//! binding, the plan's output fields carry the name to show in their metadata
//! ([`LABEL_METADATA_KEY`]), which the MySQL edge reports.

use std::collections::HashMap;

use datafusion::logical_expr::{col, LogicalPlan, LogicalPlanBuilder};
use lakestar_engine::types::LABEL_METADATA_KEY;
use lakestar_engine::{Error, Result};
use sqlparser::ast::{Expr, Ident, SelectItem, SetExpr, Statement};

/// Unique alias given to an output column → the name MySQL shows.
pub type Labels = HashMap<String, String>;

fn item_name(item: &SelectItem) -> Option<String> {
    match item {
        SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.clone()),
        SelectItem::UnnamedExpr(Expr::Identifier(i)) => Some(i.value.clone()),
        SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts)) => {
            parts.last().map(|i| i.value.clone())
        }
        _ => None,
    }
}

fn dedupe_select(select: &mut sqlparser::ast::Select, labels: &mut Labels) {
    let has_wildcard = select.projection.iter().any(|i| {
        matches!(
            i,
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
        )
    });
    let mut seen: Vec<String> = vec![];
    for (position, item) in select.projection.iter_mut().enumerate() {
        let Some(name) = item_name(item) else {
            continue;
        };
        let key = name.to_lowercase();
        // After a wildcard, a plain column may repeat one the wildcard expands to.
        let repeated =
            seen.contains(&key) || (has_wildcard && matches!(item, SelectItem::UnnamedExpr(_)));
        seen.push(key);
        if !repeated {
            continue;
        }
        let unique = format!("{name}#{}", position + 1);
        let expr = match item {
            SelectItem::ExprWithAlias { expr, .. } | SelectItem::UnnamedExpr(expr) => expr.clone(),
            _ => continue,
        };
        labels.insert(unique.clone(), name);
        *item = SelectItem::ExprWithAlias {
            expr,
            alias: Ident::with_quote('`', unique),
        };
    }
}

fn dedupe_body(body: &mut SetExpr, labels: &mut Labels) {
    match body {
        SetExpr::Select(select) => dedupe_select(select, labels),
        SetExpr::SetOperation { left, right, .. } => {
            dedupe_body(left, labels);
            dedupe_body(right, labels);
        }
        SetExpr::Query(q) => dedupe_body(q.body.as_mut(), labels),
        _ => {}
    }
}

/// Give repeated output names of the statement's result unique aliases.
pub fn dedupe(statement: &mut Statement) -> Labels {
    let mut labels = Labels::new();
    if let Statement::Query(query) = statement {
        dedupe_body(query.body.as_mut(), &mut labels);
    }
    labels
}

/// Label the plan's output fields renamed by [`dedupe`] with the names to show.
pub fn relabel(plan: LogicalPlan, labels: &Labels) -> Result<LogicalPlan> {
    if labels.is_empty() {
        return Ok(plan);
    }
    let exprs: Vec<_> = plan
        .schema()
        .iter()
        .map(|(qualifier, field)| {
            let column = col(datafusion::common::Column::new(
                qualifier.cloned(),
                field.name(),
            ));
            match labels.get(field.name()) {
                Some(label) => column.alias_with_metadata(
                    field.name(),
                    Some(
                        std::collections::BTreeMap::from([(
                            LABEL_METADATA_KEY.to_string(),
                            label.clone(),
                        )])
                        .into(),
                    ),
                ),
                None => column,
            }
        })
        .collect();
    LogicalPlanBuilder::from(plan)
        .project(exprs)
        .and_then(|b| b.build())
        .map_err(Error::from_datafusion)
}

//! Generated columns (`col type AS expr`): checking a definition, and binding the
//! expressions that compute the columns' values when rows are written.
//!
//! An expression is SQL text over the table's regular columns. It may not reference
//! another generated column, may not aggregate, and must produce exactly the declared type
//! (as StarRocks requires).

use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::tree_node::TreeNode;
use datafusion::common::DFSchema;
use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::{Expr, ExprSchemable};
use lakestar_engine::catalog::{ColumnMeta, TableMeta};
use lakestar_engine::{user_err, Error, Result};

/// The schema generated expressions are bound against: the regular columns, unqualified.
fn regular_schema(meta: &TableMeta) -> Result<DFSchema> {
    let fields: Vec<Field> = meta
        .columns
        .iter()
        .filter(|c| c.generated.is_none())
        .map(ColumnMeta::to_arrow_field)
        .collect();
    DFSchema::try_from(Schema::new(fields)).map_err(Error::from_datafusion)
}

/// Two Arrow types hold the same declared type (strings in any of their layouts).
fn same_type(a: &DataType, b: &DataType) -> bool {
    let string =
        |t: &DataType| matches!(t, DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8);
    a == b || (string(a) && string(b))
}

/// Bind one generated column's expression against `schema` (which must hold the table's
/// regular columns under their names).
pub fn bind_expression(
    state: &SessionState,
    column: &ColumnMeta,
    schema: &DFSchema,
) -> Result<Expr> {
    let text = column
        .generated
        .as_deref()
        .ok_or_else(|| Error::internal(format!("column {} is not generated", column.name)))?;
    state.create_logical_expr(text, schema).map_err(|e| {
        let e = Error::from_datafusion(e);
        user_err!(
            InvalidDefinition,
            "Generated column '{}': {} (its expression may use only the table's regular columns)",
            column.name,
            e.message()
        )
    })
}

/// Check every generated column of a table definition.
pub fn check_table(state: &SessionState, meta: &TableMeta) -> Result<()> {
    let schema = regular_schema(meta)?;
    for column in meta.columns.iter().filter(|c| c.generated.is_some()) {
        let expr = bind_expression(state, column, &schema)?;
        let aggregates = expr
            .exists(|e| {
                Ok(matches!(
                    e,
                    Expr::AggregateFunction(_) | Expr::WindowFunction(_)
                ))
            })
            .map_err(Error::from_datafusion)?;
        if aggregates {
            return Err(user_err!(
                InvalidDefinition,
                "Generated column '{}' cannot use aggregate or window functions",
                column.name
            ));
        }
        let produced = expr.get_type(&schema).map_err(Error::from_datafusion)?;
        let declared = column.sql_type.to_arrow();
        if !same_type(&produced, &declared) {
            let produced = lakestar_engine::types::SqlType::from_arrow(&produced)
                .map_or_else(|| produced.to_string(), |t| t.to_string());
            return Err(user_err!(
                InvalidDefinition,
                "Generated column '{}' is declared {} but its expression is of type {}",
                column.name,
                column.sql_type,
                produced
            ));
        }
    }
    Ok(())
}

/// The regular columns a table's generated columns read (to refuse dropping or changing
/// them), as (generated column, used column) pairs.
pub fn dependencies(state: &SessionState, meta: &TableMeta) -> Result<Vec<(String, String)>> {
    let schema = regular_schema(meta)?;
    let mut out = vec![];
    for column in meta.columns.iter().filter(|c| c.generated.is_some()) {
        let expr = bind_expression(state, column, &schema)?;
        for used in expr.column_refs() {
            out.push((column.name.clone(), used.name.clone()));
        }
    }
    Ok(out)
}

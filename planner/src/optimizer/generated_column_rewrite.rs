//! Generated-column rewrite: wherever a query computes an expression that a table's
//! generated column stores (`get_json_string(data, '$.dept_name')` for a column defined
//! `AS get_json_string(data, '$.dept_name')`), read the column instead. SELECT lists,
//! WHERE, GROUP BY, ORDER BY, join conditions and views all go through it.
//!
//! Generated columns are found in the schemas flowing through the plan: a table's field
//! carries its expression in metadata ([`GENERATED_METADATA_KEY`]). The expression is
//! bound against the columns of the same table reference (so `o.data` in one join side is
//! never confused with `c.data` in the other) and type-coerced as the query's expressions
//! are. Equivalence is decided on normalized expressions: aliases removed, column
//! references resolved, string literals in one representation; never on SQL text.
//! Output names are preserved, so results look the same with the rule on or off.

use std::sync::Arc;

use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Column, DFSchema, Result as DFResult, ScalarValue, TableReference};
use datafusion::config::ConfigOptions;
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::{
    AggregateUDF, Expr, ExprSchemable, LogicalPlan, ScalarUDF, TableSource, WindowUDF,
};
use datafusion::optimizer::analyzer::type_coercion::TypeCoercionRewriter;
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};
use datafusion::sql::planner::{ContextProvider, PlannerContext, SqlToRel};
use lakestar_engine::catalog::GENERATED_METADATA_KEY;

#[derive(Debug, Default)]
pub struct GeneratedColumnRewrite;

/// A generated column visible to a plan node: its expression bound to the same table
/// reference, normalized, and the read of the column that replaces it.
struct Candidate {
    expression: Expr,
    /// The column read as the expression's type, where storage keeps another layout
    /// (a string column stored as `Utf8View`, say), so the plan's types stay as bound.
    replacement: Expr,
}

impl OptimizerRule for GeneratedColumnRewrite {
    fn name(&self) -> &str {
        "generated_column_rewrite"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        None
    }

    fn supports_rewrite(&self) -> bool {
        true
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        config: &dyn OptimizerConfig,
    ) -> DFResult<Transformed<LogicalPlan>> {
        let Some(registry) = config.function_registry() else {
            return Ok(Transformed::no(plan));
        };
        let binder = ExprBinder {
            registry,
            options: config.options(),
        };
        plan.transform_up_with_subqueries(|node| rewrite_node(node, &binder))
    }
}

fn rewrite_node(node: LogicalPlan, binder: &ExprBinder<'_>) -> DFResult<Transformed<LogicalPlan>> {
    // A scan's own filters are written against the table; everything else reads inputs.
    if matches!(node, LogicalPlan::TableScan(_)) {
        return Ok(Transformed::no(node));
    }
    let mut candidates = vec![];
    for input in node.inputs() {
        candidates.extend(binder.candidates(input.schema())?);
    }
    if candidates.is_empty() {
        return Ok(Transformed::no(node));
    }
    let rewritten = crate::plan_exprs::map_keeping_names(node, |expr| {
        expr.transform_down(|sub| {
            let normalized = normalize(sub.clone())?;
            match candidates.iter().find(|c| c.expression == normalized) {
                Some(c) => Ok(Transformed::yes(c.replacement.clone())),
                None => Ok(Transformed::no(sub)),
            }
        })
    })?;
    if !rewritten.transformed {
        return Ok(rewritten);
    }
    rewritten.map_data(|plan| plan.recompute_schema())
}

/// Aliases removed and string literals as `Utf8`, so that equal expressions compare equal.
fn normalize(expr: Expr) -> DFResult<Expr> {
    expr.transform_up(|e| {
        Ok(match e {
            Expr::Alias(alias) => Transformed::yes(*alias.expr),
            Expr::Literal(
                ScalarValue::Utf8View(s) | ScalarValue::LargeUtf8(s) | ScalarValue::Utf8(s),
                _,
            ) => Transformed::yes(Expr::Literal(ScalarValue::Utf8(s), None)),
            Expr::Literal(v, Some(_)) => Transformed::yes(Expr::Literal(v, None)),
            other => Transformed::no(other),
        })
    })
    .map(|t| t.data)
}

/// Binds generated columns' SQL text with the session's functions.
struct ExprBinder<'a> {
    registry: &'a dyn FunctionRegistry,
    options: Arc<ConfigOptions>,
}

impl ExprBinder<'_> {
    /// The generated columns among `schema`'s fields, each bound against the fields of
    /// its own table reference.
    fn candidates(&self, schema: &DFSchema) -> DFResult<Vec<Candidate>> {
        let mut out = vec![];
        for (qualifier, field) in schema.iter() {
            let Some(text) = field.metadata().get(GENERATED_METADATA_KEY) else {
                continue;
            };
            let same_table: Vec<(
                Option<TableReference>,
                Arc<datafusion::arrow::datatypes::Field>,
            )> = schema
                .iter()
                .filter(|(q, _)| *q == qualifier)
                .map(|(q, f)| (q.cloned(), Arc::clone(f)))
                .collect();
            let table_schema = DFSchema::new_with_metadata(same_table, Default::default())?;
            // A definition that no longer binds (a function dropped, ...) is not rewritten.
            let Ok(bound) = self.bind(text, &table_schema) else {
                continue;
            };
            let column = Column::new(qualifier.cloned(), field.name());
            let bound_type = bound.get_type(&table_schema)?;
            let replacement = if &bound_type == field.data_type() {
                Expr::Column(column.clone())
            } else {
                datafusion::logical_expr::cast(Expr::Column(column.clone()), bound_type)
            };
            out.push(Candidate {
                expression: normalize(bound)?,
                replacement,
            });
        }
        Ok(out)
    }

    fn bind(&self, text: &str, schema: &DFSchema) -> DFResult<Expr> {
        let dialect = crate::dialect::LakestarDialect::default();
        let ast = sqlparser::parser::Parser::new(&dialect)
            .try_with_sql(text)?
            .parse_expr()?;
        let provider = RegistryContext {
            registry: self.registry,
            options: Arc::clone(&self.options),
        };
        let expr = SqlToRel::new(&provider).sql_to_expr(ast, schema, &mut PlannerContext::new())?;
        let expr = expr.rewrite(&mut TypeCoercionRewriter::new(schema))?.data;
        Ok(expr)
    }
}

/// The planner context a generated expression is bound in: the session's functions, no
/// tables.
struct RegistryContext<'a> {
    registry: &'a dyn FunctionRegistry,
    options: Arc<ConfigOptions>,
}

impl ContextProvider for RegistryContext<'_> {
    fn get_table_source(&self, name: TableReference) -> DFResult<Arc<dyn TableSource>> {
        datafusion::common::plan_err!("a generated column cannot read table {name}")
    }

    fn get_function_meta(&self, name: &str) -> Option<Arc<ScalarUDF>> {
        self.registry.udf(name).ok()
    }

    fn get_aggregate_meta(&self, name: &str) -> Option<Arc<AggregateUDF>> {
        self.registry.udaf(name).ok()
    }

    fn get_window_meta(&self, name: &str) -> Option<Arc<WindowUDF>> {
        self.registry.udwf(name).ok()
    }

    fn get_variable_type(
        &self,
        _variable_names: &[String],
    ) -> Option<datafusion::arrow::datatypes::DataType> {
        None
    }

    fn options(&self) -> &ConfigOptions {
        &self.options
    }

    fn udf_names(&self) -> Vec<String> {
        self.registry.udfs().into_iter().collect()
    }

    fn udaf_names(&self) -> Vec<String> {
        self.registry.udafs().into_iter().collect()
    }

    fn udwf_names(&self) -> Vec<String> {
        self.registry.udwfs().into_iter().collect()
    }

    fn get_higher_order_meta(
        &self,
        _name: &str,
    ) -> Option<Arc<datafusion::logical_expr::HigherOrderUDF>> {
        None
    }

    fn higher_order_function_names(&self) -> Vec<String> {
        vec![]
    }
}

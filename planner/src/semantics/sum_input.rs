//! `SUM` of strings sums their numbers, as MySQL does (`SUM('3')` is 3, `SUM(-'3')` -3,
//! `SUM(s)` of a text column reads each value's numeric prefix with warning 1292).
//! DataFusion's `sum` has no string signature and refuses the statement while binding,
//! before any rule sees types.
//!
//! So every `sum(x)` is bound as `sum(`[`SUM_INPUT`]`(x))`, named like `sum(x)`: a string
//! argument becomes a DOUBLE (`conversion`'s reading), any other value passes unchanged.
//! The analyzer rule [`SumInputs`], after type coercion, takes the function away again
//! where its argument is not a string, so numeric sums keep their plain plan.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result};
use datafusion::config::ConfigOptions;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    ColumnarValue, Expr, ExprSchemable, LogicalPlan, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature, Volatility,
};
use datafusion::optimizer::AnalyzerRule;

use super::conversion::is_string;
use crate::plan_exprs::{inputs_schema, map_keeping_names};

/// The function converting a `sum`'s string argument into a DOUBLE.
pub const SUM_INPUT: &str = "mysql_sum_input";

#[derive(Debug, PartialEq, Eq, Hash)]
struct SumInput {
    signature: Signature,
    /// `mysql_to_double`, which reads strings with MySQL's rules and warnings.
    to_double: Arc<ScalarUDF>,
}

impl ScalarUDFImpl for SumInput {
    fn name(&self) -> &str {
        SUM_INPUT
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn schema_name(&self, args: &[Expr]) -> Result<String> {
        match args {
            [arg] => Ok(arg.schema_name().to_string()),
            _ => crate::plan_exprs::schema_name(SUM_INPUT, args),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(match is_string(&arg_types[0]) {
            true => DataType::Float64,
            false => arg_types[0].clone(),
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        match is_string(&args.args[0].data_type()) {
            true => self.to_double.inner().invoke_with_args(args),
            false => Ok(args.args.into_iter().next().expect("one argument")),
        }
    }
}

pub fn sum_input_udf(to_double: &Arc<ScalarUDF>) -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::new_from_impl(SumInput {
        signature: Signature::any(1, Volatility::Immutable),
        to_double: Arc::clone(to_double),
    }))
}

/// Removes [`SUM_INPUT`] around arguments that are not strings (see the module doc).
#[derive(Debug, Default)]
pub struct SumInputs;

fn unwrap(expr: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    expr.transform_up(|e| match e {
        Expr::ScalarFunction(ScalarFunction { func, mut args })
            if func.name() == SUM_INPUT
                && args.len() == 1
                && !is_string(&args[0].get_type(schema)?) =>
        {
            Ok(Transformed::yes(args.remove(0)))
        }
        e => Ok(Transformed::no(e)),
    })
}

impl AnalyzerRule for SumInputs {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(|node| {
            let schema = inputs_schema(&node);
            map_keeping_names(node, |e| unwrap(e, &schema))
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "mysql_sum_inputs"
    }
}

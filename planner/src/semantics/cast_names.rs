//! Aggregates whose arguments hold a CAST keep the CAST in their name.
//!
//! DataFusion names `CAST(x AS T)` like `x`, so `SUM(CAST(c AS SIGNED))` beside `SUM(c)`
//! were two aggregates of one name, which an aggregation refuses ("duplicate field
//! name"), although MySQL answers both. An argument holding a cast is planned as
//! [`NAMED`]`(argument)`: the argument's value unchanged, named with its casts written
//! out.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::TreeNode;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The function that names its argument with its casts.
pub const NAMED: &str = "lakestar_cast_named";

#[derive(Debug, PartialEq, Eq, Hash)]
struct CastNamed {
    signature: Signature,
}

impl ScalarUDFImpl for CastNamed {
    fn name(&self) -> &str {
        NAMED
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn schema_name(&self, args: &[Expr]) -> DFResult<String> {
        Ok(match args {
            [arg] => arg.to_string(),
            _ => crate::plan_exprs::schema_name(NAMED, args)?,
        })
    }

    fn return_type(&self, arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(arg_types[0].clone())
    }

    fn invoke_with_args(&self, mut args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        Ok(args.args.swap_remove(0))
    }
}

pub fn cast_named_udf() -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::new_from_impl(CastNamed {
        signature: Signature::any(1, Volatility::Immutable),
    }))
}

/// Whether `expr` holds a CAST that its DataFusion name would not show.
pub fn holds_cast(expr: &Expr) -> bool {
    expr.exists(|e| Ok(matches!(e, Expr::Cast(_) | Expr::TryCast(_))))
        .unwrap_or(false)
}

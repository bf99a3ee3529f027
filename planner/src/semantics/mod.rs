//! MySQL expression semantics, in one place: an [`ExprPlanner`] that DataFusion's SQL
//! planner asks first for every binary operator, with both operands already planned and
//! typed. Everything that binds SQL (SELECT, WHERE, GROUP BY, HAVING, INSERT ... SELECT,
//! views, MV definitions, generated columns) goes through it.
//!
//! - [`arithmetic`]: `/`, `DIV`, `%`, integer `+ - *` (exact decimal division with
//!   `div_precision_increment`, NULL and warning 1365 on division by zero, 1690 on BIGINT
//!   overflow).
//! - [`decimals`]: MySQL's internal and declared scales of DECIMAL results (a stage on
//!   the bound plan: `57/17*60` is 201.1765).
//! - [`labels`]: result columns named by their source text (`IFNULL(NULL, 3)`).
//! - [`average`]: `avg` of integers is a DECIMAL (scale 4), as in MySQL.
//! - [`cast_names`]: aggregate arguments holding a CAST are named with it
//!   (`SUM(CAST(c AS SIGNED))` beside `SUM(c)`).
//! - [`conversion`]: strings in numeric context (`'3' + 1` = 4, warning 1292).
//! - [`comparison`]: string-number and boolean-number comparisons.
//! - [`sum_input`]: `SUM` of strings sums their numbers (bound through a function that an
//!   analyzer rule, after DataFusion's, removes where the argument is numeric).
//! - [`temporal_number`]: dates and times in arithmetic are MySQL's numbers for them
//!   (`CURTIME() + 0` is `hhmmss`).
//! - [`negation`]: unary minus on strings, NULL, booleans and DECIMALs (an analyzer rule,
//!   run before DataFusion's type coercion).
//! - [`in_subquery`]: the column of `x IN (SELECT y ...)` that type coercion cast gets a
//!   name of its own (an analyzer rule, after DataFusion's).
//! - [`integer_cast`]: a DECIMAL is rounded before it becomes an integer (an analyzer
//!   rule, after DataFusion's).
//! - [`order_subqueries`]: correlated subqueries in ORDER BY are computed in a projection
//!   below the sort (an analyzer rule, after DataFusion's).
//! - [`subqueries`]: IN / NOT IN / EXISTS subqueries as values, three-valued (a rewrite
//!   of the SQL tree before binding).
//!
//! Warnings go to the statement's [`Warnings`] sink, which the frontend reads after the
//! statement (SHOW WARNINGS).

pub mod arithmetic;
pub mod average;
pub mod cast_names;
pub mod comparison;
pub mod conversion;
pub mod datetime_text;
pub mod decimals;
pub mod in_subquery;
pub mod integer_cast;
pub mod labels;
pub mod negation;
pub mod order_subqueries;
pub mod single_row;
pub mod subqueries;
pub mod sum_input;
pub mod temporal_number;

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DFSchema, Result as DFResult, ScalarValue};
use datafusion::logical_expr::planner::{
    ExprPlanner, PlannerResult, RawAggregateExpr, RawBinaryExpr,
};
use datafusion::logical_expr::{BinaryExpr, Expr, ExprSchemable, Operator, ScalarUDF};
use lakestar_engine::warnings::Warnings;
use sqlparser::ast::BinaryOperator;

use arithmetic::{arithmetic_udf, class, Num, Op};
use temporal_number::is_temporal;

/// Plans MySQL's operators (see the module doc).
#[derive(Debug)]
pub struct MysqlSemantics {
    to_double: Arc<ScalarUDF>,
    avg_input: Arc<ScalarUDF>,
    avg_internal: Arc<ScalarUDF>,
    cast_named: Arc<ScalarUDF>,
    sum_input: Arc<ScalarUDF>,
    temporal_number: Arc<ScalarUDF>,
    ops: Vec<(Op, Arc<ScalarUDF>)>,
}

impl MysqlSemantics {
    /// `increment` is `div_precision_increment`; warnings go to `warnings`.
    pub fn new(increment: u8, warnings: &Warnings) -> Self {
        let ops = [
            Op::Divide,
            Op::IntDivide,
            Op::Modulo,
            Op::Add,
            Op::Subtract,
            Op::Multiply,
        ]
        .into_iter()
        .map(|op| (op, arithmetic_udf(op, increment, warnings)))
        .collect();
        let to_double = conversion::to_double_udf(warnings);
        Self {
            sum_input: sum_input::sum_input_udf(&to_double),
            to_double,
            avg_input: average::avg_input_udf(),
            avg_internal: average::avg_internal_input_udf(increment),
            cast_named: cast_names::cast_named_udf(),
            temporal_number: temporal_number::temporal_number_udf(),
            ops,
        }
    }

    /// The analyzer rule for unary minus, raising warnings into the same sink.
    pub fn negation(&self) -> negation::MysqlNegation {
        negation::MysqlNegation {
            to_double: Arc::clone(&self.to_double),
            negate: negation::negate_udf(),
        }
    }

    /// `avg(x)` as an operand: computed at MySQL's internal scale (see [`average`]).
    fn internal_avg(&self, expr: Expr) -> Expr {
        use datafusion::logical_expr::expr::{AggregateFunction, ScalarFunction};
        match expr {
            Expr::AggregateFunction(AggregateFunction { func, mut params })
                if func.name() == "avg"
                    && matches!(params.args.as_slice(),
                        [Expr::ScalarFunction(f)] if f.func.name() == average::AVG_INPUT) =>
            {
                if let Some(Expr::ScalarFunction(ScalarFunction { args, .. })) = params.args.pop() {
                    params.args = vec![self.avg_internal.call(args)];
                }
                Expr::AggregateFunction(AggregateFunction { func, params })
            }
            other => other,
        }
    }

    fn udf(&self, op: Op) -> &Arc<ScalarUDF> {
        &self.ops.iter().find(|(o, _)| *o == op).expect("every op").1
    }

    fn comparison(op: &BinaryOperator) -> Option<Operator> {
        Some(match op {
            BinaryOperator::Eq => Operator::Eq,
            BinaryOperator::NotEq => Operator::NotEq,
            BinaryOperator::Lt => Operator::Lt,
            BinaryOperator::LtEq => Operator::LtEq,
            BinaryOperator::Gt => Operator::Gt,
            BinaryOperator::GtEq => Operator::GtEq,
            BinaryOperator::Spaceship => Operator::IsNotDistinctFrom,
            _ => return None,
        })
    }
}

impl ExprPlanner for MysqlSemantics {
    fn plan_aggregate(
        &self,
        mut expr: RawAggregateExpr,
    ) -> DFResult<PlannerResult<RawAggregateExpr>> {
        // SUM / AVG of a NULL (`SUM(+(NULL))`, `SUM(CASE x WHEN 1 THEN NULL END)`) sum a
        // BIGINT NULL: DataFusion has no sum of the NULL type, and MySQL's answer is NULL
        // either way.
        if matches!(expr.func.name(), "sum" | "avg") {
            for arg in expr.args.iter_mut() {
                if always_null(arg) {
                    *arg = Expr::Literal(datafusion::common::ScalarValue::Int64(None), None);
                }
            }
        }
        // Constant parameters of aggregates of several arguments (a percentile's
        // fraction) stay literals, which those aggregates require.
        let single = expr.args.len() == 1;
        let named =
            |e: Expr| match cast_names::holds_cast(&e) && (single || !e.column_refs().is_empty()) {
                true => self.cast_named.call(vec![e]),
                false => e,
            };
        expr.args = std::mem::take(&mut expr.args)
            .into_iter()
            .map(named)
            .collect();
        // ORDER BY keys of a DISTINCT aggregate must be among its (now named) arguments.
        for key in expr.order_by.iter_mut() {
            let e = std::mem::replace(&mut key.expr, Expr::Literal(ScalarValue::Null, None));
            key.expr = named(e);
        }
        if expr.func.name() == "sum" {
            expr.args = std::mem::take(&mut expr.args)
                .into_iter()
                .map(|arg| self.sum_input.call(vec![arg]))
                .collect();
        }
        if expr.func.name() != "avg" || expr.args.len() != 1 {
            return Ok(PlannerResult::Original(expr));
        }
        let arg = expr.args.remove(0);
        expr.args = vec![self.avg_input.call(vec![arg])];
        Ok(PlannerResult::Original(expr))
    }

    fn plan_binary_op(
        &self,
        expr: RawBinaryExpr,
        schema: &DFSchema,
    ) -> DFResult<PlannerResult<RawBinaryExpr>> {
        let expr = RawBinaryExpr {
            left: self.internal_avg(expr.left),
            right: self.internal_avg(expr.right),
            ..expr
        };
        let (Ok(lt), Ok(rt)) = (expr.left.get_type(schema), expr.right.get_type(schema)) else {
            return Ok(PlannerResult::Original(expr));
        };
        if let Some(cmp) = Self::comparison(&expr.op) {
            return Ok(
                match comparison::operands(&expr.left, &lt, &expr.right, &rt, &self.to_double) {
                    Some((l, r)) => PlannerResult::Planned(Expr::BinaryExpr(BinaryExpr::new(
                        Box::new(l),
                        cmp,
                        Box::new(r),
                    ))),
                    None => PlannerResult::Original(expr),
                },
            );
        }
        let op = match expr.op {
            BinaryOperator::Divide => Op::Divide,
            BinaryOperator::MyIntegerDivide => Op::IntDivide,
            BinaryOperator::Modulo => Op::Modulo,
            BinaryOperator::Plus => Op::Add,
            BinaryOperator::Minus => Op::Subtract,
            BinaryOperator::Multiply => Op::Multiply,
            _ => return Ok(PlannerResult::Original(expr)),
        };
        let temporal = (is_temporal(&lt), is_temporal(&rt));
        let numeric = |t: &DataType| is_temporal(t) || class(t).is_some();
        if (temporal.0 || temporal.1) && numeric(&lt) && numeric(&rt) {
            let number = |e: Expr, is: bool| match is {
                true => self.temporal_number.call(vec![e]),
                false => e,
            };
            return self.plan_binary_op(
                RawBinaryExpr {
                    op: expr.op,
                    left: number(expr.left, temporal.0),
                    right: number(expr.right, temporal.1),
                },
                schema,
            );
        }
        let (Some(ca), Some(cb)) = (class(&lt), class(&rt)) else {
            return Ok(PlannerResult::Original(expr));
        };
        let RawBinaryExpr {
            op: sql_op,
            left,
            right,
        } = expr;
        match op {
            Op::Add | Op::Subtract | Op::Multiply => {
                let ints = matches!((ca, cb), (Num::Integer(_), Num::Integer(_)));
                let unsigned = |t: &datafusion::arrow::datatypes::DataType| {
                    matches!(t, datafusion::arrow::datatypes::DataType::UInt64)
                };
                if ints && !unsigned(&lt) && !unsigned(&rt) {
                    return Ok(PlannerResult::Planned(arithmetic::chain(
                        self.udf(op),
                        left,
                        right,
                    )));
                }
                if conversion::is_string(&lt) || conversion::is_string(&rt) {
                    let operator = match op {
                        Op::Add => Operator::Plus,
                        Op::Subtract => Operator::Minus,
                        _ => Operator::Multiply,
                    };
                    let l = conversion::numeric_operand(left, &lt, &self.to_double);
                    let r = conversion::numeric_operand(right, &rt, &self.to_double);
                    return Ok(PlannerResult::Planned(Expr::BinaryExpr(BinaryExpr::new(
                        Box::new(l),
                        operator,
                        Box::new(r),
                    ))));
                }
                Ok(PlannerResult::Original(RawBinaryExpr {
                    op: sql_op,
                    left,
                    right,
                }))
            }
            _ => Ok(PlannerResult::Planned(self.udf(op).call(vec![left, right]))),
        }
    }
}

/// Whether `expr` is NULL whatever the row: a NULL literal, or a CASE whose every branch
/// is one.
fn always_null(expr: &Expr) -> bool {
    match expr {
        Expr::Literal(v, _) => v.is_null() && v.data_type() == DataType::Null,
        Expr::Alias(a) => always_null(&a.expr),
        Expr::Negative(e) => always_null(e),
        Expr::Case(c) => {
            c.when_then_expr.iter().all(|(_, then)| always_null(then))
                && c.else_expr.as_deref().is_none_or(always_null)
        }
        _ => false,
    }
}

//! Scalar subqueries DataFusion's decorrelation leaves in an optimized plan (correlated by
//! a non-equality predicate, `WHERE outer.c > inner.c`, or by a predicate on outer columns
//! alone, `WHERE 86 = outer.c`) are evaluated by *apply*: each becomes an async function
//! of the outer columns it references that, for every distinct tuple of their values,
//! puts the values into the subquery as literals, plans it like any statement and runs
//! it. Empty result: NULL; more than one row: MySQL's error 1242.
//!
//! The cost grows with the number of distinct outer values times the subquery's cost, so
//! it is the fallback where DataFusion would refuse the query ("Physical plan does not
//! support logical expression ScalarSubquery"): the rule [`SubqueryApply`] runs right
//! after DataFusion's `scalar_subquery_to_join`, on what that left, and before projection
//! pruning, so the outer columns stay available as the function's arguments.
//!
//! A function needs the statement's session to plan its subquery, which an optimizer rule
//! does not have: the rule leaves an empty [`StateSlot`] in [`ApplySlots`] (a session
//! extension), and `crate::physical_plan` fills every pending slot once the plan is
//! optimized (and empties the list, so the session holds no reference to itself).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use async_trait::async_trait;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, ScalarValue};
use datafusion::error::Result as DFResult;
use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::async_udf::{AsyncScalarUDF, AsyncScalarUDFImpl};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    ColumnarValue, Expr, LogicalPlan, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl,
    Signature, Subquery, Volatility,
};
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};
use lakestar_engine::{Error, Reason};
use tokio::sync::Mutex as AsyncMutex;

/// Where an apply function finds the statement's session once it is planned.
pub type StateSlot = Arc<OnceLock<SessionState>>;

/// The slots of apply functions made while optimizing, waiting for their session.
#[derive(Debug, Default)]
pub struct ApplySlots(Mutex<Vec<StateSlot>>);

impl ApplySlots {
    /// Give every pending apply function `state`.
    pub fn fill(&self, state: &SessionState) {
        for slot in std::mem::take(&mut *self.0.lock().expect("apply slots")) {
            let _ = slot.set(state.clone());
        }
    }
}

/// The optimizer rule: correlated scalar subqueries left by DataFusion's decorrelation
/// become apply functions.
#[derive(Debug)]
pub struct SubqueryApply {
    pub slots: Arc<ApplySlots>,
}

impl OptimizerRule for SubqueryApply {
    fn name(&self) -> &str {
        "scalar_subquery_apply"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::TopDown)
    }

    fn supports_rewrite(&self) -> bool {
        true
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        _config: &dyn OptimizerConfig,
    ) -> DFResult<Transformed<LogicalPlan>> {
        crate::plan_exprs::map_keeping_names(plan, |expr| {
            expr.transform_up(|e| match e {
                // Uncorrelated subqueries DataFusion runs once itself.
                Expr::ScalarSubquery(subquery) if !subquery.outer_ref_columns.is_empty() => {
                    Ok(Transformed::yes(self.apply_call(subquery)))
                }
                other => Ok(Transformed::no(other)),
            })
        })
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

impl SubqueryApply {
    /// The call of the apply function of one subquery, over the outer columns it
    /// references.
    fn apply_call(&self, subquery: Subquery) -> Expr {
        let mut outer: Vec<(Column, FieldRef)> = vec![];
        for e in &subquery.outer_ref_columns {
            if let Expr::OuterReferenceColumn(field, column) = e {
                if !outer.iter().any(|(c, _)| c == column) {
                    outer.push((column.clone(), Arc::clone(field)));
                }
            }
        }
        let field = subquery.subquery.schema().field(0);
        let state = StateSlot::default();
        self.slots
            .0
            .lock()
            .expect("apply slots")
            .push(Arc::clone(&state));
        let apply = Apply {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            subquery: Arc::clone(&subquery.subquery),
            outer: outer.clone(),
            state,
            return_field: Arc::new(Field::new(field.name(), field.data_type().clone(), true)),
            signature: Signature::any(outer.len(), Volatility::Volatile),
            results: AsyncMutex::default(),
        };
        let args = outer.into_iter().map(|(c, _)| Expr::Column(c)).collect();
        let udf = AsyncScalarUDF::new(Arc::new(apply)).into_scalar_udf();
        Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf), args))
    }
}

/// One subquery's apply function.
struct Apply {
    /// Tells apart the functions of one statement (they compare by identity).
    id: u64,
    subquery: Arc<LogicalPlan>,
    /// The outer columns the subquery references, in argument order.
    outer: Vec<(Column, FieldRef)>,
    /// The statement's session, once its plan is optimized.
    state: StateSlot,
    return_field: FieldRef,
    signature: Signature,
    /// Results by outer values, shared by every batch of the statement.
    results: AsyncMutex<HashMap<Vec<ScalarValue>, ScalarValue>>,
}

impl std::fmt::Debug for Apply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Apply").field("id", &self.id).finish()
    }
}

impl PartialEq for Apply {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Apply {}

impl Hash for Apply {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl ScalarUDFImpl for Apply {
    fn name(&self) -> &str {
        "scalar_subquery"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(self.return_field.data_type().clone())
    }

    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> DFResult<FieldRef> {
        Ok(Arc::clone(&self.return_field))
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        datafusion::common::internal_err!("a scalar subquery is evaluated asynchronously")
    }
}

#[async_trait]
impl AsyncScalarUDFImpl for Apply {
    async fn invoke_async_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let rows = args.number_rows;
        let arrays = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<DFResult<Vec<_>>>()?;
        let mut out = Vec::with_capacity(rows);
        for row in 0..rows {
            let key = arrays
                .iter()
                .map(|a| ScalarValue::try_from_array(a, row))
                .collect::<DFResult<Vec<_>>>()?;
            let cached = self.results.lock().await.get(&key).cloned();
            let value = match cached {
                Some(v) => v,
                None => {
                    let v = self.evaluate(&key).await?;
                    self.results.lock().await.insert(key, v.clone());
                    v
                }
            };
            out.push(value);
        }
        if out.is_empty() {
            return Ok(ColumnarValue::Array(
                datafusion::arrow::array::new_empty_array(self.return_field.data_type()),
            ));
        }
        Ok(ColumnarValue::Array(ScalarValue::iter_to_array(out)?))
    }
}

impl Apply {
    /// The subquery's value for one tuple of outer values.
    async fn evaluate(&self, values: &[ScalarValue]) -> DFResult<ScalarValue> {
        let state = self.state.get().ok_or_else(|| {
            Error::internal("a scalar subquery ran before its plan was finished").into_datafusion()
        })?;
        let bound = self.bind(values)?;
        let plan = Box::pin(crate::physical_plan(state, &bound))
            .await
            .map_err(Error::into_datafusion)?;
        let batches = datafusion::physical_plan::collect(plan, state.task_ctx()).await?;
        let mut found: Option<ScalarValue> = None;
        for batch in batches.iter().filter(|b| b.num_rows() > 0) {
            if found.is_some() || batch.num_rows() > 1 {
                return Err(
                    Error::user(Reason::SubqueryRows, "Subquery returns more than 1 row")
                        .into_datafusion(),
                );
            }
            found = Some(ScalarValue::try_from_array(batch.column(0), 0)?);
        }
        match found {
            Some(v) => Ok(v),
            None => ScalarValue::try_from(self.return_field.data_type()),
        }
    }

    /// The subquery with the outer values in place of its outer references.
    fn bind(&self, values: &[ScalarValue]) -> DFResult<LogicalPlan> {
        let subquery = LogicalPlan::clone(&self.subquery);
        subquery
            .transform_up_with_subqueries(|node| {
                node.map_expressions(|expr| {
                    expr.transform_up(|e| match &e {
                        Expr::OuterReferenceColumn(field, column) => {
                            match self.outer.iter().position(|(c, _)| c == column) {
                                Some(i) => {
                                    let value = values[i].cast_to(field.data_type())?;
                                    Ok(Transformed::new(
                                        Expr::Literal(value, None),
                                        true,
                                        TreeNodeRecursion::Continue,
                                    ))
                                }
                                None => Ok(Transformed::no(e)),
                            }
                        }
                        _ => Ok(Transformed::no(e)),
                    })
                })
            })
            .map(|t| t.data)
    }
}

//! A scalar subquery that selects a plain value (`(SELECT name FROM dept WHERE dept.id =
//! emp.dept)`), as MySQL runs it: the value of its one row, NULL without rows, error 1242
//! with more. DataFusion accepts a correlated scalar subquery only when it aggregates, so
//! `semantics::subqueries` rewrites it to `single_row((SELECT subquery_rows(x) FROM ...))`:
//!
//! - `subquery_rows(x)` is an aggregate whose value is a struct of the last `x` it saw and
//!   whether it saw more than one row;
//! - `single_row(s)` is the value, or error 1242 when there were several rows. It runs
//!   where the outer query reads the subquery, so only the outer rows that reach it can
//!   fail, as in MySQL (DataFusion computes the aggregate for every correlation key).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StructArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields, UInt64Type};
use datafusion::common::ScalarValue;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, ColumnarValue, ScalarFunctionArgs, ScalarUDF,
    ScalarUDFImpl, Signature, Volatility,
};
use lakestar_engine::{Error, Reason};

/// The aggregate's name, as the rewrite calls it.
pub const ROWS: &str = "subquery_rows";
/// The check's name, as the rewrite calls it.
pub const SINGLE: &str = "single_row";

fn rows_type(value: &DataType) -> DataType {
    DataType::Struct(Fields::from(vec![
        Field::new("value", value.clone(), true),
        Field::new("rows", DataType::UInt64, false),
    ]))
}

fn too_many() -> datafusion::error::DataFusionError {
    Error::user(Reason::SubqueryRows, "Subquery returns more than 1 row").into_datafusion()
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct SubqueryRows {
    signature: Signature,
}

impl AggregateUDFImpl for SubqueryRows {
    fn name(&self) -> &str {
        ROWS
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> DFResult<DataType> {
        Ok(rows_type(&arg_types[0]))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> DFResult<Vec<FieldRef>> {
        Ok(vec![
            Arc::new(Field::new(
                format!("{}[value]", args.name),
                args.input_fields[0].data_type().clone(),
                true,
            )),
            Arc::new(Field::new(
                format!("{}[rows]", args.name),
                DataType::UInt64,
                true,
            )),
        ])
    }

    fn accumulator(&self, args: AccumulatorArgs) -> DFResult<Box<dyn Accumulator>> {
        let value_type = args.exprs[0].data_type(args.schema)?;
        Ok(Box::new(RowsAccumulator {
            value: ScalarValue::try_from(&value_type)?,
            value_type,
            rows: 0,
        }))
    }
}

#[derive(Debug)]
struct RowsAccumulator {
    value: ScalarValue,
    value_type: DataType,
    rows: u64,
}

impl Accumulator for RowsAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DFResult<()> {
        let column = &values[0];
        if !column.is_empty() {
            self.value = ScalarValue::try_from_array(column, column.len() - 1)?;
            self.rows = self.rows.saturating_add(column.len() as u64);
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> DFResult<()> {
        let rows = states[1].as_primitive::<UInt64Type>();
        for i in 0..rows.len() {
            let n = if rows.is_null(i) { 0 } else { rows.value(i) };
            if n > 0 {
                self.value = ScalarValue::try_from_array(&states[0], i)?;
                self.rows = self.rows.saturating_add(n);
            }
        }
        Ok(())
    }

    fn state(&mut self) -> DFResult<Vec<ScalarValue>> {
        Ok(vec![
            self.value.clone(),
            ScalarValue::UInt64(Some(self.rows)),
        ])
    }

    fn evaluate(&mut self) -> DFResult<ScalarValue> {
        let value = self.value.to_array()?;
        let rows: ArrayRef = Arc::new(UInt64Array::from(vec![self.rows]));
        let fields = match rows_type(&self.value_type) {
            DataType::Struct(fields) => fields,
            _ => unreachable!("rows_type is a struct"),
        };
        Ok(ScalarValue::Struct(Arc::new(StructArray::try_new(
            fields,
            vec![value, rows],
            None,
        )?)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.value.size()
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct SingleRow {
    signature: Signature,
}

impl ScalarUDFImpl for SingleRow {
    fn name(&self) -> &str {
        SINGLE
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> DFResult<DataType> {
        match &arg_types[0] {
            DataType::Struct(fields) if fields.len() == 2 => Ok(fields[0].data_type().clone()),
            // The subquery's value arrives as NULL when the outer row found no group.
            DataType::Null => Ok(DataType::Null),
            other => datafusion::common::plan_err!("single_row of {other}"),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let input = args.args[0].to_array(args.number_rows)?;
        let Some(structs) = input.as_struct_opt() else {
            return Ok(ColumnarValue::Array(input));
        };
        let rows = structs.column(1).as_primitive::<UInt64Type>();
        for i in 0..structs.len() {
            if !structs.is_null(i) && !rows.is_null(i) && rows.value(i) > 1 {
                return Err(too_many());
            }
        }
        // An outer row without a matching group reads a NULL struct: the value is NULL.
        let value = structs.column(0);
        Ok(ColumnarValue::Array(match structs.nulls() {
            Some(nulls) if nulls.null_count() > 0 => {
                let keep = datafusion::arrow::array::BooleanArray::new(nulls.inner().clone(), None);
                datafusion::arrow::compute::nullif(value, &datafusion::arrow::compute::not(&keep)?)?
            }
            _ => Arc::clone(value),
        }))
    }
}

/// `subquery_rows(x)` and `single_row(s)`, registered with every session.
pub fn functions() -> (AggregateUDF, ScalarUDF) {
    (
        AggregateUDF::new_from_impl(SubqueryRows {
            signature: Signature::any(1, Volatility::Immutable),
        }),
        ScalarUDF::new_from_impl(SingleRow {
            signature: Signature::any(1, Volatility::Immutable),
        }),
    )
}

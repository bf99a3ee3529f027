//! [`RetractSink`]: DELETE on a PRIMARY KEY table, the Paimon way. Each input row is the
//! current row of a key to delete; it is written with row kind DELETE (`_VALUE_KIND` = 3),
//! so the merge on read drops the key, for Lakestar and every other Paimon reader alike.
//! All rows are one commit.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::{ArrayRef, Int8Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::datasource::sink::DataSink;
use datafusion::error::Result as DFResult;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_plan::{DisplayAs, DisplayFormatType};
use futures::StreamExt;
use paimon::table::Table;

use crate::overwrite_sink::{paimon_err, to_stored};

/// Paimon's row kind of a retraction (`RowKind::Delete`).
const ROW_KIND_DELETE: i8 = 3;

pub struct RetractSink {
    table: Table,
    schema: SchemaRef,
}

impl fmt::Debug for RetractSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetractSink")
            .field("table", &self.table.identifier().to_string())
            .finish()
    }
}

impl RetractSink {
    pub fn new(table: Table, schema: SchemaRef) -> Self {
        Self { table, schema }
    }
}

/// The batch with a trailing `_VALUE_KIND` column marking every row a retraction.
fn as_retractions(batch: RecordBatch) -> DFResult<RecordBatch> {
    let rows = batch.num_rows();
    let mut fields: Vec<_> = batch.schema().fields().iter().cloned().collect();
    fields.push(Arc::new(Field::new(
        paimon::spec::VALUE_KIND_FIELD_NAME,
        DataType::Int8,
        false,
    )));
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    columns.push(Arc::new(Int8Array::from(vec![ROW_KIND_DELETE; rows])));
    Ok(RecordBatch::try_new_with_options(
        Arc::new(Schema::new(fields)),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(rows)),
    )?)
}

impl DisplayAs for RetractSink {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "RetractSink: table={}", self.table.identifier())
    }
}

#[async_trait]
impl DataSink for RetractSink {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    async fn write_all(
        &self,
        mut data: SendableRecordBatchStream,
        _context: &Arc<TaskContext>,
    ) -> DFResult<u64> {
        let builder = self.table.new_write_builder();
        let mut write = builder.new_write().map_err(paimon_err)?;
        let mut rows = 0u64;
        while let Some(batch) = data.next().await {
            let batch = to_stored(batch?)?;
            if batch.num_rows() == 0 {
                continue;
            }
            rows += batch.num_rows() as u64;
            write
                .write_arrow_batch(&as_retractions(batch)?)
                .await
                .map_err(paimon_err)?;
        }
        if rows == 0 {
            return Ok(0);
        }
        let messages = write.prepare_commit().await.map_err(paimon_err)?;
        builder
            .try_new_commit()
            .map_err(paimon_err)?
            .commit(messages)
            .await
            .map_err(paimon_err)?;
        Ok(rows)
    }
}

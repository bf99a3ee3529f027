//! [`OverwriteSink`]: INSERT OVERWRITE into an internal table with StarRocks' semantics.
//!
//! Without a PARTITION clause the whole table is replaced, partitioned or not (Paimon's own
//! sink would replace only the partitions the new rows fall in). With
//! `PARTITION (col = value, ...)` exactly that partition is replaced, even by no rows, and
//! a row outside it fails the statement. Either way the new files and the removal of the
//! old ones are one Paimon commit: readers see the old or the new rows, never a mix.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Schema, SchemaRef};
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::datasource::sink::DataSink;
use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_plan::{DisplayAs, DisplayFormatType};
use datafusion::scalar::ScalarValue;
use futures::StreamExt;
use lakestar_engine::{Error, Result};
use paimon::spec::Datum;
use paimon::table::Table;

pub struct OverwriteSink {
    table: Table,
    schema: SchemaRef,
    /// The partition replaced; empty: the whole table.
    partition: Vec<(String, ScalarValue)>,
}

impl fmt::Debug for OverwriteSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OverwriteSink")
            .field("table", &self.table.identifier().to_string())
            .field("partition", &self.partition)
            .finish()
    }
}

impl OverwriteSink {
    pub fn new(table: Table, schema: SchemaRef, partition: Vec<(String, ScalarValue)>) -> Self {
        Self {
            table,
            schema,
            partition,
        }
    }

    /// The partition as Paimon's static partition spec.
    fn static_partitions(&self) -> Result<HashMap<String, Option<Datum>>> {
        self.partition
            .iter()
            .map(|(column, value)| Ok((column.clone(), datum(value)?)))
            .collect()
    }
}

/// A partition value as Paimon's datum.
fn datum(value: &ScalarValue) -> Result<Option<Datum>> {
    use ScalarValue as S;
    Ok(Some(match value {
        v if v.is_null() => return Ok(None),
        S::Boolean(Some(v)) => Datum::Bool(*v),
        S::Int8(Some(v)) => Datum::TinyInt(*v),
        S::Int16(Some(v)) => Datum::SmallInt(*v),
        S::Int32(Some(v)) => Datum::Int(*v),
        S::Int64(Some(v)) => Datum::Long(*v),
        S::Utf8(Some(v)) | S::Utf8View(Some(v)) | S::LargeUtf8(Some(v)) => Datum::String(v.clone()),
        S::Date32(Some(v)) => Datum::Date(*v),
        S::TimestampMicrosecond(Some(v), _) => Datum::Timestamp {
            millis: v.div_euclid(1000),
            nanos: (v.rem_euclid(1000) * 1000) as i32,
        },
        S::Decimal128(Some(v), p, s) => Datum::Decimal {
            unscaled: *v,
            precision: u32::from(*p),
            scale: *s as u32,
        },
        other => {
            return Err(Error::unsupported(format!(
                "a partition value of type {} is not supported",
                other.data_type()
            )))
        }
    }))
}

/// Paimon writes `Utf8`, not the `Utf8View` DataFusion computes strings as.
pub(crate) fn to_stored(batch: RecordBatch) -> DFResult<RecordBatch> {
    if !batch
        .schema()
        .fields()
        .iter()
        .any(|f| f.data_type() == &DataType::Utf8View)
    {
        return Ok(batch);
    }
    let fields: Vec<_> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Utf8View => Arc::new(f.as_ref().clone().with_data_type(DataType::Utf8)),
            _ => Arc::clone(f),
        })
        .collect();
    let columns = batch
        .columns()
        .iter()
        .zip(&fields)
        .map(|(c, f)| cast(c, f.data_type()))
        .collect::<Result<Vec<_>, _>>()?;
    let schema = Arc::new(Schema::new_with_metadata(
        fields,
        batch.schema().metadata().clone(),
    ));
    Ok(RecordBatch::try_new_with_options(
        schema,
        columns,
        &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )?)
}

pub(crate) fn paimon_err(e: paimon::Error) -> DataFusionError {
    Error::storage(format!("paimon: {e}")).into_datafusion()
}

impl DisplayAs for OverwriteSink {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "OverwriteSink: table={}", self.table.identifier())
    }
}

#[async_trait]
impl DataSink for OverwriteSink {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    async fn write_all(
        &self,
        mut data: SendableRecordBatchStream,
        _context: &Arc<TaskContext>,
    ) -> DFResult<u64> {
        let spec = self.static_partitions().map_err(Error::into_datafusion)?;
        let builder = self.table.new_write_builder().with_overwrite();
        let mut write = builder.new_write().map_err(paimon_err)?;
        let mut rows = 0u64;
        while let Some(batch) = data.next().await {
            let batch = to_stored(batch?)?;
            rows += batch.num_rows() as u64;
            write.write_arrow_batch(&batch).await.map_err(paimon_err)?;
        }
        let messages = write.prepare_commit().await.map_err(paimon_err)?;
        builder
            .try_new_commit()
            .map_err(paimon_err)?
            .overwrite(messages, Some(spec))
            .await
            .map_err(paimon_err)?;
        Ok(rows)
    }
}

//! What a statement returns to the protocol layer.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::execution::SendableRecordBatchStream;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use lakestar_engine::{Error, Result};

/// The result of one statement.
pub enum QueryOutput {
    /// A statement without a result set.
    Ok { affected_rows: u64 },
    /// A result set, streamed batch by batch.
    Rows {
        schema: SchemaRef,
        stream: SendableRecordBatchStream,
    },
}

impl QueryOutput {
    pub fn ok() -> Self {
        QueryOutput::Ok { affected_rows: 0 }
    }

    /// A small result set of text columns (SHOW statements).
    pub fn text_rows(columns: &[&str], rows: Vec<Vec<Option<String>>>) -> Result<Self> {
        let schema = Arc::new(Schema::new(
            columns
                .iter()
                .map(|c| Field::new(*c, DataType::Utf8, true))
                .collect::<Vec<_>>(),
        ));
        let arrays: Vec<ArrayRef> = (0..columns.len())
            .map(|i| {
                Arc::new(StringArray::from(
                    rows.iter().map(|r| r[i].clone()).collect::<Vec<_>>(),
                )) as ArrayRef
            })
            .collect();
        let batch = RecordBatch::try_new(Arc::clone(&schema), arrays)
            .map_err(|e| Error::internal(e.to_string()))?;
        Ok(Self::batch(batch))
    }

    /// Run a result stream to its end (a write's row counts), reporting its first error.
    pub async fn drain(self) -> Result<()> {
        use futures::StreamExt;
        if let QueryOutput::Rows { mut stream, .. } = self {
            while let Some(batch) = stream.next().await {
                batch.map_err(Error::from_datafusion)?;
            }
        }
        Ok(())
    }

    /// A result set of one batch.
    pub fn batch(batch: RecordBatch) -> Self {
        let schema = batch.schema();
        let stream = futures::stream::iter(vec![Ok(batch)]);
        QueryOutput::Rows {
            schema: Arc::clone(&schema),
            stream: Box::pin(RecordBatchStreamAdapter::new(schema, stream)),
        }
    }
}

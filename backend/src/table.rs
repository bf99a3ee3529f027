//! [`LakeTable`]: the DataFusion table provider of an internal table.
//!
//! It delegates scans and writes to `paimon-datafusion` and adds what Lakestar needs on top:
//! the declared SQL type of each column in the Arrow field metadata (so the MySQL edge can
//! describe result columns exactly), and a per-table commit lock held for the whole of an
//! INSERT so that concurrent INSERTs into one table commit one after the other.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::{Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::catalog::{Session, TableProvider};
use datafusion::datasource::TableType;
use datafusion::error::Result as DFResult;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::dml::InsertOp;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_expr::EquivalenceProperties;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, ExecutionPlanProperties, PlanProperties,
};
use futures::StreamExt;
use lakestar_engine::catalog::TableMeta;
use lakestar_engine::types::SQL_TYPE_METADATA_KEY;
use lakestar_engine::{Error, Result};
use paimon_datafusion::PaimonTableProvider;
use tokio::sync::Mutex;

/// An internal table, readable and writable through DataFusion.
#[derive(Debug)]
pub struct LakeTable {
    meta: TableMeta,
    inner: PaimonTableProvider,
    schema: SchemaRef,
    commit_lock: Arc<Mutex<()>>,
}

impl LakeTable {
    pub fn try_new(
        meta: TableMeta,
        table: paimon::table::Table,
        commit_lock: Arc<Mutex<()>>,
    ) -> Result<Self> {
        let inner = PaimonTableProvider::try_new(table).map_err(Error::from_datafusion)?;
        let stored = inner.schema();
        let fields = stored
            .fields()
            .iter()
            .map(|f| {
                let column = meta.column(f.name());
                let mut field = Field::clone(f);
                if let Some(c) = column {
                    field = field
                        .with_nullable(c.nullable || f.is_nullable())
                        .with_metadata(
                            [(SQL_TYPE_METADATA_KEY.to_string(), c.sql_type.to_string())]
                                .into_iter()
                                .collect(),
                        );
                }
                field
            })
            .collect::<Vec<_>>();
        Ok(Self {
            meta,
            inner,
            schema: Arc::new(Schema::new(fields)),
            commit_lock,
        })
    }

    pub fn meta(&self) -> &TableMeta {
        &self.meta
    }
}

#[async_trait]
impl TableProvider for LakeTable {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        let scan = self.inner.scan(state, projection, filters, limit).await?;
        let schema = match projection {
            Some(p) => Arc::new(self.schema.project(p)?),
            None => Arc::clone(&self.schema),
        };
        Ok(Arc::new(DeclaredTypesExec::new(scan, schema)))
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> DFResult<Vec<TableProviderFilterPushDown>> {
        self.inner.supports_filters_pushdown(filters)
    }

    async fn insert_into(
        &self,
        state: &dyn Session,
        input: Arc<dyn ExecutionPlan>,
        insert_op: InsertOp,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        let write = self.inner.insert_into(state, input, insert_op).await?;
        Ok(Arc::new(SerializedCommitExec::new(
            write,
            Arc::clone(&self.commit_lock),
        )))
    }
}

/// Labels a scan's output with the table's schema, whose fields carry the declared SQL
/// types; the data is unchanged.
#[derive(Debug)]
struct DeclaredTypesExec {
    input: Arc<dyn ExecutionPlan>,
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

/// Plan properties of a node that passes its input through with `schema`.
fn pass_through_properties(
    input: &Arc<dyn ExecutionPlan>,
    schema: SchemaRef,
) -> Arc<PlanProperties> {
    Arc::new(PlanProperties::new(
        EquivalenceProperties::new(schema),
        input.output_partitioning().clone(),
        input.pipeline_behavior(),
        input.boundedness(),
    ))
}

impl DeclaredTypesExec {
    fn new(input: Arc<dyn ExecutionPlan>, schema: SchemaRef) -> Self {
        let properties = pass_through_properties(&input, Arc::clone(&schema));
        Self {
            input,
            schema,
            properties,
        }
    }
}

impl DisplayAs for DeclaredTypesExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "DeclaredTypesExec")
    }
}

impl ExecutionPlan for DeclaredTypesExec {
    fn name(&self) -> &str {
        "DeclaredTypesExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        Ok(Arc::new(Self::new(
            Arc::clone(&children[0]),
            Arc::clone(&self.schema),
        )))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DFResult<SendableRecordBatchStream> {
        let schema = Arc::clone(&self.schema);
        let stream = self.input.execute(partition, context)?.map(move |batch| {
            let batch = batch?;
            RecordBatch::try_new_with_options(
                Arc::clone(&schema),
                batch.columns().to_vec(),
                &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
            )
            .map_err(Into::into)
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            Arc::clone(&self.schema),
            stream,
        )))
    }
}

/// Runs a write plan while holding the table's commit lock.
#[derive(Debug)]
struct SerializedCommitExec {
    input: Arc<dyn ExecutionPlan>,
    lock: Arc<Mutex<()>>,
    properties: Arc<PlanProperties>,
}

impl SerializedCommitExec {
    fn new(input: Arc<dyn ExecutionPlan>, lock: Arc<Mutex<()>>) -> Self {
        let properties = pass_through_properties(&input, input.schema());
        Self {
            input,
            lock,
            properties,
        }
    }
}

impl DisplayAs for SerializedCommitExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "SerializedCommitExec")
    }
}

impl ExecutionPlan for SerializedCommitExec {
    fn name(&self) -> &str {
        "SerializedCommitExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        Ok(Arc::new(Self::new(
            Arc::clone(&children[0]),
            Arc::clone(&self.lock),
        )))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DFResult<SendableRecordBatchStream> {
        let input = Arc::clone(&self.input);
        let lock = Arc::clone(&self.lock);
        let schema = self.schema();
        let stream = futures::stream::once(async move {
            let guard = lock.lock_owned().await;
            let inner = input.execute(partition, context)?;
            // Keep the guard alive until the write stream is exhausted.
            Ok::<_, datafusion::error::DataFusionError>(inner.map(move |batch| {
                let _held = &guard;
                batch
            }))
        })
        .map(|r| match r {
            Ok(s) => s.boxed(),
            Err(e) => futures::stream::once(async move { Err(e) }).boxed(),
        })
        .flatten();
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, stream)))
    }
}

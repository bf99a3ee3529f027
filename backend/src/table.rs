//! [`LakeTable`]: the DataFusion table provider of an internal table.
//!
//! It delegates scans and writes to `paimon-datafusion` and adds what Lakestar needs on top:
//! the declared SQL type of each column in the Arrow field metadata (so the MySQL edge can
//! describe result columns exactly), and a per-table commit lock held for the whole of an
//! INSERT so that concurrent INSERTs into one table commit one after the other. INSERT
//! OVERWRITE goes through [`OverwriteSink`] (the whole table, or one partition).

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::{Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::catalog::{Session, TableProvider};
use datafusion::datasource::sink::DataSinkExec;
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
use datafusion::scalar::ScalarValue;
use futures::StreamExt;
use lakestar_engine::catalog::TableMeta;
use lakestar_engine::{Error, Result};
use paimon_datafusion::PaimonTableProvider;
use tokio::sync::Mutex;

use crate::overwrite_sink::OverwriteSink;
use crate::retract_sink::RetractSink;
use lakestar_engine::storage::WriteMode;

/// An internal table, readable and writable through DataFusion.
#[derive(Debug)]
pub struct LakeTable {
    meta: TableMeta,
    table: paimon::table::Table,
    inner: PaimonTableProvider,
    /// The table's columns as the catalog describes them, in catalog order.
    schema: SchemaRef,
    /// For each column of `schema`, its index among the stored columns. Storage may hold
    /// more columns than the catalog (a column being added by ALTER TABLE, or left over by
    /// a crash during one); those stay hidden.
    stored_index: Vec<usize>,
    commit_lock: Arc<Mutex<()>>,
    /// The partition INSERT OVERWRITE replaces; empty: the whole table.
    overwrite_partition: Vec<(String, ScalarValue)>,
    /// A write by a caller holding the table's write lock (UPDATE, DELETE); None: an
    /// INSERT, which takes the commit lock itself.
    write_mode: Option<WriteMode>,
    /// For a write computed from what it read: the latest snapshot when the table was
    /// opened, which must still be the latest once the rows are read (else the write
    /// fails with a conflict). `None`: no check.
    unchanged_since: Option<Option<i64>>,
}

impl LakeTable {
    pub fn try_new(
        meta: TableMeta,
        table: paimon::table::Table,
        commit_lock: Arc<Mutex<()>>,
    ) -> Result<Self> {
        let inner = PaimonTableProvider::try_new(table.clone()).map_err(Error::from_datafusion)?;
        let stored = inner.schema();
        let mut fields = Vec::with_capacity(meta.columns.len());
        let mut stored_index = Vec::with_capacity(meta.columns.len());
        for c in &meta.columns {
            let (i, f) = stored.column_with_name(&c.name).ok_or_else(|| {
                Error::internal(format!(
                    "column {} of {}.{} is missing from storage",
                    c.name, meta.database, meta.name
                ))
            })?;
            stored_index.push(i);
            fields.push(
                Field::clone(f)
                    .with_nullable(c.nullable || f.is_nullable())
                    .with_metadata(c.field_metadata()),
            );
        }
        Ok(Self {
            meta,
            table,
            inner,
            schema: Arc::new(Schema::new(fields)),
            stored_index,
            commit_lock,
            overwrite_partition: vec![],
            write_mode: None,
            unchanged_since: None,
        })
    }

    /// Whether the catalog's columns are exactly the stored ones, in the same order.
    fn same_layout(&self) -> bool {
        self.stored_index.len() == self.inner.schema().fields().len()
            && self.stored_index.iter().enumerate().all(|(i, s)| i == *s)
    }

    /// Rows in catalog layout, rearranged into the stored layout (hidden stored columns
    /// get NULL).
    fn to_stored_layout(&self, input: Arc<dyn ExecutionPlan>) -> DFResult<Arc<dyn ExecutionPlan>> {
        use datafusion::physical_expr::expressions::{Column, Literal};
        use datafusion::physical_plan::projection::ProjectionExec;
        if self.same_layout() {
            return Ok(input);
        }
        let stored = self.inner.schema();
        let mut exprs: Vec<(Arc<dyn datafusion::physical_expr::PhysicalExpr>, String)> = vec![];
        for (si, field) in stored.fields().iter().enumerate() {
            let expr: Arc<dyn datafusion::physical_expr::PhysicalExpr> =
                match self.stored_index.iter().position(|s| *s == si) {
                    Some(ci) => Arc::new(Column::new(field.name(), ci)),
                    None => Arc::new(Literal::new(ScalarValue::try_from(field.data_type())?)),
                };
            exprs.push((expr, field.name().clone()));
        }
        Ok(Arc::new(ProjectionExec::try_new(exprs, input)?))
    }

    /// Make INSERT OVERWRITE replace only this partition (column, value pairs).
    pub fn overwriting_partition(mut self, partition: Vec<(String, ScalarValue)>) -> Self {
        self.overwrite_partition = partition;
        self
    }

    /// Make INSERT through this table write in `mode`, its caller holding the write lock.
    pub fn writing(mut self, mode: WriteMode) -> Self {
        self.write_mode = Some(mode);
        self
    }

    /// Fail the write, before it commits, unless `snapshot` is still the table's latest
    /// once the rows are read (a write of a catalog other writers commit to).
    pub fn unchanged_since(mut self, snapshot: Option<i64>) -> Self {
        self.unchanged_since = Some(snapshot);
        self
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
        let stored_projection: Option<Vec<usize>> = match projection {
            Some(p) => Some(p.iter().map(|i| self.stored_index[*i]).collect()),
            None if self.same_layout() => None,
            None => Some(self.stored_index.clone()),
        };
        let scan = self
            .inner
            .scan(state, stored_projection.as_ref(), filters, limit)
            .await?;
        let schema = match projection {
            Some(p) => Arc::new(self.schema.project(p)?),
            None => Arc::clone(&self.schema),
        };
        Ok(Arc::new(PassThroughExec::new(
            scan,
            schema,
            PassThrough::DeclaredTypes,
        )))
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
        let mut input = self.to_stored_layout(input)?;
        if let Some(snapshot) = self.unchanged_since {
            let schema = input.schema();
            input = Arc::new(PassThroughExec::new(
                input,
                schema,
                PassThrough::UnchangedSince(Box::new(self.table.clone()), snapshot),
            ));
        }
        if let Some(mode) = self.write_mode {
            // The caller holds the table's write lock from before it read the table.
            return Ok(match mode {
                WriteMode::Upsert => {
                    self.inner
                        .insert_into(state, input, InsertOp::Append)
                        .await?
                }
                WriteMode::Retract => Arc::new(DataSinkExec::new(
                    input,
                    Arc::new(RetractSink::new(self.table.clone(), self.inner.schema())),
                    None,
                )),
                WriteMode::Replace => Arc::new(DataSinkExec::new(
                    input,
                    Arc::new(OverwriteSink::new(
                        self.table.clone(),
                        self.inner.schema(),
                        vec![],
                    )),
                    None,
                )),
            });
        }
        let write = match insert_op {
            InsertOp::Overwrite => {
                let sink = OverwriteSink::new(
                    self.table.clone(),
                    self.inner.schema(),
                    self.overwrite_partition.clone(),
                );
                Arc::new(DataSinkExec::new(input, Arc::new(sink), None)) as Arc<dyn ExecutionPlan>
            }
            _ => self.inner.insert_into(state, input, insert_op).await?,
        };
        let schema = write.schema();
        Ok(Arc::new(PassThroughExec::new(
            write,
            schema,
            PassThrough::SerializedCommit(Arc::clone(&self.commit_lock)),
        )))
    }
}

/// What a [`PassThroughExec`] adds to its input's stream; the data is unchanged.
#[derive(Debug, Clone)]
enum PassThrough {
    /// Label a scan's batches with the table's schema, whose fields carry the declared SQL
    /// types.
    DeclaredTypes,
    /// Run a write while holding the table's commit lock, so commits take turns.
    SerializedCommit(Arc<Mutex<()>>),
    /// A write's rows: once they are all read, fail unless the table's latest snapshot is
    /// still this one (see [`LakeTable::unchanged_since`]).
    UnchangedSince(Box<paimon::table::Table>, Option<i64>),
}

/// A node that streams its input through, as [`PassThrough`] says.
#[derive(Debug)]
struct PassThroughExec {
    input: Arc<dyn ExecutionPlan>,
    schema: SchemaRef,
    mode: PassThrough,
    properties: Arc<PlanProperties>,
}

impl PassThroughExec {
    fn new(input: Arc<dyn ExecutionPlan>, schema: SchemaRef, mode: PassThrough) -> Self {
        let properties = Arc::new(PlanProperties::new(
            EquivalenceProperties::new(Arc::clone(&schema)),
            input.output_partitioning().clone(),
            input.pipeline_behavior(),
            input.boundedness(),
        ));
        Self {
            input,
            schema,
            mode,
            properties,
        }
    }
}

impl DisplayAs for PassThroughExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self.mode {
            PassThrough::DeclaredTypes => write!(f, "DeclaredTypesExec"),
            PassThrough::SerializedCommit(_) => write!(f, "SerializedCommitExec"),
            PassThrough::UnchangedSince(_, snapshot) => {
                write!(f, "UnchangedSinceExec: snapshot={snapshot:?}")
            }
        }
    }
}

impl ExecutionPlan for PassThroughExec {
    fn name(&self) -> &str {
        "PassThroughExec"
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
            self.mode.clone(),
        )))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DFResult<SendableRecordBatchStream> {
        let schema = Arc::clone(&self.schema);
        let stream = match &self.mode {
            PassThrough::DeclaredTypes => {
                let labels = Arc::clone(&schema);
                self.input
                    .execute(partition, context)?
                    .map(move |batch| {
                        let batch = batch?;
                        RecordBatch::try_new_with_options(
                            Arc::clone(&labels),
                            batch.columns().to_vec(),
                            &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
                        )
                        .map_err(Into::into)
                    })
                    .boxed()
            }
            PassThrough::UnchangedSince(table, snapshot) => {
                let (table, snapshot) = (table.clone(), *snapshot);
                let check = futures::stream::once(async move {
                    let latest = table
                        .snapshot_manager()
                        .get_latest_snapshot()
                        .await
                        .map_err(crate::overwrite_sink::paimon_err)?
                        .map(|s| s.id());
                    if latest != snapshot {
                        return Err(crate::external::conflict(&table.identifier().full_name())
                            .into_datafusion());
                    }
                    Ok(None)
                });
                self.input
                    .execute(partition, context)?
                    .map(|batch| batch.map(Some))
                    .chain(check)
                    .filter_map(|item| async move { item.transpose() })
                    .boxed()
            }
            PassThrough::SerializedCommit(lock) => {
                let input = Arc::clone(&self.input);
                let lock = Arc::clone(lock);
                futures::stream::once(async move {
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
                .flatten()
                .boxed()
            }
        };
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, stream)))
    }
}

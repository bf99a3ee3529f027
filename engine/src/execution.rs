//! The contract between the frontend's coordinator and the backends that run plan fragments.

use std::sync::Arc;

use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_plan::ExecutionPlan;

use crate::error::Result;

/// Runs one plan fragment and streams its output. Standalone mode runs every query as a
/// single fragment on the local backend.
pub trait FragmentExecutor: Send + Sync + std::fmt::Debug {
    fn execute(
        &self,
        fragment: Arc<dyn ExecutionPlan>,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream>;
}

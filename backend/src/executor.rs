//! Runs physical plans. In standalone mode the whole plan is one fragment executed here;
//! exchanges between backends come later behind the same entry point.

use std::sync::Arc;

use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_plan::{execute_stream, ExecutionPlan};
use lakestar_engine::execution::FragmentExecutor;
use lakestar_engine::{Error, Result};

/// Executes a plan fragment and streams its output.
#[derive(Debug, Default, Clone)]
pub struct LocalExecutor;

impl FragmentExecutor for LocalExecutor {
    fn execute(
        &self,
        fragment: Arc<dyn ExecutionPlan>,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        execute_stream(fragment, context).map_err(Error::from_datafusion)
    }
}

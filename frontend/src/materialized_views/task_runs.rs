//! The record of materialized-view refreshes (`information_schema.task_runs`): one run per
//! refresh, with its state and progress while it runs. The last 1,000 runs are kept in
//! memory; each view's last successful refresh is also in the catalog.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use lakestar_engine::materialized_view::MaterializedViewMeta;

const KEEP: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    Running,
    Success,
    Failed,
    Canceled,
}

impl RunState {
    pub fn name(self) -> &'static str {
        match self {
            RunState::Running => "RUNNING",
            RunState::Success => "SUCCESS",
            RunState::Failed => "FAILED",
            RunState::Canceled => "CANCELED",
        }
    }
}

#[derive(Debug, Clone)]
pub struct TaskRun {
    pub query_id: String,
    pub database: String,
    pub mv: String,
    pub definition: String,
    /// What started it: CREATE, MANUAL (REFRESH), SCHEDULE.
    pub trigger: String,
    pub force: bool,
    pub create_ms: i64,
    pub finish_ms: Option<i64>,
    pub state: RunState,
    /// 0 to 100.
    pub progress: u8,
    pub rows: Option<u64>,
    pub error: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Default)]
pub struct TaskRuns {
    runs: Mutex<Vec<TaskRun>>,
    next: AtomicU64,
}

impl TaskRuns {
    /// Record a refresh starting; returns its query id.
    pub fn start(&self, mv: &MaterializedViewMeta, force: bool, trigger: &str) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let query_id = format!("mv-{}-{n}", chrono::Utc::now().timestamp_millis());
        let mut runs = self.runs.lock().expect("task runs");
        if runs.len() >= KEEP {
            runs.remove(0);
        }
        runs.push(TaskRun {
            query_id: query_id.clone(),
            database: mv.database.clone(),
            mv: mv.name.clone(),
            definition: mv.definition.clone(),
            trigger: trigger.to_string(),
            force,
            create_ms: chrono::Utc::now().timestamp_millis(),
            finish_ms: None,
            state: RunState::Running,
            progress: 0,
            rows: None,
            error: None,
            message: None,
        });
        query_id
    }

    pub fn progress(&self, query_id: &str, percent: u8) {
        if let Some(run) = self
            .runs
            .lock()
            .expect("task runs")
            .iter_mut()
            .find(|r| r.query_id == query_id)
        {
            run.progress = percent.min(100);
        }
    }

    pub fn finish(
        &self,
        query_id: &str,
        state: RunState,
        error: Option<String>,
        rows: Option<u64>,
        message: Option<String>,
    ) {
        if let Some(run) = self
            .runs
            .lock()
            .expect("task runs")
            .iter_mut()
            .find(|r| r.query_id == query_id && r.state == RunState::Running)
        {
            run.state = state;
            run.finish_ms = Some(chrono::Utc::now().timestamp_millis());
            run.error = error;
            run.rows = rows;
            run.message = message;
            if state == RunState::Success {
                run.progress = 100;
            }
        }
    }

    pub fn all(&self) -> Vec<TaskRun> {
        self.runs.lock().expect("task runs").clone()
    }

    pub fn get(&self, query_id: &str) -> Option<TaskRun> {
        self.runs
            .lock()
            .expect("task runs")
            .iter()
            .find(|r| r.query_id == query_id)
            .cloned()
    }
}

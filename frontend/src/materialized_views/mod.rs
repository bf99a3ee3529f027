//! Refreshing asynchronous materialized views: the refresh itself ([`refresh`]), the
//! scheduler that runs `REFRESH ASYNC EVERY (...)` views on time, and the record of every
//! refresh ([`task_runs`], `information_schema.task_runs`).
//!
//! The scheduler checks every second. A view is due at `START + k × EVERY` (START
//! defaults to its creation); a due time missed while the server was down runs once when
//! it starts. One view never refreshes twice at once: a refresh asked for while one runs
//! waits for it (`WITH SYNC MODE`) or reuses it. A failed scheduled refresh is retried at
//! the next period.

pub mod refresh;
pub mod task_runs;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use lakestar_engine::materialized_view::{MaterializedViewMeta, RefreshScheme};
use lakestar_engine::{user_err, Result};
use tokio::sync::watch;

use crate::context::FrontendContext;
use task_runs::{RunState, TaskRuns};

/// A refresh in progress: cancel it, or wait for it.
struct Running {
    query_id: String,
    handle: tokio::task::AbortHandle,
    done: watch::Receiver<bool>,
}

/// The materialized-view refresh service of a frontend.
#[derive(Default)]
pub struct MaterializedViews {
    pub runs: TaskRuns,
    running: Mutex<HashMap<String, Running>>,
    /// When each view's last scheduled attempt started (failed ones included), so a
    /// failing view is retried once per period, not once per second.
    attempts: Mutex<HashMap<String, i64>>,
}

impl std::fmt::Debug for MaterializedViews {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MaterializedViews").finish_non_exhaustive()
    }
}

fn key(db: &str, name: &str) -> String {
    format!("{db}.{name}")
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// When a view's next scheduled refresh is due, if it has a schedule.
pub fn next_due(mv: &MaterializedViewMeta, last_attempt: Option<i64>) -> Option<i64> {
    let RefreshScheme::Async {
        start_ms,
        every: Some(every),
    } = &mv.refresh
    else {
        return None;
    };
    let period = every.millis().max(1_000);
    let base = start_ms.unwrap_or(mv.create_time_ms);
    let last = [mv.last_refresh.as_ref().map(|r| r.start_ms), last_attempt]
        .into_iter()
        .flatten()
        .max();
    Some(match last {
        None => base,
        Some(last) if last < base => base,
        Some(last) => base + ((last - base) / period + 1) * period,
    })
}

impl MaterializedViews {
    /// Start the scheduler; it stops when the frontend is dropped.
    pub fn start_scheduler(ctx: &Arc<FrontendContext>) {
        let weak: Weak<FrontendContext> = Arc::downgrade(ctx);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                let Some(ctx) = weak.upgrade() else {
                    return;
                };
                ctx.materialized_views.run_due(&ctx);
            }
        });
    }

    fn run_due(&self, ctx: &Arc<FrontendContext>) {
        let now = now_ms();
        for mv in ctx.catalog.materialized_views_now() {
            if !mv.active {
                continue;
            }
            let k = key(&mv.database, &mv.name);
            if self.running.lock().expect("running").contains_key(&k) {
                continue;
            }
            let attempt = self.attempts.lock().expect("attempts").get(&k).copied();
            if next_due(&mv, attempt).is_some_and(|due| due <= now) {
                self.attempts.lock().expect("attempts").insert(k, now);
                let _ = self.submit(
                    ctx,
                    &mv.database,
                    &mv.name,
                    refresh::Request::default(),
                    "SCHEDULE",
                );
            }
        }
    }

    /// Start a refresh of a view (or join the one running); returns its query id and a
    /// receiver that turns `true` when it ends.
    pub fn submit(
        &self,
        ctx: &Arc<FrontendContext>,
        db: &str,
        name: &str,
        request: refresh::Request,
        trigger: &str,
    ) -> Result<(String, watch::Receiver<bool>)> {
        let mv = ctx
            .catalog
            .materialized_view_now(db, name)
            .ok_or_else(|| user_err!(UnknownTable, "Unknown materialized view '{db}.{name}'"))?;
        let k = key(db, name);
        let mut running = self.running.lock().expect("running");
        if let Some(r) = running.get(&k) {
            return Ok((r.query_id.clone(), r.done.clone()));
        }
        let query_id = self.runs.start(&mv, request.force, trigger);
        let (done_tx, done_rx) = watch::channel(false);
        let task_ctx = Arc::clone(ctx);
        let id = query_id.clone();
        let handle = tokio::spawn(async move {
            let outcome = refresh::refresh(&task_ctx, &mv, &request, &id).await;
            task_ctx.materialized_views.finish(&mv, &id, outcome);
            let _ = done_tx.send(true);
        })
        .abort_handle();
        running.insert(
            k,
            Running {
                query_id: query_id.clone(),
                handle,
                done: done_rx.clone(),
            },
        );
        Ok((query_id, done_rx))
    }

    fn finish(&self, mv: &MaterializedViewMeta, query_id: &str, outcome: Result<refresh::Outcome>) {
        self.running
            .lock()
            .expect("running")
            .remove(&key(&mv.database, &mv.name));
        match outcome {
            Ok(o) => self
                .runs
                .finish(query_id, RunState::Success, None, Some(o.rows), o.message),
            Err(e) => {
                tracing::warn!(mv = %mv.name, error = %e, "materialized view refresh failed");
                self.runs.finish(
                    query_id,
                    RunState::Failed,
                    Some(e.message().to_string()),
                    None,
                    None,
                )
            }
        }
    }

    /// `CANCEL REFRESH MATERIALIZED VIEW`: stop a running refresh (its INSERT OVERWRITE
    /// has not committed, so the view keeps its data).
    pub fn cancel(&self, db: &str, name: &str) -> Result<()> {
        let running = self
            .running
            .lock()
            .expect("running")
            .remove(&key(db, name))
            .ok_or_else(|| {
                user_err!(
                    Other,
                    "Materialized view '{db}.{name}' has no refresh running"
                )
            })?;
        running.handle.abort();
        self.runs
            .finish(&running.query_id, RunState::Canceled, None, None, None);
        Ok(())
    }

    /// Whether a refresh of the view is running.
    pub fn is_running(&self, db: &str, name: &str) -> bool {
        self.running
            .lock()
            .expect("running")
            .contains_key(&key(db, name))
    }
}

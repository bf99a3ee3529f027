//! Server-wide state shared by every connection.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use datafusion::execution::session_state::SessionState;
use lakestar_engine::catalog::CatalogView;
use lakestar_engine::execution::FragmentExecutor;
use lakestar_engine::storage::TableStorage;
use lakestar_engine::variables::{GlobalVariables, SERVER_VERSION};
use lakestar_planner::functions::SessionFunctionValues;
use lakestar_planner::session::{build_session_state, PlanningSession};

use crate::catalog::CatalogManager;
use crate::session::Session;

/// Everything a statement handler may use besides its session.
#[derive(Debug)]
pub struct FrontendContext {
    pub catalog: Arc<CatalogManager>,
    pub storage: Arc<dyn TableStorage>,
    pub executor: Arc<dyn FragmentExecutor>,
    pub globals: Arc<GlobalVariables>,
    next_connection_id: AtomicU32,
    pub target_partitions: usize,
}

impl FrontendContext {
    pub fn new(
        catalog: Arc<CatalogManager>,
        storage: Arc<dyn TableStorage>,
        executor: Arc<dyn FragmentExecutor>,
    ) -> Arc<Self> {
        Arc::new(Self {
            catalog,
            storage,
            executor,
            globals: GlobalVariables::new(),
            next_connection_id: AtomicU32::new(1),
            target_partitions: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
        })
    }

    pub fn next_connection_id(&self) -> u32 {
        self.next_connection_id.fetch_add(1, Ordering::Relaxed)
    }

    /// The DataFusion state to plan one statement of `session` in.
    pub fn session_state(&self, session: &Session) -> SessionState {
        let planning = PlanningSession {
            functions: SessionFunctionValues {
                current_database: session.current_db.clone(),
                connection_id: session.connection_id,
                user: session.user.clone(),
                client_host: session.client_host.clone(),
                server_version: SERVER_VERSION.to_string(),
            },
            variables: session.variables.clone(),
            user_variables: session.user_variables.clone(),
            globals: Arc::clone(&self.globals),
            target_partitions: self.target_partitions,
        };
        build_session_state(
            &planning,
            Arc::clone(&self.catalog) as Arc<dyn CatalogView>,
            Arc::clone(&self.storage),
        )
    }
}

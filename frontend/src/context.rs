//! Server-wide state shared by every connection.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Weak};
use std::time::Instant;

use datafusion::execution::session_state::SessionState;
use lakestar_engine::catalog::CatalogView;
use lakestar_engine::execution::FragmentExecutor;
use lakestar_engine::storage::{ExternalCatalogs, FileReader, TableStorage};
use lakestar_engine::variables::{GlobalVariables, SERVER_VERSION};
use lakestar_engine::Result;
use lakestar_planner::functions::SessionFunctionValues;
use lakestar_planner::session::{build_session_state, PlanningSession};
use tokio_rustls::TlsAcceptor;

use crate::auth::Authenticator;
use crate::catalog::CatalogManager;
use crate::information_schema::{InformationSchema, SystemSources};
use crate::materialized_views::MaterializedViews;
use crate::process::ProcessList;
use crate::session::Session;

/// Everything a statement handler may use besides its session.
#[derive(Debug)]
pub struct FrontendContext {
    pub catalog: Arc<CatalogManager>,
    pub storage: Arc<dyn TableStorage>,
    pub executor: Arc<dyn FragmentExecutor>,
    pub files: Arc<dyn FileReader>,
    pub external: Arc<dyn ExternalCatalogs>,
    pub globals: Arc<GlobalVariables>,
    pub auth: Authenticator,
    pub processes: Arc<ProcessList>,
    pub started: Instant,
    next_connection_id: AtomicU32,
    pub target_partitions: usize,
    /// Materialized-view refreshes: the scheduler and the record of task runs.
    pub materialized_views: Arc<MaterializedViews>,
    /// This context, for work that outlives a statement (refreshes).
    me: Weak<FrontendContext>,
}

impl FrontendContext {
    /// `tls`: the acceptor when a certificate is configured.
    pub fn new(
        catalog: Arc<CatalogManager>,
        storage: Arc<dyn TableStorage>,
        executor: Arc<dyn FragmentExecutor>,
        files: Arc<dyn FileReader>,
        external: Arc<dyn ExternalCatalogs>,
        tls: Option<TlsAcceptor>,
    ) -> Result<Arc<Self>> {
        let auth = Authenticator::new(Arc::clone(&catalog), tls)?;
        Ok(Arc::new_cyclic(|me| Self {
            auth,
            catalog,
            storage,
            executor,
            files,
            external,
            globals: GlobalVariables::new(),
            processes: Arc::new(ProcessList::default()),
            started: Instant::now(),
            next_connection_id: AtomicU32::new(1),
            target_partitions: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            materialized_views: Arc::new(MaterializedViews::default()),
            me: me.clone(),
        }))
    }

    /// The shared handle of this context.
    pub fn arc(&self) -> Arc<Self> {
        self.me
            .upgrade()
            .expect("the context outlives its statements")
    }

    pub fn next_connection_id(&self) -> u32 {
        self.next_connection_id.fetch_add(1, Ordering::Relaxed)
    }

    /// The COM_STATISTICS line.
    pub fn statistics_line(&self) -> String {
        use std::sync::atomic::Ordering::Relaxed;
        let uptime = self.started.elapsed().as_secs();
        let questions = self.processes.questions.load(Relaxed);
        format!(
            "Uptime: {uptime}  Threads: {}  Questions: {questions}  Slow queries: 0  Opens: 0  Flush tables: 0  Open tables: 0  Queries per second avg: {:.3}",
            self.processes.all().len(),
            questions as f64 / uptime.max(1) as f64
        )
    }

    /// What information_schema is built from, for `session`.
    pub fn system_sources(&self, session: &Session) -> SystemSources {
        SystemSources {
            catalog: Arc::clone(&self.catalog),
            storage: Arc::clone(&self.storage),
            external: Arc::clone(&self.external),
            materialized_views: Arc::clone(&self.materialized_views),
            processes: Arc::clone(&self.processes),
            globals: Arc::clone(&self.globals),
            session_variables: session.variables.clone(),
            started: self.started,
        }
    }

    /// An external catalog, opened for one statement (SHOW, USE).
    pub fn external_catalog(
        &self,
        name: &str,
    ) -> Result<Arc<dyn datafusion::catalog::CatalogProvider>> {
        let meta = self
            .catalog
            .snapshot()
            .catalogs
            .get(name)
            .cloned()
            .ok_or_else(|| {
                lakestar_engine::user_err!(UnknownDatabase, "Unknown catalog '{name}'")
            })?;
        self.external.open(&meta)
    }

    /// The DataFusion state to plan one statement of `session` in.
    pub fn session_state(&self, session: &Session) -> SessionState {
        let planning = PlanningSession {
            current_catalog: session.current_catalog.clone(),
            functions: SessionFunctionValues {
                current_database: session.current_db.clone(),
                connection_id: session.connection_id,
                user: session.user.clone(),
                client_host: session.client_host.clone(),
                server_version: SERVER_VERSION.to_string(),
                row_count: session.row_count,
                found_rows: session.found_rows,
                warning_count: session.diagnostics.len() as u64,
                error_count: session
                    .diagnostics
                    .iter()
                    .filter(|d| d.level == "Error")
                    .count() as u64,
            },
            variables: session.variables.clone(),
            user_variables: session.user_variables.clone(),
            globals: Arc::clone(&self.globals),
            target_partitions: self.target_partitions,
            warnings: session.warnings.clone(),
        };
        build_session_state(
            &planning,
            Arc::clone(&self.catalog) as Arc<dyn CatalogView>,
            Arc::clone(&self.storage),
            Some(Arc::new(InformationSchema::new(
                self.system_sources(session),
            ))),
            Some(Arc::clone(&self.files)),
            Some(Arc::clone(&self.external)),
        )
    }
}

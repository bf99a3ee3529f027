//! One client connection's state.

use std::sync::Arc;

use lakestar_engine::variables::{GlobalVariables, SessionVariables};
use lakestar_planner::variables::UserVariableProvider;

/// What a connection remembers between statements.
#[derive(Debug)]
pub struct Session {
    pub connection_id: u32,
    pub user: String,
    pub client_host: String,
    pub current_db: Option<String>,
    pub variables: SessionVariables,
    pub user_variables: UserVariableProvider,
}

impl Session {
    pub fn new(
        connection_id: u32,
        user: String,
        client_host: String,
        globals: &Arc<GlobalVariables>,
    ) -> Self {
        Self {
            connection_id,
            user,
            client_host,
            current_db: None,
            variables: SessionVariables::new(globals),
            user_variables: UserVariableProvider::default(),
        }
    }

    /// Back to the state of a new connection (COM_RESET_CONNECTION), keeping identity and database.
    pub fn reset(&mut self, globals: &Arc<GlobalVariables>) {
        self.variables = SessionVariables::new(globals);
        self.user_variables = UserVariableProvider::default();
    }
}

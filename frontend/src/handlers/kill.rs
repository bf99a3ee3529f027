//! `KILL [QUERY | CONNECTION] id` and COM_PROCESS_KILL.
//!
//! KILL QUERY interrupts the statement the connection runs (error 1317 to its client);
//! KILL [CONNECTION] also closes the connection. Any account may kill any connection,
//! as there is no privilege system yet.

use lakestar_engine::{user_err, Result};

use crate::context::FrontendContext;
use crate::output::QueryOutput;
use crate::session::Session;

pub fn handle(
    ctx: &FrontendContext,
    _session: &Session,
    id: u32,
    connection: bool,
) -> Result<QueryOutput> {
    let process = ctx
        .processes
        .get(id)
        .ok_or_else(|| user_err!(UnknownThread, "Unknown thread id: {id}"))?;
    process.kill(connection);
    Ok(QueryOutput::ok())
}

//! `BEGIN` / `START TRANSACTION` / `COMMIT` / `ROLLBACK`.
//!
//! Semantics (documented in README.md): every statement is its own atomic transaction and
//! commits when it returns, whether or not a transaction was opened; there are no
//! multi-statement transactions. BEGIN marks the session as in a transaction (the
//! SERVER_STATUS_IN_TRANS flag drivers read); COMMIT ends it. ROLLBACK ends it too, and if
//! writes were made since BEGIN, it cannot undo them and says so with warning 1196, as
//! MySQL does for non-transactional tables.

use lakestar_engine::Result;

use crate::output::QueryOutput;
use crate::session::{Diagnostic, Session};

pub fn begin(session: &mut Session) -> Result<QueryOutput> {
    session.in_transaction = true;
    session.writes_in_transaction = 0;
    Ok(QueryOutput::ok())
}

pub fn commit(session: &mut Session) -> Result<QueryOutput> {
    session.in_transaction = false;
    session.writes_in_transaction = 0;
    Ok(QueryOutput::ok())
}

pub fn rollback(session: &mut Session) -> Result<QueryOutput> {
    if session.writes_in_transaction > 0 {
        session.diagnostics.push(Diagnostic::warning(
            1196,
            "Some non-transactional changed tables couldn't be rolled back",
        ));
    }
    commit(session)
}

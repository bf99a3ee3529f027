//! `SHOW [COUNT(*)] WARNINGS` and `SHOW [COUNT(*)] ERRORS`: the diagnostics of the last
//! statement (these statements leave them in place).

use lakestar_engine::Result;

use crate::output::QueryOutput;
use crate::session::Session;

pub fn handle(session: &Session, errors_only: bool, count_only: bool) -> Result<QueryOutput> {
    let rows: Vec<_> = session
        .diagnostics
        .iter()
        .filter(|d| !errors_only || d.level == "Error")
        .collect();
    if count_only {
        let name = if errors_only {
            "@@session.error_count"
        } else {
            "@@session.warning_count"
        };
        return QueryOutput::text_rows(&[name], vec![vec![Some(rows.len().to_string())]]);
    }
    QueryOutput::text_rows(
        &["Level", "Code", "Message"],
        rows.into_iter()
            .map(|d| {
                vec![
                    Some(d.level.to_string()),
                    Some(d.code.to_string()),
                    Some(d.message.clone()),
                ]
            })
            .collect(),
    )
}

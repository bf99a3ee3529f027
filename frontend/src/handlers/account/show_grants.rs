//! `SHOW GRANTS [FOR user]`. Lakestar has no privilege system yet: every account may do
//! everything, which is what the grant line says.

use lakestar_engine::{user_err, Result};

use crate::context::FrontendContext;
use crate::output::QueryOutput;
use crate::session::Session;
use crate::sql::admin::UserName;

pub fn handle(
    ctx: &FrontendContext,
    session: &Session,
    user: Option<&UserName>,
) -> Result<QueryOutput> {
    let name = user.map_or(session.user.as_str(), |u| u.name.as_str());
    let account = ctx.catalog.user(name).ok_or_else(|| {
        user_err!(
            UnknownUser,
            "There is no such grant defined for user '{name}' on host '%'"
        )
    })?;
    let line = format!(
        "GRANT ALL PRIVILEGES ON *.* TO '{}'@'{}' WITH GRANT OPTION",
        account.name, account.host
    );
    let header = format!("Grants for {}@{}", account.name, account.host);
    QueryOutput::text_rows(&[header.as_str()], vec![vec![Some(line)]])
}
